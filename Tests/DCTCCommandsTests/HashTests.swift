import DCTCTestSupport
import Foundation
import Testing

@Suite("hash")
struct HashTests {
    /// Names that need care in sum files: a space, a backslash, a newline, glob characters.
    static let names = ["plain.txt", "with space.txt", "back\\slash", "new\nline", "star*and[brackets]", "emoji-🚀"]

    static func populate(_ s: Scratch) throws {
        for (i, name) in names.enumerated() {
            try s.write(name, String(repeating: "\(name) \(i)\n", count: i * 1000 + 1))
        }
    }

    @Test("hash output is byte-identical to md5sum, sha1sum and sha256sum, escaped names included",
          arguments: ["md5", "sha1", "sha256"])
    func matchesCoreutils(algo: String) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.populate(s)
        let r = try CLI.run(["hash", "--algo", algo, "--"] + Self.names, cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("\(algo)sum", ["--"] + Self.names, cwd: s.path)), "\(r)")
    }

    @Test("hash matches md5sum on every hostile name")
    func hostileNames() throws {
        let s = try Scratch(); defer { s.cleanup() }
        for name in HostileNames.all { try s.write(name, name) }
        let r = try CLI.run(["hash", "--"] + HostileNames.all, cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("md5sum", ["--"] + HostileNames.all, cwd: s.path)), "\(r)")
    }

    @Test("hash of a glob names each match as the shell would (literal prefix kept), in order")
    func globNames() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/b.bin", "b")
        try s.write("d/a.bin", "a")
        try s.write("d/c.txt", "c")
        let r = try CLI.run(["hash", "./d/*.bin"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("md5sum", ["./d/a.bin", "./d/b.bin"], cwd: s.path)))
    }

    @Test("hash of many files prints them in argument order")
    func manyFilesInOrder() throws {
        let s = try Scratch(); defer { s.cleanup() }
        // Large first files finish last: order must still follow the arguments.
        let names = (0..<12).map { "f\($0)" }
        for (i, name) in names.enumerated() {
            try s.write(name, bytes: TestData.bytes(i < 3 ? 3_000_000 : 10, seed: UInt64(i + 1)))
        }
        let r = try CLI.run(["hash", "--algo", "sha256"] + names, cwd: s.path)
        #expect(r.stdoutBytes == (try Tool.run("sha256sum", names, cwd: s.path)), "\(r)")
    }

    @Test("hash of a directory says 'is a directory' and still hashes the other files")
    func directory() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("dir/inner", "x")
        try s.write("file", "content")
        let r = try CLI.run(["hash", "dir", "file"], cwd: s.path)
        #expect(r.status == 4, "\(r)")
        #expect(r.stderr.contains("dir: is a directory"))
        #expect(r.stdoutBytes == (try Tool.run("md5sum", ["file"], cwd: s.path)))
    }

    @Test("hash - hashes standard input and names it -")
    func standardInput() throws {
        let data = TestData.bytes(500_000)
        let r = try CLI.run(["hash", "--algo", "sha1", "-"], stdin: data)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("sha1sum", ["-"], stdin: data)))
    }

    @Test("hash of a missing file exits 3")
    func missing() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let r = try CLI.run(["hash", "nope"], cwd: s.path)
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("nope"))
    }

    // MARK: - --check

    @Test("hash --check accepts a sha256sum file and prints NAME: OK for each, escaped names included")
    func checkOK() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.populate(s)
        try s.write("SUMS", bytes: try Tool.run("sha256sum", ["--"] + Self.names, cwd: s.path))
        let r = try CLI.run(["hash", "--check", "SUMS"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdoutBytes == (try Tool.run("sha256sum", ["--check", "SUMS"], cwd: s.path)))
        #expect(r.stderr.isEmpty)
    }

    @Test("hash --check reports a changed file as FAILED and exits 1 with a warning")
    func checkFailed() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.populate(s)
        try s.write("SUMS", bytes: try Tool.run("sha256sum", ["--"] + Self.names, cwd: s.path))
        try s.write("with space.txt", "changed")
        let r = try CLI.run(["hash", "--algo", "sha256", "--check", "SUMS"], cwd: s.path)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.contains("with space.txt: FAILED\n"))
        #expect(r.stdout.contains("plain.txt: OK\n"))
        #expect(r.stderr.contains("WARNING: 1 computed checksum did NOT match"))
        let quiet = try CLI.run(["hash", "--check", "SUMS", "--quiet"], cwd: s.path)
        #expect(quiet.stdout == "with space.txt: FAILED\n", "\(quiet)")
    }

    @Test("hash --check reads BSD-style lines (md5sum --tag, sha256sum --tag)")
    func checkBSD() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.populate(s)
        let tagged = try Tool.run("md5sum", ["--tag", "--"] + Self.names, cwd: s.path)
            + Tool.run("sha256sum", ["--tag", "plain.txt"], cwd: s.path)
        try s.write("TAGS", bytes: tagged)
        let r = try CLI.run(["hash", "--check", "TAGS"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.split(separator: "\n").count == Self.names.count + 1)
        #expect(!r.stdout.contains("FAILED"))
    }

    @Test("hash --check reports a missing file as 'FAILED open or read', exits 1; --ignore-missing skips it")
    func checkMissing() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("here", "here")
        try s.write("gone", "gone")
        try s.write("SUMS", bytes: try Tool.run("md5sum", ["here", "gone"], cwd: s.path))
        try FileManager.default.removeItem(atPath: s.url("gone"))
        let r = try CLI.run(["hash", "--check", "SUMS"], cwd: s.path)
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout == "here: OK\ngone: FAILED open or read\n")
        #expect(r.stderr.contains("WARNING: 1 listed file could not be read"))
        let ignoring = try CLI.run(["hash", "--check", "SUMS", "--ignore-missing"], cwd: s.path)
        #expect(ignoring.status == 0, "\(ignoring)")
        #expect(ignoring.stdout == "here: OK\n")
    }

    @Test("hash --check counts malformed lines; a sum file without a valid line exits 2")
    func checkMalformed() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("f", "f")
        let good = try Tool.text("md5sum", ["f"], cwd: s.path)
        try s.write("SUMS", good + "not a sum line\n0123  short\n")
        let r = try CLI.run(["hash", "--check", "SUMS"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "f: OK\n")
        #expect(r.stderr.contains("WARNING: 2 lines are improperly formatted"))
        try s.write("BAD", "nothing useful\n")
        let bad = try CLI.run(["hash", "--check", "BAD"], cwd: s.path)
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.contains("no properly formatted checksum lines"))
    }

    @Test("hash --check - reads the sum file from standard input; the algorithm comes from the hash length")
    func checkFromStdin() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("f", "content")
        let sums = try Tool.run("sha1sum", ["f"], cwd: s.path)
        let r = try CLI.run(["hash", "--check", "-"], cwd: s.path, stdin: sums)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "f: OK\n")
        let wrongAlgo = try CLI.run(["hash", "--check", "-", "--algo", "md5"], cwd: s.path, stdin: sums)
        #expect(wrongAlgo.status == 2, "\(wrongAlgo)")
    }

    @Test("hash --check together with addresses is a usage error")
    func checkWithAddresses() throws {
        let r = try CLI.run(["hash", "--check", "SUMS", "file"])
        #expect(r.status == 2, "\(r)")
    }
}
