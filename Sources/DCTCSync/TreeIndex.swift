import DCTCCore
import Foundation

/// A whole tree listed in one stream (`RecursiveListing`) and grouped by directory, so the
/// walker gets each directory's children without a request per directory.
///
/// The stream comes in the store's order (S3: key byte order, where `a-b` and `a.b` come
/// before `a/b`), which is not the walker's: entries are grouped by their parent and each
/// group is sorted by name bytes, exactly as `listAll` sorts a directory, so the merge-join
/// sees the same children in the same order either way. Directories a store leaves out of
/// the stream are implied by the paths below them.
///
/// The index holds the whole tree, so it is built only up to `limit` entries; a larger tree
/// is listed per directory as before (memory bounded by the widest directory, not the tree).
final class TreeIndex: Sendable {
    /// Children per directory, keyed by the relative directory path's bytes (String keys would
    /// merge NFC and NFD spellings of one name), each sorted by name bytes.
    private let children: [[UInt8]: [FileInfo]]
    /// Entries in the tree.
    let count: Int

    private init(children: [[UInt8]: [FileInfo]], count: Int) {
        self.children = children
        self.count = count
    }

    /// Entries a tree may have for the index to be built (about 100 MiB of `FileInfo`s).
    static let defaultLimit = 250_000

    /// Lists the tree below `root` in one stream and groups it.
    ///
    /// - Parameters:
    ///   - fs: the store.
    ///   - root: the tree's root.
    ///   - limit: the most entries to hold; above it the index is abandoned.
    /// - Returns: the index (empty when nothing is below `root`), or nil when the tree is larger
    ///   than `limit` or the store cannot list it in one stream after all (`.unsupported`).
    /// - Throws: the listing's other errors (the caller then lists per directory, whose
    ///   retries and messages are the usual ones).
    static func load(_ fs: any VirtualFileSystem, root: VPath, range: PathRange = .everything,
                     limit: Int = defaultLimit) async throws -> TreeIndex? {
        var builder = Builder(root: root)
        do {
            for try await page in fs.listRecursive(root, within: range) {
                try Task.checkCancellation()
                for entry in page { builder.add(entry) }
                if builder.count > limit { return nil }
            }
        } catch let e as VFSError where e.code == .notFound {
            return TreeIndex(children: [:], count: 0)
        } catch let e as VFSError where e.code == .unsupported {
            return nil
        }
        return builder.finish()
    }

    /// Builds an index from entries in any order (for tests and for stores that list in memory).
    static func build(root: VPath, entries: [FileInfo]) -> TreeIndex {
        var builder = Builder(root: root)
        for entry in entries { builder.add(entry) }
        return builder.finish()
    }

    /// The children of a directory (relative path, `""` for the root), sorted by name bytes;
    /// empty for a directory the tree does not have.
    func children(of directory: String) -> [FileInfo] {
        children[Array(VPath(directory).components.joined(separator: "/").utf8)] ?? []
    }

    /// Every entry below a directory, depth first, each directory before its contents. Names
    /// that are not safe path segments (`SafeName`) are left out with everything below them.
    func subtree(of directory: String) -> [FileInfo] {
        var out: [FileInfo] = []
        func visit(_ dir: String) {
            for entry in children(of: dir) where SafeName.isSafe(entry.name) {
                out.append(entry)
                if entry.isDirectory { visit(dir.isEmpty ? entry.name : dir + "/" + entry.name) }
            }
        }
        visit(directory)
        return out
    }

    private struct Builder {
        let root: VPath
        var children: [[UInt8]: [FileInfo]] = [:]
        /// Directories already placed in their parent's list (by relative path bytes).
        var placed: Set<[UInt8]> = []
        var count = 0

        init(root: VPath) { self.root = root }

        mutating func add(_ entry: FileInfo) {
            guard entry.path.depth > root.depth, entry.path.hasPrefix(root) else { return }
            let parts = Array(entry.path.components.dropFirst(root.depth))
            // Imply every ancestor directory the stream may have left out.
            var parentKey: [UInt8] = []
            for i in 0..<(parts.count - 1) {
                var key = parentKey
                if !key.isEmpty { key.append(UInt8(ascii: "/")) }
                key.append(contentsOf: parts[i].utf8)
                if placed.insert(key).inserted {
                    let dir = FileInfo(path: VPath(components: root.components + parts[0...i]), kind: .directory)
                    children[parentKey, default: []].append(dir)
                    if children[key] == nil { children[key] = [] }
                    count += 1
                }
                parentKey = key
            }
            if entry.isDirectory {
                var key = parentKey
                if !key.isEmpty { key.append(UInt8(ascii: "/")) }
                key.append(contentsOf: parts[parts.count - 1].utf8)
                guard placed.insert(key).inserted else { return }
                if children[key] == nil { children[key] = [] }
            }
            children[parentKey, default: []].append(entry)
            count += 1
        }

        func finish() -> TreeIndex {
            var sorted = children
            for (key, list) in children where list.count > 1 {
                sorted[key] = list.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            }
            return TreeIndex(children: sorted, count: count)
        }
    }
}
