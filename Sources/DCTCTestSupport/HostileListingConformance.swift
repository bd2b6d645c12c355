import DCTCCore
import Foundation

/// How a store's test plants entries a listing must not trust: raw object keys (S3, the memory
/// store in object mode) or symbolic links (local disks, SFTP servers).
public struct HostilePlanter: Sendable {
    /// Stores `bytes` under the raw key `root/key` (the key taken byte for byte, `.`, `..` and
    /// empty segments included). Returns false when the store cannot hold that key (declared,
    /// then the key is left out of the case).
    public var putKey: (@Sendable (_ fs: any VirtualFileSystem, _ root: VPath, _ key: String, _ bytes: [UInt8]) async throws -> Bool)?
    /// Removes a key `putKey` stored (the walk cannot reach it, so `removeTree` leaves it).
    public var removeKey: (@Sendable (_ fs: any VirtualFileSystem, _ root: VPath, _ key: String) async throws -> Void)?

    public init(putKey: (@Sendable (any VirtualFileSystem, VPath, String, [UInt8]) async throws -> Bool)? = nil,
                removeKey: (@Sendable (any VirtualFileSystem, VPath, String) async throws -> Void)? = nil) {
        self.putKey = putKey
        self.removeKey = removeKey
    }

    /// Keys with a path component of their own: `VPath(components: root + [key])` joins to
    /// `root/key` on stores whose keys are the components joined by `/` (S3).
    public static let joinedComponents = HostilePlanter(
        putKey: { fs, root, key, bytes in
            try await fs.write(VPath(components: root.components + [key]), bytes: bytes)
            return true
        },
        removeKey: { fs, root, key in
            try? await fs.remove(VPath(components: root.components + [key]))
        })
}

/// The hostile-listing cases: a tree holding keys that are not paths, or symbolic links that
/// loop, must list, walk, glob and remove in bounded time, and never hand on an unsafe name as
/// an ordinary entry; each such key is reported to `SkippedEntries`, one line each.
public enum HostileListingConformance {
    /// Keys S3 accepts that are not relative paths (each seen in a real bucket).
    public static let unsafeKeys = ["k/./x.txt", "./dot.txt", "t/../../escape.txt", "a//b.txt", "/abs.txt",
                                    "../up.txt", "a/../../up2.txt", "n/..", "e/."]
    /// Ordinary keys beside them: these, and only these, must come out.
    public static let safeKeys = ["k/ok.txt", "t/ok.txt", "a/ok.txt", "top.txt", "deep/er/x.txt"]

    /// The most entries a walk of the case's tree may yield before it counts as endless.
    static let walkBound = 1000

    public static func cases(planter: HostilePlanter) -> [ConformanceCase] {
        var out: [ConformanceCase] = []
        if planter.putKey != nil {
            out.append(ConformanceCase(name: "hostileKeysAreReportedNeverListed") { t in
                try await withPlantedKeys(t, planter) { planted in
                    let skipped = SkippedEntries()
                    let files = try await SkippedEntries.$current.withValue(skipped) {
                        try await boundedWalk(t)
                    }
                    try t.expectEqual(files.sorted(), safeKeys.sorted(), "files a walk finds")
                    if !planted.isEmpty {
                        try t.expect(!skipped.entries.isEmpty, "unsafe keys are reported (planted \(planted))")
                    }
                    for entry in skipped.entries {
                        try t.expect(!entry.description.contains("\n") && !entry.description.contains("\r"),
                                     "a report is one line: \(entry)")
                    }
                }
            })
            out.append(ConformanceCase(name: "hostileKeysInAWholeTreeListing") { t in
                guard let lister = t.fs as? any RecursiveListing, t.fs.capabilities.recursiveListing else { return }
                try await withPlantedKeys(t, planter) { planted in
                    let skipped = SkippedEntries()
                    var files: [String] = []
                    try await SkippedEntries.$current.withValue(skipped) {
                        for try await page in lister.listRecursive(t.root) {
                            for entry in page {
                                try t.expect(SkippedEntries.unsafeComponent(of: entry.path) == nil,
                                             "an unsafe path listed as an entry: \(entry.path)")
                                if entry.isFile, let rel = entry.path.relative(to: t.root) { files.append(rel) }
                                try t.expect(files.count <= walkBound, "the whole-tree listing does not end")
                            }
                        }
                    }
                    try t.expectEqual(files.sorted(), safeKeys.sorted(), "files of the whole-tree listing")
                    try t.expectEqual(Set(skipped.entries.map(\.address)).count, planted.count,
                                      "each unsafe key reported once (\(skipped.entries.map(\.description)))")
                }
            })
            out.append(ConformanceCase(name: "hostileKeysGlobAndRemoveTreeTerminate") { t in
                try await withPlantedKeys(t, planter) { _ in
                    try await SkippedEntries.$current.withValue(SkippedEntries()) {
                        let matches = try await t.fs.glob(t.path("**/*.txt"))
                        for m in matches {
                            try t.expect(SkippedEntries.unsafeComponent(of: m.path) == nil, "glob matched an unsafe path \(m.path)")
                        }
                        try t.expectEqual(matches.count, safeKeys.count, "glob **/*.txt matches the safe files")
                        let removed = try await t.fs.removeTree(t.root)
                        try t.expectEqual(removed, safeKeys.count, "removeTree removes the safe files")
                    }
                }
            })
        }
        return out
    }

    /// Plants the safe and unsafe keys under the case root, runs `body` with the unsafe keys
    /// that were planted, and removes the unsafe keys afterwards (nothing can reach them).
    static func withPlantedKeys(_ t: ConformanceContext, _ planter: HostilePlanter,
                                _ body: ([String]) async throws -> Void) async throws {
        guard let put = planter.putKey else { return }
        for key in safeKeys { try await t.fs.write(t.path(key), bytes: Array(key.utf8)) }
        var planted: [String] = []
        for key in unsafeKeys where try await put(t.fs, t.root, key, Array(key.utf8)) { planted.append(key) }
        do {
            try await body(planted)
        } catch {
            for key in planted { try? await planter.removeKey?(t.fs, t.root, key) }
            throw error
        }
        for key in planted { try? await planter.removeKey?(t.fs, t.root, key) }
    }

    /// The files of a walk below the case root (relative paths), failing when an unsafe path
    /// comes out or the walk does not end within `walkBound` entries.
    static func boundedWalk(_ t: ConformanceContext) async throws -> [String] {
        var files: [String] = []
        var count = 0
        for try await entry in t.fs.walk(t.root) {
            count += 1
            try t.expect(count <= walkBound, "the walk does not end")
            try t.expect(SkippedEntries.unsafeComponent(of: entry.path) == nil, "an unsafe path walked: \(entry.path)")
            if entry.isFile, let rel = entry.path.relative(to: t.root) { files.append(rel) }
        }
        return files
    }
}

/// Symbolic links that loop or dangle: for stores that hold links (`SymbolicLinking`).
public enum SymlinkConformance {
    public static let cases: [ConformanceCase] = [
        ConformanceCase(name: "linksAreListedAsLinksAndWalksEnd") { t in
            guard let links = t.fs as? any SymbolicLinking else { return }
            try await plantLoops(t, links)
            var kinds: [String: FileInfo.Kind] = [:]
            var count = 0
            for try await entry in t.fs.walk(t.root) {
                count += 1
                try t.expect(count <= 100, "the walk of a tree with link loops does not end")
                kinds[entry.path.relative(to: t.root) ?? "?"] = entry.kind
            }
            try t.expectEqual(kinds["src/d/up"], .symlink, "src/d/up (-> ..) is listed as a link")
            try t.expectEqual(kinds["loop/a/to-b"], .symlink, "a link of a two-link loop is listed as a link")
            try t.expectEqual(kinds["broken"], .symlink, "a broken link is listed as a link")
            try t.expectEqual(try await links.linkTarget(t.path("src/d/up")), "..", "the link's target")
            let listed = try await t.fs.listAll(t.path("src/d"))
            try t.expectEqual(listed.first { $0.name == "up" }?.linkTarget, "..", "a listing carries the link's target")
        },
        ConformanceCase(name: "followingLinksDetectsLoopsAndReportsBrokenLinks") { t in
            guard let links = t.fs as? any SymbolicLinking, let follower = t.fs as? any LinkFollowing else { return }
            try await plantLoops(t, links)
            let followed = follower.followingLinks()
            let skipped = SkippedEntries()
            var seen: [String] = []
            try await SkippedEntries.$current.withValue(skipped) {
                for try await entry in followed.walk(t.root) {
                    seen.append(entry.path.relative(to: t.root) ?? "?")
                    try t.expect(seen.count <= 100, "the walk with links followed does not end: \(seen.suffix(5))")
                }
            }
            try t.expect(seen.contains("loop/a/to-b/f.txt"), "a link to a folder outside the path is followed: \(seen)")
            let reasons = skipped.entries.map(\.description)
            try t.expect(reasons.contains { $0.contains("src/d/up") && $0.contains("filesystem loop") },
                         "src/d/up is reported as a filesystem loop: \(reasons)")
            try t.expect(reasons.contains { $0.contains("broken") && $0.contains("broken symbolic link") },
                         "the broken link is reported: \(reasons)")
        },
    ]

    /// `src/d/up -> ..`, `loop/a/to-b -> ../b`, `loop/b/to-a -> ../a`, `broken -> nowhere`.
    static func plantLoops(_ t: ConformanceContext, _ links: any SymbolicLinking) async throws {
        try await t.fs.write(t.path("src/d/f.txt"), bytes: [1])
        try await links.makeLink(t.path("src/d/up"), target: "..")
        try await t.fs.write(t.path("loop/a/f.txt"), bytes: [2])
        try await t.fs.write(t.path("loop/b/f.txt"), bytes: [3])
        try await links.makeLink(t.path("loop/a/to-b"), target: "../b")
        try await links.makeLink(t.path("loop/b/to-a"), target: "../a")
        try await links.makeLink(t.path("broken"), target: "nowhere")
    }
}
