import DCTCTestSupport
import Foundation
import Testing

@Suite("grep")
struct GrepTests {
    static let sample = "Apple pie\nbanana split\ncherry tart\napple juice\n"

    @Test("grep prints the matching lines and exits 0; no match prints nothing and exits 1")
    func matchAndNoMatch() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("fruit.txt", Self.sample)
        let r = try CLI.run(["grep", "an+a", "fruit.txt"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "banana split\n")
        let none = try CLI.run(["grep", "kiwi", "fruit.txt"], cwd: s.path)
        #expect(none.status == 1, "\(none)")
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.isEmpty)
    }

    @Test("grep -E syntax is the default: alternation, anchors, classes, repetition")
    func extendedSyntax() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("fruit.txt", Self.sample)
        #expect(try CLI.run(["grep", "^(cherry|banana)", "fruit.txt"], cwd: s.path).stdout == "banana split\ncherry tart\n")
        #expect(try CLI.run(["grep", "-E", "e$", "fruit.txt"], cwd: s.path).stdout == "Apple pie\napple juice\n")
        #expect(try CLI.run(["grep", "[[:upper:]]p{2}", "fruit.txt"], cwd: s.path).stdout == "Apple pie\n")
    }

    @Test("grep -i ignores case, -v inverts, -n numbers lines, -c counts, -l names files")
    func flags() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("fruit.txt", Self.sample)
        try s.write("other.txt", "nothing here\n")
        func grep(_ args: String...) throws -> CLIResult { try CLI.run(["grep"] + args, cwd: s.path) }
        #expect(try grep("-i", "APPLE", "fruit.txt").stdout == "Apple pie\napple juice\n")
        #expect(try grep("-v", "apple", "fruit.txt").stdout == "Apple pie\nbanana split\ncherry tart\n")
        #expect(try grep("-n", "apple", "fruit.txt").stdout == "4:apple juice\n")
        #expect(try grep("-n", "-i", "-v", "apple", "fruit.txt").stdout == "2:banana split\n3:cherry tart\n")
        #expect(try grep("-c", "-i", "apple", "fruit.txt").stdout == "2\n")
        #expect(try grep("-c", "a", "fruit.txt", "other.txt").stdout == "fruit.txt:3\nother.txt:0\n")
        #expect(try grep("-l", "e", "fruit.txt", "other.txt").stdout == "fruit.txt\nother.txt\n")
        #expect(try grep("-l", "pie", "fruit.txt", "other.txt").stdout == "fruit.txt\n")
        let quiet = try grep("-q", "pie", "fruit.txt")
        #expect(quiet.status == 0 && quiet.stdout.isEmpty, "\(quiet)")
    }

    @Test("grep prefixes lines with the file name when there are several files (with -n, NAME:N:)")
    func severalFiles() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("a b.txt", "x1\ny\n")
        try s.write("c.txt", "x2\n")
        let r = try CLI.run(["grep", "-n", "x", "a b.txt", "c.txt"], cwd: s.path)
        #expect(r.stdout == "a b.txt:1:x1\nc.txt:1:x2\n", "\(r)")
        let glob = try CLI.run(["grep", "x", "*.txt"], cwd: s.path)
        #expect(glob.stdout == "a b.txt:x1\nc.txt:x2\n", "\(glob)")
    }

    @Test("grep -F matches regex syntax characters literally, also with -i")
    func fixedStrings() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("code.txt", "f(a.b)*2\nfab\nF(A.B)*2 upper\n")
        #expect(try CLI.run(["grep", "-F", "(a.b)*", "code.txt"], cwd: s.path).stdout == "f(a.b)*2\n")
        #expect(try CLI.run(["grep", "-F", "-i", "(a.b)*", "code.txt"], cwd: s.path).stdout == "f(a.b)*2\nF(A.B)*2 upper\n")
    }

    @Test("grep -r searches every file below a directory, in sorted order, named by path")
    func recursive() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("tree/b.txt", "needle b\n")
        try s.write("tree/a/deep.txt", "hay\nneedle deep\n")
        try s.write("tree/a/none.txt", "hay\n")
        let r = try CLI.run(["grep", "-r", "needle", "tree"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "tree/a/deep.txt:needle deep\ntree/b.txt:needle b\n")
        let names = try CLI.run(["grep", "-r", "-l", "needle"], cwd: s.url("tree"))
        #expect(names.stdout == "a/deep.txt\nb.txt\n", "\(names)")
        let withoutR = try CLI.run(["grep", "needle", "tree"], cwd: s.path)
        #expect(withoutR.stderr.contains("is a directory"), "\(withoutR)")
    }

    @Test("grep searches .gz and .bz2 content decompressed", arguments: ["gzip", "bzip2"])
    func compressedInput(tool: String) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("log", (1...30_000).map { $0 % 1000 == 0 ? "ERROR at \($0)\n" : "ok \($0)\n" }.joined())
        try Tool.run(tool, ["-k", "log"], cwd: s.path)
        let name = tool == "gzip" ? "log.gz" : "log.bz2"
        let r = try CLI.run(["grep", "-c", "ERROR", name], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "30\n")
        let last = try CLI.run(["grep", "-n", "ERROR at 30000$", name], cwd: s.path)
        #expect(last.stdout == "30000:ERROR at 30000\n", "\(last)")
    }

    @Test("grep with an invalid regular expression exits 2 with regcomp's message")
    func badRegex() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("f", "x\n")
        let r = try CLI.run(["grep", "a(b", "f"], cwd: s.path)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("a(b"))
        #expect(r.stderr.contains("Unmatched"))
    }

    @Test("grep matches lines holding NUL bytes and invalid UTF-8 and prints them byte for byte")
    func binaryLines() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let line: [UInt8] = [0x61, 0x00, 0xFF, 0x62, 0x63, 0x0A]
        try s.write("bin", bytes: Array("plain\n".utf8) + line + [0xFE, 0x0A])
        let r = try CLI.run(["grep", "bc$", "bin"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == line)
        #expect(try CLI.run(["grep", "-c", "-v", "bc", "bin"], cwd: s.path).stdout == "2\n")
    }

    @Test("grep matches a line longer than a read chunk and a last line without a newline")
    func longAndUnterminatedLines() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let long = String(repeating: "x", count: 600_000) + "MARK" + String(repeating: "y", count: 10)
        try s.write("f", "short\n" + long + "\ntail MARK")
        let r = try CLI.run(["grep", "-n", "MARK", "f"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "2:" + long + "\n3:tail MARK\n")
    }

    @Test("grep exits 4 when one file is missing and another matches, 3 when the only file is missing")
    func errorsAndMatches() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("f", "hit\n")
        let mixed = try CLI.run(["grep", "hit", "missing", "f"], cwd: s.path)
        #expect(mixed.status == 4, "\(mixed)")
        #expect(mixed.stdout == "f:hit\n")
        #expect(mixed.stderr.contains("missing"))
        let missing = try CLI.run(["grep", "hit", "missing"], cwd: s.path)
        #expect(missing.status == 3, "\(missing)")
    }

    @Test("grep reads standard input by default and as -; a pattern with a newline is two patterns")
    func stdinAndPatternList() throws {
        let r = try CLI.run(["grep", "b"], stdin: Array("a\nb\nc\n".utf8))
        #expect(r.stdout == "b\n", "\(r)")
        let dash = try CLI.run(["grep", "-c", "a\nc", "-"], stdin: Array("a\nb\nc\n".utf8))
        #expect(dash.stdout == "2\n", "\(dash)")
    }
}
