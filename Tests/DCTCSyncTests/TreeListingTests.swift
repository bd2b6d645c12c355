import DCTCBackendMemory
import DCTCCore
import DCTCState
@testable import DCTCSync
import DCTCTestSupport
import Foundation
import Testing

/// An object store double: a memory store that also lists whole trees in one stream, in flat
/// key byte order with files only (as S3 does), deletes in batches, and counts what was asked.
final class ObjectStoreDouble: VirtualFileSystem, ModificationTimeSetting, RecursiveListing, BatchRemoving, @unchecked Sendable {
    let inner = MemoryFileSystem(name: "objects")
    // Guarded by `lock`.
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private let recursiveFails: Bool

    init(recursiveFails: Bool = false) { self.recursiveFails = recursiveFails }

    func count(_ what: String) -> Int { lock.withLock { counts[what, default: 0] } }
    private func note(_ what: String, _ n: Int = 1) { lock.withLock { counts[what, default: 0] += n } }

    var kind: StoreKind { inner.kind }
    var capabilities: Capabilities {
        var c = inner.capabilities
        c.recursiveListing = true
        c.batchRemoval = true
        return c
    }
    func display(_ path: VPath) -> String { inner.display(path) }
    func info(_ path: VPath) async throws -> FileInfo { try await inner.info(path) }
    func list(_ directory: VPath) -> Listing {
        note("list")
        return inner.list(directory)
    }
    func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream { try await inner.read(path, range: range) }
    func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        try await inner.write(path, from: content, attributes: attributes)
    }
    func remove(_ path: VPath) async throws {
        note("remove")
        try await inner.remove(path)
    }
    func makeDirectory(_ path: VPath) async throws { try await inner.makeDirectory(path) }
    func removeDirectory(_ path: VPath) async throws { try await inner.removeDirectory(path) }
    func setModificationTime(_ path: VPath, to date: Date) async throws { try await inner.setModificationTime(path, to: date) }

    func listRecursive(_ root: VPath) -> Listing {
        note("listRecursive")
        if recursiveFails { return .failing(VFSError(.unavailable, "injected failure", path: display(root))) }
        let inner = self.inner
        let pages = PagesBox()
        return Listing {
            if await pages.pages == nil {
                var files: [FileInfo] = []
                for try await e in inner.walk(root) where !e.isDirectory { files.append(e) }
                // Flat key order: the whole relative path's bytes, `/` included.
                files.sort { a, b in
                    a.path.components.joined(separator: "/").utf8.lexicographicallyPrecedes(b.path.components.joined(separator: "/").utf8)
                }
                await pages.set(stride(from: 0, to: files.count, by: 2).map { Array(files[$0..<min(files.count, $0 + 2)]) })
            }
            return await pages.next()
        }
    }

    func removeMany(_ paths: [VPath]) async throws -> Int {
        note("removeMany")
        note("removedInBatch", paths.count)
        for p in paths { try? await inner.remove(p) }
        return paths.count
    }
}

actor PagesBox {
    var pages: [[FileInfo]]?
    func set(_ p: [[FileInfo]]) { pages = p }
    func next() -> [FileInfo]? {
        guard var p = pages, !p.isEmpty else { return nil }
        let first = p.removeFirst()
        pages = p
        return first
    }
}

@Suite("Whole-tree listings")
struct TreeListingTests {
    /// Names whose order differs between flat key order (`a-b` < `a.b` < `a/…`) and the
    /// walker's per-directory order (`a` < `a b` < `a-b` < `a.b`), plus an NFC/NFD pair.
    static let names = ["a-b", "a.b", "a b/c", "a/b-c/d", "a/b.c", "a/b/e", "z", "caf\u{e9}", "cafe\u{301}/x", "0"]

    @Test("a tree grouped from a stream in key order gives each directory the children and order of a per-directory listing")
    func indexMatchesPerDirectoryListing() async throws {
        let fs = MemoryFileSystem(name: "index")
        let root = VPath("/r")
        for name in Self.names {
            try await fs.write(root.appending(relative: name), bytes: Array(name.utf8), attributes: .none)
        }
        var files: [FileInfo] = []
        for try await e in fs.walk(root) where !e.isDirectory { files.append(e) }
        // The order a recursive S3 listing gives: by the key's bytes, with `/` inside.
        files.sort { $0.path.components.joined(separator: "/").utf8.lexicographicallyPrecedes($1.path.components.joined(separator: "/").utf8) }
        #expect(files.map { $0.path.components.dropFirst().joined(separator: "/") }.prefix(3) == ["0", "a b/c", "a-b"])
        let index = TreeIndex.build(root: root, entries: files)

        var directories = [""]
        while let dir = directories.popLast() {
            let listed = try await fs.listAll(root.appending(relative: dir))
            let grouped = index.children(of: dir)
            #expect(grouped.map { Array($0.name.utf8) } == listed.map { Array($0.name.utf8) }, "children of '\(dir)'")
            #expect(grouped.map(\.kind) == listed.map(\.kind), "kinds in '\(dir)'")
            for e in listed where e.isDirectory { directories.append(dir.isEmpty ? e.name : dir + "/" + e.name) }
        }
        #expect(index.children(of: "a").map(\.name) == ["b", "b-c", "b.c"])
        #expect(index.subtree(of: "a").compactMap { $0.path.relative(to: root) } == ["a/b", "a/b/e", "a/b-c", "a/b-c/d", "a/b.c"])
    }

    @Test("a sync into a store that lists whole trees lists no destination directory, and a repeat run moves nothing")
    func syncUsesRecursiveListing() async throws {
        let src = MemoryFileSystem(name: "rec-src")
        let dst = ObjectStoreDouble()
        let state = try StateStore(path: try TestData.temporaryDirectory("dctc-state") + "/state.sqlite")
        for name in Self.names {
            try await src.write(VPath("/s").appending(relative: name), bytes: Array("content of \(name)".utf8),
                                attributes: WriteAttributes(modificationTime: Date(timeIntervalSince1970: 1_600_000_000)))
        }
        let first = try await Self.sync(src, dst, state: state)
        #expect(first.filesTransferred == Self.names.count && first.errors.isEmpty)
        let listsAfterFirst = dst.count("list")
        let second = try await Self.sync(src, dst, state: state)
        #expect(second.filesTransferred == 0 && second.filesChecked == Self.names.count && second.errors.isEmpty)
        #expect(dst.count("list") == listsAfterFirst, "no per-directory listing of the destination")
        #expect(dst.count("listRecursive") >= 1)
        let checksum = try await Self.sync(src, dst, state: state) { $0.compare = .checksum }
        #expect(checksum.filesTransferred == 0 && checksum.errors.isEmpty)
    }

    @Test("when the whole-tree listing fails, the walk lists per directory and the result is the same")
    func fallsBackPerDirectory() async throws {
        let src = MemoryFileSystem(name: "fb-src")
        let dst = ObjectStoreDouble(recursiveFails: true)
        for name in Self.names {
            try await src.write(VPath("/s").appending(relative: name), bytes: Array(name.utf8),
                                attributes: WriteAttributes(modificationTime: Date(timeIntervalSince1970: 1_600_000_000)))
        }
        #expect(try await Self.sync(src, dst, state: nil).filesTransferred == Self.names.count)
        let again = try await Self.sync(src, dst, state: nil)
        #expect(again.filesTransferred == 0 && again.errors.isEmpty)
        #expect(dst.count("list") > 0)
    }

    @Test("deletions on a store that removes in batches go in one request, not one per file")
    func batchDeletions() async throws {
        let src = MemoryFileSystem(name: "del-src")
        let dst = ObjectStoreDouble()
        try await src.write(VPath("/s/keep"), bytes: Array("k".utf8), attributes: .none)
        for name in ["old1", "old2", "d/old3", "a-b/old4"] {
            try await dst.inner.write(VPath("/d").appending(relative: name), bytes: Array("x".utf8), attributes: .none)
        }
        let s = try await Self.sync(src, dst, state: nil)
        #expect(s.filesDeleted == 4 && s.errors.isEmpty)
        #expect(dst.count("removeMany") == 1 && dst.count("removedInBatch") == 4)
        #expect(dst.count("remove") == 0)
        for name in ["old1", "old2", "d/old3", "a-b/old4"] {
            #expect(try await dst.inner.exists(VPath("/d").appending(relative: name)) == false)
        }
        #expect(try await dst.inner.exists(VPath("/d/keep")))
    }

    static func sync(_ src: any VirtualFileSystem, _ dst: any VirtualFileSystem, state: StateStore?,
                     _ configure: (inout SyncOptions) -> Void = { _ in }) async throws -> SyncSummary {
        var options = SyncOptions()
        options.state = state
        options.retryDelay = 0.01
        configure(&options)
        let engine = SyncEngine(source: Location(fs: src, path: VPath("/s"), address: Address(scheme: .memory, path: VPath("/s"), host: "s")),
                                destination: Location(fs: dst, path: VPath("/d"), address: Address(scheme: .memory, path: VPath("/d"), host: "d")),
                                options: options)
        return try await engine.run()
    }
}
