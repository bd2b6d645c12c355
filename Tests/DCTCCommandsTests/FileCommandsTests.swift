import DCTCTestSupport
import Foundation
import Testing

@Suite("cp, mv, rm, mkdir, rmdir")
struct FileCommandsTests {
    @Test("cp of a file to a new name copies bytes and keeps the modification time")
    func cpFile() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let src = try s.write("a.txt", "content")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: src)
        let r = try CLI.run(["cp", src, s.url("b.txt")])
        #expect(r.status == 0, "\(r)")
        #expect(try s.readString("b.txt") == "content")
        let mtime = try FileManager.default.attributesOfItem(atPath: s.url("b.txt"))[.modificationDate] as? Date
        #expect(mtime == Date(timeIntervalSince1970: 1_000_000_000))
    }

    @Test("cp into an existing directory keeps the name; a trailing slash creates the directory")
    func cpIntoDirectory() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let src = try s.write("a.txt", "x")
        try FileManager.default.createDirectory(atPath: s.url("dir"), withIntermediateDirectories: true)
        #expect(try CLI.run(["cp", src, s.url("dir")]).status == 0)
        #expect(try s.readString("dir/a.txt") == "x")
        #expect(try CLI.run(["cp", src, s.url("new") + "/"]).status == 0)
        #expect(try s.readString("new/a.txt") == "x")
    }

    @Test("cp -r copies a tree, empty directories included; SRC/ copies the contents")
    func cpRecursive() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a", "a")
        try s.write("src/sub/b", "b")
        try FileManager.default.createDirectory(atPath: s.url("src/empty"), withIntermediateDirectories: true)
        let r = try CLI.run(["cp", "-r", s.url("src"), s.url("dst")])
        #expect(r.status == 0, "\(r)")
        #expect(try s.readString("dst/sub/b") == "b")
        #expect(s.exists("dst/empty"))
        // dst exists now: cp -r src dst puts src inside it.
        #expect(try CLI.run(["cp", "-r", s.url("src"), s.url("dst")]).status == 0)
        #expect(try s.readString("dst/src/a") == "a")
        // Trailing slash: contents only.
        #expect(try CLI.run(["cp", "-r", s.url("src") + "/", s.url("flat")]).status == 0)
        #expect(try s.list("flat") == ["a", "empty", "sub"])
    }

    @Test("cp of a directory without -r fails with a hint, exit 2")
    func cpDirNeedsRecursive() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a", "a")
        let r = try CLI.run(["cp", s.url("src"), s.url("dst")])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("use -r"))
        #expect(!s.exists("dst"))
    }

    @Test("cp refuses to copy a tree into itself")
    func cpIntoItself() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a", "a")
        let r = try CLI.run(["cp", "-r", s.url("src"), s.url("src/inner")])
        #expect(r.status == 2, "\(r)")
        #expect(!s.exists("src/inner"))
    }

    @Test("cp --compress gz writes .gz files that gzip -d reads back")
    func cpCompress() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/log.txt", String(repeating: "line of text\n", count: 1000))
        let r = try CLI.run(["cp", "-r", "--compress", "gz", s.url("src"), s.url("out")])
        #expect(r.status == 0, "\(r)")
        #expect(try s.list("out") == ["log.txt.gz"])
        let gunzip = try Shell.run("gzip -dc '\(s.url("out/log.txt.gz"))'")
        #expect(gunzip == String(repeating: "line of text\n", count: 1000))
    }

    @Test("cp --compress bz2 then --decompress round-trips the tree")
    func cpBzip2RoundTrip() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let data = TestData.bytes(300_000)
        try s.write("src/d/data.bin", bytes: data)
        #expect(try CLI.run(["cp", "-r", "--compress", "bz2", s.url("src") + "/", s.url("z")]).status == 0)
        #expect(s.exists("z/d/data.bin.bz2"))
        let r = try CLI.run(["cp", "-r", "--decompress", s.url("z") + "/", s.url("back")])
        #expect(r.status == 0, "\(r)")
        #expect(try s.read("back/d/data.bin") == data)
    }

    @Test("cp --zip puts a tree into an archive that unzip lists")
    func cpZip() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a.txt", "a")
        try s.write("src/sub/b.txt", "b")
        let r = try CLI.run(["cp", "-r", "--zip", s.url("out.zip"), s.url("src")])
        #expect(r.status == 0, "\(r)")
        let listing = try Shell.run("unzip -Z1 '\(s.url("out.zip"))'")
        #expect(listing.split(separator: "\n").sorted() == ["src/a.txt", "src/sub/b.txt"])
        #expect(!(try s.list()).contains { $0.hasPrefix(".") }, "no temporary files left")
    }

    @Test("cp from standard input and to standard output")
    func cpStdio() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let r = try CLI.run(["cp", "-", s.url("in.txt")], stdin: Array("from stdin".utf8))
        #expect(r.status == 0, "\(r)")
        #expect(try s.readString("in.txt") == "from stdin")
        let out = try CLI.run(["cp", s.url("in.txt"), "-"])
        #expect(out.stdout == "from stdin")
    }

    @Test("cp to a device writes into it and leaves the device node alone")
    func cpToDevice() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let src = try s.write("a", "bytes")
        #expect(try CLI.run(["cp", src, "/dev/null"]).status == 0)
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        #expect(type == .typeCharacterSpecial, "/dev/null must stay a device")
    }

    @Test("cp -n does not overwrite")
    func cpNoClobber() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let src = try s.write("a", "new")
        try s.write("b", "old")
        #expect(try CLI.run(["cp", "-n", src, s.url("b")]).status == 0)
        #expect(try s.readString("b") == "old")
    }

    @Test("cp reports a missing source and still copies the others (partial, exit 4)")
    func cpPartial() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let a = try s.write("a", "a")
        let r = try CLI.run(["cp", a, s.url("missing"), s.url("out") + "/"])
        #expect(r.status == 4, "\(r)")
        #expect(try s.readString("out/a") == "a")
        #expect(r.stderr.contains(s.url("missing")))
    }

    @Test("cp never leaves temporary files in the destination")
    func cpNoTempFiles() throws {
        let s = try Scratch(); defer { s.cleanup() }
        for i in 0..<20 { try s.write("src/f\(i)", String(i)) }
        #expect(try CLI.run(["cp", "-r", s.url("src") + "/", s.url("dst")]).status == 0)
        #expect(try s.list("dst").count == 20)
        #expect(try s.list("dst").allSatisfy { !$0.hasPrefix(".dctc-") })
    }

    @Test("mv renames a file and a directory; the sources are gone")
    func mvRenames() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("a", "a")
        try s.write("dir/x", "x")
        #expect(try CLI.run(["mv", s.url("a"), s.url("b")]).status == 0)
        #expect(!s.exists("a"))
        #expect(try s.readString("b") == "a")
        #expect(try CLI.run(["mv", s.url("dir"), s.url("moved")]).status == 0)
        #expect(!s.exists("dir"))
        #expect(try s.readString("moved/x") == "x")
    }

    @Test("mv of several files into a directory")
    func mvMany() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("a.csv", "1")
        try s.write("b.csv", "2")
        let r = try CLI.run(["mv", s.url("*.csv"), s.url("into") + "/"])
        #expect(r.status == 0, "\(r)")
        #expect(try s.list("into") == ["a.csv", "b.csv"])
        #expect(!s.exists("a.csv"))
    }

    @Test("rm removes files; rm of a directory needs -r; rm -f ignores missing")
    func rmBehaviour() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("f", "")
        try s.write("d/x", "")
        #expect(try CLI.run(["rm", s.url("f")]).status == 0)
        #expect(!s.exists("f"))
        let noR = try CLI.run(["rm", s.url("d")])
        #expect(noR.status == 2 && noR.stderr.contains("-r"), "\(noR)")
        #expect(s.exists("d/x"))
        #expect(try CLI.run(["rm", "-r", s.url("d")]).status == 0)
        #expect(!s.exists("d"))
        #expect(try CLI.run(["rm", s.url("gone")]).status == 3)
        #expect(try CLI.run(["rm", "-f", s.url("gone")]).status == 0)
    }

    @Test("rm -r of a store root asks for --force, and / is never removed")
    func rmRootIsGuarded() throws {
        let r = try CLI.run(["rm", "-r", "mem://x/"])
        #expect(r.status == 3 || r.status == 2, "\(r)")
        let root = try CLI.run(["rm", "-r", "--force", "/"])
        #expect(root.status != 0)
        #expect(root.stderr.contains("refusing"))
    }

    @Test("mkdir, mkdir -p, rmdir, and their errors")
    func mkdirRmdir() throws {
        let s = try Scratch(); defer { s.cleanup() }
        #expect(try CLI.run(["mkdir", s.url("a")]).status == 0)
        #expect(try CLI.run(["mkdir", s.url("a")]).status == 6)
        #expect(try CLI.run(["mkdir", s.url("x/y")]).status == 3)
        #expect(try CLI.run(["mkdir", "-p", s.url("x/y/z")]).status == 0)
        #expect(try CLI.run(["mkdir", "-p", s.url("x/y/z")]).status == 0)
        try s.write("x/y/z/f", "")
        let notEmpty = try CLI.run(["rmdir", s.url("x/y/z")])
        #expect(notEmpty.status == 6 && notEmpty.stderr.contains("not empty"), "\(notEmpty)")
        try FileManager.default.removeItem(atPath: s.url("x/y/z/f"))
        #expect(try CLI.run(["rmdir", s.url("x/y/z")]).status == 0)
        #expect(!s.exists("x/y/z"))
    }

    @Test("hostile names survive cp, ls and rm")
    func hostileNames() throws {
        let s = try Scratch(); defer { s.cleanup() }
        for name in HostileNames.all where !name.contains("\t") { try s.write("src/\(name)", name) }
        let r = try CLI.run(["cp", "-r", s.url("src") + "/", s.url("dst")])
        #expect(r.status == 0, "\(r)")
        for name in HostileNames.all where !name.contains("\t") {
            #expect(try s.readString("dst/\(name)") == name)
        }
        let ls = try CLI.run(["ls", "-a", s.url("dst")])
        #expect(Set(ls.stdout.split(separator: "\n").map(String.init)) == Set(HostileNames.all.filter { !$0.contains("\t") }))
    }
}

/// Runs a shell command and returns its standard output.
enum Shell {
    static func run(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        return String(decoding: data, as: UTF8.self)
    }
}
