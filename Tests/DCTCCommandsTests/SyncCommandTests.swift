import DCTCTestSupport
import Foundation
import Testing

@Suite("sync, copy, check")
struct SyncCommandTests {
    func env(_ s: Scratch) -> [String: String] { ["XDG_STATE_HOME": s.url("state")] }

    func tree(_ s: Scratch) throws {
        try s.write("src/a.txt", "alpha")
        try s.write("src/sub/b.txt", "beta")
        try s.write("dst/extra.txt", "extra")
    }

    @Test("sync makes the destination match, deleting extras; a repeat run moves nothing")
    func syncAndRepeat() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        let r = try CLI.run(["sync", s.url("src"), s.url("dst")], environment: env(s))
        #expect(r.status == 0, "\(r)")
        #expect(try s.list("dst") == ["a.txt", "sub"])
        #expect(try s.readString("dst/sub/b.txt") == "beta")
        let again = try CLI.run(["sync", "--json", s.url("src"), s.url("dst")], environment: env(s))
        let summary = try JSONSerialization.jsonObject(with: Data(again.stdout.split(separator: "\n").last.map(String.init)?.utf8 ?? "".utf8)) as? [String: Any]
        #expect(summary?["filesTransferred"] as? Int == 0)
        #expect(summary?["filesChecked"] as? Int == 2)
    }

    @Test("copy never deletes")
    func copyKeeps() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        #expect(try CLI.run(["copy", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        #expect(try s.list("dst") == ["a.txt", "extra.txt", "sub"])
    }

    @Test("--dry-run prints the plan, changes nothing; --json gives one action per file then the summary")
    func dryRun() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        let r = try CLI.run(["sync", "--dry-run", s.url("src"), s.url("dst")], environment: env(s))
        #expect(r.stdout.contains("delete   extra.txt"))
        #expect(r.stdout.contains("copy     a.txt"))
        #expect(try s.list("dst") == ["extra.txt"])
        let j = try CLI.run(["sync", "--dry-run", "--json", s.url("src"), s.url("dst")], environment: env(s))
        let lines = j.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.allSatisfy { $0 != nil })
        #expect(lines.dropLast().contains { $0?["action"] as? String == "delete" && $0?["path"] as? String == "extra.txt" })
        #expect(lines.last??["dryRun"] as? Bool == true)
    }

    @Test("--explain says why one file would move or not")
    func explain() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        #expect(try CLI.run(["sync", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        try s.write("src/a.txt", "alpha, longer now")
        let moved = try CLI.run(["sync", "--explain", "a.txt", s.url("src"), s.url("dst")], environment: env(s))
        #expect(moved.stdout.hasPrefix("a.txt: update — size differs"), "\(moved)")
        let same = try CLI.run(["sync", "--explain", "sub/b.txt", s.url("src"), s.url("dst")], environment: env(s))
        #expect(same.stdout.contains("skip — same size and modification time"), "\(same)")
        let excluded = try CLI.run(["sync", "--exclude", "*.txt", "--explain", "sub/b.txt", s.url("src"), s.url("dst")], environment: env(s))
        #expect(excluded.stdout.contains("exclude"), "\(excluded)")
        #expect(try s.readString("dst/a.txt") == "alpha", "explain changes nothing")
    }

    @Test("check exits 1 on differences, 0 when equal")
    func check() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        let differ = try CLI.run(["check", s.url("src"), s.url("dst")], environment: env(s))
        #expect(differ.status == 1, "\(differ)")
        #expect(differ.stdout.contains("missing-at-destination a.txt") || differ.stdout.contains("a.txt"))
        #expect(try CLI.run(["sync", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        #expect(try CLI.run(["check", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        #expect(try CLI.run(["check", "--checksum", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
    }

    @Test("--exit-code-if-nothing-done gives the chosen code when there was nothing to do")
    func nothingDone() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try tree(s)
        #expect(try CLI.run(["sync", "--exit-code-if-nothing-done", "7", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        #expect(try CLI.run(["sync", "--exit-code-if-nothing-done", "7", s.url("src"), s.url("dst")], environment: env(s)).status == 7)
    }

    @Test("an empty source refuses to empty the destination without --allow-empty-source")
    func emptySource() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try FileManager.default.createDirectory(atPath: s.url("empty"), withIntermediateDirectories: true)
        try s.write("dst/precious", "p")
        let r = try CLI.run(["sync", s.url("empty"), s.url("dst")], environment: env(s))
        #expect(r.status == 4, "\(r)")
        #expect(r.stderr.contains("--allow-empty-source"))
        #expect(s.exists("dst/precious"))
        #expect(try CLI.run(["sync", "--allow-empty-source", s.url("empty"), s.url("dst")], environment: env(s)).status == 0)
        #expect(!s.exists("dst/precious"))
    }

    @Test("a missing source is an error naming it, exit 3, and nothing is deleted")
    func missingSource() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("dst/x", "x")
        let r = try CLI.run(["sync", s.url("nope"), s.url("dst")], environment: env(s))
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains(s.url("nope")))
        #expect(s.exists("dst/x"))
    }

    @Test("--compress gz writes .gz copies; the second run transfers nothing; --events records each action")
    func compressAndEvents() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/log.txt", String(repeating: "a line of log\n", count: 500))
        #expect(try CLI.run(["sync", "--compress", "gz", s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        #expect(try s.list("dst") == ["log.txt.gz"])
        let again = try CLI.run(["sync", "--compress", "gz", "--events", s.url("ev.ndjson"), "--exit-code-if-nothing-done", "7",
                                 s.url("src"), s.url("dst")], environment: env(s))
        #expect(again.status == 7, "\(again)")
        try s.write("src/log.txt", "changed\n")
        #expect(try CLI.run(["sync", "--compress", "gz", "--events", s.url("ev.ndjson"), s.url("src"), s.url("dst")], environment: env(s)).status == 0)
        let events = try s.readString("ev.ndjson").split(separator: "\n")
        #expect(events.count == 1 && events[0].contains("\"update\"") && events[0].contains("log.txt.gz"), "\(events)")
        #expect(try Shell.run("gzip -dc '\(s.url("dst/log.txt.gz"))'") == "changed\n")
    }

    @Test("--max-delete and --backup-dir protect destination files")
    func guards() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a", "new")
        try s.write("dst/a", "old")
        for i in 0..<3 { try s.write("dst/x\(i)", "x") }
        let limited = try CLI.run(["sync", "--max-delete", "2", s.url("src"), s.url("dst")], environment: env(s))
        #expect(limited.status == 4 && limited.stderr.contains("max-delete"), "\(limited)")
        #expect(s.exists("dst/x0"))
        let backed = try CLI.run(["sync", "--backup-dir", s.url("trash"), s.url("src"), s.url("dst")], environment: env(s))
        #expect(backed.status == 0, "\(backed)")
        #expect(try s.list("dst") == ["a"])
        #expect(try s.list("trash").sorted() == ["x0", "x1", "x2"])
    }

    @Test("bad flag combinations are usage errors")
    func usage() throws {
        let s = try Scratch(); defer { s.cleanup() }
        #expect(try CLI.run(["sync", "--checksum", "--size-only", s.url("a"), s.url("b")]).status == 2)
        #expect(try CLI.run(["sync", "--shard", "4/3", s.url("a"), s.url("b")]).status == 2)
        #expect(try CLI.run(["sync", "--min-size", "lots", s.url("a"), s.url("b")]).status == 2)
    }
}
