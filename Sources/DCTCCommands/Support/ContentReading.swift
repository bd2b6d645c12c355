import ArgumentParser
import DCTCCompression
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One thing a content verb (`cat`, `head`, `tail`, `grep`, `hash`) reads: a file of some
/// store, or standard input.
struct ContentInput: Sendable {
    /// The name shown in output: the argument as typed, or the expanded address of a glob
    /// match, or `-` for standard input.
    let name: String
    /// Where the content lives; nil for standard input.
    let location: Location?
    /// What the store said about it when the argument was expanded; nil for standard input.
    let info: FileInfo?

    var isStandardInput: Bool { location == nil }

    /// The file name whose extension decides the codec when the bytes do not ("" for stdin).
    var fileName: String { location?.path.name ?? "" }

    static let standardInput = ContentInput(name: "-", location: nil, info: nil)
}

/// Expanding arguments into `ContentInput`s and opening their content, shared by the
/// content verbs.
enum ContentReading {
    // MARK: - Arguments

    /// Expands one argument: `-` is standard input, an existing path is taken literally (its
    /// name is the argument as typed), and a glob pattern gives its matches (named by the
    /// expanded address, keeping the literal prefix the user typed).
    /// - Throws: `.notFound` when nothing exists or matches; address errors.
    static func expand(_ text: String, context: CommandContext) async throws -> [ContentInput] {
        if text == "-" { return [.standardInput] }
        let pattern = try await context.location(text)
        let matches = try await context.expand(text)
        if matches.count == 1, matches[0].0.path == pattern.path {
            return [ContentInput(name: text, location: matches[0].0, info: matches[0].1)]
        }
        return matches.map { loc, info in
            ContentInput(name: matchName(typed: text, pattern: pattern, match: loc), location: loc, info: info)
        }
    }

    /// Expands every argument in order, reporting the ones that fail to `reporter`.
    static func expandAll(_ texts: [String], context: CommandContext, reporter: ErrorReporter) async -> [ContentInput] {
        var out: [ContentInput] = []
        for text in texts {
            do { out += try await expand(text, context: context) } catch { reporter.report(error, path: text) }
        }
        return out
    }

    /// The name of a glob match as a shell would have written it: the literal part of the
    /// pattern the user typed, followed by the matched components (`logs/*.gz` →
    /// `logs/a.gz`). URLs of network stores are printed canonically (percent-encoded), so the
    /// name is an address again.
    static func matchName(typed: String, pattern: Location, match: Location) -> String {
        switch match.address.scheme {
        case .local, .account: break
        default: return match.description
        }
        var head = Substring("")
        var body = Substring(typed)
        if pattern.address.scheme == .account, let colon = typed.firstIndex(of: ":") {
            head = typed[...colon]
            body = typed[typed.index(after: colon)...]
        }
        // The typed text up to the first segment that holds a glob character.
        var segmentStart = body.startIndex
        var index = body.startIndex
        var literalEnd: Substring.Index?
        while true {
            if index == body.endIndex || body[index] == "/" {
                if Glob.hasMagic(String(body[segmentStart..<index])) {
                    literalEnd = segmentStart
                    break
                }
                if index == body.endIndex { break }
                segmentStart = body.index(after: index)
            }
            index = body.index(after: index)
        }
        guard let literalEnd else { return match.description }
        let baseDepth = pattern.path.components.prefix { !Glob.hasMagic($0) }.count
        let rest = match.path.components.dropFirst(baseDepth).joined(separator: "/")
        return String(head + body[..<literalEnd]) + rest
    }

    // MARK: - Content

    /// The error for a directory given where a file is needed (as `cat`, `md5sum` say).
    static func isADirectory(_ name: String) -> VFSError {
        VFSError(.isADirectory, "is a directory", path: name, remedy: "list it with `dctc ls`")
    }

    /// The stored bytes of an input, whole or a range (a range is ignored for standard input).
    /// - Throws: `.isADirectory` for a directory; the store's read errors.
    static func openRaw(_ input: ContentInput, range: ByteRange? = nil) async throws -> ByteStream {
        guard let loc = input.location else { return standardInput() }
        if input.info?.isDirectory == true { throw isADirectory(input.name) }
        return try await loc.fs.read(loc.path, range: range)
    }

    /// The content of an input, decompressed (gzip, bzip2, by magic bytes then extension)
    /// unless `raw`.
    /// - Throws: `.isADirectory`; the store's read errors. Corrupt compressed data surfaces
    ///   as `.corruptData` while the stream is read.
    static func open(_ input: ContentInput, raw: Bool) async throws -> ByteStream {
        let stream = try await openRaw(input)
        if raw { return stream }
        return try await stream.decompressed(displayPath: input.name, name: input.fileName)
    }

    /// True when the input's content can be read in ranges as it is: a file of a store with
    /// ranged reads, of known size, and either `raw` or not gzip/bzip2 (sniffed with a ranged
    /// read of its first bytes when the name does not say).
    static func isRangeable(_ input: ContentInput, raw: Bool) async throws -> Bool {
        guard let loc = input.location, let info = input.info, info.isFile, info.size != nil,
              loc.fs.capabilities.rangedReads else { return false }
        if raw { return true }
        if Codec.forName(input.fileName)?.isStream == true { return false }
        let head = try await loc.fs.read(loc.path, range: ByteRange(offset: 0, length: Int64(Codec.magicLength)))
            .collect(limit: 1 << 20)
        return Codec.detect(magic: head)?.isStream != true
    }

    /// Feeds each chunk of `stream` to `body` until the stream ends or `body` returns false.
    ///
    /// Checks for task cancellation (Ctrl-C) between chunks, and cancels the stream when
    /// stopping early or failing, so its producer releases its file or connection at once.
    static func forEachChunk(_ stream: ByteStream, _ body: ([UInt8]) throws -> Bool) async throws {
        do {
            for try await chunk in stream {
                try Task.checkCancellation()
                if try !body(chunk) {
                    await stream.cancel()
                    return
                }
            }
        } catch {
            await stream.cancel()
            throw error
        }
    }

    /// True for the errors that end a whole command rather than one file (Ctrl-C).
    static func isCancellation(_ error: any Error) -> Bool {
        error is CancellationError || (error as? VFSError)?.code == .cancelled
    }

    /// Standard input as a stream (read on a thread of its own; see `standardInputStream`).
    static func standardInput() -> ByteStream { standardInputStream() }
}

/// Prints coreutils-style `==> NAME <==` headers between files, with a blank line before
/// every header but the first.
struct HeaderPrinter {
    let enabled: Bool
    private var first = true

    init(enabled: Bool) { self.enabled = enabled }

    mutating func print(for input: ContentInput) {
        guard enabled else { return }
        let name = input.isStandardInput ? "standard input" : input.name
        Output.standard.write((first ? "" : "\n") + "==> \(name) <==\n")
        first = false
    }
}

/// Splits a byte stream into lines on `\n`, chunk by chunk, without copying lines that lie
/// inside one chunk. A line that spans chunks is carried over (so memory is bounded by the
/// longest line, not the stream). Lines are handed out without their `\n`; a last line
/// without one is handed out by `finish`.
struct LineSplitter {
    private var carry: [UInt8] = []

    init() {}

    /// Hands each complete line of `chunk` to `body`, which returns false to stop early.
    /// - Returns: false when `body` asked to stop.
    mutating func feed(_ chunk: [UInt8], _ body: (UnsafeRawBufferPointer) throws -> Bool) rethrows -> Bool {
        try chunk.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var start = 0
            while start < buffer.count, let hit = memchr(base + start, 0x0A, buffer.count - start) {
                let end = base.distance(to: UnsafeRawPointer(hit))
                let piece = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                start = end + 1
                if carry.isEmpty {
                    if try !body(piece) { return false }
                } else {
                    carry.append(contentsOf: piece)
                    let keepGoing = try carry.withUnsafeBytes { try body($0) }
                    carry.removeAll(keepingCapacity: carry.count <= 1 << 20)
                    if !keepGoing { return false }
                }
            }
            if start < buffer.count { carry.append(contentsOf: buffer[start...]) }
            return true
        }
    }

    /// Hands out the last line when the stream did not end with `\n`.
    mutating func finish(_ body: (UnsafeRawBufferPointer) throws -> Bool) rethrows {
        guard !carry.isEmpty else { return }
        _ = try carry.withUnsafeBytes { try body($0) }
        carry.removeAll()
    }
}

/// A count of lines or bytes as `head` and `tail` take it: `N`, or `+N` (from the Nth on,
/// `tail` only), with an optional multiplier suffix like coreutils (`K`/`KiB` 1024, `KB`
/// 1000, likewise `M`, `G`, `T`; `b` 512).
struct ContentCount: ExpressibleByArgument, Sendable, Equatable {
    var value: Int64
    /// Written with a leading `+`: count from the start instead of from the end.
    var fromStart: Bool

    init(_ value: Int64, fromStart: Bool = false) {
        self.value = value
        self.fromStart = fromStart
    }

    init?(argument: String) {
        var text = Substring(argument)
        fromStart = text.hasPrefix("+")
        if fromStart { text = text.dropFirst() }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int64(digits) else { return nil }
        let multiplier: Int64
        switch text.dropFirst(digits.count) {
        case "": multiplier = 1
        case "b": multiplier = 512
        case "K", "KiB": multiplier = 1 << 10
        case "KB": multiplier = 1000
        case "M", "MiB": multiplier = 1 << 20
        case "MB": multiplier = 1_000_000
        case "G", "GiB": multiplier = 1 << 30
        case "GB": multiplier = 1_000_000_000
        case "T", "TiB": multiplier = 1 << 40
        case "TB": multiplier = 1_000_000_000_000
        default: return nil
        }
        let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
        value = overflow ? Int64.max : product
    }
}
