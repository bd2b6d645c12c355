import DCTCTestSupport
import Foundation
import Testing

@Suite("ls, find, stat, du")
struct ListingCommandsTests {
    @Test("ls lists a directory's children sorted, directories with a slash")
    func lsListsChildren() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/b.txt", "bb")
        try s.write("d/a.txt", "a")
        try s.write("d/sub/c.txt", "c")
        let r = try CLI.run(["ls", s.url("d")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "a.txt\nb.txt\nsub/\n")
    }

    @Test("ls -l shows mode, size and name; -h shows human sizes")
    func lsLong() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/big.bin", bytes: [UInt8](repeating: 1, count: 5000))
        let r = try CLI.run(["ls", "-l", s.url("d")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.hasPrefix("-rw-"))
        #expect(r.stdout.contains(" 5000  "))
        #expect(r.stdout.hasSuffix("  big.bin\n"))
        let h = try CLI.run(["ls", "-lh", s.url("d")])
        #expect(h.stdout.contains("4.9K"), "\(h)")
    }

    @Test("ls -R lists every level with a header")
    func lsRecursive() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/x/y.txt", "y")
        let r = try CLI.run(["ls", "-R", s.url("d")])
        #expect(r.stdout == "\(s.url("d")):\nx/\n\n\(s.url("d/x")):\ny.txt\n", "\(r)")
    }

    @Test("ls --json gives one object per line with the full address")
    func lsJSON() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a b.txt", "abc")
        let r = try CLI.run(["ls", "--json", s.url("d")])
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(obj?["name"] as? String == "a b.txt")
        #expect(obj?["size"] as? Int == 3)
        #expect(obj?["type"] as? String == "file")
        #expect(obj?["path"] as? String == s.url("d/a b.txt"))
    }

    @Test("ls of a missing path exits 3 and names the path")
    func lsMissing() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let r = try CLI.run(["ls", s.url("nope")])
        #expect(r.status == 3)
        #expect(r.stderr.contains(s.url("nope")))
        #expect(r.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1, "one-line error: \(r.stderr)")
    }

    @Test("a glob that matches nothing is an error, never the parent folder")
    func globNoMatch() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a.txt", "a")
        let r = try CLI.run(["ls", s.url("d/*.csv")])
        #expect(r.status == 3, "\(r)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("no file matches"))
    }

    @Test("ls expands globs and keeps a literal name with glob characters")
    func globExpansion() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/1.csv", "")
        try s.write("d/2.csv", "")
        try s.write("d/x.txt", "")
        try s.write("d/odd[1].csv", "")
        let r = try CLI.run(["ls", s.url("d/?.csv")])
        #expect(r.stdout == "\(s.url("d/1.csv"))\n\(s.url("d/2.csv"))\n", "\(r)")
        let lit = try CLI.run(["ls", s.url("d/odd[1].csv")])
        #expect(lit.stdout == "\(s.url("d/odd[1].csv"))\n", "\(lit)")
    }

    @Test("find filters by name and type and includes the start like find(1)")
    func findFilters() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("t/a.csv", "")
        try s.write("t/sub/b.csv", "")
        try s.write("t/sub/c.txt", "")
        let r = try CLI.run(["find", s.url("t"), "--name", "*.csv", "--type", "f"])
        #expect(r.stdout == "\(s.url("t/a.csv"))\n\(s.url("t/sub/b.csv"))\n", "\(r)")
        let d = try CLI.run(["find", s.url("t"), "--type", "d"])
        #expect(d.stdout == "\(s.url("t"))\n\(s.url("t/sub"))\n", "\(d)")
        let shallow = try CLI.run(["find", s.url("t"), "--max-depth", "1", "--type", "f"])
        #expect(shallow.stdout == "\(s.url("t/a.csv"))\n", "\(shallow)")
    }

    @Test("stat shows size, type and modification time; --json too")
    func statShows() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let p = try s.write("f.txt", "12345")
        let r = try CLI.run(["stat", p])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Type: file"))
        #expect(r.stdout.contains("Size: 5"))
        #expect(r.stdout.contains("Modified: 20"))
        let j = try CLI.run(["stat", "--json", p])
        let obj = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        #expect(obj?["size"] as? Int == 5)
    }

    @Test("du sums file sizes per directory, post-order; -s gives the total only")
    func duSums() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("t/a", String(repeating: "a", count: 100))
        try s.write("t/x/b", String(repeating: "b", count: 20))
        try s.write("t/x/y/c", String(repeating: "c", count: 3))
        try s.write("t/z/d", String(repeating: "d", count: 1))
        let r = try CLI.run(["du", s.url("t")])
        #expect(r.stdout == "3\t\(s.url("t/x/y"))\n23\t\(s.url("t/x"))\n1\t\(s.url("t/z"))\n124\t\(s.url("t"))\n", "\(r)")
        let total = try CLI.run(["du", "-s", s.url("t")])
        #expect(total.stdout == "124\t\(s.url("t"))\n")
    }
}
