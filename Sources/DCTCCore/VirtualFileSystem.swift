import Foundation

/// One store (the local disk, an SFTP host, an S3 endpoint...) seen through the few
/// primitives every backend implements. Everything else is derived in an extension and
/// overridden only to do better (after fsspec and swift-tools-support-core's `FileSystem`).
///
/// Paths are absolute `VPath`s inside the store. Every primitive throws `VFSError` whose
/// path is the full address as the user would type it (`display(_:)`).
public protocol VirtualFileSystem: AnyObject, Sendable {
    /// The store kind (error messages name it as the backend).
    var kind: StoreKind { get }
    var capabilities: Capabilities { get }
    /// The address of `path` as a user would type it (`/tmp/x`, `sftp://u@h:22/x`).
    func display(_ path: VPath) -> String

    // MARK: - Primitives

    /// Metadata of one entry.
    /// - Throws: `.notFound`.
    func info(_ path: VPath) async throws -> FileInfo
    /// The direct children of a directory, in pages.
    /// - Throws (from the listing): `.notFound`, `.notADirectory`.
    func list(_ directory: VPath) -> Listing
    /// The content of a file, whole or a range of it.
    /// - Throws: `.notFound`, `.isADirectory`.
    func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream
    /// Writes a file atomically: either all of `content` appears under `path`, or nothing
    /// changes there. Honours `attributes` (modification time, expected size and hashes,
    /// hashes to compute while streaming).
    /// - Returns: the new file's info, with the computed hashes.
    /// - Throws: `.checksumMismatch` when expectations fail, `.isADirectory`, `.permissionDenied`.
    @discardableResult
    func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo
    /// Removes a file.
    /// - Throws: `.notFound`, `.isADirectory`.
    func remove(_ path: VPath) async throws
    /// Creates one directory; its parent must exist.
    /// - Throws: `.alreadyExists` (also when a file is in the way), `.notFound` for a missing parent.
    func makeDirectory(_ path: VPath) async throws
    /// Removes an empty directory.
    /// - Throws: `.notEmpty`, `.notFound`, `.notADirectory`.
    func removeDirectory(_ path: VPath) async throws

    // MARK: - Operations a store may do better
    //
    // Each has a generic default in the extension below, built from the primitives. A store
    // overrides one by implementing it; because each is a requirement, the override is what
    // runs through `any VirtualFileSystem` (a method only in an extension is bound statically,
    // and a backend's better version would never be reached). Whether an override is cheap
    // (done on the server) rather than the fallback is declared in `Capabilities`.

    /// Every entry below `root` (not `root` itself), depth first, each directory's children in
    /// sorted order, a directory before its contents, at most `maxDepth` levels down. Names
    /// that are not safe path segments (`SafeName`) are neither yielded nor recursed into.
    func walk(_ root: VPath, maxDepth: Int) -> AsyncThrowingStream<FileInfo, any Error>
    /// Every entry below `root` (not `root` itself), in pages, in the store's order. Stores
    /// whose `capabilities.recursiveListing` is true do it in one stream (S3 without a
    /// delimiter); the default walks. Directories that hold entries may be left out.
    /// - Throws (from the listing): `.notFound`, `.notADirectory`, or `.unsupported` when the
    ///   store cannot list this tree in one stream after all (then walk).
    func listRecursive(_ root: VPath) -> Listing
    /// The part of `listRecursive(root)` whose paths relative to `root` are in `range` (files)
    /// or may hold paths in it (directories). S3 asks the server for that run of keys only
    /// (`StartAfter`, stopping past the end); the default filters the whole listing.
    func listRecursive(_ root: VPath, within range: PathRange) -> Listing
    /// Creates a directory and any missing parents (`mkdir -p`). Existing directories are fine.
    /// - Throws: `.alreadyExists` when a file is in the way.
    func makeDirectories(_ path: VPath) async throws
    /// Removes a file, or a directory with everything below it.
    /// - Returns: the number of files removed.
    @discardableResult
    func removeTree(_ path: VPath) async throws -> Int
    /// Removes many files; missing ones are not errors. Stores with
    /// `capabilities.batchRemoval` do it in few requests (S3 `DeleteObjects`: 1,000 keys each).
    /// - Returns: how many were removed (as the store reports it).
    /// - Throws: the first failure, after every file (or batch) was tried.
    @discardableResult
    func removeMany(_ paths: [VPath]) async throws -> Int
    /// Expands a glob pattern (`*`, `?`, `[...]`, `**`) written as a path in this store.
    /// - Returns: the matching entries, sorted.
    /// - Throws: `.notFound` when nothing matches.
    func glob(_ pattern: VPath) async throws -> [FileInfo]
    /// Copies a file inside the store. With `capabilities.serverSideCopy` the bytes stay on the
    /// server; the default streams them through dctc.
    /// - Returns: the new file's info.
    func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo
    /// Moves (renames) a file or directory inside the store, replacing a file at the
    /// destination. With `capabilities.serverSideMove` it is done on the server; the default
    /// copies a file and removes the source, and throws `.unsupported` for a directory.
    func move(from source: VPath, to destination: VPath) async throws
}

// MARK: - Optional powers

/// Marks a store whose `copy(from:to:attributes:)` is done on the server. New code reads
/// `capabilities.serverSideCopy`; the marker stays so that existing casts keep compiling.
public protocol ServerSideCopying: VirtualFileSystem {}

/// Marks a store whose `move(from:to:)` is an atomic rename. New code reads
/// `capabilities.serverSideMove`.
public protocol Moving: VirtualFileSystem {}

/// Changes the modification time of an existing entry.
public protocol ModificationTimeSetting: VirtualFileSystem {
    func setModificationTime(_ path: VPath, to date: Date) async throws
}

/// Computes a content hash on the store's side (or from a cache the store keeps).
public protocol HashProviding: VirtualFileSystem {
    func hash(_ path: VPath, kind: HashKind) async throws -> String
}

/// Reads and creates symbolic links (local disks, SFTP servers).
public protocol SymbolicLinking: VirtualFileSystem {
    /// The target stored in the link at `path` (`readlink`), as written, not resolved.
    /// - Throws: `.notFound`, `.invalidArgument` when `path` is not a link.
    func linkTarget(_ path: VPath) async throws -> String
    /// Creates a symbolic link at `path` pointing to `target` (`symlink`).
    /// - Throws: `.alreadyExists` when something is at `path`, `.notFound` for a missing parent.
    func makeLink(_ path: VPath, target: String) async throws
}

/// A store that can present its tree with symbolic links followed (rclone's `-L/--copy-links`).
///
/// By default a store with links lists each link as a `.symlink` entry (with `linkTarget`),
/// never as the thing it points to, so no walk can loop. The following view lists a link as
/// its target; a link to a directory that is also on the current path (same device and
/// inode as the listed directory or one of its ancestors) is reported "filesystem loop at X,
/// skipped" and left out, a broken link is reported and left out.
public protocol LinkFollowing: VirtualFileSystem {
    /// The same store, with links followed.
    func followingLinks() -> any VirtualFileSystem
}

// MARK: - Derived

extension VirtualFileSystem {
    public func read(_ path: VPath) async throws -> ByteStream { try await read(path, range: nil) }

    /// True when the entry exists. Errors other than "not found" are thrown.
    public func exists(_ path: VPath) async throws -> Bool {
        try await infoIfExists(path) != nil
    }

    /// The entry's info, or nil when it does not exist.
    public func infoIfExists(_ path: VPath) async throws -> FileInfo? {
        do { return try await info(path) } catch let e as VFSError where e.code == .notFound { return nil }
    }

    /// The entry's info with the modification time the store keeps: a listed entry as it is,
    /// unless the store's listings carry another time (S3's upload time), then one `info`.
    public func withKeptModificationTime(_ listed: FileInfo) async throws -> FileInfo {
        guard !capabilities.listingHasModificationTime && capabilities.preservesModificationTime else { return listed }
        return try await info(listed.path)
    }

    /// All children of a directory, sorted by path.
    public func listAll(_ directory: VPath) async throws -> [FileInfo] {
        var all: [FileInfo] = []
        for try await page in list(directory) { all.append(contentsOf: page) }
        // Children share their parent, so ordering by name bytes is the VPath order, without
        // re-comparing the common prefix in every comparison (measured: 15 % of a no-change sync).
        return all.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Every entry below `root`, however deep (see the requirement `walk(_:maxDepth:)`).
    public func walk(_ root: VPath) -> AsyncThrowingStream<FileInfo, any Error> {
        walk(root, maxDepth: .max)
    }

    /// Default `walk`: one sorted listing per directory on a stack. Memory is bounded by the
    /// widest directory times the depth, not by the tree size.
    public func walk(_ root: VPath, maxDepth: Int) -> AsyncThrowingStream<FileInfo, any Error> {
        let walker = TreeWalker(fs: self, root: root, maxDepth: maxDepth)
        return AsyncThrowingStream(unfolding: { try await walker.next() })
    }

    /// Default `listRecursive`: one listing per directory (the default walk), in pages of the
    /// store's page size.
    public func listRecursive(_ root: VPath) -> Listing {
        let pageSize = Swift.max(1, capabilities.listPageSize)
        let walker = TreeWalker(fs: self, root: root, maxDepth: .max)
        return Listing { try await walker.nextPage(pageSize) }
    }

    /// Default ranged `listRecursive`: the whole listing, filtered.
    public func listRecursive(_ root: VPath, within range: PathRange) -> Listing {
        let whole = listRecursive(root)
        guard !range.isEverything else { return whole }
        let pages = whole.makeAsyncIterator().source
        return Listing {
            while let page = try await pages.next() {
                let kept = page.filter { entry in
                    guard let rel = entry.path.relative(to: root) else { return false }
                    return entry.isDirectory ? range.mayHold(directory: rel) : range.contains(rel)
                }
                if !kept.isEmpty { return kept }
            }
            return nil
        }
    }

    /// Default `removeMany`: one `remove` per file, missing files ignored.
    @discardableResult
    public func removeMany(_ paths: [VPath]) async throws -> Int {
        var removed = 0
        var firstError: (any Error)?
        for path in paths {
            do {
                try await remove(path)
                removed += 1
            } catch let e as VFSError where e.code == .notFound {
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return removed
    }

    /// Default `copy`: the bytes stream through dctc, read from `source` and written
    /// atomically to `destination`.
    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        let stream = try await read(source, range: nil)
        return try await write(destination, from: stream, attributes: attributes)
    }

    /// Default `move`: a verified copy of a file, then removal of the source. A directory
    /// cannot be moved this way (`.unsupported`: move its files one by one).
    public func move(from source: VPath, to destination: VPath) async throws {
        let info = try await info(source)
        guard !info.isDirectory else {
            throw VFSError(.unsupported, "this store cannot rename a directory", path: display(source),
                           remedy: "move the files one by one (dctc mv does so by itself)")
        }
        var attributes = WriteAttributes(modificationTime: info.modificationTime)
        attributes.expectedSize = info.size
        attributes.sizeHint = info.size
        attributes.expectedHashes = info.hashes
        _ = try await copy(from: source, to: destination, attributes: attributes)
        try await remove(source)
    }

    /// Every entry below `root` (not `root` itself), depth first, a directory before its
    /// contents. Entries whose names are not safe path segments never come out (see `Listing`).
    /// - Parameter intoLinkedFolders: descend into a folder reached through a symbolic link
    ///   (an entry with a `linkTarget`, listed as a directory by a store that follows links);
    ///   false lists such a link without entering it (`removeTree` never deletes through one).
    public func walk(_ root: VPath, maxDepth: Int = .max, intoLinkedFolders: Bool) -> AsyncThrowingStream<FileInfo, any Error> {
        if intoLinkedFolders { return walk(root, maxDepth: maxDepth) }
        let walker = TreeWalker(fs: self, root: root, maxDepth: maxDepth, intoLinkedFolders: false)
        return AsyncThrowingStream(unfolding: { try await walker.next() })
    }

    /// The whole content of a small file.
    public func readAll(_ path: VPath, limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
        try await read(path, range: nil).collect(limit: limit)
    }

    /// Writes bytes held in memory.
    @discardableResult
    public func write(_ path: VPath, bytes: [UInt8], attributes: WriteAttributes = .none) async throws -> FileInfo {
        try await write(path, from: .bytes(bytes), attributes: attributes)
    }

    /// Default `makeDirectories`: checks and creates one level at a time.
    public func makeDirectories(_ path: VPath) async throws {
        guard !path.isRoot else { return }
        guard capabilities.hasDirectories else {
            // Object stores: only a bucket (the first component) has to exist; deeper
            // "directories" are key prefixes. makeDirectory of a bucket creates it.
            let bucket = VPath(components: [path.components[0]])
            if try await infoIfExists(bucket) == nil {
                do { try await makeDirectory(bucket) } catch let e as VFSError where e.code == .alreadyExists {}
            }
            return
        }
        if let existing = try await infoIfExists(path) {
            guard existing.isDirectory else {
                throw VFSError(.alreadyExists, "a file is in the way of a directory", path: display(path),
                               remedy: "remove or rename the file first")
            }
            return
        }
        try await makeDirectories(path.parent)
        do { try await makeDirectory(path) } catch let e as VFSError where e.code == .alreadyExists {
            // Someone else created it meanwhile: fine if it is a directory.
            if try await info(path).isDirectory == false { throw e }
        }
    }

    /// Default `removeTree`: walks (never through a symbolic link: a link is removed as a
    /// link, what it points to is never touched), removes each file (in batches where the
    /// store removes many at once), then the directories deepest first.
    /// - Returns: the number of files removed.
    @discardableResult
    public func removeTree(_ path: VPath) async throws -> Int {
        let top = try await info(path)
        guard top.isDirectory else { try await remove(path); return 1 }
        var directories: [VPath] = [path]
        var removed = 0
        var batch: [VPath] = []
        let batchSize = capabilities.batchRemoval ? 1000 : 1
        for try await entry in walk(path, intoLinkedFolders: false) {
            if entry.isDirectory && entry.linkTarget == nil { directories.append(entry.path) } else {
                batch.append(entry.path)
                if batch.count >= batchSize {
                    removed += try await removeMany(batch)
                    batch.removeAll()
                }
            }
        }
        if !batch.isEmpty { removed += try await removeMany(batch) }
        if capabilities.hasDirectories {
            for dir in directories.sorted(by: { $0.depth > $1.depth }) {
                do { try await removeDirectory(dir) } catch let e as VFSError where e.code == .notFound {}
            }
        }
        return removed
    }

    /// Default `glob`: walks below the pattern's literal prefix.
    ///
    /// A path without glob characters is returned as is when it exists. A path that exists
    /// literally wins over its reading as a pattern (a file may be named `a?b`).
    /// - Returns: the matching entries, sorted.
    /// - Throws: `.notFound` when nothing matches; never falls back to the parent folder.
    public func glob(_ pattern: VPath) async throws -> [FileInfo] {
        if let literal = try await infoIfExists(pattern) { return [literal] }
        guard Glob.hasMagic(pattern.string) else { throw VFSError.notFound(display(pattern)) }
        let glob = try Glob(pattern)
        var base = VPath.root
        for component in pattern.components {
            if Glob.hasMagic(component) { break }
            base = base.appending(component)
        }
        var matches: [FileInfo] = []
        let remainingDepth = glob.hasRecursiveWildcard ? Int.max : pattern.depth - base.depth
        if try await infoIfExists(base)?.isDirectory == true || base.isRoot {
            for try await entry in walk(base, maxDepth: remainingDepth) where glob.matches(entry.path) {
                matches.append(entry)
            }
        }
        guard !matches.isEmpty else {
            throw VFSError(.notFound, "no file matches the pattern", path: display(pattern),
                           remedy: "check the pattern; quote it so your shell does not expand it")
        }
        return matches.sorted { $0.path < $1.path }
    }
}

/// Depth-first walker used by `walk`: one sorted directory listing per level on a stack.
actor TreeWalker {
    private let fs: any VirtualFileSystem
    private var stack: [(entries: [FileInfo], index: Int, depth: Int)] = []
    private let root: VPath
    private let maxDepth: Int
    private let intoLinkedFolders: Bool
    private var started = false

    init(fs: any VirtualFileSystem, root: VPath, maxDepth: Int, intoLinkedFolders: Bool = true) {
        self.fs = fs
        self.root = root
        self.maxDepth = maxDepth
        self.intoLinkedFolders = intoLinkedFolders
    }

    func next() async throws -> FileInfo? {
        if !started {
            started = true
            guard maxDepth > 0 else { return nil }
            stack.append((try await fs.listAll(root), 0, 1))
        }
        while var top = stack.popLast() {
            guard top.index < top.entries.count else { continue }
            let entry = top.entries[top.index]
            top.index += 1
            stack.append(top)
            // A name that is not a safe path segment (`.`, `..`, empty, with `/`) is never
            // yielded or recursed into: listing `..` would list an ancestor, without end.
            guard SafeName.isSafe(entry.name) else { continue }
            if entry.isDirectory && top.depth < maxDepth && (intoLinkedFolders || entry.linkTarget == nil) {
                stack.append((try await fs.listAll(entry.path), 0, top.depth + 1))
            }
            return entry
        }
        return nil
    }

    /// Up to `size` entries, or nil at the end.
    func nextPage(_ size: Int) async throws -> [FileInfo]? {
        var page: [FileInfo] = []
        while page.count < size, let entry = try await next() { page.append(entry) }
        return page.isEmpty ? nil : page
    }
}

