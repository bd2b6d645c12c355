import DCTCCore
import DCTCDigest
import Foundation

/// A store held in memory, for unit tests. It passes the same conformance suite as every
/// other store, so code tested against it behaves the same against the real ones.
///
/// Writes are atomic by construction: the content is gathered first and swapped in whole.
///
/// Two modes: a tree of directories (like a disk), or an object store (`objectStore: true`,
/// like S3): a flat set of keys of any bytes, "directories" are key prefixes, whole-tree
/// listings and batch removal. Keys that are not paths (`k/./x`, `a//b`, `/abs`, `../up`) can
/// be put with `putObject(key:bytes:)`, as S3 allows, to test what listings make of them.
/// `injectFault` makes the Nth call of an operation (or every call on a path) fail.
public final class MemoryFileSystem: VirtualFileSystem, ServerSideCopying, Moving, ModificationTimeSetting, HashProviding,
    RecursiveListing, BatchRemoving {
    public let kind = StoreKind.memory
    public let name: String
    public let capabilities: Capabilities
    /// True in object-store mode.
    public let isObjectStore: Bool
    private let state = MemoryTree()
    private let objects = ObjectTree()
    private let faults = Locked(FaultBook())

    /// - Parameters:
    ///   - name: shown in addresses (`mem://NAME/path`).
    ///   - listPageSize: entries per listing page (small values exercise paging).
    ///   - objectStore: keys and prefixes instead of files and directories (S3's model).
    public init(name: String = "test", listPageSize: Int = 1000, objectStore: Bool = false) {
        self.name = name
        self.isObjectStore = objectStore
        capabilities = Capabilities(
            writable: true, hasDirectories: !objectStore, rangedReads: true, preservesModificationTime: true,
            modificationTimePrecision: 1e-6, knownHashes: [.md5], remoteHashes: Set(HashKind.allCases),
            recursiveListing: objectStore, maxNameBytes: objectStore ? nil : 255, listPageSize: listPageSize,
            serverSideCopy: true, serverSideMove: true)
    }

    // MARK: - Faults

    /// The operations a fault can be injected into.
    public enum Operation: String, Sendable, CaseIterable {
        case info, list, read, write, remove, makeDirectory, removeDirectory, copy, move, setModificationTime, hash,
             listRecursive, removeMany
    }

    /// Makes calls of `operation` fail with `error`: the `onCall`-th call (1-based, counted from
    /// now), or every call on `path` when given, at most `times` times.
    public func injectFault(_ error: VFSError, into operation: Operation, onCall: Int? = nil, path: VPath? = nil,
                            times: Int = 1) {
        faults.withLock { book in
            let base = book.calls[operation, default: 0]
            book.faults.append(FaultBook.Fault(operation: operation, call: onCall.map { base + $0 }, path: path,
                                               error: error, remaining: max(1, times)))
        }
    }

    /// How many times `operation` was called.
    public func calls(of operation: Operation) -> Int { faults.withLock { $0.calls[operation, default: 0] } }

    private func checkFault(_ operation: Operation, _ path: VPath) throws {
        if let error = faults.withLock({ $0.hit(operation, path) }) { throw error }
    }

    // MARK: - Object-store mode

    /// Stores an object under a raw key (any bytes, `.`/`..`/empty segments included), as an
    /// S3 `PutObject` would. Object-store mode only.
    public func putObject(key: String, bytes: [UInt8], modificationTime: Date = Date()) async {
        let hashes: [HashKind: String] = (try? Digest.hash(bytes, kind: .md5)).map { [.md5: $0] } ?? [:]
        await objects.put(key, .init(data: bytes, mtime: MemoryFileSystem.truncate(modificationTime), hashes: hashes))
    }

    /// Every raw key, sorted by bytes. Object-store mode only.
    public func objectKeys() async -> [String] { await objects.keys() }

    /// The address of a raw key, written as it is (for reports of keys that are not paths).
    func display(key: String) -> String {
        Address(scheme: .memory, path: .root, host: name).description + key
    }

    static func key(_ path: VPath) -> String { path.components.joined(separator: "/") }

    public func display(_ path: VPath) -> String {
        Address(scheme: .memory, path: path, host: name).description
    }

    public func info(_ path: VPath) async throws -> FileInfo {
        try checkFault(.info, path)
        if isObjectStore { return try await objectInfo(path) }
        guard let node = await state.node(path) else { throw VFSError.notFound(display(path)) }
        return node.info(path)
    }

    public func list(_ directory: VPath) -> Listing {
        let pageSize = capabilities.listPageSize
        let shown = display(directory)
        let state = self.state
        let cursor = PageCursor()
        return Listing(display: { [self] in display($0) }) { [self] in
            if await cursor.isFirst {
                try checkFault(.list, directory)
                if isObjectStore {
                    await cursor.load(try await objectChildren(directory))
                } else {
                    await cursor.load(try await state.children(directory, display: shown))
                }
            }
            return await cursor.nextPage(pageSize)
        }
    }

    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        try checkFault(.read, path)
        let found: MemoryNode?
        if isObjectStore {
            if let object = await objects.get(MemoryFileSystem.key(path)) {
                found = .file(object.data, object.mtime, object.hashes)
            } else if await objects.hasPrefix(MemoryFileSystem.key(path) + "/") {
                found = .directory(Date())
            } else {
                found = nil
            }
        } else {
            found = await state.node(path)
        }
        guard let node = found else { throw VFSError.notFound(display(path)) }
        guard case .file(let data, _, _) = node else {
            throw VFSError(.isADirectory, "is a directory", path: display(path), remedy: "use -r for directories")
        }
        let start = Int(min(Int64(data.count), range?.offset ?? 0))
        let end = range?.length.map { Int(min(Int64(data.count), Int64(start) + $0)) } ?? data.count
        return .bytes(Array(data[start..<end]))
    }

    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        do { try checkFault(.write, path) } catch { await content.cancel(); throw error }
        let kinds = attributes.computeHashes.union(attributes.expectedHashes.keys).union([.md5])
        let hasher = try HashingTransform(kinds: kinds)
        var data: [UInt8] = []
        do {
            for try await chunk in content {
                try Task.checkCancellation()
                _ = try hasher.process(chunk)
                data.append(contentsOf: chunk)
            }
        } catch {
            throw VFSError.wrap(error, path: shown)
        }
        let hashes = hasher.results()
        try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: Int64(data.count),
                          expected: attributes.expectedHashes, actual: hashes)
        let mtime = attributes.modificationTime.map(MemoryFileSystem.truncate) ?? Date()
        if isObjectStore {
            guard !path.isRoot else { throw VFSError(.isADirectory, "is a directory", path: shown) }
            await objects.put(MemoryFileSystem.key(path), .init(data: data, mtime: mtime, hashes: hashes))
            var info = try await objectInfo(path)
            info.hashes = hashes
            return info
        }
        try await state.putFile(path, data: data, mtime: mtime, hashes: hashes, createParents: attributes.createParents,
                                display: display)
        var info = try await info(path)
        info.hashes = hashes
        return info
    }

    public func remove(_ path: VPath) async throws {
        try checkFault(.remove, path)
        if isObjectStore {
            let key = MemoryFileSystem.key(path)
            if await objects.remove(key) { return }
            if await objects.hasPrefix(key + "/") {
                throw VFSError(.isADirectory, "is a directory", path: display(path), remedy: "use rm -r")
            }
            throw VFSError.notFound(display(path))
        }
        try await state.remove(path, directory: false, display: display)
    }

    public func makeDirectory(_ path: VPath) async throws {
        try checkFault(.makeDirectory, path)
        if isObjectStore {
            // Prefixes exist when keys do; only the root is always there.
            if path.isRoot { throw VFSError(.alreadyExists, "already exists", path: display(path)) }
            return
        }
        try await state.makeDirectory(path, display: display)
    }

    public func removeDirectory(_ path: VPath) async throws {
        try checkFault(.removeDirectory, path)
        if isObjectStore {
            let key = MemoryFileSystem.key(path)
            if path.isRoot { throw VFSError(.permissionDenied, "cannot remove the root", path: display(path)) }
            if await objects.hasPrefix(key + "/") {
                throw VFSError(.notEmpty, "directory is not empty", path: display(path),
                               remedy: "remove its contents first, or use `dctc rm -r`")
            }
            if await objects.get(key) != nil {
                throw VFSError(.notADirectory, "not a directory", path: display(path), remedy: "use rm for files")
            }
            return
        }
        try await state.remove(path, directory: true, display: display)
    }

    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        try checkFault(.copy, source)
        return try await write(destination, from: read(source, range: nil), attributes: attributes)
    }

    public func move(from source: VPath, to destination: VPath) async throws {
        try checkFault(.move, source)
        if isObjectStore {
            let from = MemoryFileSystem.key(source), to = MemoryFileSystem.key(destination)
            if let object = await objects.get(from) {
                await objects.put(to, object)
                _ = await objects.remove(from)
                return
            }
            let below = await objects.keys(withPrefix: from + "/")
            guard !below.isEmpty else { throw VFSError.notFound(display(source)) }
            for key in below {
                if let object = await objects.get(key) {
                    await objects.put(to + "/" + key.utf8.dropFirst(from.utf8.count + 1).string, object)
                    _ = await objects.remove(key)
                }
            }
            return
        }
        try await state.move(source, destination, display: display)
    }

    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        try checkFault(.setModificationTime, path)
        if isObjectStore {
            let key = MemoryFileSystem.key(path)
            guard var object = await objects.get(key) else { throw VFSError.notFound(display(path)) }
            object.mtime = MemoryFileSystem.truncate(date)
            await objects.put(key, object)
            return
        }
        try await state.setModificationTime(path, MemoryFileSystem.truncate(date), display: display)
    }

    public func hash(_ path: VPath, kind: HashKind) async throws -> String {
        try checkFault(.hash, path)
        if !isObjectStore, case .file(_, _, let hashes)? = await state.node(path), let h = hashes[kind] { return h }
        if isObjectStore, let h = await objects.get(MemoryFileSystem.key(path))?.hashes[kind] { return h }
        return try await read(path, range: nil).hashes([kind]).hashes[kind] ?? ""
    }

    // MARK: - Whole trees

    /// Every entry below `root` in one stream (object-store mode; `.unsupported` otherwise),
    /// in key order. Directories holding objects are implied by the files' paths. A key with
    /// an empty segment (`a//b`, `/abs`) cannot be named as a path: it is reported to
    /// `SkippedEntries` and left out; `.`/`..` segments are left out by `Listing`'s rule.
    public func listRecursive(_ root: VPath) -> Listing {
        guard isObjectStore else {
            return .failing(VFSError.unsupported("a whole-tree listing", path: display(root), backend: kind))
        }
        let pageSize = capabilities.listPageSize
        let cursor = PageCursor()
        return Listing(display: { [self] in display($0) }) { [self] in
            if await cursor.isFirst {
                try checkFault(.listRecursive, root)
                let prefix = root.isRoot ? "" : MemoryFileSystem.key(root) + "/"
                let keys = await objects.keys(withPrefix: prefix)
                if keys.isEmpty, !root.isRoot {
                    if await objects.get(MemoryFileSystem.key(root)) != nil {
                        throw VFSError(.notADirectory, "not a directory", path: display(root))
                    }
                    throw VFSError.notFound(display(root))
                }
                var entries: [FileInfo] = []
                for key in keys {
                    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
                    guard !parts.contains(where: \.isEmpty) else {
                        SkippedEntries.report(address: display(key: key), reason: SafeName.problem(with: "") ?? "")
                        continue
                    }
                    guard let object = await objects.get(key) else { continue }
                    let path = VPath(components: parts.map(String.init))
                    entries.append(MemoryNode.file(object.data, object.mtime, object.hashes).info(path))
                }
                await cursor.load(entries)
            }
            return await cursor.nextPage(pageSize)
        }
    }

    /// Removes files; missing ones are not errors.
    @discardableResult
    public func removeMany(_ paths: [VPath]) async throws -> Int {
        var removed = 0
        for path in paths {
            try checkFault(.removeMany, path)
            if isObjectStore {
                if await objects.remove(MemoryFileSystem.key(path)) { removed += 1 }
            } else {
                do {
                    try await state.remove(path, directory: false, display: display)
                    removed += 1
                } catch let e as VFSError where e.code == .notFound {}
            }
        }
        return removed
    }

    // MARK: - Object-store helpers

    private func objectInfo(_ path: VPath) async throws -> FileInfo {
        if path.isRoot { return FileInfo(path: path, kind: .directory) }
        let key = MemoryFileSystem.key(path)
        if let object = await objects.get(key) {
            return MemoryNode.file(object.data, object.mtime, object.hashes).info(path)
        }
        if await objects.hasPrefix(key + "/") { return FileInfo(path: path, kind: .directory) }
        throw VFSError.notFound(display(path))
    }

    /// The children of a prefix, as S3 lists with a delimiter: names before the next `/` are
    /// directories, the rest files. An empty name (`a//b`, `/abs`) is reported and left out.
    private func objectChildren(_ directory: VPath) async throws -> [FileInfo] {
        let prefix = directory.isRoot ? "" : MemoryFileSystem.key(directory) + "/"
        let keys = await objects.keys(withPrefix: prefix)
        if keys.isEmpty, !directory.isRoot {
            if await objects.get(MemoryFileSystem.key(directory)) != nil {
                throw VFSError(.notADirectory, "not a directory", path: display(directory),
                               remedy: "list its parent folder instead")
            }
            throw VFSError.notFound(display(directory))
        }
        var out: [FileInfo] = []
        var seenDirectories = Set<[UInt8]>()
        for key in keys {
            let rest = Array(key.utf8.dropFirst(prefix.utf8.count))
            if let slash = rest.firstIndex(of: UInt8(ascii: "/")) {
                let name = String(decoding: rest[..<slash], as: UTF8.self)
                guard !name.isEmpty else {
                    SkippedEntries.report(address: display(key: key), reason: SafeName.problem(with: "") ?? "")
                    continue
                }
                if seenDirectories.insert(Array(name.utf8)).inserted {
                    out.append(FileInfo(path: directory.appending(name), kind: .directory))
                }
            } else if !rest.isEmpty, let object = await objects.get(key) {
                let name = String(decoding: rest, as: UTF8.self)
                out.append(MemoryNode.file(object.data, object.mtime, object.hashes).info(directory.appending(name)))
            }
        }
        return out
    }

    /// Microsecond precision, like many real stores.
    static func truncate(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1e6).rounded() / 1e6)
    }
}

enum MemoryNode: Sendable {
    case file([UInt8], Date, [HashKind: String])
    case directory(Date)

    func info(_ path: VPath) -> FileInfo {
        switch self {
        case .file(let data, let mtime, let hashes):
            let known = hashes.filter { $0.key == .md5 }
            return FileInfo(path: path, kind: .file, size: Int64(data.count), modificationTime: mtime,
                            etag: hashes[.md5], hashes: known)
        case .directory(let mtime):
            return FileInfo(path: path, kind: .directory, modificationTime: mtime)
        }
    }
}

/// Faults waiting to be injected, and the calls counted so far.
struct FaultBook: Sendable {
    struct Fault: Sendable {
        var operation: MemoryFileSystem.Operation
        var call: Int?
        var path: VPath?
        var error: VFSError
        var remaining: Int
    }
    var faults: [Fault] = []
    var calls: [MemoryFileSystem.Operation: Int] = [:]

    mutating func hit(_ operation: MemoryFileSystem.Operation, _ path: VPath) -> VFSError? {
        let n = calls[operation, default: 0] + 1
        calls[operation] = n
        guard let i = faults.firstIndex(where: { f in
            f.operation == operation && (f.call.map { $0 == n } ?? true) && (f.path.map { $0 == path } ?? true)
        }) else { return nil }
        let error = faults[i].error
        faults[i].remaining -= 1
        if faults[i].remaining <= 0 || faults[i].call != nil { faults.remove(at: i) }
        return error
    }
}

/// The objects of object-store mode, by raw key. Keyed by the key's bytes: Swift's `String`
/// equality would merge `cafe\u{301}` and `caf\u{e9}`, two different keys in S3.
actor ObjectTree {
    struct Object: Sendable {
        var data: [UInt8]
        var mtime: Date
        var hashes: [HashKind: String]
    }
    private var objects: [[UInt8]: (key: String, object: Object)] = [:]

    func put(_ key: String, _ object: Object) { objects[Array(key.utf8)] = (key, object) }
    func get(_ key: String) -> Object? { objects[Array(key.utf8)]?.object }
    func remove(_ key: String) -> Bool { objects.removeValue(forKey: Array(key.utf8)) != nil }
    func keys() -> [String] { keys(withPrefix: "") }
    func keys(withPrefix prefix: String) -> [String] {
        let p = Array(prefix.utf8)
        return objects.filter { $0.key.starts(with: p) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value.key)
    }
    func hasPrefix(_ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return objects.keys.contains { $0.starts(with: p) }
    }
}

extension Substring.UTF8View {
    var string: String { String(decoding: self, as: UTF8.self) }
}

actor PageCursor {
    private var entries: [FileInfo]?
    private var offset = 0
    var isFirst: Bool { entries == nil }
    func load(_ e: [FileInfo]) { entries = e }
    func nextPage(_ size: Int) -> [FileInfo]? {
        guard let entries, offset < entries.count || (offset == 0 && !entries.isEmpty) else { return nil }
        let end = min(entries.count, offset + size)
        defer { offset = end }
        return Array(entries[offset..<end])
    }
}

/// The tree itself: one dictionary from path to node, the root always a directory.
actor MemoryTree {
    private var nodes: [VPath: MemoryNode] = [.root: .directory(Date())]

    func node(_ path: VPath) -> MemoryNode? { nodes[path] }

    func children(_ dir: VPath, display: String) throws -> [FileInfo] {
        guard let node = nodes[dir] else { throw VFSError.notFound(display) }
        guard case .directory = node else {
            throw VFSError(.notADirectory, "not a directory", path: display, remedy: "list its parent folder instead")
        }
        return nodes.compactMap { path, node in
            path.depth == dir.depth + 1 && path.parent == dir ? node.info(path) : nil
        }
    }

    private func ensureParent(_ path: VPath, create: Bool, display: (VPath) -> String) throws {
        let parent = path.parent
        switch nodes[parent] {
        case .directory?: return
        case .file?:
            throw VFSError(.notADirectory, "a part of the path is a file, not a directory", path: display(path),
                           remedy: "check the path")
        case nil:
            guard create else { throw VFSError.notFound(display(parent)) }
            try ensureParent(parent, create: true, display: display)
            nodes[parent] = .directory(Date())
        }
    }

    func putFile(_ path: VPath, data: [UInt8], mtime: Date, hashes: [HashKind: String], createParents: Bool,
                 display: (VPath) -> String) throws {
        if case .directory? = nodes[path] {
            throw VFSError(.isADirectory, "is a directory", path: display(path), remedy: "choose a file name inside it")
        }
        try ensureParent(path, create: createParents, display: display)
        nodes[path] = .file(data, mtime, hashes)
    }

    func makeDirectory(_ path: VPath, display: (VPath) -> String) throws {
        guard nodes[path] == nil else {
            throw VFSError(.alreadyExists, "already exists", path: display(path), remedy: "choose another name")
        }
        try ensureParent(path, create: false, display: display)
        nodes[path] = .directory(Date())
    }

    func remove(_ path: VPath, directory: Bool, display: (VPath) -> String) throws {
        guard let node = nodes[path] else { throw VFSError.notFound(display(path)) }
        switch (node, directory) {
        case (.file, false):
            nodes[path] = nil
        case (.directory, true):
            guard !path.isRoot else {
                throw VFSError(.permissionDenied, "cannot remove the root", path: display(path))
            }
            if nodes.keys.contains(where: { $0.parent == path && $0 != path }) {
                throw VFSError(.notEmpty, "directory is not empty", path: display(path),
                               remedy: "remove its contents first, or use `dctc rm -r`")
            }
            nodes[path] = nil
        case (.directory, false):
            throw VFSError(.isADirectory, "is a directory", path: display(path), remedy: "use rmdir or rm -r")
        case (.file, true):
            throw VFSError(.notADirectory, "not a directory", path: display(path), remedy: "use rm for files")
        }
    }

    func move(_ source: VPath, _ destination: VPath, display: (VPath) -> String) throws {
        guard let node = nodes[source] else { throw VFSError.notFound(display(source)) }
        if case .directory? = nodes[destination] {
            throw VFSError(.isADirectory, "is a directory", path: display(destination))
        }
        try ensureParent(destination, create: true, display: display)
        if case .directory = node {
            let moving = nodes.filter { $0.key.hasPrefix(source) }
            for (p, _) in moving { nodes[p] = nil }
            for (p, n) in moving {
                nodes[VPath(components: destination.components + p.components.dropFirst(source.depth))] = n
            }
        } else {
            nodes[source] = nil
            nodes[destination] = node
        }
    }

    func setModificationTime(_ path: VPath, _ date: Date, display: (VPath) -> String) throws {
        switch nodes[path] {
        case .file(let d, _, let h)?: nodes[path] = .file(d, date, h)
        case .directory?: nodes[path] = .directory(date)
        case nil: throw VFSError.notFound(display(path))
        }
    }
}
