import DCTCTestSupport
import Foundation
import Testing

@Suite("ls -a -t -r -d, find --size/--mtime/--newer, paths as typed, du --json, hash -r")
struct ViewsTests {
    static func tree(_ s: Scratch) throws {
        try s.write("v/old.txt", "12345")
        try s.write("v/new.txt", "1")
        try s.write("v/.hidden", "")
        try s.write("v/sub/deep.bin", "1234567890")
        let fm = FileManager.default
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -10 * 86_400)], ofItemAtPath: s.url("v/old.txt"))
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: s.url("v/sub/deep.bin"))
    }

    @Test("ls hides dot names unless -a, sorts by time with -t, reverses with -r, shows the folder itself with -d")
    func lsFlags() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.tree(s)
        #expect(try CLI.run(["ls", s.url("v")]).stdout == "new.txt\nold.txt\nsub/\n")
        #expect(try CLI.run(["ls", "-a", s.url("v")]).stdout == ".hidden\nnew.txt\nold.txt\nsub/\n")
        #expect(try CLI.run(["ls", "-t", s.url("v")]).stdout.split(separator: "\n").last == "old.txt")
        #expect(try CLI.run(["ls", "-1", "-r", s.url("v")]).stdout == "sub/\nold.txt\nnew.txt\n")
        #expect(try CLI.run(["ls", "-d", s.url("v")]).stdout.split(separator: "\n").count == 1)
    }

    @Test("find and du print paths as typed; find tests size, age and --newer")
    func findAndDu() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.tree(s)
        let typed = try CLI.run(["find", "v", "--type", "f", "--size", "+4"], cwd: s.path)
        #expect(typed.stdout == "v/old.txt\nv/sub/deep.bin\n", "\(typed)")
        #expect(try CLI.run(["find", "./v", "--mtime", "+7"], cwd: s.path).stdout == "./v/old.txt\n")
        #expect(try CLI.run(["find", "v", "--type", "f", "--newer", "v/sub/deep.bin"], cwd: s.path).stdout == "v/.hidden\nv/new.txt\n")
        #expect(try CLI.run(["du", "v"], cwd: s.path).stdout == "10\tv/sub\n16\tv\n")
        #expect(try CLI.run(["du", "-s", "--json", "v/"], cwd: s.path).stdout == "{\"bytes\":16,\"directories\":1,\"files\":4,\"path\":\"v/\"}\n")
    }

    @Test("hash -r hashes every file below a folder, named as typed, and --check reads it back")
    func hashRecursive() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try Self.tree(s)
        let r = try CLI.run(["hash", "-r", "v"], cwd: s.path)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.split(separator: "\n").map { String($0.dropFirst(34)) } == ["v/.hidden", "v/new.txt", "v/old.txt", "v/sub/deep.bin"])
        try s.write("SUMS", r.stdout)
        #expect(try CLI.run(["hash", "--check", "SUMS"], cwd: s.path).status == 0)
    }
}
