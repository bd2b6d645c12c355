/// Directories a store has recently seen exist (listed, created, written into), so that a write
/// into one of them needs no request about it or its parents (FTP `MKD`, WebDAV `PROPFIND`/`MKCOL`).
///
/// A hint, never the truth: an entry only saves requests. When a remembered directory was
/// removed by someone else, the next write into it fails, the store forgets the entry and
/// reports the missing folder. Bounded: emptied when it holds `limit` entries. The root always
/// exists.
public final class KnownDirectories: Sendable {
    private let paths = Locked<Set<VPath>>([])
    private let limit: Int

    public init(limit: Int = 4096) { self.limit = max(1, limit) }

    /// True when `path` is the root or was recorded (and not forgotten since).
    public func contains(_ path: VPath) -> Bool {
        path.isRoot || paths.withLock { $0.contains(path) }
    }

    /// Records `path` and its ancestors.
    public func insert(_ path: VPath) {
        paths.withLock { known in
            if known.count >= limit { known.removeAll(keepingCapacity: true) }
            var p = path
            while !p.isRoot, known.insert(p).inserted { p = p.parent }
        }
    }

    /// Forgets `path` and everything below it.
    public func remove(_ path: VPath) {
        paths.withLock { known in known = known.filter { !$0.hasPrefix(path) } }
    }
}
