import DCTCCompression
import DCTCCore
import DCTCState
import DCTCSync
import DCTCTestSupport
import Foundation
import Testing

@Suite("Sync engine")
struct SyncEngineTests {
    @Test("a first sync copies everything with times kept; a second run transfers nothing")
    func firstAndRepeat() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a.txt", "alpha")
        try await f.put("d/b.txt", "beta")
        try await f.put("d/e/c.txt", "gamma")
        let (first, _) = try await f.run()
        #expect(first.filesTransferred == 3 && first.errors.isEmpty)
        #expect(try await f.text("d/e/c.txt") == "gamma")
        #expect(try await f.dst.info(f.dstRoot.appending(relative: "d/b.txt")).modificationTime == Date(timeIntervalSince1970: 1_600_000_000))
        let (second, actions) = try await f.run()
        #expect(second.filesTransferred == 0 && second.filesChecked == 3)
        #expect(actions.allSatisfy { $0.kind == .skip })
        #expect(second.nothingDone)
    }

    @Test("a changed size or time is transferred again, with the reason")
    func changes() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a", "one")
        try await f.put("b", "two")
        try await f.run()
        try await f.put("a", "longer")
        try await f.put("b", "TWO", at: Date(timeIntervalSince1970: 1_700_000_000))
        let (s, actions) = try await f.run()
        #expect(s.filesTransferred == 2)
        #expect(actions.first { $0.path == "a" }?.reason.contains("size differs") == true)
        #expect(actions.first { $0.path == "b" }?.reason.contains("modification time differs") == true)
        #expect(try await f.text("b") == "TWO")
    }

    @Test("same content with only a new time gets its time set, not a transfer")
    func timeOnly() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a", "same")
        try await f.run()
        try await f.put("a", "same", at: Date(timeIntervalSince1970: 1_650_000_000))
        let (s, actions) = try await f.run()
        #expect(s.filesTransferred == 0 && s.timesSet == 1, "\(actions)")
        #expect(try await f.dst.info(f.dstRoot.appending("a")).modificationTime == Date(timeIntervalSince1970: 1_650_000_000))
    }

    @Test("sync deletes what the source no longer has; copy does not")
    func deletions() async throws {
        let f = try SyncFixture.memory()
        try await f.put("keep", "k")
        try await f.put("old", "o", dest: true)
        try await f.put("olddir/x", "x", dest: true)
        let (c, _) = try await f.run { $0.mode = .copy }
        #expect(c.filesDeleted == 0)
        #expect(try await f.text("old") == "o")
        let (s, _) = try await f.run()
        #expect(s.filesDeleted == 2, "\(s)")
        #expect(try await f.text("old") == nil)
        #expect(try await !f.dst.exists(f.dstRoot.appending("olddir")))
        #expect(try await f.text("keep") == "k")
    }

    @Test("deletions are skipped entirely when any transfer failed")
    func noDeletionsAfterErrors() async throws {
        let src = FaultyStore()
        var f = try SyncFixture.memory()
        f = SyncFixture(src: src, dst: f.dst, srcRoot: f.srcRoot, dstRoot: f.dstRoot, state: f.state)
        try await f.put("good", "g")
        try await f.put("bad", "b")
        try await f.put("extra", "e", dest: true)
        src.failReads(of: "bad", retryable: false)
        let (s, _) = try await f.run()
        #expect(s.errors.count == 1 && s.filesTransferred == 1)
        #expect(s.filesDeleted == 0 && s.deletionsSkipped != nil)
        #expect(try await f.text("extra") == "e")
    }

    @Test("a transient failure is retried; a permanent one is not")
    func retries() async throws {
        let src = FaultyStore()
        var f = try SyncFixture.memory()
        f = SyncFixture(src: src, dst: f.dst, srcRoot: f.srcRoot, dstRoot: f.dstRoot, state: f.state)
        try await f.put("flaky", "f")
        try await f.put("denied", "d")
        src.failReads(of: "flaky", times: 2, retryable: true)
        src.failReads(of: "denied", retryable: false)
        let (s, _) = try await f.run { $0.retries = 3 }
        #expect(try await f.text("flaky") == "f")
        #expect(src.readAttempts["flaky"] == 3)
        #expect(src.readAttempts["denied"] == 1)
        #expect(s.errors.count == 1)
    }

    @Test("an empty source does not empty the destination unless allowed")
    func emptySourceGuard() async throws {
        let f = try SyncFixture.memory()
        try await f.src.makeDirectories(f.srcRoot)
        try await f.put("precious", "p", dest: true)
        let (s, _) = try await f.run()
        #expect(s.filesDeleted == 0 && !s.errors.isEmpty)
        #expect(try await f.text("precious") == "p")
        let (allowed, _) = try await f.run { $0.allowEmptySource = true }
        #expect(allowed.filesDeleted == 1)
    }

    @Test("a missing source root is an error before anything changes")
    func missingSource() async throws {
        let f = try SyncFixture.memory()
        try await f.put("x", "x", dest: true)
        await #expect(throws: VFSError.self) { try await f.run() }
        #expect(try await f.text("x") == "x")
    }

    @Test("--max-delete skips all deletions above the limit")
    func maxDelete() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a", "a")
        for i in 0..<5 { try await f.put("old\(i)", "o", dest: true) }
        let (s, _) = try await f.run { $0.maxDelete = 3 }
        #expect(s.filesDeleted == 0 && s.deletionsSkipped?.contains("max-delete") == true)
        let (ok, _) = try await f.run { $0.maxDelete = 5 }
        #expect(ok.filesDeleted == 5)
    }

    @Test("--backup-dir keeps replaced and deleted files")
    func backupDir() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a", "new content")
        try await f.put("a", "old", dest: true)
        try await f.put("gone", "bye", dest: true)
        let backup = Location(fs: f.dst, path: VPath("/backup"), address: Address(scheme: .memory, path: VPath("/backup"), host: "dst"))
        try await f.run { $0.backupDirectory = backup }
        #expect(try await f.text("a") == "new content")
        #expect(String(decoding: try await f.dst.readAll(VPath("/backup/a")), as: UTF8.self) == "old")
        #expect(String(decoding: try await f.dst.readAll(VPath("/backup/gone")), as: UTF8.self) == "bye")
    }

    @Test("--dry-run reports the plan and changes nothing")
    func dryRun() async throws {
        let f = try SyncFixture.memory()
        try await f.put("new", "n")
        try await f.put("extra", "e", dest: true)
        let (s, actions) = try await f.run { $0.dryRun = true }
        #expect(actions.map(\.kind) == [.delete, .copy], "\(actions)")
        #expect(s.filesTransferred == 1 && s.filesDeleted == 1 && s.dryRun)
        #expect(try await f.text("new") == nil)
        #expect(try await f.text("extra") == "e")
    }

    @Test("comparison modes: checksum sees content, size-only ignores time, update keeps newer files")
    func compareModes() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a", "AAAA")
        try await f.put("a", "BBBB", dest: true)        // same size and time, other content
        try await f.put("b", "bb", at: Date(timeIntervalSince1970: 1_000))
        try await f.put("b", "cc", at: Date(timeIntervalSince1970: 2_000), dest: true)
        let (plain, _) = try await f.run { $0.dryRun = true }
        // Default: a has the same size and time (its other content goes unseen); b's time differs.
        #expect(plain.changed.map(\.path) == ["b"])
        let (sum, _) = try await f.run { $0.compare = .checksum; $0.dryRun = true }
        #expect(sum.changed.map(\.path).contains("a"))
        let (size, _) = try await f.run { $0.compare = .sizeOnly; $0.dryRun = true }
        #expect(size.filesTransferred == 0)
        let (upd, _) = try await f.run { $0.compare = .update; $0.dryRun = true }
        #expect(!upd.changed.map(\.path).contains("b"))
    }

    @Test("check lists differences and changes nothing")
    func check() async throws {
        let f = try SyncFixture.memory()
        try await f.put("same", "s")
        try await f.put("same", "s", dest: true)
        try await f.put("onlysrc", "x")
        try await f.put("onlydst", "y", dest: true)
        let (s, actions) = try await f.run { $0.mode = .check }
        #expect(s.differences == 2)
        #expect(Set(actions.filter { $0.kind != .skip }.map(\.kind)) == [.missingAtDestination, .missingAtSource])
        #expect(try await f.text("onlysrc") == nil)
    }

    @Test("compressing sync writes .gz copies and a second run is a no-op thanks to the manifest")
    func compressRepeat() async throws {
        let f = try SyncFixture.memory()
        try await f.put("log.txt", String(repeating: "line\n", count: 1000))
        let (first, _) = try await f.run { $0.transform = .compress(.gzip, level: nil) }
        #expect(first.filesTransferred == 1)
        let gz = try await f.dst.readAll(f.dstRoot.appending("log.txt.gz"))
        #expect(gz.prefix(2) == [0x1f, 0x8b])
        let (second, _) = try await f.run { $0.transform = .compress(.gzip, level: nil) }
        #expect(second.filesTransferred == 0 && second.filesDeleted == 0, "\(second)")
        let (sum, _) = try await f.run { $0.transform = .compress(.gzip, level: nil); $0.compare = .checksum }
        #expect(sum.filesTransferred == 0, "\(sum)")
    }

    @Test("a repeat --checksum sync of an unchanged local tree reads no file")
    func checksumUsesCache() async throws {
        let dir = try TestData.temporaryDirectory("dctc-sync-local")
        let local = LocalFileSystemForTests.make()
        var f = try SyncFixture.memory()
        f = SyncFixture(src: local, dst: f.dst, srcRoot: VPath(dir), dstRoot: f.dstRoot, state: f.state)
        for i in 0..<20 { try await local.write(VPath(dir).appending("f\(i)"), bytes: TestData.bytes(10_000, seed: UInt64(i + 1))) }
        let (first, _) = try await f.run { $0.compare = .checksum }
        #expect(first.filesTransferred == 20)
        let engine = SyncEngine(source: f.source, destination: f.destination,
                                options: { var o = SyncOptions(); o.state = f.state; o.compare = .checksum; return o }())
        let second = try await engine.run()
        #expect(second.filesTransferred == 0)
        #expect(engine.counters.values.hashedBytes == 0, "no source file was read again")
        #expect(engine.counters.values.cacheHits == 20)
    }

    @Test("shards split the files: every file in exactly one of K/N")
    func shards() async throws {
        let f = try SyncFixture.memory()
        for i in 0..<30 { try await f.put("f\(i)", "\(i)") }
        var total = 0
        for k in 1...3 {
            let (s, _) = try await f.run { $0.mode = .copy; $0.shard = try? Shard(parse: "\(k)/3") }
            total += s.filesTransferred
        }
        #expect(total == 30)
    }

    @Test("hostile names, the NFC/NFD pair included, sync and then stay in sync")
    func hostileNames() async throws {
        let f = try SyncFixture.memory()
        for name in HostileNames.all { try await f.put("h/\(name)", name) }
        let (first, _) = try await f.run()
        #expect(first.filesTransferred == HostileNames.all.count && first.errors.isEmpty, "\(first.errors)")
        let (second, _) = try await f.run { $0.compare = .checksum }
        #expect(second.filesTransferred == 0 && second.filesDeleted == 0, "\(second)")
        for name in HostileNames.all { #expect(try await f.text("h/\(name)") == name) }
    }

    @Test("filters: excluded files are neither copied nor deleted at the destination")
    func filters() async throws {
        let f = try SyncFixture.memory()
        try await f.put("a.csv", "a")
        try await f.put("b.tmp", "b")
        try await f.put("keep.tmp", "k", dest: true)
        let rules = [try FilterRule(.exclude, "*.tmp")]
        let (s, _) = try await f.run { $0.filters = (try? FilterSet(rules: rules)) ?? .none }
        #expect(s.filesTransferred == 1)
        #expect(try await f.text("b.tmp") == nil)
        #expect(try await f.text("keep.tmp") == "k")
    }
}

import DCTCBackendLocal
enum LocalFileSystemForTests {
    static func make() -> LocalFileSystem { LocalFileSystem() }
}
