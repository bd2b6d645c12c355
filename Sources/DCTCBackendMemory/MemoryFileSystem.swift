import DCTCCore
import DCTCDigest
import Foundation

/// A store held in memory, for unit tests. It passes the same conformance suite as every
/// other store, so code tested against it behaves the same against the real ones.
///
/// Writes are atomic by construction: the content is gathered first and swapped in whole.
public final class MemoryFileSystem: VirtualFileSystem, ServerSideCopying, Moving, ModificationTimeSetting, HashProviding {
    public let kind = "memory"
    public let name: String
    public let capabilities: Capabilities
    private let state = MemoryTree()

    /// - Parameters:
    ///   - name: shown in addresses (`mem://NAME/path`).
    ///   - listPageSize: entries per listing page (small values exercise paging).
    public init(name: String = "test", listPageSize: Int = 1000) {
        self.name = name
        capabilities = Capabilities(
            writable: true, hasDirectories: true, rangedReads: true, preservesModificationTime: true,
            modificationTimePrecision: 1e-6, knownHashes: [.md5], remoteHashes: Set(HashKind.allCases),
            recursiveListing: false, maxNameBytes: 255, listPageSize: listPageSize,
            serverSideCopy: true, serverSideMove: true)
    }

    public func display(_ path: VPath) -> String {
        Address(scheme: .memory, path: path, host: name).description
    }

    public func info(_ path: VPath) async throws -> FileInfo {
        guard let node = await state.node(path) else { throw VFSError.notFound(display(path)) }
        return node.info(path)
    }

    public func list(_ directory: VPath) -> Listing {
        let pageSize = capabilities.listPageSize
        let shown = display(directory)
        let state = self.state
        let cursor = PageCursor()
        return Listing {
            if await cursor.isFirst {
                let entries = try await state.children(directory, display: shown)
                await cursor.load(entries)
            }
            return await cursor.nextPage(pageSize)
        }
    }

    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        guard let node = await state.node(path) else { throw VFSError.notFound(display(path)) }
        guard case .file(let data, _, _) = node else {
            throw VFSError(.isADirectory, "is a directory", path: display(path), remedy: "use -r for directories")
        }
        let start = Int(min(Int64(data.count), range?.offset ?? 0))
        let end = range?.length.map { Int(min(Int64(data.count), Int64(start) + $0)) } ?? data.count
        return .bytes(Array(data[start..<end]))
    }

    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
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
        try await state.putFile(path, data: data, mtime: mtime, hashes: hashes, createParents: attributes.createParents,
                                display: display)
        var info = try await info(path)
        info.hashes = hashes
        return info
    }

    public func remove(_ path: VPath) async throws {
        try await state.remove(path, directory: false, display: display)
    }

    public func makeDirectory(_ path: VPath) async throws {
        try await state.makeDirectory(path, display: display)
    }

    public func removeDirectory(_ path: VPath) async throws {
        try await state.remove(path, directory: true, display: display)
    }

    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        try await write(destination, from: read(source, range: nil), attributes: attributes)
    }

    public func move(from source: VPath, to destination: VPath) async throws {
        try await state.move(source, destination, display: display)
    }

    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        try await state.setModificationTime(path, MemoryFileSystem.truncate(date), display: display)
    }

    public func hash(_ path: VPath, kind: HashKind) async throws -> String {
        if case .file(_, _, let hashes)? = await state.node(path), let h = hashes[kind] { return h }
        return try await read(path, range: nil).hashes([kind]).hashes[kind] ?? ""
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
