import ArgumentParser
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dctc grep`: lines matching a regular expression in files of any store.
struct Grep: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print lines matching a pattern in files of any store, gzip and bzip2 included.",
        discussion: """
        PATTERN is a POSIX extended regular expression (as with grep -E), matched on bytes: \
        '.' is one byte and -i folds ASCII letters only. A pattern with newlines is several \
        patterns; a line is selected when any matches. Content is streamed and decompressed \
        (gzip, bzip2); lines may hold any bytes, NUL and invalid UTF-8 included, and are \
        printed as they are. Names prefix the lines when there are several files or with -r. \
        --verbose has no -v here: -v inverts the match, as in grep.

        Exit status: 0 when a line was selected, 1 when none was, 4 when some files failed and \
        others had matches, else the error's status.

        Examples:
          dctc grep -n 'ERROR|FATAL' sftp://user@host/var/log/app.log.gz
          dctc grep -c -i timeout 's3://bucket/logs/2024-*.gz'
          dctc grep -r -l -F 'TODO(' ./src
        """)

    @OptionGroup var global: GlobalOptionsOf<LongVerbosityOptions>

    @Flag(name: [.customShort("i"), .customLong("ignore-case")], help: "Ignore the case of ASCII letters.")
    var ignoreCase = false

    @Flag(name: [.customShort("v"), .customLong("invert-match")], help: "Select the lines that do not match.")
    var invertMatch = false

    @Flag(name: [.customShort("c"), .customLong("count")], help: "Print only the number of selected lines of each file.")
    var count = false

    @Flag(name: [.customShort("l"), .customLong("files-with-matches")], help: "Print only the names of files with a selected line.")
    var filesWithMatches = false

    @Flag(name: [.customShort("n"), .customLong("line-number")], help: "Prefix each line with its line number.")
    var lineNumber = false

    @Flag(name: [.customShort("F"), .customLong("fixed-strings")], help: "The pattern is plain text, not a regular expression.")
    var fixedStrings = false

    @Flag(name: [.customShort("E"), .customLong("extended-regexp")], help: "The pattern is an extended regular expression (the default).")
    var extendedRegexp = false

    @Flag(name: [.customShort("r"), .customLong("recursive")], help: "Search every file below directories (the current one when no address is given).")
    var recursive = false

    @Flag(name: .customShort("q"), help: "Print nothing; stop at the first selected line (also --quiet).")
    var q = false

    /// `-q` or `--quiet` (the global flag: grep's meaning is the same, nothing but errors).
    var quiet: Bool { q || global.quiet }

    @Argument(help: "The extended regular expression (or text, with -F).")
    var pattern: String

    @Argument(help: ArgumentHelp("Files to search (glob patterns allowed; - for standard input, the default).", valueName: "address"), completion: .address)
    var addresses: [String] = []

    init() {}

    func run(_ context: CommandContext) async throws {
        let matcher: LineMatcher
        do {
            matcher = try LineMatcher(pattern: pattern, fixed: fixedStrings, caseInsensitive: ignoreCase)
        } catch let error as RegexError {
            throw error.vfsError
        }
        let reporter = ErrorReporter(verbose: global.verbose)
        let searchingCurrentDirectory = recursive && addresses.isEmpty
        let arguments = addresses.isEmpty ? [recursive ? "." : "-"] : addresses
        let inputs = await ContentReading.expandAll(arguments, context: context, reporter: reporter)
        let severalFiles = arguments.count > 1 || inputs.count > 1
        var anySelected = false

        for input in inputs {
            if input.info?.isDirectory == true && recursive, let root = input.location {
                do {
                    for try await entry in root.fs.walk(root.path) where entry.isFile {
                        try Task.checkCancellation()
                        let relative = entry.path.relative(to: root.path) ?? entry.name
                        let name = searchingCurrentDirectory ? relative
                            : (input.name.hasSuffix("/") ? input.name : input.name + "/") + relative
                        let file = ContentInput(name: name, location: root.with(path: entry.path), info: entry)
                        if try await search(file, showName: true, matcher: matcher, reporter: reporter) {
                            anySelected = true
                            if quiet { return }
                        }
                    }
                } catch {
                    if ContentReading.isCancellation(error) { throw error }
                    reporter.report(error, path: input.name)
                }
            } else {
                if try await search(input, showName: severalFiles, matcher: matcher, reporter: reporter) {
                    anySelected = true
                    if quiet { return }
                }
            }
        }
        Output.standard.flush()
        try reporter.finish()
        if !anySelected { throw CommandFailure(.negative) }
    }

    /// Searches one file, printing what the flags ask for and reporting its errors.
    /// - Returns: true when a line was selected.
    /// - Throws: only cancellation.
    private func search(_ input: ContentInput, showName: Bool, matcher: LineMatcher, reporter: ErrorReporter) async throws -> Bool {
        let name = input.isStandardInput ? "(standard input)" : input.name
        let prefix: [UInt8] = showName ? Array((name + ":").utf8) : []
        let stopAtFirst = filesWithMatches || quiet
        let printLines = !count && !stopAtFirst
        var selected = 0
        var lineCount = 0
        var output: [UInt8] = []

        func handle(_ line: UnsafeRawBufferPointer) -> Bool {
            lineCount += 1
            guard matcher.matches(line) != invertMatch else { return true }
            selected += 1
            if stopAtFirst { return false }
            if printLines {
                output.append(contentsOf: prefix)
                if lineNumber { output.append(contentsOf: "\(lineCount):".utf8) }
                output.append(contentsOf: line)
                output.append(0x0A)
            }
            return true
        }

        do {
            let stream = try await ContentReading.open(input, raw: false)
            var splitter = LineSplitter()
            var stopped = false
            try await ContentReading.forEachChunk(stream) { chunk in
                let keepGoing = splitter.feed(chunk, handle)
                if !output.isEmpty {
                    Output.standard.write(output)
                    output.removeAll(keepingCapacity: true)
                }
                stopped = !keepGoing
                return keepGoing
            }
            if !stopped {
                splitter.finish(handle)
                if !output.isEmpty { Output.standard.write(output) }
            }
        } catch {
            if ContentReading.isCancellation(error) { throw error }
            reporter.report(error, path: name)
            if selected > 0 { reporter.success() }
            return selected > 0
        }
        if quiet {
            // Nothing to print.
        } else if filesWithMatches {
            if selected > 0 { Output.standard.line(name) }
        } else if count {
            Output.standard.line(showName ? "\(name):\(selected)" : "\(selected)")
        }
        if selected > 0 { reporter.success() }
        return selected > 0
    }
}

// MARK: - Matching

/// Selects lines: any of several compiled patterns (one per line of the pattern text, as
/// grep does) matches.
final class LineMatcher {
    private let expressions: [POSIXRegex]

    /// - Parameters:
    ///   - pattern: the pattern text; each of its lines is a pattern.
    ///   - fixed: match the text literally (`-F`): regex syntax characters are escaped.
    ///   - caseInsensitive: fold ASCII case (`REG_ICASE`).
    /// - Throws: `RegexError` for a pattern `regcomp` rejects.
    init(pattern: String, fixed: Bool, caseInsensitive: Bool) throws {
        expressions = try pattern.split(separator: "\n", omittingEmptySubsequences: false).map { part in
            try POSIXRegex(fixed ? POSIXRegex.escaped(String(part)) : String(part), caseInsensitive: caseInsensitive)
        }
    }

    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        expressions.contains { $0.matches(line) }
    }
}

/// A pattern `regcomp` rejected.
///
/// `code` is the `REG_*` error it returned (`REG_EBRACK` for an unmatched `[`, `REG_EPAREN`
/// for an unmatched `(`, `REG_BADRPT` for a misplaced `*`...); `message` is `regerror`'s text.
struct RegexError: Error, Sendable {
    let code: Int32
    let pattern: String
    let message: String

    /// A usage error (exit status 2) naming the pattern.
    var vfsError: VFSError {
        VFSError(.invalidArgument, "invalid regular expression '\(pattern)': \(message)",
                 remedy: "escape special characters with \\, or use -F to search for the text as it is",
                 cause: "regcomp: error \(code)")
    }
}

/// A compiled POSIX extended regular expression, over glibc's `regcomp`, `regexec` and
/// `regfree`.
///
/// Compiled with `REG_EXTENDED | REG_NOSUB` (only "does it match" is asked). Lines are
/// matched with `REG_STARTEND` (a glibc and BSD extension): the line is delimited by
/// `pmatch[0]` instead of a terminating NUL, so lines are matched in place inside the read
/// buffer without a copy, and NUL bytes inside a line are ordinary bytes. The process runs in
/// the C locale, so matching is bytewise. Not thread-safe: one owner uses it.
final class POSIXRegex {
    private let compiled: UnsafeMutablePointer<regex_t>

    /// Compiles `pattern` (`regcomp`).
    /// - Throws: `RegexError` with `regerror`'s message when the pattern is invalid.
    init(_ pattern: String, caseInsensitive: Bool) throws {
        let storage = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        var flags = REG_EXTENDED | REG_NOSUB
        if caseInsensitive { flags |= REG_ICASE }
        let code = regcomp(storage, pattern, flags)
        guard code == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            _ = regerror(code, storage, &message, message.count)
            // regcomp frees what it allocated when it fails; only our storage remains. (It is
            // not stored in `compiled` yet, so deinit, which runs only for a compiled pattern,
            // does not free it again.)
            storage.deallocate()
            throw RegexError(code: code, pattern: pattern,
                             message: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        compiled = storage
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    /// True when the pattern matches somewhere in `line` (`regexec` with `REG_STARTEND`).
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var range = regmatch_t(rm_so: 0, rm_eo: regoff_t(clamping: line.count))
        guard let base = line.baseAddress else {
            var empty: CChar = 0
            return regexec(compiled, &empty, 1, &range, REG_STARTEND) == 0
        }
        return regexec(compiled, base.assumingMemoryBound(to: CChar.self), 1, &range, REG_STARTEND) == 0
    }

    /// `text` with every ERE syntax character escaped, so it matches itself.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if "\\.[]()*+?{}|^$".unicodeScalars.contains(scalar) { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
