import ArgumentParser
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dctc head`: the first lines or bytes of files of any store.
struct Head: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the first lines (or bytes) of files of any store.",
        discussion: """
        Prints the first 10 lines of each file, or the first N lines (-n) or bytes (-c). gzip \
        and bzip2 content is decompressed unless --raw is given. Reading stops as soon as \
        enough is printed: the rest of a remote file is never downloaded, and -c on stored \
        bytes is a single ranged read. With several files each is preceded by a \
        '==> NAME <==' header (unless -q). - (or no address) reads standard input.

        Examples:
          dctc head https://example.org/big.csv.gz
          dctc head -n 3 's3://bucket/logs/*.log'
          dctc head -c 1K --raw backup:image.iso | xxd
        """)

    @OptionGroup var global: GlobalOptionsOf<LongVerbosityOptions>

    @Option(name: [.customShort("n"), .customLong("lines")],
            help: ArgumentHelp("Print the first N lines (default 10).", valueName: "N"))
    var lines: ContentCount?

    @Option(name: [.customShort("c"), .customLong("bytes")],
            help: ArgumentHelp("Print the first N bytes (suffixes K, M, G: powers of 1024; KB, MB, GB: of 1000).", valueName: "N"))
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

    func validate() throws {
        if lines != nil && bytes != nil {
            throw ValidationError("-n/--lines and -c/--bytes cannot be used together.")
        }
        if lines?.fromStart == true || bytes?.fromStart == true {
            throw ValidationError("head counts from the start already; '+N' is for `dctc tail`.")
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
                    let stream = try await openBytes(input, count: bytes.value)
                    headers.print(for: input)
                    try await ContentReading.forEachChunk(stream) { chunk in
                        Output.standard.write(chunk)
                        return true
                    }
                } else {
                    let stream = try await ContentReading.open(input, raw: raw)
                    headers.print(for: input)
                    try await Head.writeLines(of: stream, count: lines?.value ?? 10)
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

    /// The first `count` bytes: a ranged read when the store allows it and the content is
    /// stored as is, else the (decompressed) stream cut after `count` bytes.
    private func openBytes(_ input: ContentInput, count: Int64) async throws -> ByteStream {
        if count == 0 {
            if input.info?.isDirectory == true { throw ContentReading.isADirectory(input.name) }
            return .empty
        }
        if try await ContentReading.isRangeable(input, raw: raw) {
            return try await ContentReading.openRaw(input, range: ByteRange(offset: 0, length: count))
        }
        return try await ContentReading.open(input, raw: raw).prefix(bytes: count)
    }

    /// Writes the stream up to and including its `count`th newline, then cancels it.
    static func writeLines(of stream: ByteStream, count: Int64) async throws {
        guard count > 0 else {
            await stream.cancel()
            return
        }
        var remaining = count
        try await ContentReading.forEachChunk(stream) { chunk in
            let end: Int? = chunk.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return nil }
                var start = 0
                while start < buffer.count, let hit = memchr(base + start, 0x0A, buffer.count - start) {
                    start = base.distance(to: UnsafeRawPointer(hit)) + 1
                    remaining -= 1
                    if remaining == 0 { return start }
                }
                return nil
            }
            if let end {
                Output.standard.write(Array(chunk[..<end]))
                return false
            }
            Output.standard.write(chunk)
            return true
        }
    }
}
