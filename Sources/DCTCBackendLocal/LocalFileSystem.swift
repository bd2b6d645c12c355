import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The local disk.
///
/// Writes are atomic: content goes to a temporary file in the destination directory
/// (`.dctc-XXXXXXXXXXXX.tmp`), is verified (size and any expected hashes), gets its
/// modification time, and is renamed over the final name; on any failure the temporary file
/// is removed and the final name is untouched. Reads are pulled in 256 KiB chunks with
/// `pread`, honour ranges, and hash while streaming when asked.
///
/// Local syscalls run on the calling task: they complete in microseconds from the page cache,
/// unlike the network C libraries, which get threads of their own.
///
/// Symbolic links follow rclone's model. By default a listing shows a link as a `.symlink`
/// entry with its `linkTarget` (never as what it points to), so walks cannot loop and copies
/// skip it with a notice. `followingLinks()` (`-L/--copy-links`) lists a link as its target;
/// a link to a directory that is on the current path (same device and inode as the listed
/// directory or one of its ancestors) is reported "filesystem loop" and left out, and a
/// broken link is reported and left out. `linkTarget`/`makeLink` read and recreate links
/// (`-l/--links`).
///
/// A write gives the new file `WriteAttributes.mode` when set (exactly, setuid/setgid
/// dropped), else keeps the mode of the file it replaces. The first write into a folder
/// removes `.dctc-*.tmp` files older than an hour there, left by runs that were killed.
public final class LocalFileSystem: VirtualFileSystem, ServerSideCopying, Moving, ModificationTimeSetting, HashProviding,
    SymbolicLinking, LinkFollowing {
    public let kind = StoreKind.local
    public let capabilities = Capabilities(
        writable: true, hasDirectories: true, rangedReads: true, preservesModificationTime: true,
        modificationTimePrecision: 1e-9, knownHashes: [], remoteHashes: Set(HashKind.allCases),
        recursiveListing: false, caseInsensitive: false, maxNameBytes: 255, listPageSize: 1000,
        serverSideCopy: true, serverSideMove: true)
    /// Listings show what links point to (with loop detection) instead of the links.
    public let followsLinks: Bool
    /// Folders already swept of stale temporary files by this process.
    private let swept = Locked<Set<String>>([])

    /// Large downloads keep their partial file when interrupted and continue it next time
    /// (`ResumableWriting`); false with `--no-resume`.
    public let resumesWrites: Bool

    /// Parallel ranged streams for large downloads (`--multi-thread-streams`, `--multi-thread-cutoff`).
    public let multiThread: MultiThreadDownloads

    /// - Parameters:
    ///   - followLinks: list links as their targets (`-L`), see the type's discussion.
    ///   - resumeWrites: keep and continue partial downloads (`ResumableWriting`).
    ///   - multiThread: when and how a large download is read with several ranged streams.
    public init(followLinks: Bool = false, resumeWrites: Bool = true, multiThread: MultiThreadDownloads = MultiThreadDownloads()) {
        followsLinks = followLinks
        resumesWrites = resumeWrites
        self.multiThread = multiThread
    }

    /// How old a `.dctc-*.tmp` file must be (by modification time) before a write into its
    /// folder removes it: a running write touches its file far more often.
    public static let staleTemporaryAge: TimeInterval = 3600

    /// How long the partial file of an interrupted large download (`.dctc-*.partial`) waits
    /// for a copy to continue it before a write into its folder removes it.
    public static let stalePartialAge: TimeInterval = 7 * 86400

    public func display(_ path: VPath) -> String { path.string }

    // MARK: - Primitives

    public func info(_ path: VPath) async throws -> FileInfo {
        try statEntry(path)
    }

    func statEntry(_ path: VPath) throws -> FileInfo {
        var st = Glibc.stat()
        if sysStat(path.string, &st) != 0 {
            let err = errno
            // A dangling symbolic link still exists as an entry.
            var lst = Glibc.stat()
            if err == ENOENT, lstat(path.string, &lst) == 0 {
                return LocalFileSystem.fileInfo(path, lst)
            }
            throw posixError(err, "stat", path: display(path))
        }
        return LocalFileSystem.fileInfo(path, st)
    }

    static func fileInfo(_ path: VPath, _ st: Glibc.stat) -> FileInfo {
        let kind: FileInfo.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let mtime = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9)
        return FileInfo(path: path, kind: kind, size: kind == .file ? Int64(st.st_size) : nil,
                        modificationTime: mtime, mode: UInt32(st.st_mode & 0o7777),
                        localIdentity: .init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), modificationTimeNanoseconds: ns))
    }

    public func list(_ directory: VPath) -> Listing {
        let pageSize = capabilities.listPageSize
        let display = self.display(directory)
        let reader: DirectoryReader
        do {
            reader = try DirectoryReader(directory, display: display, followLinks: followsLinks)
        } catch { return .failing(error) }
        return Listing(display: { $0.string }) { try reader.nextPage(pageSize) }
    }

    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        let fd = open(path.string, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(errno, "open", path: display(path)) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else {
            let err = errno
            close(fd)
            throw posixError(err, "fstat", path: display(path))
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            close(fd)
            throw posixError(EISDIR, "read", path: display(path))
        }
        let start = range?.offset ?? 0
        let end = range?.length.map { start + $0 }
        return ByteStream(FileReadSource(fd: fd, offset: start, end: end, display: display(path)))
    }

    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        guard !path.isRoot else { throw posixError(EISDIR, "write", path: shown) }
        if let existing = try? statEntry(path), existing.isDirectory {
            await content.cancel()
            throw posixError(EISDIR, "write", path: shown)
        }
        // A device or pipe (`/dev/null`, a FIFO) is written into, like cp(1) does: renaming a
        // temporary file over it would replace the device node with a regular file.
        var special = Glibc.stat()
        if sysStat(path.string, &special) == 0, special.st_mode & S_IFMT == S_IFCHR || special.st_mode & S_IFMT == S_IFIFO {
            return try await writeInPlace(path, from: content, attributes: attributes)
        }
        let dir = path.parent
        if attributes.createParents {
            do { try await makeDirectories(dir) } catch { await content.cancel(); throw error }
        }
        sweepStaleTemporaries(in: dir)
        let temp = dir.appending(".dctc-\(LocalFileSystem.randomSuffix()).tmp")
        // With a mode to give, the file starts private and gets its bits before the rename.
        let fd = open(temp.string, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, attributes.mode == nil ? 0o666 : 0o600)
        guard fd >= 0 else {
            let err = errno
            await content.cancel()
            throw posixError(err, "create", path: err == ENOENT ? display(dir) : shown)
        }
        var committed = false
        var closed = false
        defer {
            if !closed { close(fd) }
            if !committed { unlink(temp.string) }
        }
        let hasher = try HashingTransform(kinds: attributes.computeHashes.union(attributes.expectedHashes.keys))
        try await pour(content, into: fd, hasher: hasher, display: shown)
        let hashes = try finish(fd, path: path, hasher: hasher, attributes: attributes, display: shown)
        closed = true
        guard close(fd) == 0 else { throw posixError(errno, "close", path: shown) }
        guard rename(temp.string, path.string) == 0 else { throw posixError(errno, "rename", path: shown) }
        committed = true
        var info = try statEntry(path)
        info.hashes = hashes
        return info
    }

    /// Streams `content` into `fd`, through `hasher`.
    func pour(_ content: ByteStream, into fd: Int32, hasher: HashingTransform, display shown: String) async throws {
        do {
            for try await chunk in content {
                try Task.checkCancellation()
                _ = try hasher.process(chunk)
                try LocalFileSystem.writeAll(fd, chunk, display: shown)
            }
        } catch {
            await content.cancel()
            throw VFSError.wrap(error, path: shown)
        }
    }

    /// Checks what `hasher` saw against `attributes`, then gives the written file its mode and
    /// times (before the rename, so the final name never shows other bits).
    /// - Returns: the hashes of the content.
    func finish(_ fd: Int32, path: VPath, hasher: HashingTransform, attributes: WriteAttributes,
                display shown: String) throws -> [HashKind: String] {
        let hashes = hasher.results()
        try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: hasher.byteCount,
                          expected: attributes.expectedHashes, actual: hashes)
        // The mode asked for (never setuid/setgid), else keep the mode of a file being replaced.
        if let bits = attributes.permissionBits {
            guard fchmod(fd, mode_t(bits)) == 0 else { throw posixError(errno, "fchmod", path: shown) }
        } else {
            var old = Glibc.stat()
            if sysStat(path.string, &old) == 0 { fchmod(fd, old.st_mode & 0o7777) }
        }
        if let mtime = attributes.modificationTime {
            var times = LocalFileSystem.timespecs(mtime)
            guard futimens(fd, &times) == 0 else { throw posixError(errno, "futimens", path: shown) }
        }
        return hashes
    }

    /// Streams into an existing device or FIFO (no temporary file, no rename, no times).
    private func writeInPlace(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        let fd = open(path.string, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            await content.cancel()
            throw posixError(err, "open", path: shown)
        }
        defer { close(fd) }
        let hasher = try HashingTransform(kinds: attributes.computeHashes.union(attributes.expectedHashes.keys))
        try await pour(content, into: fd, hasher: hasher, display: shown)
        try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: hasher.byteCount,
                          expected: attributes.expectedHashes, actual: hasher.results())
        var info = try statEntry(path)
        info.hashes = hasher.results()
        return info
    }

    public func remove(_ path: VPath) async throws {
        var st = Glibc.stat()
        if lstat(path.string, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            throw posixError(EISDIR, "unlink", path: display(path))
        }
        guard unlink(path.string) == 0 else { throw posixError(errno, "unlink", path: display(path)) }
    }

    public func makeDirectory(_ path: VPath) async throws {
        guard mkdir(path.string, 0o777) == 0 else { throw posixError(errno, "mkdir", path: display(path)) }
    }

    public func removeDirectory(_ path: VPath) async throws {
        guard rmdir(path.string) == 0 else {
            let err = errno
            throw posixError(err == EEXIST ? ENOTEMPTY : err, "rmdir", path: display(path))
        }
    }

    // MARK: - Optional powers

    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        try await write(destination, from: read(source, range: nil), attributes: attributes)
    }

    public func move(from source: VPath, to destination: VPath) async throws {
        if let target = try? statEntry(destination), target.isDirectory {
            throw posixError(EISDIR, "rename", path: display(destination))
        }
        try await makeDirectories(destination.parent)
        if rename(source.string, destination.string) == 0 { return }
        let err = errno
        guard err == EXDEV else { throw posixError(err, "rename", path: display(source)) }
        let info = try statEntry(source)
        _ = try await copy(from: source, to: destination,
                           attributes: WriteAttributes(modificationTime: info.modificationTime, expectedSize: info.size))
        try await remove(source)
    }

    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        var times = LocalFileSystem.timespecs(date)
        guard utimensat(AT_FDCWD, path.string, &times, 0) == 0 else {
            throw posixError(errno, "utimensat", path: display(path))
        }
    }

    public func hash(_ path: VPath, kind: HashKind) async throws -> String {
        let result = try await read(path, range: nil).hashes([kind])
        return result.hashes[kind] ?? ""
    }

    // MARK: - Links

    public func followingLinks() -> any VirtualFileSystem {
        followsLinks ? self : LocalFileSystem(followLinks: true, resumeWrites: resumesWrites, multiThread: multiThread)
    }

    public func linkTarget(_ path: VPath) async throws -> String {
        try LocalFileSystem.readLink(path.string, display: display(path))
    }

    public func makeLink(_ path: VPath, target: String) async throws {
        guard symlink(target, path.string) == 0 else { throw posixError(errno, "symlink", path: display(path)) }
    }

    /// `readlink(2)` of a path (or of `name` in the folder `dirFD` when given).
    static func readLink(_ path: String, in dirFD: Int32? = nil, display: String) throws -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBufferPointer { b -> Int in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { p in
                if let dirFD { return readlinkat(dirFD, path, p, b.count - 1) }
                return readlink(path, p, b.count - 1)
            }
        }
        guard n >= 0 else {
            let err = errno
            throw err == EINVAL ? VFSError.invalid("not a symbolic link", path: display) : posixError(err, "readlink", path: display)
        }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    // MARK: - Leftovers

    /// Removes `.dctc-*.tmp` files older than `staleTemporaryAge` and `.dctc-*.partial` files
    /// older than `stalePartialAge` from `dir`, once per folder and process: partial files of
    /// runs that were killed (a run that ends any other way removes its own `.tmp`; a
    /// `.partial` waits for the next copy of the same content to continue it). Failures are ignored: the sweep is a courtesy, never a reason to fail.
    func sweepStaleTemporaries(in dir: VPath) {
        guard swept.withLock({ $0.insert(dir.string).inserted }) else { return }
        guard let d = opendir(dir.string) else { return }
        defer { closedir(d) }
        let now = Date().timeIntervalSince1970
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasPrefix(".dctc-"), name.hasSuffix(".tmp") || name.hasSuffix(".partial") else { continue }
            let age = name.hasSuffix(".tmp") ? LocalFileSystem.staleTemporaryAge : LocalFileSystem.stalePartialAge
            var st = Glibc.stat()
            guard fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG,
                  now - TimeInterval(st.st_mtim.tv_sec) > age else { continue }
            unlinkat(dirfd(d), name, 0)
        }
    }

    // MARK: - Helpers

    static func writeAll(_ fd: Int32, _ chunk: [UInt8], display: String) throws {
        if let err = FileDescriptorIO.writeAll(fd, chunk) { throw posixError(err, "write", path: display) }
    }

    static func timespecs(_ date: Date) -> [timespec] {
        let t = date.timeIntervalSince1970
        var sec = t.rounded(.down)
        var nsec = ((t - sec) * 1e9).rounded()
        if nsec >= 1e9 { sec += 1; nsec -= 1e9 }
        let ts = timespec(tv_sec: Int(sec), tv_nsec: Int(nsec))
        return [ts, ts]
    }

    static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff, radix: 16)
    }
}

/// `stat(2)`, under a name that the `stat` struct does not shadow.
func sysStat(_ path: String, _ st: inout Glibc.stat) -> Int32 { stat(path, &st) }

/// A file being read with `pread`, one chunk per pull; closes the descriptor at the end.
final class FileReadSource: ByteSource, @unchecked Sendable {
    // Guarded by `lock`: pulls may come from different threads, never at the same time.
    private let lock = NSLock()
    private var fd: Int32
    private var offset: Int64
    private let end: Int64?
    private let display: String
    private var sawShortRead = false

    init(fd: Int32, offset: Int64, end: Int64?, display: String) {
        self.fd = fd
        self.offset = offset
        self.end = end
        self.display = display
    }

    deinit { if fd >= 0 { close(fd) } }

    func next() async throws -> [UInt8]? {
        try lock.withLock {
            guard fd >= 0 else { return nil }
            // After a short read (usually the end of the file) probe with a small buffer: a sync
            // of many small files would otherwise map and fault in a fresh 1 MiB per file.
            var want = sawShortRead ? 64 << 10 : ByteStream.defaultChunkSize
            if let end { want = Int(min(Int64(want), end - offset)) }
            guard want > 0 else { closeLocked(); return nil }
            // Uninitialized: pread fills it, so no memset of a buffer that is mostly not used.
            var chunk: [UInt8]
            do {
                chunk = try [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
                    count = try preadRetrying(fd, buffer.baseAddress, want, at: offset, path: display)
                }
            } catch {
                closeLocked()
                throw error
            }
            let n = chunk.count
            if n == 0 { closeLocked(); return nil }
            offset += Int64(n)
            if n < want {
                sawShortRead = true
                // Hand out an exact-size copy rather than a mostly empty 1 MiB allocation.
                if chunk.capacity > 4 * n { chunk = Array(chunk[0..<n]) }
            }
            return chunk
        }
    }

    func cancel() async { lock.withLock { closeLocked() } }

    private func closeLocked() {
        if fd >= 0 { close(fd); fd = -1 }
    }
}

/// A directory being listed with `readdir`, a page per pull.
final class DirectoryReader: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var dir: OpaquePointer?
    private let path: VPath
    private let display: String

    private let followLinks: Bool
    /// Device and inode of the listed folder and of each of its ancestors, found when the first
    /// link to a folder is met (following links only).
    private var ancestors: Set<[UInt64]>?

    init(_ path: VPath, display: String, followLinks: Bool = false) throws {
        self.path = path
        self.display = display
        self.followLinks = followLinks
        guard let d = opendir(path.string) else { throw posixError(errno, "opendir", path: display) }
        dir = d
    }

    /// `[device, inode]` of every folder on the path from the root to the listed folder.
    private func ancestorIdentities() -> Set<[UInt64]> {
        if let ancestors { return ancestors }
        var found = Set<[UInt64]>()
        var p = path
        while true {
            var st = Glibc.stat()
            if sysStat(p.string, &st) == 0 { found.insert([UInt64(st.st_dev), UInt64(st.st_ino)]) }
            if p.isRoot { break }
            p = p.parent
        }
        ancestors = found
        return found
    }

    /// The entry for a link: as a link, or (following) as its target. A link that cannot be
    /// followed (broken, or a loop back to a folder on the path) is reported and stays a link
    /// entry, which no walk enters and `removeTree` removes as a link.
    private func linkEntry(_ dir: OpaquePointer, name: String, child: VPath, _ lst: Glibc.stat) -> FileInfo? {
        let target = try? LocalFileSystem.readLink(name, in: dirfd(dir), display: child.string)
        var asLink = LocalFileSystem.fileInfo(child, lst)
        asLink.linkTarget = target
        guard followLinks else { return asLink }
        var st = Glibc.stat()
        guard fstatat(dirfd(dir), name, &st, 0) == 0 else {
            let err = errno
            let reason = err == ELOOP ? "a symbolic link that points to itself (\(target ?? "?"))"
                : "a broken symbolic link (to \(target ?? "?"): \(String(cString: strerror(err))))"
            SkippedEntries.report(address: child.string, reason: reason)
            return asLink
        }
        if st.st_mode & S_IFMT == S_IFDIR, ancestorIdentities().contains([UInt64(st.st_dev), UInt64(st.st_ino)]) {
            SkippedEntries.report(address: child.string,
                                  reason: "filesystem loop at \(child.string) (the link to \(target ?? "?") leads back to a folder above it)")
            return asLink
        }
        var info = LocalFileSystem.fileInfo(child, st)
        info.linkTarget = target
        return info
    }

    deinit { if let dir { closedir(dir) } }

    func nextPage(_ size: Int) throws -> [FileInfo]? {
        try lock.withLock {
            guard let dir else { return nil }
            var page: [FileInfo] = []
            while page.count < size {
                errno = 0
                guard let entry = readdir(dir) else {
                    if errno != 0 { throw posixError(errno, "readdir", path: display) }
                    closedir(dir)
                    self.dir = nil
                    break
                }
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path.appending(name)
                var st = Glibc.stat()
                // Vanished since readdir: skip.
                if fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0 { continue }
                if st.st_mode & S_IFMT == S_IFLNK {
                    if let info = linkEntry(dir, name: name, child: child, st) { page.append(info) }
                    continue
                }
                page.append(LocalFileSystem.fileInfo(child, st))
            }
            return page.isEmpty && self.dir == nil ? nil : page
        }
    }
}
