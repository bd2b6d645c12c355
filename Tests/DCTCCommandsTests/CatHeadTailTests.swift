import DCTCTestSupport
import Foundation
import Testing

@Suite("cat, head, tail")
struct CatHeadTailTests {
    /// Lines `line 1` ... `line N`, each ending with a newline (20 000 lines are ~200 KB:
    /// several 64 KiB blocks for tail's backward reads).
    static func numberedLines(_ count: Int) -> String {
        (1...count).map { "line \($0)\n" }.joined()
    }

    // MARK: - cat

    @Test("cat prints files byte for byte, one after the other, NUL and invalid UTF-8 included")
    func catConcatenates() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let binary: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 0x0A, 0x00, 0x41]
        try s.write("a.bin", bytes: binary)
        try s.write("with space.txt", "second\n")
        let r = try CLI.run(["cat", "a.bin", "with space.txt"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == binary + Array("second\n".utf8))
    }

    @Test("cat decompresses .gz and .bz2 files made by gzip and bzip2", arguments: ["gzip", "bzip2"])
    func catDecompresses(tool: String) throws {
        let s = try Scratch(); defer { s.cleanup() }
        let text = Self.numberedLines(50_000)
        try s.write("data.txt", text)
        try Tool.run(tool, ["-k", "data.txt"], cwd: s.path)
        let name = tool == "gzip" ? "data.txt.gz" : "data.txt.bz2"
        let r = try CLI.run(["cat", name], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == text)
    }

    @Test("cat recognises compressed content by its bytes when the name has no extension")
    func catSniffsMagic() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("plain", "hidden gzip\n")
        let gz = try Tool.run("gzip", ["-c", "plain"], cwd: s.path)
        try s.write("blob", bytes: gz)
        let r = try CLI.run(["cat", "blob"], cwd: s.path)
        #expect(r.stdout == "hidden gzip\n", "\(r)")
    }

    @Test("cat of a multi-member gzip file prints every member")
    func catMultiMemberGzip() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("one", "first member\n")
        try s.write("two", "second member\n")
        let joined = try Tool.run("gzip", ["-c", "one"], cwd: s.path) + Tool.run("gzip", ["-c", "two"], cwd: s.path)
        try s.write("both.gz", bytes: joined)
        let r = try CLI.run(["cat", "both.gz"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "first member\nsecond member\n")
    }

    @Test("cat --raw prints the compressed bytes as stored")
    func catRaw() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(1000))
        try Tool.run("gzip", ["-k", "data.txt"], cwd: s.path)
        let r = try CLI.run(["cat", "--raw", "data.txt.gz"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try s.read("data.txt.gz")))
    }

    @Test("cat of a truncated .gz fails with exit 6 and a message naming the file")
    func catCorruptGzip() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(5000))
        let gz = try Tool.run("gzip", ["-c", "data.txt"], cwd: s.path)
        try s.write("broken file.gz", bytes: Array(gz.prefix(gz.count / 2)))
        let r = try CLI.run(["cat", "broken file.gz"], cwd: s.path)
        #expect(r.status == 6, "\(r)")
        #expect(r.stderr.contains("broken file.gz"))
    }

    @Test("cat of a missing file exits 3; with a good file too, the good one is printed and the exit is 4")
    func catMissing() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("good.txt", "good\n")
        let alone = try CLI.run(["cat", "missing.txt"], cwd: s.path)
        #expect(alone.status == 3, "\(alone)")
        #expect(alone.stderr.contains("missing.txt"))
        let mixed = try CLI.run(["cat", "missing.txt", "good.txt"], cwd: s.path)
        #expect(mixed.status == 4, "\(mixed)")
        #expect(mixed.stdout == "good\n")
    }

    @Test("cat of a glob pattern prints the matches in order; a pattern matching nothing exits 3")
    func catGlob() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("logs/b.log", "b\n")
        try s.write("logs/a.log", "a\n")
        try s.write("logs/c.txt", "c\n")
        let r = try CLI.run(["cat", "logs/*.log"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "a\nb\n")
        let none = try CLI.run(["cat", "logs/*.nothing"], cwd: s.path)
        #expect(none.status == 3, "\(none)")
        #expect(none.stdout.isEmpty)
    }

    @Test("cat of a directory says 'is a directory' and still prints the other files")
    func catDirectory() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("dir/inner", "x")
        try s.write("file", "content")
        let r = try CLI.run(["cat", "dir", "file"], cwd: s.path)
        #expect(r.status != 0)
        #expect(r.stderr.contains("dir: is a directory"), "\(r)")
        #expect(r.stdout == "content")
    }

    @Test("cat - reads standard input, gzip included")
    func catStdin() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("in.txt", "from stdin\n")
        let gz = try Tool.run("gzip", ["-c", "in.txt"], cwd: s.path)
        let r = try CLI.run(["cat", "-"], stdin: gz)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "from stdin\n")
    }

    // MARK: - head

    @Test("head prints the first lines or bytes of plain, .gz and .bz2 files like coreutils head",
          arguments: [[], ["-n", "3"], ["-n", "0"], ["-c", "5"], ["-c", "70000"], ["-n", "20000"]])
    func headMatchesCoreutils(options: [String]) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(20_000))
        try Tool.run("gzip", ["-k", "data.txt"], cwd: s.path)
        try Tool.run("bzip2", ["-k", "data.txt"], cwd: s.path)
        let expected = try Tool.run("head", options + ["data.txt"], cwd: s.path)
        for name in ["data.txt", "data.txt.gz", "data.txt.bz2"] {
            let r = try CLI.run(["head"] + options + [name], cwd: s.path)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdoutBytes == expected, "head \(options) \(name)")
        }
    }

    @Test("head of a file without a final newline, asked for more lines than it has, prints it whole")
    func headShortFile() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("short", "a\nb\nno newline")
        let r = try CLI.run(["head", "-n", "50", "short"], cwd: s.path)
        #expect(r.stdout == "a\nb\nno newline", "\(r)")
        let bytes = try CLI.run(["head", "-c", "1K", "short"], cwd: s.path)
        #expect(bytes.stdout == "a\nb\nno newline", "\(bytes)")
    }

    @Test("head -c --raw of a .gz prints its first stored bytes")
    func headRawBytes() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(100))
        try Tool.run("gzip", ["-k", "data.txt"], cwd: s.path)
        let r = try CLI.run(["head", "-c", "10", "--raw", "data.txt.gz"], cwd: s.path)
        #expect(r.stdoutBytes == Array(try s.read("data.txt.gz").prefix(10)), "\(r)")
    }

    @Test("head of several files prints '==> NAME <==' headers exactly like coreutils")
    func headHeaders() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("one.txt", Self.numberedLines(30))
        try s.write("two words.txt", "x\ny")
        try s.write("empty", "")
        let args = ["-n", "2", "one.txt", "two words.txt", "empty"]
        let r = try CLI.run(["head"] + args, cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("head", args, cwd: s.path)))
        let quiet = try CLI.run(["head", "-q", "-n", "1", "one.txt", "two words.txt"], cwd: s.path)
        #expect(quiet.stdout == "line 1\nx\n")
    }

    @Test("head -n and -c together is a usage error")
    func headConflictingCounts() throws {
        let r = try CLI.run(["head", "-n", "1", "-c", "1", "/dev/null"])
        #expect(r.status == 2, "\(r)")
    }

    @Test("head - stops reading standard input once enough lines are out")
    func headStdin() throws {
        let r = try CLI.run(["head", "-n", "2"], stdin: Array(Self.numberedLines(100_000).utf8))
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "line 1\nline 2\n")
    }

    // MARK: - tail

    @Test("tail prints the last lines or bytes like coreutils tail, on plain (read backwards), .gz and .bz2 files",
          arguments: [[], ["-n", "1"], ["-n", "0"], ["-n", "7000"], ["-n", "30000"], ["-c", "0"], ["-c", "5"],
                      ["-c", "100000"], ["-c", "1M"], ["-n", "+2"], ["-n", "+19990"], ["-c", "+100"]])
    func tailMatchesCoreutils(options: [String]) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(20_000))
        try s.write("nonl.txt", Self.numberedLines(20_000) + "no final newline")
        for base in ["data.txt", "nonl.txt"] {
            try Tool.run("gzip", ["-k", base], cwd: s.path)
            try Tool.run("bzip2", ["-k", base], cwd: s.path)
            let expected = try Tool.run("tail", options + [base], cwd: s.path)
            for name in [base, base + ".gz", base + ".bz2"] {
                let r = try CLI.run(["tail"] + options + [name], cwd: s.path)
                #expect(r.status == 0, "\(r)")
                #expect(r.stdoutBytes == expected, "tail \(options) \(name)")
            }
        }
    }

    @Test("tail of short files: fewer lines than asked, no final newline, only newlines, empty")
    func tailShortFiles() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let files = ["few": "a\nb\n", "nonl": "a\nb", "blank": "\n\n\n", "empty": "", "one": "only"]
        for (name, content) in files { try s.write(name, content) }
        for name in files.keys.sorted() {
            for options in [["-n", "2"], ["-n", "10"], ["-c", "3"]] {
                let r = try CLI.run(["tail"] + options + [name], cwd: s.path)
                #expect(r.stdoutBytes == (try Tool.run("tail", options + [name], cwd: s.path)), "tail \(options) \(name)")
            }
        }
    }

    @Test("tail of several files prints headers exactly like coreutils, and tail - reads standard input")
    func tailHeadersAndStdin() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("a.txt", Self.numberedLines(30))
        try s.write("b.txt", "x\ny")
        let args = ["-n", "3", "a.txt", "b.txt"]
        let r = try CLI.run(["tail"] + args, cwd: s.path)
        #expect(r.stdoutBytes == (try Tool.run("tail", args, cwd: s.path)), "\(r)")
        let piped = try CLI.run(["tail", "-n", "2", "-"], stdin: Array(Self.numberedLines(1000).utf8))
        #expect(piped.stdout == "line 999\nline 1000\n", "\(piped)")
    }

    @Test("tail --raw -c of a .gz prints its last stored bytes")
    func tailRawBytes() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data.txt", Self.numberedLines(100))
        try Tool.run("gzip", ["-k", "data.txt"], cwd: s.path)
        let r = try CLI.run(["tail", "-c", "8", "--raw", "data.txt.gz"], cwd: s.path)
        #expect(r.stdoutBytes == Array(try s.read("data.txt.gz").suffix(8)), "\(r)")
    }
}

/// Runs a system tool (no shell) and returns its standard output.
enum Tool {
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], cwd: String? = nil, stdin: [UInt8]? = nil) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + arguments
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        p.environment = env
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try p.run()
        if let stdin {
            let handle = input.fileHandleForWriting
            DispatchQueue.global().async {
                handle.write(Data(stdin))
                try? handle.close()
            }
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        return [UInt8](data)
    }

    /// The tool's output as text.
    static func text(_ tool: String, _ arguments: [String], cwd: String? = nil) throws -> String {
        String(decoding: try run(tool, arguments, cwd: cwd), as: UTF8.self)
    }
}
