import DCTCConfig
import DCTCCore
import Testing

@Suite("Aliases")
struct AliasTests {
    struct Split: Sendable, CustomTestStringConvertible {
        let line: String
        let words: [String]
        var testDescription: String { line }
    }

    static let splits: [Split] = [
        Split(line: "ls -l -h", words: ["ls", "-l", "-h"]),
        Split(line: "  spaced \t out  ", words: ["spaced", "out"]),
        Split(line: #"cp "my file" 'other file'"#, words: ["cp", "my file", "other file"]),
        Split(line: #"echo a"b c"d"#, words: ["echo", "ab cd"]),
        Split(line: "x '' \"\"", words: ["x", "", ""]),
        Split(line: #"a\ b"#, words: ["a b"]),
        Split(line: #""say \"hi\" \\ \n""#, words: [#"say "hi" \ \n"#]),
        Split(line: #"'single \ "keeps" all'"#, words: [#"single \ "keeps" all"#]),
        Split(line: #""it's""#, words: ["it's"]),
        Split(line: "$HOME ~ *.txt", words: ["$HOME", "~", "*.txt"]),
        Split(line: "", words: []),
    ]

    @Test("command lines split into words like a shell, without expansion", arguments: splits)
    func shellSplitting(_ split: Split) throws {
        #expect(try ShellWords.split(split.line) == split.words)
    }

    @Test("unterminated quotes and a trailing backslash are errors",
          arguments: [("ls 'x", "unterminated single quote"), ("ls \"x", "unterminated double quote"), ("ls x\\", "trailing backslash")])
    func shellSplittingErrors(_ line: String, _ message: String) throws {
        let error = try #require(throws: ShellWords.SplitError.self) { try ShellWords.split(line) }
        #expect(error.message == message)
    }

    @Test("aliases are read from [aliases] as command lines or arrays of words")
    func aliasesFromConfig() throws {
        let configuration = try config("""
            [aliases]
            ll = "ls -l -h"
            backup = 'sync --checksum "/home/me/My Documents" box:docs'
            push = ["cp", "-r", "a b", "box:"]
            """)
        #expect(configuration.aliases == [
            "ll": ["ls", "-l", "-h"],
            "backup": ["sync", "--checksum", "/home/me/My Documents", "box:docs"],
            "push": ["cp", "-r", "a b", "box:"],
        ])
    }

    @Test("a malformed alias is an error on its line")
    func malformedAliases() throws {
        let unterminated = try #require(throws: VFSError.self) { try config("[aliases]\nok = \"ls\"\nbad = \"ls 'x\"\n") }
        #expect(unterminated.message == "line 3: alias 'bad': unterminated single quote")
        let number = try #require(throws: VFSError.self) { try config("[aliases]\nn = 3\n") }
        #expect(number.message.hasPrefix("line 2: alias 'n' must be a string"))
        let empty = try #require(throws: VFSError.self) { try config("[aliases]\ne = \"  \"\n") }
        #expect(empty.message == "line 2: alias 'e' is empty")
        let badName = try #require(throws: VFSError.self) { try config("[aliases]\n\"l l\" = \"ls\"\n") }
        #expect(badName.message == "line 2: invalid alias name 'l l'")
    }
}
