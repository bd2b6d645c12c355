import DCTCCore
@testable import DCTCState
import Foundation
import Testing

@Suite("Concurrent use")
struct ConcurrencyTests {
    @Test("many tasks using one store see every write")
    func manyTasks() async throws {
        let store = try makeStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<16 {
                group.addTask {
                    for i in 0..<20 {
                        try await store.recordManifest(root: "r", entries: [sampleEntry("t\(t)/f\(i)")])
                        let key = HashCacheKey(device: UInt64(t), inode: UInt64(i), size: 1, modificationTimeNanoseconds: 1)
                        try await store.rememberHashes(key, [.md5: "m\(t)-\(i)"])
                        _ = try await store.manifestChildren(root: "r", directory: "t\(t)")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.manifestCount(root: "r") == 320)
        #expect(try await store.orderedManifestChildren(root: "r", directory: "t3").count == 20)
        #expect(try await store.cachedHashes(HashCacheKey(device: 15, inode: 19, size: 1, modificationTimeNanoseconds: 1))
                == [.md5: "m15-19"])
    }

    @Test("two stores on one file (two processes' worth) interleave writes without losing any or deadlocking")
    func twoStoresOneFile() async throws {
        let path = try temporaryStatePath()
        let first = try StateStore(path: path)
        let second = try StateStore(path: path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, store) in [first, second].enumerated() {
                group.addTask {
                    for batch in 0..<40 {
                        let entries = (0..<250).map { sampleEntry("s\(n)/b\(batch)/f\($0)") }
                        try await store.recordManifest(root: "shared", entries: entries)
                        try await store.recordManifest(root: "own-\(n)", entries: [sampleEntry("b\(batch)")])
                        try await store.removeManifest(root: "shared", paths: ["s\(n)/b\(batch)/f0"])
                        _ = try await store.manifestCount(root: "shared")
                    }
                    try await store.recordRun(RunRecord(id: "run-\(n)", command: "sync", source: "a", destination: "b",
                                                        startedAt: Date(), finishedAt: Date()))
                }
            }
            try await group.waitForAll()
        }
        for store in [first, second] {
            #expect(try await store.manifestCount(root: "shared") == 2 * 40 * 249)
            #expect(try await store.manifestCount(root: "own-0") == 40)
            #expect(try await store.manifestCount(root: "own-1") == 40)
            #expect(Set(try await store.recentRuns(limit: 10).map(\.id)) == ["run-0", "run-1"])
        }
    }

    @Test("a second store opening a new file while the first creates it gets the same, migrated file")
    func concurrentCreation() async throws {
        let path = try temporaryStatePath()
        let stores = try await withThrowingTaskGroup(of: StateStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await IOThread.detached { try StateStore(path: path) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await stores[0].recordManifest(root: "r", entries: [sampleEntry("x")])
        for store in stores { #expect(try await store.manifestCount(root: "r") == 1) }
    }

    @Test("a write waits while another process holds the lock, then goes through")
    func waitsForLock() async throws {
        let path = try temporaryStatePath()
        let store = try StateStore(path: path, busyTimeout: .seconds(20))
        let other = try SQLiteConnection(path: path)
        try other.execute("BEGIN IMMEDIATE")
        let write = Task { try await store.recordManifest(root: "r", entries: [sampleEntry("x")]) }
        try await Task.sleep(for: .milliseconds(300))
        // Still waiting: a reader (never blocked by the lock in WAL mode) sees nothing yet.
        let before = try withRawConnection(path) { db in
            try db.query("SELECT count(*) FROM manifest_entry", row: { $0.int64(0) }).first
        }
        #expect(before == 0)
        try other.execute("COMMIT")
        other.close()
        try await write.value
        #expect(try await store.manifestCount(root: "r") == 1)
    }

    @Test("a lock held past the busy timeout fails the write as retryable, naming the file")
    func lockTimeout() async throws {
        let path = try temporaryStatePath()
        let store = try StateStore(path: path, busyTimeout: .milliseconds(200))
        let other = try SQLiteConnection(path: path)
        try other.execute("BEGIN IMMEDIATE")
        let error = try await #require(throws: VFSError.self) {
            try await store.recordManifest(root: "r", entries: [sampleEntry("x")])
        }
        try other.execute("ROLLBACK")
        other.close()
        #expect(error.code == .unavailable)
        #expect(error.isRetryable)
        #expect(error.path == path)
        #expect(error.remedy?.contains("--state") == true)
        // The store works again once the lock is gone.
        try await store.recordManifest(root: "r", entries: [sampleEntry("x")])
        #expect(try await store.manifestCount(root: "r") == 1)
    }
}
