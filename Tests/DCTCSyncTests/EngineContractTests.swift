import DCTCBackendLocal
import DCTCBackendMemory
import DCTCCore
@testable import DCTCSync
import DCTCTestSupport
import Foundation
import Testing

/// A memory store whose listings lie: every directory also lists `.`, `..` and a name with a
/// `/`, and a directory path holding `.` or `..` lists its normalised self again, so a walker
/// that recursed into such names would never end.
final class HostileListingStore: VirtualFileSystem, ModificationTimeSetting, @unchecked Sendable {
    let inner = MemoryFileSystem(name: "hostile")
    private let lists = Locked(0)

    var listings: Int { lists.value }
    var kind: StoreKind { inner.kind }
    var capabilities: Capabilities { inner.capabilities }
    func display(_ path: VPath) -> String { inner.display(path) }
    func info(_ path: VPath) async throws -> FileInfo { try await inner.info(VPath(path.string)) }
    func list(_ directory: VPath) -> Listing {
        let n = lists.withLock { n in n += 1; return n }
        let inner = self.inner
        let normal = VPath(directory.string)
        let done = Locked(false)
        return Listing {
            guard !done.withLock({ d in defer { d = true }; return d }) else { return nil }
            guard n < 10_000 else { throw VFSError(.io, "listed without end") }
            var page = try await inner.listAll(normal)
            for name in [".", "..", "x/y"] {
                page.append(FileInfo(path: VPath(components: directory.components + [name]), kind: .directory))
            }
            page.append(FileInfo(path: VPath(components: directory.components + ["../up.txt"]), kind: .file, size: 1))
            return page
        }
    }
    func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream { try await inner.read(VPath(path.string), range: range) }
    func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        try await inner.write(path, from: content, attributes: attributes)
    }
    func remove(_ path: VPath) async throws { try await inner.remove(path) }
    func makeDirectory(_ path: VPath) async throws { try await inner.makeDirectory(path) }
    func removeDirectory(_ path: VPath) async throws { try await inner.removeDirectory(path) }
    func setModificationTime(_ path: VPath, to date: Date) async throws { try await inner.setModificationTime(path, to: date) }
}

/// A memory store that counts which operations run, to prove overrides are reached through
/// `any VirtualFileSystem`.
final class CountingStore: VirtualFileSystem, @unchecked Sendable {
    let inner = MemoryFileSystem(name: "counting")
    let calls = Locked<[String: Int]>([:])
    private func note(_ what: String) { calls.withLock { $0[what, default: 0] += 1 } }

    var kind: StoreKind { inner.kind }
    var capabilities: Capabilities {
        var c = inner.capabilities
        c.batchRemoval = true
        return c
    }
    func display(_ path: VPath) -> String { inner.display(path) }
    func info(_ path: VPath) async throws -> FileInfo { try await inner.info(path) }
    func list(_ directory: VPath) -> Listing { inner.list(directory) }
    func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream { try await inner.read(path, range: range) }
    func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        try await inner.write(path, from: content, attributes: attributes)
    }
    func remove(_ path: VPath) async throws { note("remove"); try await inner.remove(path) }
    func makeDirectory(_ path: VPath) async throws { try await inner.makeDirectory(path) }
    func removeDirectory(_ path: VPath) async throws { try await inner.removeDirectory(path) }
    func removeTree(_ path: VPath) async throws -> Int { note("removeTree"); return try await inner.removeTree(path) }
    func removeMany(_ paths: [VPath]) async throws -> Int {
        note("removeMany")
        for p in paths { try await inner.remove(p) }
        return paths.count
    }
}

@Suite("the contract carries its fast paths")
struct ContractTests {
    @Test("a store's own removeTree is what runs through any VirtualFileSystem")
    func removeTreeOverrideIsReached() async throws {
        let store = CountingStore()
        try await store.inner.write(VPath("/d/a"), bytes: [1])
        let fs: any VirtualFileSystem = store
        #expect(try await fs.removeTree(VPath("/d")) == 1)
        #expect(store.calls.value["removeTree"] == 1)
        #expect(store.calls.value["remove", default: 0] == 0)
    }

    @Test("the default removeTree empties a tree; a store's own removeMany is reached for batches")
    func defaultRemoveTreeBatches() async throws {
        let store = MemoryFileSystem(name: "m")
        for i in 0..<5 { try await store.write(VPath("/d/e/f\(i)"), bytes: [1]) }
        let counting = CountingStore()
        for i in 0..<5 { try await counting.inner.write(VPath("/d/e/f\(i)"), bytes: [1]) }
        let fs: any VirtualFileSystem = store
        #expect(try await fs.removeTree(VPath("/d")) == 5)
        #expect(try await fs.infoIfExists(VPath("/d")) == nil)
        let many: any VirtualFileSystem = counting
        #expect(try await many.removeMany([VPath("/d/e/f0"), VPath("/d/e/f1")]) == 2)
        #expect(counting.calls.value["removeMany"] == 1 && counting.calls.value["remove", default: 0] == 0)
    }

    @Test("the default listRecursive lists what walk does; the default move of a directory is unsupported")
    func defaults() async throws {
        let store = CountingStore()
        for p in ["/r/a", "/r/b/c", "/r/b/d/e"] { try await store.inner.write(VPath(p), bytes: [1]) }
        let fs: any VirtualFileSystem = store
        var walked: [VPath] = []
        for try await e in fs.walk(VPath("/r")) { walked.append(e.path) }
        var listed: [VPath] = []
        for try await page in fs.listRecursive(VPath("/r")) { listed += page.map(\.path) }
        #expect(walked == listed && walked.count == 5)
        await #expect(throws: VFSError.self) { try await fs.move(from: VPath("/r/b"), to: VPath("/r/z")) }
        try await fs.move(from: VPath("/r/a"), to: VPath("/r/moved"))
        #expect(try await fs.readAll(VPath("/r/moved")) == [1])
        #expect(try await fs.infoIfExists(VPath("/r/a")) == nil)
    }

    @Test("stores declare their cheap operations in Capabilities")
    func capabilitiesDeclareFastPaths() {
        let memory = MemoryFileSystem(name: "m"), local = LocalFileSystem()
        #expect(memory.capabilities.serverSideCopy && memory.capabilities.serverSideMove && !memory.capabilities.batchRemoval)
        #expect(local.capabilities.serverSideCopy && local.capabilities.serverSideMove)
    }
}

/// A source and destination tree on memory or local stores, with every kind of action.
struct PlanBench {
    let source: Location
    let destination: Location

    static func memory() -> PlanBench {
        let s = MemoryFileSystem(name: "plan-src"), d = MemoryFileSystem(name: "plan-dst")
        return PlanBench(source: Location(fs: s, path: VPath("/src"), address: Address(scheme: .memory, path: VPath("/src"), host: "plan-src")),
                         destination: Location(fs: d, path: VPath("/dst"), address: Address(scheme: .memory, path: VPath("/dst"), host: "plan-dst")))
    }

    static func local() throws -> PlanBench {
        let root = try TestData.temporaryDirectory("dctc-plan")
        let fs = LocalFileSystem()
        return PlanBench(source: Location(fs: fs, path: VPath(root + "/src"), address: try Address.parse(root + "/src")),
                         destination: Location(fs: fs, path: VPath(root + "/dst"), address: try Address.parse(root + "/dst")))
    }

    func fill() async throws {
        let old = Date(timeIntervalSince1970: 1_600_000_000), new = Date(timeIntervalSince1970: 1_700_000_000)
        func put(_ loc: Location, _ rel: String, _ text: String, _ t: Date) async throws {
            try await loc.fs.makeDirectories(loc.path.appending(relative: rel).parent)
            try await loc.fs.write(loc.path.appending(relative: rel), bytes: Array(text.utf8), attributes: WriteAttributes(modificationTime: t))
        }
        try await put(source, "same.txt", "same", old)
        try await put(destination, "same.txt", "same", old)
        try await put(source, "changed.txt", "new content", new)
        try await put(destination, "changed.txt", "old", old)
        try await put(source, "new/deep/file.txt", "n", old)
        try await put(source, "dir/inner.txt", "i", old)
        try await put(destination, "dir/inner.txt", "i", old)
        try await put(destination, "extra.txt", "x", old)
        try await put(destination, "gone/a.txt", "a", old)
        try await put(destination, "gone/sub/b.txt", "b", old)
    }

    func run(dryRun: Bool, mode: SyncMode = .sync) async throws -> (SyncSummary, Plan) {
        var options = SyncOptions()
        options.dryRun = dryRun
        options.mode = mode
        options.retryDelay = 0.01
        let engine = SyncEngine(source: source, destination: destination, options: options)
        let summary = try await engine.run()
        return (summary, engine.plan)
    }
}

@Suite("Join → Plan → Apply")
struct PlanTests {
    @Test("the dry-run plan is exactly what the real run applies", arguments: ["memory", "local"])
    func dryRunPlanEqualsAppliedActions(store: String) async throws {
        let bench = store == "memory" ? PlanBench.memory() : try PlanBench.local()
        try await bench.fill()
        let (check, _) = try await bench.run(dryRun: false, mode: .check)
        let (drySummary, dry) = try await bench.run(dryRun: true)
        #expect(drySummary.differences == check.differences && check.differences > 0)
        let (summary, applied) = try await bench.run(dryRun: false)
        #expect(dry.steps == applied.steps)
        #expect(Set(dry.actions.map(\.kind)) == [.copy, .update, .makeDirectory, .delete, .removeDirectory], "\(dry.steps)")
        #expect(drySummary.filesTransferred == summary.filesTransferred && drySummary.filesDeleted == summary.filesDeleted)
        let (_, after) = try await bench.run(dryRun: true)
        #expect(after.actions.isEmpty, "\(after.steps)")
    }

    @Test("every transfer failing exits with the failure's class; some failing exits 4")
    func exitStatusFollowsTheFailures() async throws {
        for (retryable, expected) in [(true, ExitStatus.transient), (false, .fatal)] {
            let faulty = FaultyStore()
            for name in ["a", "b"] {
                try await faulty.inner.write(VPath("/src/\(name)"), bytes: [1])
                faulty.failReads(of: name, retryable: retryable)
            }
            let dst = MemoryFileSystem(name: "dst")
            var options = SyncOptions()
            options.retries = 0
            let summary = try await SyncEngine(
                source: Location(fs: faulty, path: VPath("/src"), address: Address(scheme: .memory, path: VPath("/src"), host: "faulty")),
                destination: Location(fs: dst, path: VPath("/dst"), address: Address(scheme: .memory, path: VPath("/dst"), host: "dst")),
                options: options).run()
            #expect(summary.errors.count == 2)
            #expect(summary.errors.allSatisfy { $0.code == (retryable ? .unavailable : .permissionDenied) })
            #expect(summary.exitStatus == expected)
        }
        let faulty = FaultyStore()
        try await faulty.inner.write(VPath("/src/good"), bytes: [1])
        try await faulty.inner.write(VPath("/src/bad"), bytes: [1])
        faulty.failReads(of: "bad", retryable: false)
        let summary = try await SyncEngine(
            source: Location(fs: faulty, path: VPath("/src"), address: Address(scheme: .memory, path: VPath("/src"), host: "faulty")),
            destination: Location(fs: MemoryFileSystem(name: "d"), path: VPath("/dst"), address: Address(scheme: .memory, path: VPath("/dst"), host: "d")),
            options: SyncOptions()).run()
        #expect(summary.exitStatus == .partial)
    }

    @Test("errors stay typed in the summary and print as strings in JSON")
    func summaryErrorsEncodeAsStrings() throws {
        let s = SyncSummary(mode: "sync", source: "a", destination: "b", dryRun: false, startedAt: Date(timeIntervalSince1970: 0),
                            durationSeconds: 0, filesChecked: 1, filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0,
                            directoriesCreated: 0, timesSet: 0, differences: 0,
                            errors: [VFSError(.timedOut, "timed out", path: "s3://b/k")], skipped: [], notices: [],
                            deletionsSkipped: nil, interrupted: false, changed: [])
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        #expect(json.contains(#""errors":["s3:\/\/b\/k: timed out"]"#))
        #expect(s.exitStatus == .transient)
    }

    @Test("names that are not safe path segments are never entered or written, reported once each, and make the run exit 4")
    func unsafeNamesAreSkipped() async throws {
        let hostile = HostileListingStore()
        try await hostile.inner.write(VPath("/src/ok.txt"), bytes: [1])
        try await hostile.inner.write(VPath("/src/sub/deep.txt"), bytes: [2])
        let dst = MemoryFileSystem(name: "dst")
        let lines = Locked<[String]>([])
        for dryRun in [true, false] {
            var options = SyncOptions()
            options.dryRun = dryRun
            let summary = try await SyncEngine(
                source: Location(fs: hostile, path: VPath("/src"), address: Address(scheme: .memory, path: VPath("/src"), host: "hostile")),
                destination: Location(fs: dst, path: VPath("/dst"), address: Address(scheme: .memory, path: VPath("/dst"), host: "dst")),
                options: options, log: { line in lines.withLock { $0.append(line) } }).run()
            // `.`, `..`, `x/y` and `../up.txt` in each of the two directories.
            #expect(summary.skipped.count == 8, "\(summary.skipped)")
            #expect(summary.exitStatus == .partial)
            #expect(summary.skipped.allSatisfy { !$0.contains("\n") && $0.hasPrefix("skipped ") })
        }
        #expect(hostile.listings < 10)
        var written: [String] = []
        for try await e in dst.walk(VPath("/")) { written.append(e.path.string) }
        #expect(written.sorted() == ["/dst", "/dst/ok.txt", "/dst/sub", "/dst/sub/deep.txt"])
    }
}

@Suite("rclone's everyday engine options")
struct EngineOptionTests {
    func bench() async throws -> SyncFixture {
        let f = try SyncFixture.memory("opts", state: false)
        try await f.put("same.txt", "same")
        try await f.put("same.txt", "same", dest: true)
        try await f.put("changed.txt", "new content", at: Date(timeIntervalSince1970: 1_700_000_000))
        try await f.put("changed.txt", "old", dest: true)
        try await f.put("new.txt", "n")
        try await f.put("keep.tmp", "t", dest: true)
        return f
    }

    @Test("--ignore-existing leaves every existing destination file alone and copies the new ones")
    func ignoreExisting() async throws {
        let f = try await bench()
        let (s, _) = try await f.run { $0.ignoreExisting = true; $0.mode = .copy }
        #expect(s.filesTransferred == 1 && s.errors.isEmpty)
        #expect(try await f.text("changed.txt") == "old")
        #expect(try await f.text("new.txt") == "n")
    }

    @Test("--immutable refuses to replace a differing file, reports it, and still copies new files")
    func immutable() async throws {
        let f = try await bench()
        let (s, _) = try await f.run { $0.immutable = true; $0.mode = .copy }
        #expect(s.errors.count == 1 && s.errors[0].description.contains("--immutable"), "\(s.errors)")
        #expect(try await f.text("changed.txt") == "old")
        #expect(try await f.text("new.txt") == "n")
        #expect(s.exitStatus == .partial)
    }

    @Test("--delete-excluded deletes destination files the filters exclude; without it they stay")
    func deleteExcluded() async throws {
        let f = try await bench()
        let filters = try FilterSet(rules: [try FilterRule(.exclude, "*.tmp")])
        _ = try await f.run { $0.filters = filters }
        #expect(try await f.text("keep.tmp") == "t")
        _ = try await f.run { $0.filters = filters; $0.deleteExcluded = true }
        #expect(try await f.text("keep.tmp") == nil)
    }

    @Test("a rule after a catch-all gets a warning with the rewrite; rules that can all apply get none")
    func unreachableRules() throws {
        let aws = [try FilterRule(.exclude, "*"), try FilterRule(.include, "*.csv")]
        let warning = try #require(FilterSet.unreachableRulesWarning(aws))
        #expect(warning.contains("--include '*.csv' --exclude '*'"), "\(warning)")
        #expect(FilterSet.unreachableRulesWarning([try FilterRule(.include, "*.csv"), try FilterRule(.exclude, "*")]) == nil)
        #expect(FilterSet.unreachableRulesWarning([try FilterRule(.exclude, "*.tmp")]) == nil)
    }
}

/// Counts what a `TransferObserver` is told.
final class CountingObserver: TransferObserver {
    struct Seen { var started: [String: Int64?] = [:]; var bytes: Int64 = 0; var chunks = 0; var finished = 0; var failed = 0 }
    let seen = Locked(Seen())
    func transferStarted(_ id: TransferID, path: String, size: Int64?) { seen.withLock { $0.started[path] = size } }
    func transferProgressed(_ id: TransferID, bytes: Int64) { seen.withLock { $0.bytes += bytes; $0.chunks += 1 } }
    func transferFinished(_ id: TransferID, error: (any Error)?) {
        seen.withLock { if error == nil { $0.finished += 1 } else { $0.failed += 1 } }
    }
}

@Suite("byte progress")
struct ObserverTests {
    @Test("the Applier reports every transfer's bytes chunk by chunk to the TransferObserver")
    func everyChunkIsReported() async throws {
        let f = try SyncFixture.memory("obs", state: false)
        let big = TestData.bytes(3 << 20, seed: 7)
        try await f.src.write(f.srcRoot.appending("big.bin"), from: .bytes(big), attributes: .none)
        try await f.put("small.txt", "small")
        let observer = CountingObserver()
        var options = SyncOptions()
        options.retryDelay = 0.01
        let summary = try await SyncEngine(source: f.source, destination: f.destination, options: options,
                                           observer: observer).run()
        #expect(summary.filesTransferred == 2)
        let seen = observer.seen.value
        #expect(seen.started.count == 2 && seen.finished == 2 && seen.failed == 0)
        #expect(seen.bytes == Int64(big.count + 5))
        // More reports than files: bytes are counted per chunk, not per finished file.
        #expect(seen.chunks > Int((3 << 20) / ByteStream.defaultChunkSize))
    }
}

@Suite("folders at the destination")
struct EmptyFolderTests {
    @Test("folders with nothing included are not created unless --create-empty-src-dirs")
    func onlyFoldersThatReceiveFiles() async throws {
        let f = try SyncFixture.memory("dirs", state: false)
        try await f.put("inc/a.csv", "a")
        try await f.put("txt/b.txt", "b")
        try await f.src.makeDirectories(f.srcRoot.appending("empty"))
        let filters = try FilterSet(rules: [try FilterRule(.include, "*.csv")], defaultAction: .exclude)
        let (dry, actions) = try await f.run { $0.filters = filters; $0.dryRun = true }
        #expect(actions.filter { $0.kind == .makeDirectory }.map(\.path) == ["inc"], "\(actions)")
        #expect(dry.directoriesCreated == 1)
        _ = try await f.run { $0.filters = filters }
        #expect(try await f.dst.exists(f.dstRoot.appending("inc")))
        #expect(try await !f.dst.exists(f.dstRoot.appending("empty")))
        #expect(try await !f.dst.exists(f.dstRoot.appending("txt")))
        _ = try await f.run { $0.filters = filters; $0.createEmptySourceDirectories = true }
        #expect(try await f.dst.exists(f.dstRoot.appending("empty")))
    }
}

@Suite("transfer limits")
struct LimitTests {
    @Test("--max-transfer starts no transfer beyond the limit, reports the rest, skips deletions and exits 4")
    func maxTransfer() async throws {
        let f = try SyncFixture.memory("limit", state: false)
        for i in 0..<4 { try await f.put("f\(i)", String(repeating: "x", count: 100)) }
        try await f.put("extra", "e", dest: true)
        let (s, _) = try await f.run { $0.maxTransfer = 250; $0.transfers = 1 }
        #expect(s.filesTransferred == 2 && s.bytesTransferred == 200)
        #expect(s.errors.count == 1 && s.errors[0].description.contains("--max-transfer"))
        #expect(s.deletionsSkipped != nil && s.exitStatus == .partial)
        #expect(try await f.text("extra") == "e")
        let (next, _) = try await f.run { $0.maxTransfer = 250 }
        #expect(next.filesTransferred == 2 && next.errors.isEmpty && next.filesDeleted == 1)
    }
}
