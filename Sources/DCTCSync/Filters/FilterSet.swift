import DCTCCore
import Foundation

/// Which files a `sync`, `copy` or `check` takes part in: `--include`/`--exclude`/`--filter-from` rules,
/// `--min-size`/`--max-size`, `--min-age`/`--max-age` and `--files-from`, following rclone's filtering.
///
/// A file takes part when it passes every filter, checked in this order (the first that fails decides,
/// and `explain` names it):
///
/// 1. `--files-from`: the file's relative path is listed (compared byte for byte: an NFC and an NFD
///    spelling of the same name are different paths). Unlike rclone, the other filters still apply.
/// 2. Size: `size >= minSize` and `size <= maxSize` (both inclusive; rclone's `--max-size 1M` keeps a
///    file of exactly 1 MiB). A file of unknown size passes.
/// 3. Age, from the modification time: `--min-age A` keeps files at least `A` old, `--max-age A` files
///    at most `A` old (both inclusive, measured from `now`). A file without a time passes.
/// 4. Rules, in the order given: the first rule whose pattern matches the path decides. When none
///    matches, the default action applies: exclude when the list has any include rule (rclone's implied
///    `- **` after `--include`), include otherwise. `defaultAction` overrides that: pass `.include` to get
///    rclone's `--filter`/`--filter-from` behaviour, where a `+` rule implies nothing.
///
/// Rules are kept in the order given. rclone instead groups all `--include` before all `--exclude`
/// before all `--filter` rules, whatever their order on the command line.
///
/// `shouldDescend(into:)` tells the walker which directories cannot hold a taking-part file, so that it
/// need not list them. It is derived from the same rules, and is conservative: a directory is skipped
/// only when that is certain (`- /build/**`, `- tmp/`, `--include '/a/*.jpg'` for everything but `a`).
public struct FilterSet: Sendable {
    /// The path rules, in the order they are checked.
    public let rules: [FilterRule]
    /// Smallest size in bytes that takes part, inclusive.
    public let minSize: Int64?
    /// Largest size in bytes that takes part, inclusive.
    public let maxSize: Int64?
    /// Files modified less than this many seconds before `now` are left out.
    public let minAge: TimeInterval?
    /// Files modified more than this many seconds before `now` are left out.
    public let maxAge: TimeInterval?
    /// The `--files-from` paths, normalised (no leading "/" or "./"), in list order without duplicates.
    public let filesFrom: [String]?
    /// The instant ages are measured from.
    public let now: Date
    /// What happens to a file no rule matches.
    public let defaultAction: FilterRule.Action

    private let defaultIsImplicit: Bool
    private let listedFiles: Set<[UInt8]>?
    private let listedDirectories: Set<[UInt8]>?

    /// Builds a filter set.
    ///
    /// - Parameters:
    ///   - rules: In command-line order (`--include`/`--exclude` interleaved as given, then
    ///     `--filter-from` rules in file order). The first match decides.
    ///   - minSize: `--min-size` in bytes (see `SizeParser`).
    ///   - maxSize: `--max-size` in bytes.
    ///   - minAge: `--min-age` in seconds (see `AgeParser`).
    ///   - maxAge: `--max-age` in seconds.
    ///   - filesFrom: `--files-from` paths (see `parseFilesFrom`); leading "/" and "./" are stripped here too.
    ///   - now: The instant ages are measured from.
    ///   - defaultAction: What happens to a file no rule matches; nil means exclude when any rule is an
    ///     include rule and include otherwise.
    /// - Throws: `VFSError(.invalidArgument)` when a size is negative, `minSize > maxSize` or
    ///   `minAge > maxAge` (no file could pass), an age is not finite, or a `filesFrom` path has a ".." part.
    public init(rules: [FilterRule] = [], minSize: Int64? = nil, maxSize: Int64? = nil,
                minAge: TimeInterval? = nil, maxAge: TimeInterval? = nil, filesFrom: [String]? = nil,
                now: Date = Date(), defaultAction: FilterRule.Action? = nil) throws {
        for (flag, size) in [("--min-size", minSize), ("--max-size", maxSize)] {
            if let size, size < 0 {
                throw VFSError.invalid("\(flag) \(size) is negative", remedy: "give a size of 0 or more, like 10K")
            }
        }
        if let minSize, let maxSize, minSize > maxSize {
            throw VFSError.invalid(
                "--min-size \(SizeParser.describe(minSize)) is larger than --max-size \(SizeParser.describe(maxSize)): no file can pass",
                remedy: "make --min-size smaller than --max-size")
        }
        for (flag, age) in [("--min-age", minAge), ("--max-age", maxAge)] {
            if let age, !age.isFinite {
                throw VFSError.invalid("\(flag) is not a finite duration", remedy: "give an age like 2d or 1h30m")
            }
        }
        if let minAge, let maxAge, minAge > maxAge {
            throw VFSError.invalid(
                "--min-age \(AgeParser.describe(minAge)) is larger than --max-age \(AgeParser.describe(maxAge)): no file can pass",
                remedy: "make --min-age smaller than --max-age (min-age keeps old files, max-age keeps recent ones)")
        }
        var normalized: [String]?
        if let filesFrom {
            var seen = Set<[UInt8]>()
            var list: [String] = []
            for entry in filesFrom {
                let path: String?
                do {
                    path = try Self.normalizeListedPath(entry)
                } catch let problem as ListedPathProblem {
                    throw VFSError.invalid("--files-from entry '\(entry)': \(problem.message)",
                                           remedy: "list paths relative to the source root")
                }
                if let path, seen.insert(Array(path.utf8)).inserted { list.append(path) }
            }
            normalized = list
        }
        self.init(validatedRules: rules, minSize: minSize, maxSize: maxSize, minAge: minAge, maxAge: maxAge,
                  filesFrom: normalized, now: now, defaultAction: defaultAction)
    }

    private init(validatedRules rules: [FilterRule], minSize: Int64?, maxSize: Int64?, minAge: TimeInterval?,
                 maxAge: TimeInterval?, filesFrom: [String]?, now: Date, defaultAction: FilterRule.Action?) {
        self.rules = rules
        self.minSize = minSize
        self.maxSize = maxSize
        self.minAge = minAge
        self.maxAge = maxAge
        self.filesFrom = filesFrom
        self.now = now
        self.defaultIsImplicit = defaultAction == nil
        self.defaultAction = defaultAction ?? (rules.contains { $0.action == .include } ? .exclude : .include)
        if let filesFrom {
            var files = Set<[UInt8]>()
            var directories = Set<[UInt8]>()
            for path in filesFrom {
                let bytes = Array(path.utf8)
                files.insert(bytes)
                // Every ancestor directory ("a", "a/b" for "a/b/c"): cut at each "/" byte (0x2F never
                // occurs inside a multi-byte UTF-8 sequence).
                for (i, byte) in bytes.enumerated() where byte == 0x2F {
                    directories.insert(Array(bytes[..<i]))
                }
            }
            listedFiles = files
            listedDirectories = directories
        } else {
            listedFiles = nil
            listedDirectories = nil
        }
    }

    /// No filtering: every file takes part and every directory is listed.
    public static let none = FilterSet(validatedRules: [], minSize: nil, maxSize: nil, minAge: nil, maxAge: nil,
                                       filesFrom: nil, now: Date(timeIntervalSince1970: 0), defaultAction: nil)

    /// True when no filter is set, so every file takes part.
    public var isEmpty: Bool {
        rules.isEmpty && defaultAction == .include && minSize == nil && maxSize == nil
            && minAge == nil && maxAge == nil && filesFrom == nil
    }

    // MARK: - Decisions

    /// Whether a file takes part.
    ///
    /// - Parameters:
    ///   - relativePath: The path relative to the sync root, "/"-separated, with no leading "/".
    ///   - size: The size in bytes, or nil when unknown (size filters then pass).
    ///   - modificationTime: The modification time, or nil when unknown (age filters then pass).
    /// - Returns: True when every filter lets the file through (see the type's discussion for the order).
    public func includes(file relativePath: String, size: Int64?, modificationTime: Date?) -> Bool {
        verdict(relativePath, size: size, modificationTime: modificationTime).isIncluded(by: self)
    }

    /// Whether a directory can hold a file that takes part; false lets the walker skip listing it.
    ///
    /// Never false for a directory that could hold an included file, whatever its contents: a directory
    /// is pruned when it is not on the way to a `--files-from` path, or when the rules decide every path
    /// below it the same way, to exclude: the first rule that could match anything below it is an exclude
    /// rule matching everything below it (`- /build/**` prunes `build`, `- tmp/` prunes every `tmp`), or
    /// no rule can match anything below it and the default is to exclude (`--include '/docs/*.md'`
    /// prunes every directory but `docs`). When unsure it answers true.
    ///
    /// - Parameter relativeDirectory: The directory relative to the sync root, "/"-separated; "" is the root
    ///   (always true). A trailing "/" is ignored.
    /// - Returns: False only when no file below the directory can take part.
    public func shouldDescend(into relativeDirectory: String) -> Bool {
        var directory = Substring(relativeDirectory)
        while directory.hasSuffix("/") { directory = directory.dropLast() }
        while directory.hasPrefix("/") { directory = directory.dropFirst() }
        if directory.isEmpty { return true }
        let path = String(directory)
        if let listedDirectories, !listedDirectories.contains(Array(path.utf8)) { return false }
        for rule in rules where rule.appliesToFiles {
            switch rule.matcher.coverage(below: path) {
            case .none:
                continue
            case .some:
                // An include may catch some files; an exclude may leave others to later rules.
                if rule.action == .include { return true }
            case .all:
                return rule.action == .include
            }
        }
        return defaultAction == .include
    }

    /// Explains, for `--explain`, which filter decided about a file.
    ///
    /// - Parameters: As for `includes(file:size:modificationTime:)`.
    /// - Returns: One line starting with "included" or "excluded", such as
    ///   "excluded by --exclude '*.tmp'", "excluded by --max-size 1 MiB: the file has 2 MiB (2097152 bytes)"
    ///   or "excluded: not listed in --files-from".
    public func explain(file relativePath: String, size: Int64?, modificationTime: Date?) -> String {
        let verdict = verdict(relativePath, size: size, modificationTime: modificationTime)
        switch verdict {
        case .notListed:
            return "excluded: not listed in --files-from"
        case .tooSmall(let size):
            return "excluded by --min-size \(SizeParser.describe(minSize ?? 0)): the file has \(SizeParser.describe(size, exact: true))"
        case .tooLarge(let size):
            return "excluded by --max-size \(SizeParser.describe(maxSize ?? 0)): the file has \(SizeParser.describe(size, exact: true))"
        case .tooRecent(let time):
            return "excluded by --min-age \(AgeParser.describe(minAge ?? 0)): modified \(describeAge(of: time))"
        case .tooOld(let time):
            return "excluded by --max-age \(AgeParser.describe(maxAge ?? 0)): modified \(describeAge(of: time))"
        case .rule(let index):
            let rule = rules[index]
            let position = rules.count > 1 ? " (rule \(index + 1) of \(rules.count))" : ""
            return "\(rule.action == .include ? "included" : "excluded") by \(rule)\(position)"
        case .byDefault:
            var passed: [String] = []
            if filesFrom != nil { passed.append("listed in --files-from") }
            if minSize != nil || maxSize != nil { passed.append("within the size limits") }
            if minAge != nil || maxAge != nil { passed.append("within the age limits") }
            let prefix = passed.isEmpty ? "" : passed.joined(separator: ", ") + "; "
            if rules.isEmpty && defaultAction == .include {
                return passed.isEmpty ? "included: no filters are set" : "included: \(passed.joined(separator: ", "))"
            }
            if defaultAction == .include {
                let why = defaultIsImplicit ? " (there is no include rule)" : ""
                return "included: \(prefix)no rule matched, and files no rule matches are included\(why)"
            }
            let why = defaultIsImplicit ? " (an include rule implies excluding everything it does not match)" : ""
            return "excluded: \(prefix)no rule matched, and files no rule matches are excluded\(why)"
        }
    }

    /// What decided about a file; built without allocating so that `includes` stays cheap.
    private enum Verdict {
        case notListed
        case tooSmall(Int64)
        case tooLarge(Int64)
        case tooRecent(Date)
        case tooOld(Date)
        /// The index of the deciding rule.
        case rule(Int)
        case byDefault

        func isIncluded(by set: FilterSet) -> Bool {
            switch self {
            case .notListed, .tooSmall, .tooLarge, .tooRecent, .tooOld: return false
            case .rule(let index): return set.rules[index].action == .include
            case .byDefault: return set.defaultAction == .include
            }
        }
    }

    private func verdict(_ path: String, size: Int64?, modificationTime: Date?) -> Verdict {
        if let listedFiles, !listedFiles.contains(Array(path.utf8)) { return .notListed }
        if let size {
            if let minSize, size < minSize { return .tooSmall(size) }
            if let maxSize, size > maxSize { return .tooLarge(size) }
        }
        if let modificationTime {
            if let minAge, modificationTime > now.addingTimeInterval(-minAge) { return .tooRecent(modificationTime) }
            if let maxAge, modificationTime < now.addingTimeInterval(-maxAge) { return .tooOld(modificationTime) }
        }
        for (index, rule) in rules.enumerated() where rule.matches(file: path) {
            return .rule(index)
        }
        return .byDefault
    }

    private func describeAge(of time: Date) -> String {
        let age = now.timeIntervalSince(time)
        let stamp = time.ISO8601Format()
        if age < 0 { return "in the future, \(AgeParser.describe(-age)) from now (\(stamp))" }
        return "\(AgeParser.describe(age)) ago (\(stamp))"
    }

    // MARK: - Parsing files

    /// Parses an rclone-style filter file (`--filter-from`).
    ///
    /// Each line, trimmed of surrounding whitespace, is one of: `+ PATTERN` (include), `- PATTERN`
    /// (exclude), `!` (clears the rules read so far from this text; rules given elsewhere, such as on the
    /// command line, are not affected, unlike in rclone), a comment starting with `#` or `;`, or blank.
    /// Comments cannot follow a rule on the same line: `- a # b` excludes the path "a # b". Lines end
    /// with "\n" or "\r\n".
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The file's name, for error messages.
    /// - Returns: The rules in file order.
    /// - Throws: `VFSError(.invalidArgument, "line N: ...", path: path)` for a line of another form or a
    ///   malformed pattern.
    public static func parseRules(_ text: String, path: String) throws -> [FilterRule] {
        var rules: [FilterRule] = []
        for (index, rawLine) in lines(of: text).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || startsWith(line, "#") || startsWith(line, ";") { continue }
            if line == "!" {
                rules.removeAll()
                continue
            }
            let action: FilterRule.Action
            if startsWith(line, "+ ") {
                action = .include
            } else if startsWith(line, "- ") {
                action = .exclude
            } else {
                throw VFSError(.invalidArgument,
                               "line \(index + 1): expected '+ PATTERN', '- PATTERN' or '!', found '\(line)'",
                               path: path,
                               remedy: "start each rule with '+ ' or '- ' (the sign and one space), and comments with '#'")
            }
            do {
                rules.append(try FilterRule(action, String(String.UnicodeScalarView(line.unicodeScalars.dropFirst(2)))))
            } catch let error as VFSError {
                throw VFSError(.invalidArgument, "line \(index + 1): \(error.message)", path: path, remedy: error.remedy)
            }
        }
        return rules
    }

    /// Parses a `--files-from` list.
    ///
    /// One path relative to the source root per line ("\n" or "\r\n"). Surrounding whitespace is
    /// trimmed, blank lines and lines starting with `#` or `;` are ignored (as in rclone; write `./#name`
    /// for a name that starts with `#`), leading "/" and "./" are stripped, as are empty and "." parts
    /// ("a//b/./c" is "a/b/c"). Names are otherwise kept byte for byte. Duplicates are dropped.
    ///
    /// - Parameters:
    ///   - text: The file's contents.
    ///   - path: The file's name, for error messages.
    /// - Returns: The paths, in list order.
    /// - Throws: `VFSError(.invalidArgument, "line N: ...", path: path)` for a path with a ".." part.
    public static func parseFilesFrom(_ text: String, path: String) throws -> [String] {
        var result: [String] = []
        var seen = Set<[UInt8]>()
        for (index, rawLine) in lines(of: text).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || startsWith(line, "#") || startsWith(line, ";") { continue }
            do {
                if let entry = try normalizeListedPath(line), seen.insert(Array(entry.utf8)).inserted {
                    result.append(entry)
                }
            } catch let problem as ListedPathProblem {
                throw VFSError(.invalidArgument, "line \(index + 1): '\(line)': \(problem.message)", path: path,
                               remedy: "list paths relative to the source root, without '..'")
            }
        }
        return result
    }

    private struct ListedPathProblem: Error {
        let message: String
    }

    /// Strips leading "/" and "./", and empty and "." parts; nil when nothing is left.
    private static func normalizeListedPath(_ entry: String) throws -> String? {
        var parts: [String] = []
        for part in entry.unicodeScalars.split(separator: "/", omittingEmptySubsequences: true) {
            let name = String(String.UnicodeScalarView(part))
            if name == "." { continue }
            if name == ".." { throw ListedPathProblem(message: "'..' is not allowed: paths are relative to the source root") }
            parts.append(name)
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// Prefix test on scalars (`hasPrefix` compares `Character`s, so "+ " would not be a prefix of
    /// "+ \u{301}x", whose space and accent form one `Character`).
    private static func startsWith(_ line: String, _ prefix: String) -> Bool {
        line.unicodeScalars.starts(with: prefix.unicodeScalars)
    }

    /// Splits on "\n", dropping one "\r" before it (a `Character` split would keep "\r\n" whole).
    private static func lines(of text: String) -> [String] {
        text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            var bytes = line
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension FilterSet {
    /// A warning when rules can never apply because a catch-all rule (`*`, `**`) before them
    /// decides every file, with the rewrite the user likely meant. dctc's rules are first-match
    /// (as rclone's); aws-cli's `--exclude`/`--include` are last-match, so its habit
    /// `--exclude '*' --include '*.csv'` selects nothing here. Read as aws-cli reads it, the
    /// same rules in reverse order do what was meant.
    /// - Returns: the one-line warning, or nil when every rule can apply.
    public static func unreachableRulesWarning(_ rules: [FilterRule]) -> String? {
        guard let i = rules.firstIndex(where: { ["*", "**", "/**"].contains($0.pattern) }), i + 1 < rules.count else {
            return nil
        }
        let shadowed = rules[(i + 1)...].map(\.description).joined(separator: " ")
        let rewrite = rules.reversed().map(\.description).joined(separator: " ")
        return "warning: \(rules[i].description) matches every file and rules are first-match (as rclone's), "
            + "so \(shadowed) can never apply; to keep what the later rules select (aws-cli's last-match reading), write: \(rewrite)"
    }
}

