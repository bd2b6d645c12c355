import DCTCCore
import DCTCState
import DCTCTestSupport
import Foundation
import Testing

@Suite("Destination manifests")
struct ManifestTests {
    let root = "s3://bucket/prefix"

    @Test("an entry round trips every field exactly, dates included")
    func entryRoundTrip() async throws {
        let store = try makeStore()
        let full = sampleEntry("dir/sub/file.txt", size: 1 << 40, seed: 3)
        let sparse = ManifestEntry(path: "sparse", size: 0, recordedAt: Date(timeIntervalSince1970: 0))
        try await store.recordManifest(root: root, entries: [full, sparse])
        #expect(try await store.manifestEntry(root: root, path: "dir/sub/file.txt") == full)
        #expect(try await store.manifestEntry(root: root, path: "sparse") == sparse)
        let read = try #require(try await store.manifestEntry(root: root, path: "dir/sub/file.txt"))
        #expect(read.modificationTime?.timeIntervalSinceReferenceDate.bitPattern
                == full.modificationTime?.timeIntervalSinceReferenceDate.bitPattern)
        #expect(try await store.manifestEntry(root: root, path: "missing") == nil)
        #expect(try await store.manifestEntry(root: "s3://other", path: "sparse") == nil)
    }

    @Test("empty strings stay empty strings, not missing values")
    func emptyStrings() async throws {
        let store = try makeStore()
        let entry = ManifestEntry(path: "e", size: 1, etag: "", version: "", hashes: [.md5: ""])
        try await store.recordManifest(root: root, entries: [entry])
        let read = try #require(try await store.manifestEntry(root: root, path: "e"))
        #expect(read.etag == "" && read.version == "" && read.hashes == [.md5: ""])
    }

    @Test("children are the entries directly inside a directory, keyed by name")
    func children() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: root, entries: ["a", "b/c", "b/d", "b/e/f", "g"].map { sampleEntry($0) })
        let top = try await store.manifestChildren(root: root, directory: "")
        #expect(Set(top.keys) == ["a", "g"])
        #expect(top["a"] == sampleEntry("a"))
        let b = try await store.manifestChildren(root: root, directory: "b")
        #expect(Set(b.keys) == ["c", "d"])
        #expect(b["c"]?.path == "b/c")
        #expect(try await store.manifestChildren(root: root, directory: "b/e").keys.sorted() == ["f"])
        #expect(try await store.manifestChildren(root: root, directory: "nowhere").isEmpty)
        #expect(try await store.manifestChildren(root: "unknown", directory: "").isEmpty)
    }

    @Test("paths are canonical: leading, trailing and doubled slashes are ignored")
    func canonicalPaths() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: root, entries: [sampleEntry("/x//y/")])
        #expect(try await store.manifestEntry(root: root, path: "x/y")?.path == "x/y")
        #expect(try await store.manifestChildren(root: root, directory: "/x/").keys.sorted() == ["y"])
    }

    @Test("recording a path again replaces its entry")
    func replace() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: root, entries: [sampleEntry("f", size: 1)])
        try await store.recordManifest(root: root, entries: [sampleEntry("f", size: 2, seed: 9)])
        #expect(try await store.manifestCount(root: root) == 1)
        #expect(try await store.manifestEntry(root: root, path: "f") == sampleEntry("f", size: 2, seed: 9))
    }

    @Test("removing a directory path removes its whole subtree and nothing that merely shares its prefix")
    func removeSubtree() async throws {
        let store = try makeStore()
        let paths = ["a", "a/x", "a/y/z", "a b", "ab", "a-", "b/a"]
        try await store.recordManifest(root: root, entries: paths.map { sampleEntry($0) })
        try await store.removeManifest(root: root, paths: ["a"])
        let left = try await store.manifestEntries(root: root, limit: 100).map(\.path)
        #expect(bytes(left) == bytes(vpathSorted(["a b", "ab", "a-", "b/a"])))
        try await store.removeManifest(root: root, paths: ["b/a", "not/there"])
        #expect(try await store.manifestCount(root: root) == 3)
    }

    @Test("removing a file path removes just that entry")
    func removeFile() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: root, entries: ["d/f1", "d/f2"].map { sampleEntry($0) })
        try await store.removeManifest(root: root, paths: ["d/f1"])
        #expect(try await store.manifestChildren(root: root, directory: "d").keys.sorted() == ["f2"])
    }

    @Test("the root path names the root itself: it can hold an entry, and removing it empties the manifest")
    func rootEntry() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: "s3://b/single.bin", entries: [sampleEntry("")])
        #expect(try await store.manifestEntry(root: "s3://b/single.bin", path: "")?.size == 42)
        #expect(try await store.manifestChildren(root: "s3://b/single.bin", directory: "").isEmpty)
        try await store.recordManifest(root: root, entries: ["a", "b/c"].map { sampleEntry($0) })
        try await store.removeManifest(root: root, paths: [""])
        #expect(try await store.manifestCount(root: root) == 0)
        #expect(try await store.manifestCount(root: "s3://b/single.bin") == 1)
    }

    @Test("dropping a manifest forgets only that root; counts follow")
    func dropAndCount() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: root, entries: (0..<5).map { sampleEntry("f\($0)") })
        try await store.recordManifest(root: "sftp://h/other", entries: [sampleEntry("f0")])
        #expect(try await store.manifestCount(root: root) == 5)
        #expect(try await store.manifestRoots() == ["s3://bucket/prefix", "sftp://h/other"])
        try await store.dropManifest(root: root)
        #expect(try await store.manifestCount(root: root) == 0)
        #expect(try await store.manifestCount(root: "sftp://h/other") == 1)
        #expect(try await store.manifestRoots() == ["sftp://h/other"])
        try await store.dropManifest(root: "never-seen")
    }

    @Test("a path containing NUL is refused and nothing of the batch is recorded")
    func nulRefused() async throws {
        let store = try makeStore()
        let error = try await #require(throws: VFSError.self) {
            try await store.recordManifest(root: root, entries: [sampleEntry("ok"), sampleEntry("bad\u{0}name")])
        }
        #expect(error.code == .invalidArgument)
        #expect(try await store.manifestCount(root: root) == 0)
    }

    @Test("hostile names, the NFC/NFD pair included, round trip as distinct rows")
    func hostileNames() async throws {
        let store = try makeStore()
        let names = HostileNames.all + [HostileNames.longASCII, HostileNames.longUnicode]
        let paths = names + names.map { "dir with space/\($0)" } + names.map { "\($0)/inner" }
        try await store.recordManifest(root: root, entries: paths.enumerated().map { sampleEntry($1, seed: $0) })
        #expect(try await store.manifestCount(root: root) == paths.count)
        for (seed, path) in paths.enumerated() {
            let read = try #require(try await store.manifestEntry(root: root, path: path), "missing \(path)")
            #expect(Array(read.path.utf8) == Array(path.utf8))
            #expect(read == sampleEntry(path, seed: seed))
        }
        let children = try await store.orderedManifestChildren(root: root, directory: "dir with space")
        #expect(bytes(children.map(\.name)) == bytes(vpathSorted(names)))
        #expect(children.contains { Array($0.name.utf8) == Array("cafe\u{301}".utf8) })
        #expect(children.contains { Array($0.name.utf8) == Array("caf\u{e9}".utf8) })
        // Both spellings of "café" are directories of their own, each with its "inner".
        let nfd = try await store.orderedManifestChildren(root: root, directory: "cafe\u{301}")
        #expect(bytes(nfd.map(\.path)) == bytes(["cafe\u{301}/inner"]))
    }

    @Test("roots differing only in Unicode normalisation are separate manifests")
    func rootsByteExact() async throws {
        let store = try makeStore()
        try await store.recordManifest(root: "s3://b/cafe\u{301}", entries: [sampleEntry("x")])
        #expect(try await store.manifestCount(root: "s3://b/caf\u{e9}") == 0)
        #expect(try await store.manifestCount(root: "s3://b/cafe\u{301}") == 1)
    }

    @Test("children and whole-manifest pages come in VPath order")
    func vpathOrdering() async throws {
        let store = try makeStore()
        let names = ["a", "a b", "a-", "a.txt", "A", "B", "b", "Z", "_", "~", "é", "e\u{301}", "日本", "🚀", "a0", "aa"]
        let paths = names + ["a/x", "a/y/z", "a b/c", "aa/b", "é/x"]
        // Record in reverse order so that insertion order cannot pass for sorted order.
        try await store.recordManifest(root: root, entries: vpathSorted(paths).reversed().map { sampleEntry($0) })

        let children = try await store.orderedManifestChildren(root: root, directory: "")
        #expect(bytes(children.map(\.path)) == bytes(vpathSorted(names)))

        var paged: [String] = []
        var after: String?
        while true {
            let page = try await store.manifestEntries(root: root, after: after, limit: 4)
            paged += page.map(\.path)
            guard page.count == 4, let last = page.last else { break }
            after = last.path
        }
        #expect(bytes(paged) == bytes(vpathSorted(paths)))
    }

    @Test("100,000 entries recorded in one call are all there; a 10,000-entry directory lists fully")
    func bulk() async throws {
        let store = try makeStore()
        let entries = (0..<100_000).map { i in
            ManifestEntry(path: "d\(i % 10)/file-\(i)", size: Int64(i), etag: "e\(i)", hashes: [.md5: String(format: "%032x", i)])
        }
        try await store.recordManifest(root: root, entries: entries)
        #expect(try await store.manifestCount(root: root) == 100_000)
        let children = try await store.manifestChildren(root: root, directory: "d7")
        #expect(children.count == 10_000)
        #expect(children["file-99997"]?.size == 99_997)
        #expect(children["file-99997"]?.hashes[.md5] == String(format: "%032x", 99_997))
    }
}
