import DCTCCore
import DCTCSync
import Foundation
import Testing

// MARK: - Helpers

/// A path and whether a pattern should match it.
struct PatternCase: Sendable, CustomTestStringConvertible {
    let pattern: String
    let path: String
    let matches: Bool
    var testDescription: String { "\(pattern) \(matches ? "matches" : "does not match") \(path)" }
}

private func cases(_ pattern: String, matching: [String], notMatching: [String]) -> [PatternCase] {
    matching.map { PatternCase(pattern: pattern, path: $0, matches: true) }
        + notMatching.map { PatternCase(pattern: pattern, path: $0, matches: false) }
}

private func rules(_ specs: [String]) throws -> [FilterRule] {
    try specs.map { spec in
        let action: FilterRule.Action = spec.hasPrefix("+") ? .include : .exclude
        return try FilterRule(action, String(spec.dropFirst(2)))
    }
}

private func filter(_ specs: [String], filesFrom: [String]? = nil) throws -> FilterSet {
    try FilterSet(rules: rules(specs), filesFrom: filesFrom)
}

private func included(_ set: FilterSet, _ path: String) -> Bool {
    set.includes(file: path, size: nil, modificationTime: nil)
}

// MARK: - Patterns

@Suite("Filter patterns")
struct FilterPatternTests {
    /// The examples of rclone's filtering documentation ("Patterns" and "Filter pattern examples"),
    /// with the documentation's leading "/" on paths removed (paths are relative to the root).
    static let rcloneExamples: [PatternCase] =
        cases("file.jpg", matching: ["file.jpg", "directory/file.jpg"], notMatching: ["afile.jpg", "directory/afile.jpg"])
        + cases("/file.jpg", matching: ["file.jpg"], notMatching: ["afile.jpg", "directory/file.jpg"])
        + cases("*.jpg", matching: ["file.jpg", "directory/file.jpg", "dir/file.jpg"],
                notMatching: ["file.jpg/anotherfile.png", "file.png", "dir/file.png"])
        + cases("dir/**", matching: ["dir/file.jpg", "dir/dir1/dir2/file.jpg", "dir/anyfile", "subdir/dir/subsubdir/anyfile"],
                notMatching: ["directory/file.jpg", "adir/file.jpg", "file.png", "subdir/file.png"])
        + cases("l?ss", matching: ["less", "lass"], notMatching: ["floss"])
        + cases("/*.jpg", matching: ["file.jpg", "file2.jpg"], notMatching: ["file.png", "dir/file.jpg"])
        + cases("*.{jpg,png}", matching: ["file.jpg", "dir/file.png"], notMatching: ["file.gif", "dir/file.gif"])
        + cases("*.t?t", matching: ["file.txt", "dir/file.tzt"], notMatching: ["file.qxt", "dir/file.png"])
        + cases("*.[a-z]", matching: ["file.a", "dir/file.b"], notMatching: ["file.0", "dir/file.1"])
        + cases(#"*.\?\?\?"#, matching: ["file.???", "dir/file.???"], notMatching: ["file.abc", "dir/file.def"])
        + cases(#"*.\d\d\d"#, matching: ["file.012", "dir/file.345"], notMatching: ["file.abc", "dir/file.def"])
        + cases(#"*\[{JP,KR,HK}\]*"#, matching: ["song [JP].mp3", "a/[KR]"], notMatching: ["song [US].mp3", "JP"])
        + cases("{A,B}/**", matching: ["A/x", "B/y/z"], notMatching: ["C/x", "AB/x"])
        + cases("??[^[:punct:]]*", matching: ["abc", "abcdef"], notMatching: ["ab.d", "ab"])
        + cases("potato", matching: ["potato"], notMatching: ["POTATO"])

    @Test("rclone's documented pattern examples match as documented", arguments: rcloneExamples)
    func rcloneDocumentedExamples(_ c: PatternCase) throws {
        #expect(try FilterRule(.include, c.pattern).matches(file: c.path) == c.matches)
    }

    static let anchoring: [PatternCase] =
        cases("dir/*.jpg", matching: ["dir/a.jpg", "x/dir/a.jpg", "x/y/dir/a.jpg"],
              notMatching: ["xdir/a.jpg", "dir/sub/a.jpg", "dir/a.jpgx"])
        + cases("/dir/*.jpg", matching: ["dir/a.jpg"], notMatching: ["x/dir/a.jpg"])
        + cases("b/c", matching: ["b/c", "a/b/c"], notMatching: ["ab/c", "b/c/d", "a/b/cd"])
        + cases("/b/c", matching: ["b/c"], notMatching: ["a/b/c"])
        + cases("*", matching: ["a", "a/b", "a/b/c.txt"], notMatching: [])
        + cases("/*", matching: ["a", "file.txt"], notMatching: ["a/b"])

    @Test("unanchored patterns match whole trailing components, anchored ones the whole path", arguments: anchoring)
    func anchoredVersusUnanchored(_ c: PatternCase) throws {
        #expect(try FilterRule(.exclude, c.pattern).matches(file: c.path) == c.matches)
    }

    static let wildcards: [PatternCase] =
        cases("**", matching: ["a", "a/b/c"], notMatching: [])
        + cases("/a/**", matching: ["a/b", "a/b/c"], notMatching: ["a", "b/a/c"])
        // rclone's ** is ".*": "/a/**/b" needs a folder between a and b.
        + cases("/a/**/b", matching: ["a/x/b", "a/x/y/b"], notMatching: ["a/b", "a/x/bc"])
        + cases("a**", matching: ["a", "abc", "a/b/c", "x/ab/c"], notMatching: ["ba", "b/ba/c"])
        + cases("a**z", matching: ["az", "a/b/z", "abz"], notMatching: ["a/b/zz/y"])
        + cases("*/*.txt", matching: ["a/b.txt", "x/a/b.txt"], notMatching: ["b.txt"])
        + cases("a?b", matching: ["axb", "x/a-b"], notMatching: ["a/b", "ab", "axxb"])
        + cases("a*b", matching: ["ab", "axxb"], notMatching: ["a/b", "ax/xb"])

    @Test("* stays within a name, ** crosses folders, ? is one character other than /", arguments: wildcards)
    func starsAndQuestionMarks(_ c: PatternCase) throws {
        #expect(try FilterRule(.exclude, c.pattern).matches(file: c.path) == c.matches)
    }

    static let setsBracesEscapes: [PatternCase] =
        cases("{a,b{c,d}}.txt", matching: ["a.txt", "bc.txt", "bd.txt"], notMatching: ["b.txt", "abc.txt"])
        + cases("file{,.bak}", matching: ["file", "file.bak"], notMatching: ["file.", "filebak"])
        + cases("{x/y,z}.txt", matching: ["x/y.txt", "z.txt", "q/x/y.txt"], notMatching: ["y.txt", "x/z.txt/y"])
        + cases("/{docs,src}/**", matching: ["docs/a", "src/b/c"], notMatching: ["lib/a", "x/docs/a"])
        + cases(#"{a\,b,c}"#, matching: ["a,b", "c"], notMatching: ["a", "b"])
        + cases("a,b", matching: ["a,b"], notMatching: ["a", "b"])
        + cases(#"\*"#, matching: ["*"], notMatching: ["a"])
        + cases(#"a\\b"#, matching: [#"a\b"#], notMatching: ["ab", "a/b"])
        + cases(#"\{a\}"#, matching: ["{a}"], notMatching: ["a"])
        + cases(#"\[x\]"#, matching: ["[x]"], notMatching: ["x"])
        + cases("[!a]x", matching: ["bx", "x/bx"], notMatching: ["ax", "x"])
        + cases("[^a]x", matching: ["bx"], notMatching: ["ax"])
        + cases("[]]", matching: ["]"], notMatching: ["a"])
        + cases("[a-]", matching: ["a", "-"], notMatching: ["b"])
        + cases("a[!x]b", matching: ["ayb"], notMatching: ["a/b", "axb"])
        + cases(#"a\Db"#, matching: ["axb"], notMatching: ["a/b", "a1b"])
        + cases("[[:digit:][:upper:]]", matching: ["7", "Q"], notMatching: ["q"])
        + cases(#"[\d_]"#, matching: ["5", "_"], notMatching: ["a"])

    @Test("sets, braces and escapes", arguments: setsBracesEscapes)
    func setsBracesAndEscapes(_ c: PatternCase) throws {
        #expect(try FilterRule(.exclude, c.pattern).matches(file: c.path) == c.matches)
    }

    @Test("patterns compare Unicode scalars: NFC and NFD spellings are different names")
    func unicodeScalarsAreComparedExactly() throws {
        let nfc = "caf\u{E9}.txt"
        let nfd = "cafe\u{301}.txt"
        #expect(try FilterRule(.include, nfc).matches(file: nfc))
        #expect(try !FilterRule(.include, nfc).matches(file: nfd))
        #expect(try FilterRule(.include, "caf?.txt").matches(file: nfc))
        #expect(try !FilterRule(.include, "caf?.txt").matches(file: nfd))
        #expect(try FilterRule(.include, "caf??.txt").matches(file: nfd))
        #expect(try FilterRule(.include, nfc) != FilterRule(.include, nfd))
    }

    @Test("long patterns (beyond the 64-state fast path) match and prune like short ones")
    func longPatterns() throws {
        let name = String(repeating: "a", count: 80)
        let anchored = try filter(["- /\(name)/**"])
        #expect(!included(anchored, "\(name)/x"))
        #expect(included(anchored, "\(name)b/x"))
        #expect(included(anchored, "x/\(name)/x"))
        #expect(!anchored.shouldDescend(into: name))
        #expect(anchored.shouldDescend(into: name + "b"))

        let alternatives = "{" + (1...40).map { "n\($0)" }.joined(separator: ",") + "}/*.txt"
        let unanchored = try filter(["+ \(alternatives)"])
        #expect(included(unanchored, "x/n17/a.txt"))
        #expect(included(unanchored, "n40/a.txt"))
        #expect(!included(unanchored, "n41/a.txt"))
        #expect(!included(unanchored, "n17/a.doc"))
        #expect(unanchored.shouldDescend(into: "anything"))
        let rooted = try filter(["+ /\(alternatives)"])
        #expect(rooted.shouldDescend(into: "n3"))
        #expect(!rooted.shouldDescend(into: "n41"))
    }

    static let malformed: [String] = ["", "***", "a***b", "ab]c", "ab[c", "ab{c", "ab}c", "a\\", "[z-a]", "{{re}}", "x{{re}}",
                                      "[[:nope:]]", "*.[", "{a,b"]

    @Test("malformed patterns are refused with a message naming the pattern", arguments: malformed)
    func malformedPatternsAreRefused(_ pattern: String) {
        let error = #expect(throws: VFSError.self) { try FilterRule(.exclude, pattern) }
        #expect(error?.code == .invalidArgument)
        if !pattern.isEmpty { #expect(error?.message.contains("'\(pattern)'") == true) }
        #expect(error?.remedy?.isEmpty == false)
    }

    @Test("a rule describes itself as the equivalent flag, shell-quoted")
    func ruleDescription() throws {
        #expect(try FilterRule(.exclude, "*.tmp").description == "--exclude '*.tmp'")
        #expect(try FilterRule(.include, "it's").description == #"--include 'it'\''s'"#)
        #expect(try FilterRule(.include, "/a/**").filterLine == "+ /a/**")
    }
}

// MARK: - Rule evaluation

@Suite("Filter rules")
struct FilterRuleEvaluationTests {
    @Test("the first matching rule decides")
    func firstMatchDecides() throws {
        let secretFirst = try filter(["- secret*.jpg", "+ *.jpg"])
        #expect(!included(secretFirst, "secret17.jpg"))
        #expect(included(secretFirst, "holiday.jpg"))
        let jpgFirst = try filter(["+ *.jpg", "- secret*.jpg"])
        #expect(included(jpgFirst, "secret17.jpg"))
    }

    @Test("with only exclude rules, files no rule matches are included")
    func implicitIncludeWithoutIncludeRules() throws {
        let set = try filter(["- *.tmp", "- /cache/**"])
        #expect(included(set, "a.txt"))
        #expect(included(set, "x/cache/a"))
        #expect(!included(set, "cache/a"))
        #expect(!included(set, "x/y.tmp"))
    }

    @Test("any include rule excludes the files no rule matches")
    func implicitExcludeWithAnIncludeRule() throws {
        let set = try filter(["- secret.txt", "+ *.txt"])
        #expect(included(set, "a.txt"))
        #expect(!included(set, "secret.txt"))
        #expect(!included(set, "a.doc"))
        #expect(set.defaultAction == .exclude)
    }

    @Test("an explicit default action overrides the implied one (rclone's --filter behaviour)")
    func explicitDefaultAction() throws {
        let set = try FilterSet(rules: rules(["+ *.txt", "- *.doc"]), defaultAction: .include)
        #expect(included(set, "a.png"))
        #expect(!included(set, "a.doc"))
        let closed = try FilterSet(defaultAction: .exclude)
        #expect(!included(closed, "a"))
        #expect(!closed.isEmpty)
    }

    @Test("rclone's sample filter file selects what its documentation says")
    func rcloneSampleFilterFile() throws {
        let text = """
        # a sample filter rule file
        - secret*.jpg
        + *.jpg
        + *.png
        + file2.avi
        - /dir/tmp/**
        - /dir/Trash/**
        + /dir/**
        # exclude everything else
        - *
        """
        let set = try FilterSet(rules: FilterSet.parseRules(text, path: "filter-file.txt"))
        let expected: [(String, Bool)] = [
            ("file1.jpg", true), ("secret17.jpg", false), ("photos/x.png", true), ("file2.avi", true),
            ("file1.avi", false), ("dir/a.txt", true), ("dir/sub/b.txt", true), ("dir/tmp/a.txt", false),
            ("dir/tmp/a.jpg", true), ("dir/Trash/x", false), ("other/a.txt", false), ("x/dir/a.txt", false),
        ]
        for (path, want) in expected {
            #expect(included(set, path) == want, "\(path)")
        }
    }

    @Test("'!' in a filter file clears the rules before it")
    func bangClearsRules() throws {
        let text = "+ *.jpg\n+ *.gif\n!\n+ 42.doc\n- *\n"
        let parsed = try FilterSet.parseRules(text, path: "f")
        #expect(parsed.map(\.filterLine) == ["+ 42.doc", "- *"])
        let set = try FilterSet(rules: parsed)
        #expect(included(set, "42.doc"))
        #expect(!included(set, "a.jpg"))
    }

    @Test("an excluded directory pattern excludes everything below any such directory, not a file of that name")
    func excludedDirectoryPattern() throws {
        let set = try filter(["- tmp/"])
        #expect(!included(set, "tmp/a"))
        #expect(!included(set, "x/tmp/b/c"))
        #expect(included(set, "tmp"))
        #expect(included(set, "tmpx/a"))
        #expect(included(set, "x/atmp/a"))
    }

    @Test("an included directory pattern matches no file but still implies excluding the rest")
    func includedDirectoryPatternMatchesNoFile() throws {
        // rclone: `--include /directory/` "will not match any files".
        let set = try filter(["+ /directory/"])
        #expect(!included(set, "directory/a"))
        #expect(!included(set, "b"))
        #expect(try !FilterRule(.include, "/directory/").matches(file: "directory/a"))
        #expect(try FilterRule(.include, "/directory/").isDirectoryPattern)
    }

    @Test("no filters include everything")
    func noFilters() throws {
        #expect(FilterSet.none.isEmpty)
        #expect(try FilterSet().isEmpty)
        #expect(included(.none, "any/path"))
        #expect(FilterSet.none.shouldDescend(into: "any"))
        #expect(try !filter(["- a"]).isEmpty)
        #expect(try !FilterSet(minSize: 1).isEmpty)
        #expect(try !FilterSet(filesFrom: []).isEmpty)
    }
}

// MARK: - Directory pruning

/// Rules, a directory, and whether the walker should list it.
struct DescendCase: Sendable, CustomTestStringConvertible {
    let rules: [String]
    let directory: String
    let descend: Bool
    var testDescription: String { "\(rules) \(descend ? "descends into" : "prunes") '\(directory)'" }
}

private func descend(_ rules: [String], into: [String], prune: [String]) -> [DescendCase] {
    into.map { DescendCase(rules: rules, directory: $0, descend: true) }
        + prune.map { DescendCase(rules: rules, directory: $0, descend: false) }
}

@Suite("Directory pruning")
struct DirectoryPruningTests {
    static let table: [DescendCase] =
        descend(["- tmp/"], into: ["a", "tmpx", "a/tmpx", "", "x/atmp"], prune: ["tmp", "a/tmp", "a/tmp/b"])
        + descend(["- /build/**"], into: ["src", "src/build", "buildx"], prune: ["build", "build/x", "build/x/y"])
        + descend(["- /build/"], into: ["src/build"], prune: ["build", "build/x"])
        + descend(["- /build/*"], into: ["build", "build/x"], prune: [])
        + descend(["+ /a/*.jpg"], into: ["a"], prune: ["b", "a/sub", "ab"])
        + descend(["+ *.jpg"], into: ["a", "a/b/c", "tmp"], prune: [])
        + descend(["+ *.jpg", "- /dir/tmp/**"], into: ["dir/tmp", "dir/tmp/x"], prune: [])
        + descend(["- /dir/tmp/**", "+ *.jpg"], into: ["dir", "dir/tmpx"], prune: ["dir/tmp", "dir/tmp/x"])
        + descend(["- *"], into: [], prune: ["a", "a/b"])
        + descend(["- /*"], into: ["a", "a/b"], prune: [])
        + descend(["- /{*,a/b}"], into: ["a"], prune: [])
        + descend(["- /a/**/c.txt"], into: ["a", "a/b"], prune: [])
        + descend(["+ *.txt", "- *"], into: ["a", "a/b"], prune: [])
        + descend(["- **"], into: [], prune: ["a", "a/b"])
        + descend(["+ **"], into: ["a", "a/b"], prune: [])
        + descend(["+ /{dir1,dir2}/**"], into: ["dir1", "dir2/x"], prune: ["dir3", "dir12"])
        // Unanchored alternatives may match below any folder ("dir3/dir1/x").
        + descend(["+ {dir1/**,dir2/**}"], into: ["dir1", "dir3"], prune: [])
        + descend(["+ /a/**/b"], into: ["a", "a/x", "a/x/y"], prune: ["c", "ab"])
        + descend(["+ /directory/"], into: [], prune: ["directory", "other"])
        + descend(["- /secret/**", "+ /secret/keep.txt", "+ /docs/**"], into: ["docs", "docs/x"], prune: ["secret", "src"])
        + descend(["+ /secret/keep.txt", "- /secret/**"], into: ["secret"], prune: ["secret/sub", "src"])

    @Test("directories are pruned only when no file below them can be included", arguments: table)
    func pruning(_ c: DescendCase) throws {
        #expect(try filter(c.rules).shouldDescend(into: c.directory) == c.descend)
    }

    @Test("a trailing slash on the directory is ignored and the root is always listed")
    func directorySpelling() throws {
        let set = try filter(["- tmp/"])
        #expect(!set.shouldDescend(into: "a/tmp/"))
        #expect(try filter(["- **"]).shouldDescend(into: ""))
    }

    /// Rule lists for the soundness check, mixing every kind of pattern.
    static let ruleLists: [[String]] = [
        ["- tmp/"], ["+ *.jpg"], ["- /a/**", "+ *.txt"], ["+ *.txt", "- /a/**"], ["+ /a/*.txt"],
        ["+ /a/**/b.txt", "- *"], ["- /a/b/", "+ /a/**"], ["+ {a,b}/**"], ["+ /{a,b}/c/*"], ["- *.jpg", "+ a"],
        ["+ a**"], ["+ /a/b/c/**", "- /a/b/**", "+ **"], ["+ b/c.txt"], ["+ /b/", "+ /b/**"], ["- [ab]/", "+ **"],
        ["+ /a/?/*"], ["- /b/**/c.txt", "+ **/c.txt"], ["+ *"], ["- *.txt", "- a/", "+ /b/**"], ["- /*"],
        ["- /a/**/c.txt"], ["- /a/*/**", "+ *.txt"], ["- /{*,a/b}"],
    ]

    @Test("pruning never hides an included file: every ancestor of an included file is descended into",
          arguments: ruleLists)
    func pruningIsSound(_ specs: [String]) throws {
        let set = try filter(specs)
        let names = ["a", "b", "c", "tmp", "c.txt", "b.txt", "x.jpg"]
        var paths: [String] = names
        for _ in 0..<3 { paths += paths.flatMap { p in names.map { "\(p)/\($0)" } }.filter { $0.split(separator: "/").count <= 4 } }
        var includedCount = 0
        for path in Set(paths) where included(set, path) {
            includedCount += 1
            let parts = path.split(separator: "/")
            for depth in 1..<parts.count {
                let directory = parts[0..<depth].joined(separator: "/")
                #expect(set.shouldDescend(into: directory), "\(specs): \(path) is included but \(directory) is pruned")
            }
        }
        // The set of rules is chosen so that each selects something.
        #expect(includedCount > 0)
    }
}

// MARK: - Size and age limits

@Suite("Size and age limits")
struct SizeAndAgeFilterTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("min-size and max-size are inclusive, and an unknown size passes")
    func sizeLimits() throws {
        let set = try FilterSet(minSize: 100, maxSize: 200)
        #expect(!set.includes(file: "a", size: 99, modificationTime: nil))
        #expect(set.includes(file: "a", size: 100, modificationTime: nil))
        #expect(set.includes(file: "a", size: 200, modificationTime: nil))
        #expect(!set.includes(file: "a", size: 201, modificationTime: nil))
        #expect(set.includes(file: "a", size: nil, modificationTime: nil))
    }

    @Test("min-age keeps old files, max-age recent ones, both inclusive; a file without a time passes")
    func ageLimits() throws {
        let now = Self.now
        let older = try FilterSet(minAge: 3600, now: now)
        #expect(!older.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(-3599)))
        #expect(older.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(-3600)))
        #expect(older.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(-86_400)))
        #expect(older.includes(file: "a", size: nil, modificationTime: nil))
        let newer = try FilterSet(maxAge: 3600, now: now)
        #expect(newer.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(-3600)))
        #expect(!newer.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(-3601)))
        #expect(newer.includes(file: "a", size: nil, modificationTime: now.addingTimeInterval(60)))
        #expect(newer.includes(file: "a", size: nil, modificationTime: nil))
    }

    @Test("size and age limits apply together with the rules")
    func limitsCombineWithRules() throws {
        let set = try FilterSet(rules: rules(["+ *.log"]), minSize: 10)
        #expect(set.includes(file: "a.log", size: 10, modificationTime: nil))
        #expect(!set.includes(file: "a.log", size: 9, modificationTime: nil))
        #expect(!set.includes(file: "a.txt", size: 10, modificationTime: nil))
    }

    @Test("limits that no file could pass are refused")
    func impossibleLimitsAreRefused() {
        #expect(throws: VFSError.self) { try FilterSet(minSize: 10, maxSize: 5) }
        #expect(throws: VFSError.self) { try FilterSet(minSize: -1) }
        #expect(throws: VFSError.self) { try FilterSet(minAge: 7200, maxAge: 3600) }
        #expect(throws: VFSError.self) { try FilterSet(maxAge: .infinity) }
    }

    static let sizes: [(String, Int64)] = [
        ("0", 0), ("10", 10), ("10B", 10), ("10b", 10), ("10K", 10_240), ("10k", 10_240), ("10KiB", 10_240),
        ("10Ki", 10_240), ("10KB", 10_000), ("1.5M", 1_572_864), ("2G", 2_147_483_648), ("1T", 1_099_511_627_776),
        ("10MB", 10_000_000), ("1P", 1_125_899_906_842_624), ("1GB", 1_000_000_000), (" 5 K ", 5120), (".5K", 512),
        ("1.1K", 1126), ("7E", 8_070_450_532_247_928_832),
    ]

    @Test("sizes parse with binary and decimal units", arguments: sizes)
    func sizeParsing(_ c: (String, Int64)) throws {
        #expect(try SizeParser.parse(c.0) == c.1)
    }

    static let badSizes = ["", "abc", "-1", "10X", "1.2.3", "99999999999999999999", "8E", "K", "10 K B", "1e3"]

    @Test("malformed sizes are refused with a message naming the text", arguments: badSizes)
    func badSizesAreRefused(_ text: String) {
        let error = #expect(throws: VFSError.self) { try SizeParser.parse(text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("'\(text)'") == true)
    }

    static let durations: [(String, TimeInterval)] = [
        ("90s", 90), ("90", 90), ("30m", 1800), ("12h", 43_200), ("2d", 172_800), ("1w", 604_800),
        ("1M", 2_592_000), ("1y", 31_536_000), ("1h30m", 5400), ("1.5h", 5400), ("500ms", 0.5), ("1d12h", 129_600),
        ("1m30s", 90), (" 2d ", 172_800),
    ]

    @Test("durations parse with their units and add up", arguments: durations)
    func durationParsing(_ c: (String, TimeInterval)) throws {
        #expect(try AgeParser.parse(c.0, now: Self.now) == c.1)
    }

    @Test("an absolute date gives the age since then, in its zone or else local time")
    func absoluteDates() throws {
        let instant = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z
        let now = instant.addingTimeInterval(3600)
        #expect(try AgeParser.parse("2024-05-01T12:00:00Z", now: now) == 3600)
        #expect(try AgeParser.parse("2024-05-01 12:00Z", now: now) == 3600)
        #expect(try AgeParser.parse("2024-05-01T14:00:00+02:00", now: now) == 3600)
        #expect(try AgeParser.parse("2024-05-01T07:00:00-0500", now: now) == 3600)
        #expect(try AgeParser.parse("2024-05-01T11:59:59.5Z", now: now) == 3600.5)
        let midnightUTC = Date(timeIntervalSince1970: 1_714_521_600)  // 2024-05-01T00:00:00Z
        let offset = TimeInterval(TimeZone.current.secondsFromGMT(for: midnightUTC))
        let local = try AgeParser.parse("2024-05-01", now: now)
        #expect(local == now.timeIntervalSince(midnightUTC) + offset)
        #expect(try AgeParser.parse("2024-05-02T12:00:00Z", now: now) == -82_800)
    }

    static let badAges = ["", "5x", "1h30", "-5s", "h", "1.2.3s", "2024-13-01", "2024-02-30", "2023-02-29",
                          "2024-05-01T25:00", "2024-05-01T12:00:00Q", "2024-05-01T12", "2024-5-1"]

    @Test("malformed ages are refused with a message naming the text", arguments: badAges)
    func badAgesAreRefused(_ text: String) {
        let error = #expect(throws: VFSError.self) { try AgeParser.parse(text, now: Self.now) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("'\(text)'") == true)
    }

    @Test("February 29 parses in a leap year")
    func leapDay() throws {
        #expect(try AgeParser.parse("2024-02-29T00:00:00Z", now: Date(timeIntervalSince1970: 1_709_164_800)) == 0)
    }
}

// MARK: - Filter files and files-from

@Suite("Filter and files-from lists")
struct FilterListParsingTests {
    @Test("filter files skip comments and blank lines and accept CRLF")
    func filterFileSyntax() throws {
        let text = "# comment\r\n; another\r\n\r\n  + *.jpg  \r\n- a # b\n-  lead\n"
        let parsed = try FilterSet.parseRules(text, path: "rules.txt")
        #expect(parsed.map(\.filterLine) == ["+ *.jpg", "- a # b", "-  lead"])
        #expect(parsed.map(\.action) == [.include, .exclude, .exclude])
    }

    static let badFilterFiles: [(text: String, line: Int)] = [
        ("+ a\n*.jpg\n", 2),
        ("# c\n\n+a\n", 3),
        ("+ ok\n- [z-a]\n", 2),
        ("include *.jpg", 1),
        ("+ a\r\n- b\r\n-\r\n", 3),
        ("- ***", 1),
    ]

    @Test("a bad filter file line is reported with its number and the file", arguments: badFilterFiles)
    func badFilterFileLines(_ c: (text: String, line: Int)) {
        let error = #expect(throws: VFSError.self) { try FilterSet.parseRules(c.text, path: "rules.txt") }
        #expect(error?.code == .invalidArgument)
        #expect(error?.path == "rules.txt")
        #expect(error?.message.hasPrefix("line \(c.line): ") == true)
    }

    @Test("files-from lists skip comments and blanks, strip leading / and ./, and drop duplicates")
    func filesFromSyntax() throws {
        let text = "# list\r\nfile1.jpg\r\n/subdir/file2.jpg\n./a//b/./c\n\n  spaced.txt  \n; semicolon\nfile1.jpg\n./#hash\n"
        let list = try FilterSet.parseFilesFrom(text, path: "list.txt")
        #expect(list == ["file1.jpg", "subdir/file2.jpg", "a/b/c", "spaced.txt", "#hash"])
    }

    @Test("files-from refuses '..' with the line number")
    func filesFromRefusesParent() {
        let error = #expect(throws: VFSError.self) { try FilterSet.parseFilesFrom("a\nb/../c\n", path: "list.txt") }
        #expect(error?.message.hasPrefix("line 2: ") == true)
        #expect(error?.path == "list.txt")
        #expect(throws: VFSError.self) { try FilterSet(filesFrom: ["../x"]) }
    }

    @Test("files-from selects exactly the listed paths, byte for byte")
    func filesFromSelectsListedPaths() throws {
        let nfc = "caf\u{E9}.txt"
        let set = try FilterSet(filesFrom: ["a/b.txt", "/top.txt", nfc])
        #expect(included(set, "a/b.txt"))
        #expect(included(set, "top.txt"))
        #expect(included(set, nfc))
        #expect(!included(set, "cafe\u{301}.txt"))
        #expect(!included(set, "a/c.txt"))
        #expect(!included(set, "b.txt"))
        #expect(set.filesFrom == ["a/b.txt", "top.txt", nfc])
    }

    @Test("files-from lists the folders leading to listed files and no others")
    func filesFromDescendsOnlyOnTheWay() throws {
        let set = try FilterSet(filesFrom: ["a/b/c.txt", "d.txt"])
        #expect(set.shouldDescend(into: ""))
        #expect(set.shouldDescend(into: "a"))
        #expect(set.shouldDescend(into: "a/b"))
        #expect(!set.shouldDescend(into: "a/x"))
        #expect(!set.shouldDescend(into: "a/b/c.txt"))
        #expect(!set.shouldDescend(into: "d.txt"))
        #expect(!set.shouldDescend(into: "z"))
    }

    @Test("other filters still apply to files-from paths")
    func filesFromWithOtherFilters() throws {
        let set = try FilterSet(rules: rules(["- *.tmp", "- /a/b/**"]), minSize: 5, filesFrom: ["x.tmp", "y.txt", "a/b/c"])
        #expect(!set.includes(file: "x.tmp", size: 10, modificationTime: nil))
        #expect(set.includes(file: "y.txt", size: 10, modificationTime: nil))
        #expect(!set.includes(file: "y.txt", size: 4, modificationTime: nil))
        #expect(!set.shouldDescend(into: "a/b"))
        #expect(set.shouldDescend(into: "a"))
    }
}

// MARK: - Explain

@Suite("Explain")
struct FilterExplainTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test("explain names the rule or limit that decided")
    func explainNamesTheDecider() throws {
        let one = try filter(["- *.tmp"])
        #expect(one.explain(file: "a.tmp", size: nil, modificationTime: nil) == "excluded by --exclude '*.tmp'")
        #expect(one.explain(file: "a.txt", size: nil, modificationTime: nil).hasPrefix("included: no rule matched"))

        let two = try filter(["- secret*", "+ *.jpg"])
        #expect(two.explain(file: "a.jpg", size: nil, modificationTime: nil) == "included by --include '*.jpg' (rule 2 of 2)")
        let implicit = two.explain(file: "a.png", size: nil, modificationTime: nil)
        #expect(implicit.hasPrefix("excluded: no rule matched"))
        #expect(implicit.contains("include rule"))

        let limits = try FilterSet(minSize: 1024, maxSize: 1_048_576, minAge: 86_400, maxAge: 604_800,
                                   filesFrom: ["a", "b", "c", "d", "e"], now: Self.now)
        #expect(limits.explain(file: "z", size: 1, modificationTime: nil) == "excluded: not listed in --files-from")
        #expect(limits.explain(file: "a", size: 12, modificationTime: nil) == "excluded by --min-size 1 KiB: the file has 12 bytes")
        #expect(limits.explain(file: "b", size: 2_621_440, modificationTime: nil)
            == "excluded by --max-size 1 MiB: the file has 2.5 MiB (2621440 bytes)")
        #expect(limits.explain(file: "c", size: 2048, modificationTime: Self.now.addingTimeInterval(-3 * 3600))
            .hasPrefix("excluded by --min-age 1d: modified 3h ago ("))
        #expect(limits.explain(file: "d", size: 2048, modificationTime: Self.now.addingTimeInterval(-30 * 86_400 - 7200))
            .hasPrefix("excluded by --max-age 7d: modified 30d2h ago ("))
        #expect(limits.explain(file: "e", size: 2048, modificationTime: Self.now.addingTimeInterval(-2 * 86_400))
            .hasPrefix("included: listed in --files-from"))
        #expect(FilterSet.none.explain(file: "a", size: nil, modificationTime: nil) == "included: no filters are set")
    }

    @Test("explain agrees with includes")
    func explainAgreesWithIncludes() throws {
        let set = try FilterSet(rules: rules(["- secret*", "+ *.jpg", "- tmp/", "+ /docs/**"]), maxSize: 100, now: Self.now)
        for path in ["a.jpg", "secret.jpg", "tmp/a.jpg", "tmp/a.txt", "docs/a", "x/docs/a", "b.txt"] {
            for size: Int64? in [nil, 50, 500] {
                let included = set.includes(file: path, size: size, modificationTime: nil)
                let explanation = set.explain(file: path, size: size, modificationTime: nil)
                #expect(explanation.hasPrefix(included ? "included" : "excluded"), "\(path) \(String(describing: size)): \(explanation)")
            }
        }
    }
}
