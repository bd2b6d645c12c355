import ArgumentParser
import DCTCCore
import DCTCDigest
import Foundation

/// `dctc hash`: content hashes of files of any store, and checking them against a sum file.
struct Hash: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print or check MD5, SHA-1 or SHA-256 hashes of files of any store.",
        discussion: """
        Prints 'HASH  NAME' lines exactly like md5sum, sha1sum and sha256sum (names with a \
        backslash, newline or carriage return are escaped the same way), so their --check can \
        read the output and ours can read theirs. A hash the store already knows (an S3 ETag, \
        a server-side checksum) is used without reading the file; otherwise the content is \
        streamed. Several files are hashed at once; output stays in argument order.

        --check reads a sum file in GNU ('HASH  NAME', 'HASH *NAME') or BSD \
        ('SHA256 (NAME) = HASH') format, with the algorithm from --algo or else from the hash \
        length, and prints 'NAME: OK' or 'NAME: FAILED'; names are addresses, relative ones \
        taken from the current directory. Exit status 1 when a file failed or could not be read.

        Examples:
          dctc hash --algo sha256 'sftp://user@host/isos/*.iso'
          dctc hash s3://bucket/data.bin ./data.bin
          dctc hash --check SHA256SUMS --algo sha256
          dctc hash -r --algo sha256 ./release > SHA256SUMS
        """)

    /// The hash algorithms, as `--algo` takes them.
    enum Algorithm: String, ExpressibleByArgument, CaseIterable, Sendable {
        case md5, sha1, sha256
        var kind: HashKind {
            switch self {
            case .md5: .md5
            case .sha1: .sha1
            case .sha256: .sha256
            }
        }
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "The algorithm: md5 (default), sha1 or sha256. With --check, the default is to infer it from each line.")
    var algo: Algorithm?

    @Option(help: ArgumentHelp("Check the files listed in a sum file (any address; - for standard input).", valueName: "sumfile"))
    var check: String?

    /// With --check: print only the files that failed (`--quiet`, the global flag, as md5sum's).
    var quiet: Bool { global.quiet }

    @Flag(name: .shortAndLong, help: "Hash every file below directories, in sorted order.")
    var recursive = false

    @Flag(help: "With --check: skip listed files that do not exist.")
    var ignoreMissing = false

    @Argument(help: ArgumentHelp("Files to hash (glob patterns allowed; - for standard input).", valueName: "address"), completion: .address)
    var addresses: [String] = []

    init() {}

    /// Files hashed at the same time.
    static let concurrency = 4

    func validate() throws {
        if check != nil && !addresses.isEmpty {
            throw ValidationError("Give either --check SUMFILE or addresses to hash, not both.")
        }
        if check == nil && ignoreMissing {
            throw ValidationError("--ignore-missing applies to --check only.")
        }
    }

    func run(_ context: CommandContext) async throws {
        if let check {
            try await runCheck(sumFile: check, context: context)
        } else {
            try await runHash(context: context)
        }
    }

    // MARK: - Hashing

    /// An argument's outcome before hashing: a file to hash, or the error expanding it.
    private enum Item: Sendable {
        case input(ContentInput)
        case failed(VFSError, name: String)
    }

    private func runHash(context: CommandContext) async throws {
        let kind = (algo ?? .md5).kind
        let reporter = ErrorReporter(verbose: global.verbose)
        var items: [Item] = []
        for text in addresses.isEmpty ? ["-"] : addresses {
            do {
                for input in try await ContentReading.expand(text, context: context) {
                    guard recursive, input.info?.isDirectory == true, let root = input.location else {
                        items.append(.input(input))
                        continue
                    }
                    for try await entry in root.fs.walk(root.path) where entry.isFile {
                        let rel = entry.path.relative(to: root.path) ?? entry.name
                        items.append(.input(ContentInput(name: CommandContext.join(input.name, rel),
                                                         location: root.with(path: entry.path), info: entry)))
                    }
                }
            } catch {
                if ContentReading.isCancellation(error) { throw error }
                items.append(.failed(VFSError.wrap(error, path: text), name: text))
            }
        }
        // Standard input named twice must be read in turn (the second time it is empty, as
        // with md5sum), not by two readers at once.
        let stdinCount = items.filter { if case .input(let i) = $0 { i.isStandardInput } else { false } }.count
        try await Hash.inOrder(items, width: stdinCount > 1 ? 1 : Hash.concurrency) { item -> Result<String, VFSError> in
            guard case .input(let input) = item else { return .success("") }
            do { return .success(try await Hash.digest(input, kind: kind)) } catch {
                return .failure(VFSError.wrap(error, path: input.name))
            }
        } deliver: { item, result in
            switch (item, result) {
            case (.failed(let error, let name), _):
                reporter.report(error, path: name)
            case (.input(let input), .success(let hex)):
                Output.standard.line(Hash.sumLine(hex: hex, name: input.name))
                reporter.success()
            case (.input(let input), .failure(let error)):
                reporter.report(error, path: input.name)
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }

    /// The hash of one input: one the store already knows, else one it computes on its side,
    /// else the streamed content's.
    /// - Throws: `.isADirectory` for a directory; read errors.
    static func digest(_ input: ContentInput, kind: HashKind) async throws -> String {
        if let loc = input.location {
            if input.info?.isDirectory == true { throw ContentReading.isADirectory(input.name) }
            if let known = input.info?.hashes[kind] { return known.lowercased() }
            if let provider = loc.fs as? any HashProviding, loc.fs.capabilities.remoteHashes.contains(kind) {
                return try await provider.hash(loc.path, kind: kind).lowercased()
            }
        }
        let stream = try await ContentReading.openRaw(input)
        let digest = try Digest(kind)
        try await ContentReading.forEachChunk(stream) { chunk in
            digest.update(chunk)
            return true
        }
        return digest.finalize()
    }

    /// Runs `work` on every item, at most `width` at a time, and hands each result to
    /// `deliver` in the items' order as soon as it and all before it are done.
    /// - Throws: `CancellationError` when the task was cancelled.
    static func inOrder<T: Sendable, R: Sendable>(
        _ items: [T], width: Int,
        work: @escaping @Sendable (T) async -> R,
        deliver: (T, R) -> Void
    ) async throws {
        // Results waiting for an earlier one are bounded too: a slow first file does not let
        // the rest run arbitrarily far ahead.
        let window = max(width, 1) * 16
        await withTaskGroup(of: (Int, R).self) { group in
            var next = 0
            var running = 0
            var delivered = 0
            var waiting: [Int: R] = [:]
            func fill() {
                while running < max(width, 1), next < items.count, next < delivered + window, !Task.isCancelled {
                    let index = next
                    let item = items[index]
                    group.addTask { (index, await work(item)) }
                    next += 1
                    running += 1
                }
            }
            fill()
            while let (index, result) = await group.next() {
                running -= 1
                waiting[index] = result
                while let ready = waiting.removeValue(forKey: delivered) {
                    deliver(items[delivered], ready)
                    delivered += 1
                }
                fill()
            }
        }
        try Task.checkCancellation()
    }

    // MARK: - Sum lines

    /// One output line as coreutils prints it: `HASH  NAME`, or `\HASH  NAME` with `\`,
    /// newline and carriage return escaped when the name holds one of them.
    static func sumLine(hex: String, name: String) -> String {
        let (text, escaped) = escape(name)
        return (escaped ? "\\" : "") + hex + "  " + text
    }

    /// A name with `\`, newline and carriage return written as `\\`, `\n`, `\r`, and whether
    /// any was (then coreutils starts the line with `\`).
    static func escape(_ name: String) -> (text: String, escaped: Bool) {
        var out = String.UnicodeScalarView()
        var escaped = false
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars); escaped = true
            case "\n": out.append(contentsOf: "\\n".unicodeScalars); escaped = true
            case "\r": out.append(contentsOf: "\\r".unicodeScalars); escaped = true
            default: out.append(scalar)
            }
        }
        return (String(out), escaped)
    }

    /// Undoes `escape`; nil for an unknown escape or a trailing `\`.
    static func unescape(_ text: Substring) -> String? {
        var out = String.UnicodeScalarView()
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else { out.append(scalar); continue }
            switch iterator.next() {
            case "\\": out.append("\\")
            case "n": out.append("\n")
            case "r": out.append("\r")
            default: return nil
            }
        }
        return String(out)
    }

    /// One valid line of a sum file.
    struct SumEntry: Sendable, Equatable {
        var kind: HashKind
        /// Lowercase hex.
        var expected: String
        var name: String
    }

    /// Parses a line of a sum file, GNU (`HASH  NAME`, `HASH *NAME`) or BSD
    /// (`SHA256 (NAME) = HASH`) style, either optionally starting with `\` for an escaped
    /// name. Leading blanks and a trailing carriage return are ignored, as coreutils does.
    /// - Parameter algorithm: the algorithm the user asked for; nil infers it from the tag
    ///   (BSD) or the hash length (GNU).
    /// - Returns: nil for a malformed line.
    static func parseSumLine(_ raw: String, algorithm: HashKind?) -> SumEntry? {
        var line = Substring(raw)
        if line.hasSuffix("\r") { line = line.dropLast() }
        line = line.drop { $0 == " " || $0 == "\t" }
        var escaped = false
        if line.hasPrefix("\\") {
            escaped = true
            line = line.dropFirst()
        }
        func name(_ text: Substring) -> String? {
            guard !text.isEmpty else { return nil }
            return escaped ? unescape(text) : String(text)
        }
        // BSD: TAG (NAME) = HASH
        for kind in HashKind.allCases {
            let tag = kind.rawValue.uppercased() + " ("
            guard line.hasPrefix(tag), let close = line.range(of: ") = ", options: .backwards) else { continue }
            let hex = line[close.upperBound...]
            guard algorithm == nil || algorithm == kind, isHex(hex, length: kind.hexLength),
                  close.lowerBound >= line.index(line.startIndex, offsetBy: tag.count),
                  let file = name(line[line.index(line.startIndex, offsetBy: tag.count)..<close.lowerBound]) else { return nil }
            return SumEntry(kind: kind, expected: hex.lowercased(), name: file)
        }
        // GNU: HASH, a blank, an optional ' ' or '*' (the mode), NAME
        let hex = line.prefix { $0.isHexDigit }
        var rest = line.dropFirst(hex.count)
        guard let blank = rest.first, blank == " " || blank == "\t" else { return nil }
        rest = rest.dropFirst()
        if rest.first == " " || rest.first == "*" { rest = rest.dropFirst() }
        let kind: HashKind? = algorithm ?? HashKind.allCases.first { $0.hexLength == hex.count }
        guard let kind, isHex(hex, length: kind.hexLength), let file = name(rest) else { return nil }
        return SumEntry(kind: kind, expected: hex.lowercased(), name: file)
    }

    private static func isHex(_ s: Substring, length: Int) -> Bool {
        s.count == length && s.allSatisfy { $0.isASCII && $0.isHexDigit }
    }

    // MARK: - Checking

    /// What checking one entry found.
    private enum Verdict: Sendable {
        case ok, mismatch, unreadable(VFSError), missingIgnored
    }

    private func runCheck(sumFile: String, context: CommandContext) async throws {
        let sumName = sumFile == "-" ? "standard input" : sumFile
        let stream: ByteStream
        if sumFile == "-" {
            stream = ContentReading.standardInput()
        } else {
            let loc = try await context.location(sumFile)
            stream = try await loc.fs.read(loc.path, range: nil)
        }
        var entries: [SumEntry] = []
        var malformed = 0
        var splitter = LineSplitter()
        let requested = algo?.kind
        func take(_ line: UnsafeRawBufferPointer) -> Bool {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("#") { return true }
            if let entry = Hash.parseSumLine(text, algorithm: requested) { entries.append(entry) } else { malformed += 1 }
            return true
        }
        try await ContentReading.forEachChunk(stream) { chunk in splitter.feed(chunk, take) }
        splitter.finish(take)
        guard !entries.isEmpty else {
            throw VFSError(.invalidArgument, "no properly formatted checksum lines found", path: sumName,
                           remedy: "give md5sum/sha1sum/sha256sum output ('HASH  NAME') or BSD lines ('SHA256 (NAME) = HASH')")
        }

        let skipMissing = ignoreMissing
        var mismatched = 0
        var unreadable = 0
        var verified = 0
        try await Hash.inOrder(entries, width: Hash.concurrency) { entry -> Verdict in
            do {
                let input: ContentInput
                if entry.name == "-" {
                    input = .standardInput
                } else {
                    let loc = try await context.location(entry.name)
                    input = ContentInput(name: entry.name, location: loc, info: try await loc.fs.info(loc.path))
                }
                let actual = try await Hash.digest(input, kind: entry.kind)
                return actual == entry.expected ? .ok : .mismatch
            } catch {
                let e = VFSError.wrap(error, path: entry.name)
                return skipMissing && e.code == .notFound ? .missingIgnored : .unreadable(e)
            }
        } deliver: { entry, verdict in
            // Like coreutils 9 in check mode: the name is escaped only when it holds a newline.
            let label = entry.name.unicodeScalars.contains("\n") ? "\\" + Hash.escape(entry.name).text : entry.name
            switch verdict {
            case .ok:
                verified += 1
                if !quiet { Output.standard.line("\(label): OK") }
            case .mismatch:
                verified += 1
                mismatched += 1
                Output.standard.line("\(label): FAILED")
            case .unreadable(let error):
                unreadable += 1
                printError(describe(error, verbose: global.verbose))
                Output.standard.line("\(label): FAILED open or read")
            case .missingIgnored:
                break
            }
        }
        Output.standard.flush()
        if malformed > 0 {
            printError("WARNING: \(malformed) \(malformed == 1 ? "line is" : "lines are") improperly formatted")
        }
        if unreadable > 0 {
            printError("WARNING: \(unreadable) listed \(unreadable == 1 ? "file" : "files") could not be read")
        }
        if mismatched > 0 {
            printError("WARNING: \(mismatched) computed \(mismatched == 1 ? "checksum" : "checksums") did NOT match")
        }
        if skipMissing && verified == 0 && unreadable == 0 {
            printError("\(sumName): no file was verified")
            throw CommandFailure(.negative)
        }
        if mismatched > 0 || unreadable > 0 { throw CommandFailure(.negative) }
    }
}
