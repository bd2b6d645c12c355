import DCTCCore
@testable import DCTCState
import DCTCTestSupport
import Foundation
import Testing

@Suite("Opening the state file")
struct OpeningTests {
    @Test("the default path is under an absolute XDG_STATE_HOME, else ~/.local/state")
    func defaultPath() {
        #expect(StateStore.defaultPath(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/me"])
                == "/x/state/dctc/state.sqlite")
        #expect(StateStore.defaultPath(environment: ["XDG_STATE_HOME": "relative/state", "HOME": "/home/me"])
                == "/home/me/.local/state/dctc/state.sqlite")
        #expect(StateStore.defaultPath(environment: ["XDG_STATE_HOME": "", "HOME": "/home/me/"])
                == "/home/me/.local/state/dctc/state.sqlite")
    }

    @Test("opening creates missing folders with mode 0700 and the file with mode 0600")
    func createsWithPrivateModes() throws {
        let base = try TestData.temporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: base)
        let path = base + "/a/b/state.sqlite"
        let store = try StateStore(path: path)
        #expect(store.path == path)
        #expect(try permissions(base + "/a") == 0o700)
        #expect(try permissions(base + "/a/b") == 0o700)
        #expect(try permissions(path) == 0o600)
        #expect(try permissions(base) == 0o755)  // an existing folder is left alone
    }

    @Test("the file is in WAL mode at the latest schema version")
    func walAndVersion() async throws {
        let path = try temporaryStatePath()
        let store = try StateStore(path: path)
        await store.close()
        let (mode, version) = try withRawConnection(path) { db in
            (try db.query("PRAGMA journal_mode", row: { $0.text(0) }).first,
             try StateSchema.currentVersion(db))
        }
        #expect(mode == "wal")
        #expect(version == StateSchema.latestVersion)
    }

    @Test("reopening an up-to-date file keeps its data and runs no migration again")
    func migrationsIdempotent() async throws {
        let path = try temporaryStatePath()
        let first = try StateStore(path: path)
        try await first.recordManifest(root: "r", entries: [sampleEntry("x")])
        await first.close()

        let second = try StateStore(path: path)
        #expect(try await second.manifestCount(root: "r") == 1)
        await second.close()
        let (found, rows, tables) = try withRawConnection(path) { db in
            let found = try StateSchema.migrate(db, path: path)
            let rows = try db.query("SELECT count(*) FROM schema_version", row: { $0.int64(0) }).first
            let tables = try db.query("SELECT count(*) FROM sqlite_master", row: { $0.int64(0) }).first
            return (found, rows, tables)
        }
        #expect(found == StateSchema.latestVersion)
        #expect(rows == 1)
        let again = try withRawConnection(path) { db in
            _ = try StateSchema.migrate(db, path: path)
            return try db.query("SELECT count(*) FROM sqlite_master", row: { $0.int64(0) }).first
        }
        #expect(again == tables)
    }

    @Test("migrations run in order, and only the missing ones")
    func migrationsInOrder() throws {
        let path = try temporaryStatePath()
        let one = [["CREATE TABLE t (a INTEGER)", "INSERT INTO t VALUES (1)"]]
        let two = one + [["ALTER TABLE t ADD COLUMN b INTEGER", "UPDATE t SET b = a + 1"]]
        let result = try withRawConnection(path) { db -> (Int, Int, Int, [Int64]) in
            let fromEmpty = try StateSchema.migrate(db, path: path, migrations: one)
            let fromOne = try StateSchema.migrate(db, path: path, migrations: two)
            let fromTwo = try StateSchema.migrate(db, path: path, migrations: two)
            let row = try db.query("SELECT a, b FROM t", row: { [$0.int64(0), $0.int64(1)] })
            return (fromEmpty, fromOne, fromTwo, row.flatMap { $0 })
        }
        #expect(result.0 == 0 && result.1 == 1 && result.2 == 2)
        #expect(result.3 == [1, 2])  // the first migration's INSERT ran once
    }

    @Test("a file written by a newer dctc is refused with a remedy")
    func newerSchemaRefused() async throws {
        let path = try temporaryStatePath()
        await (try StateStore(path: path)).close()
        try withRawConnection(path) { db in
            try db.execute("UPDATE schema_version SET version = \(StateSchema.latestVersion + 1)")
        }
        let error = try #require(throws: VFSError.self) { try StateStore(path: path) }
        #expect(error.code == .unsupported)
        #expect(error.path == path)
        #expect(error.message.contains("newer dctc"))
        #expect(error.remedy == "use --state to point elsewhere or upgrade dctc")
    }

    @Test("a file of garbage is reported as damaged, naming the file, with the move-away remedy")
    func garbageFile() throws {
        let path = try temporaryStatePath()
        try Data(TestData.bytes(64 * 1024)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: VFSError.self) { try StateStore(path: path) }
        #expect(error.code == .io)
        #expect(error.path == path)
        #expect(error.remedy == "move it away; dctc rebuilds it (only speed is lost)")
        #expect(error.cause?.contains("SQLITE_NOTADB") == true)
        #expect(error.description.hasPrefix(path + ": "))
    }

    @Test("a damaged page inside a real state file is reported with the move-away remedy")
    func damagedPages() async throws {
        let path = try temporaryStatePath()
        let store = try StateStore(path: path)
        try await store.recordManifest(root: "r", entries: (0..<2000).map { sampleEntry("dir/file-\($0)") })
        await store.close()
        // Keep page 1 (the header and schema) and overwrite everything after it.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(TestData.bytes(Int(size) - 4096, seed: 7)))
        try handle.close()

        let error: VFSError
        do {
            let reopened = try StateStore(path: path)
            error = try await #require(throws: VFSError.self) { _ = try await reopened.manifestCount(root: "r") }
        } catch let e as VFSError {
            error = e  // detected while opening: just as good
        }
        #expect(error.code == .io)
        #expect(error.path == path)
        #expect(error.remedy == StateStore.rebuildRemedy)
    }

    @Test("a folder in the file's place is reported, naming the file")
    func folderInPlace() throws {
        let path = try temporaryStatePath()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let error = try #require(throws: VFSError.self) { try StateStore(path: path) }
        #expect(error.code == .io)
        #expect(error.path == path)
        #expect(error.remedy?.contains("move it away") == true)
    }

    @Test("a file in place of the state folder is reported")
    func fileInPlaceOfFolder() throws {
        let base = try TestData.temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: base + "/dctc", contents: Data("x".utf8)))
        let error = try #require(throws: VFSError.self) { try StateStore(path: base + "/dctc/state.sqlite") }
        #expect(error.code == .notADirectory)
        #expect(error.path == base + "/dctc")
    }

    @Test("deleting the file between two opens loses only the cache: the new file works, empty")
    func deletedFileStartsOver() async throws {
        let path = try temporaryStatePath()
        let key = HashCacheKey(device: 1, inode: 2, size: 3, modificationTimeNanoseconds: 4)
        let first = try StateStore(path: path)
        try await first.rememberHashes(key, [.md5: "00112233445566778899aabbccddeeff"])
        try await first.recordManifest(root: "r", entries: [sampleEntry("x")])
        try await first.recordRun(RunRecord(id: "1", command: "sync", source: "a", destination: "b",
                                            startedAt: Date(), finishedAt: Date()))
        await first.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }

        let second = try StateStore(path: path)
        #expect(try await second.cachedHashes(key).isEmpty)
        #expect(try await second.manifestCount(root: "r") == 0)
        #expect(try await second.recentRuns(limit: 10).isEmpty)
        try await second.recordManifest(root: "r", entries: [sampleEntry("y")])
        #expect(try await second.manifestEntry(root: "r", path: "y") == sampleEntry("y"))
    }

    @Test("a closed store refuses further calls with a clear error")
    func closedStore() async throws {
        let store = try makeStore()
        await store.close()
        let error = try await #require(throws: VFSError.self) { try await store.manifestCount(root: "r") }
        #expect(error.message.contains("closed"))
    }
}
