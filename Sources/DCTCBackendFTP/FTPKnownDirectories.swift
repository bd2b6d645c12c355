import DCTCCore
import Foundation

/// Directories this store has recently seen exist (listed, created, written into), so a write
/// into one of them needs no `MKD` of its parents.
///
/// A hint, never the truth: an entry only saves commands. When a remembered directory was
/// removed by someone else, the write's `CWD` fails, the entry is forgotten, and the write
/// reports the missing folder. Bounded: cleared when it holds `limit` entries.
final class FTPKnownDirectories: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var known: Set<VPath> = [.root]
    private let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    func contains(_ path: VPath) -> Bool {
        lock.withLock { known.contains(path) }
    }

    /// Remembers `path` and its ancestors.
    func insert(_ path: VPath) {
        lock.withLock {
            if known.count >= limit { known = [.root] }
            var p = path
            while !p.isRoot, known.insert(p).inserted { p = p.parent }
        }
    }

    /// Forgets `path` and everything below it.
    func remove(_ path: VPath) {
        lock.withLock {
            known = known.filter { !$0.hasPrefix(path) || $0.isRoot }
        }
    }
}
