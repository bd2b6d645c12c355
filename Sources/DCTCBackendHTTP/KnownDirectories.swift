import DCTCCore
import Foundation

/// Folders a WebDAV store has seen exist, so that uploads into the same folder do not ask the
/// server about it (and its parents) every time.
///
/// Entries are dropped when the store removes or moves a folder; a folder removed by someone
/// else makes the next upload into it fail (the server answers 409), which is reported with a
/// remedy to retry. The set is bounded: it is emptied when it grows past `limit`.
final class KnownDirectories: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var paths = Set<VPath>()
    private let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func contains(_ path: VPath) -> Bool {
        path.isRoot || lock.withLock { paths.contains(path) }
    }

    /// Records `path` and, implicitly, its parents.
    func insert(_ path: VPath) {
        lock.withLock {
            if paths.count >= limit { paths.removeAll(keepingCapacity: true) }
            var p = path
            while !p.isRoot {
                paths.insert(p)
                p = p.parent
            }
        }
    }

    /// Forgets `path` and everything below it.
    func remove(_ path: VPath) {
        lock.withLock {
            paths = paths.filter { !$0.hasPrefix(path) }
        }
    }
}
