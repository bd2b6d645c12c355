import ArgumentParser
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dctc tail`: the last lines or bytes of files of any store.
struct Tail: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the last lines (or bytes) of files of any store.",
        discussion: """
        Prints the last 10 lines of each file, or the last N lines (-n) or bytes (-c); '+K' \
        prints from line (or byte) K on. Stored content on a store with ranged reads is read \
        from its end: -c fetches only the last N bytes, -n fetches 64 KiB blocks backwards \
        until it has N lines. gzip and bzip2 content (decompressed unless --raw) and stores \
        without ranged reads are streamed, keeping only the last lines in memory. With several \
        files each is preceded by a '==> NAME <==' header (unless -q).

        Examples:
          dctc tail -n 20 sftp://user@host/var/log/syslog
          dctc tail -c 1M s3://bucket/dump.log
          dctc tail -n +2 data.csv.gz
        """)

    @OptionGroup var global: GlobalOptionsOf<LongVerbosityOptions>

    @Option(name: [.customShort("n"), .customLong("lines")],
            help: ArgumentHelp("Print the last N lines (default 10), or from line K on with +K.", valueName: "N"))
    var lines: ContentCount?

    @Option(name: [.customShort("c"), .customLong("bytes")],
            help: ArgumentHelp("Print the last N bytes, or from byte K on with +K (suffixes K, M, G: powers of 1024; KB, MB, GB: of 1000).", valueName: "N"))
    var bytes: ContentCount?

    @Flag(name: [.customShort("q"), .customLong("silent")], help: "Never print '==> NAME <==' headers (also --quiet).")
    var silent = false

    /// `-q`, `--silent` or `--quiet` (the global flag), as in GNU head and tail.
    var quiet: Bool { silent || global.quiet }

    @Flag(help: "Read the stored bytes as they are, without decompressing.")
    var raw = false

    @Argument(help: ArgumentHelp("Files to read (glob patterns allowed; - for standard input).", valueName: "address"), completion: .address)
    var addresses: [String] = []

    init() {}

    /// The size of the blocks read backwards for `-n`.
    static let blockSize: Int64 = 64 * 1024

    func validate() throws {
        if lines != nil && bytes != nil {
            throw ValidationError("-n/--lines and -c/--bytes cannot be used together.")
        }
    }

    func run(_ context: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let arguments = addresses.isEmpty ? ["-"] : addresses
        let inputs = await ContentReading.expandAll(arguments, context: context, reporter: reporter)
        var headers = HeaderPrinter(enabled: !quiet && (arguments.count > 1 || inputs.count > 1))
        for input in inputs {
            do {
                if let bytes {
                    try await tailBytes(input, count: bytes, headers: &headers)
                } else {
                    try await tailLines(input, count: lines ?? ContentCount(10), headers: &headers)
                }
                reporter.success()
            } catch {
                if ContentReading.isCancellation(error) { throw error }
                reporter.report(error, path: input.name)
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }

    // MARK: - Bytes

    private func tailBytes(_ input: ContentInput, count: ContentCount, headers: inout HeaderPrinter) async throws {
        let rangeable = try await ContentReading.isRangeable(input, raw: raw)
        let size = input.info?.size ?? 0
        if rangeable {
            // From the end (or from byte K) with one ranged read.
            let offset = count.fromStart ? max(0, count.value - 1) : max(0, size - count.value)
            let stream: ByteStream = offset >= size
                ? .empty : try await ContentReading.openRaw(input, range: ByteRange(offset: offset, length: size - offset))
            headers.print(for: input)
            try await Tail.writeAll(stream)
            return
        }
        let stream = try await ContentReading.open(input, raw: raw)
        headers.print(for: input)
        if count.fromStart {
            var skip = max(0, count.value - 1)
            try await ContentReading.forEachChunk(stream) { chunk in
                if skip >= Int64(chunk.count) {
                    skip -= Int64(chunk.count)
                } else {
                    Output.standard.write(skip == 0 ? chunk : Array(chunk[Int(skip)...]))
                    skip = 0
                }
                return true
            }
            return
        }
        var window = TailWindow()
        try await ContentReading.forEachChunk(stream) { chunk in
            window.append(chunk, keepingBytes: count.value)
            return true
        }
        Output.standard.write(window.lastBytes(count.value))
    }

    // MARK: - Lines

    private func tailLines(_ input: ContentInput, count: ContentCount, headers: inout HeaderPrinter) async throws {
        if count.fromStart {
            let stream = try await ContentReading.open(input, raw: raw)
            headers.print(for: input)
            try await Tail.writeLines(of: stream, from: max(1, count.value))
            return
        }
        if try await ContentReading.isRangeable(input, raw: raw), let loc = input.location, let size = input.info?.size {
            headers.print(for: input)
            guard count.value > 0 else { return }
            // Read blocks backwards until they hold count + 1 newlines (enough whether or
            // not the file ends with one) or the start of the file.
            var window = TailWindow()
            var offset = size
            while offset > 0, window.newlines <= count.value {
                try Task.checkCancellation()
                let length = min(Tail.blockSize, offset)
                offset -= length
                let block = try await loc.fs.read(loc.path, range: ByteRange(offset: offset, length: length))
                    .collect(limit: Int(Tail.blockSize) * 2)
                window.prepend(block)
            }
            Output.standard.write(window.lastLines(count.value))
            return
        }
        let stream = try await ContentReading.open(input, raw: raw)
        headers.print(for: input)
        guard count.value > 0 else {
            await stream.cancel()
            return
        }
        var window = TailWindow()
        try await ContentReading.forEachChunk(stream) { chunk in
            window.append(chunk, keepingLines: count.value)
            return true
        }
        Output.standard.write(window.lastLines(count.value))
    }

    static func writeAll(_ stream: ByteStream) async throws {
        try await ContentReading.forEachChunk(stream) { chunk in
            Output.standard.write(chunk)
            return true
        }
    }

    /// Writes the stream from its line `first` (1-based) on.
    static func writeLines(of stream: ByteStream, from first: Int64) async throws {
        var skip = first - 1
        try await ContentReading.forEachChunk(stream) { chunk in
            guard skip > 0 else {
                Output.standard.write(chunk)
                return true
            }
            let start: Int? = chunk.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return nil }
                var position = 0
                while position < buffer.count, let hit = memchr(base + position, 0x0A, buffer.count - position) {
                    position = base.distance(to: UnsafeRawPointer(hit)) + 1
                    skip -= 1
                    if skip == 0 { return position }
                }
                return nil
            }
            if let start, start < chunk.count { Output.standard.write(Array(chunk[start...])) }
            return true
        }
    }
}

/// The end of a stream held in memory as whole chunks, dropping the oldest chunk as soon as
/// the newer ones hold everything `tail` will print, so memory stays bounded by the printed
/// lines (or bytes) plus one chunk.
struct TailWindow {
    /// Oldest first.
    private var chunks: [[UInt8]] = []
    private var newlineCounts: [Int64] = []
    private var byteCount: Int64 = 0
    /// Newlines in the chunks held.
    private(set) var newlines: Int64 = 0

    init() {}

    /// Adds a chunk at the end, keeping enough for the last `lines` lines: a chunk is dropped
    /// when the newer ones hold `lines + 1` newlines.
    mutating func append(_ chunk: [UInt8], keepingLines lines: Int64) {
        add(chunk, atFront: false)
        while chunks.count > 1, newlines - newlineCounts[0] > lines {
            drop()
        }
    }

    /// Adds a chunk at the end, keeping enough for the last `bytes` bytes.
    mutating func append(_ chunk: [UInt8], keepingBytes bytes: Int64) {
        add(chunk, atFront: false)
        while chunks.count > 1, byteCount - Int64(chunks[0].count) >= bytes {
            drop()
        }
    }

    /// Adds a chunk read before the ones held (reading a file backwards).
    mutating func prepend(_ chunk: [UInt8]) { add(chunk, atFront: true) }

    private mutating func add(_ chunk: [UInt8], atFront: Bool) {
        let count = TailWindow.countNewlines(chunk)
        if atFront {
            chunks.insert(chunk, at: 0)
            newlineCounts.insert(count, at: 0)
        } else {
            chunks.append(chunk)
            newlineCounts.append(count)
        }
        newlines += count
        byteCount += Int64(chunk.count)
    }

    private mutating func drop() {
        newlines -= newlineCounts.removeFirst()
        byteCount -= Int64(chunks.removeFirst().count)
    }

    /// The last `count` lines held, like coreutils: a last line without `\n` counts as a line
    /// and is printed without one.
    func lastLines(_ count: Int64) -> [UInt8] {
        guard count > 0 else { return [] }
        let all = chunks.flatMap { $0 }
        var index = all.count
        if index > 0 && all[index - 1] == 0x0A { index -= 1 }
        var found: Int64 = 0
        while index > 0 {
            if all[index - 1] == 0x0A {
                found += 1
                if found == count { break }
            }
            index -= 1
        }
        return Array(all[index...])
    }

    /// The last `count` bytes held.
    func lastBytes(_ count: Int64) -> [UInt8] {
        let all = chunks.flatMap { $0 }
        return Array(all.suffix(Int(min(count, Int64(all.count)))))
    }

    static func countNewlines(_ chunk: [UInt8]) -> Int64 {
        chunk.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            var count: Int64 = 0
            var position = 0
            while position < buffer.count, let hit = memchr(base + position, 0x0A, buffer.count - position) {
                position = base.distance(to: UnsafeRawPointer(hit)) + 1
                count += 1
            }
            return count
        }
    }
}
