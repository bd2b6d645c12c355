import DCTCCore
import DCTCSSH
import Foundation

/// A folder tree on an SSH server, reached with SFTP (libssh2 through `DCTCSSH`).
///
/// Paths are absolute on the server (`sftp://me@host/srv/data` is `/srv/data`); a first
/// component `~` stands for the login folder (`sftp://me@host/~/notes`, as curl writes it).
/// Operations borrow a session from a pool of up to `maxConnections` (default 4), so parallel
/// transfers run on parallel connections; a read stream keeps its session until it ends or
/// is cancelled.
///
/// - Listings come from READDIR with the attributes each entry carries (no request per
///   entry; only symbolic links are followed with a STAT), in pages.
/// - Reads open the file (so a missing file or a folder fails at once), seek, and stream
///   with 1 MiB reads that libssh2 pipelines.
/// - Writes go to a short temporary name in the destination folder (`.dctc-XXXXXXXXXXXX.tmp`,
///   never derived from the final name, so 255-byte names work), verify the size and hashes
///   while streaming, set the modification time (SETSTAT, whole seconds in SFTP v3), and are
///   renamed over the final name; on any failure the temporary file is removed.
/// - Remote hashing runs `md5sum`/`sha1sum`/`sha256sum` over an exec channel when the server
///   proved it can (probed once when the store opens; `remote_hash = false` turns it off).
///   `capabilities.remoteHashes` says which, and is empty when the server cannot run them.
/// - Whole trees (`listRecursive`, for the sync engine) come from one remote `find -L` over the
///   same exec channel when the probe found a tool; otherwise they are listed per directory.
public final class SFTPFileSystem: VirtualFileSystem, Moving, ModificationTimeSetting, HashProviding, SymbolicLinking {
    public let kind = StoreKind.sftp
    public let capabilities: Capabilities
    public let config: SFTPConfig
    let pool: SFTPSessionPool
    /// Folders already swept of stale temporary files by this store.
    let sweptFolders = Locked<Set<String>>([])

    /// How old a `.dctc-*.tmp` file must be (by modification time) before a write into its
    /// folder removes it (a partial file of a run that was killed).
    public static let staleTemporaryAge: TimeInterval = 3600

    /// Entries per listing page.
    public static let listPageSize = 1000

    init(config: SFTPConfig, pool: SFTPSessionPool, remoteHashes: Set<HashKind>) {
        self.config = config
        self.pool = pool
        self.capabilities = Capabilities(
            writable: true, hasDirectories: true, rangedReads: true, preservesModificationTime: true,
            modificationTimePrecision: 1, knownHashes: [], remoteHashes: remoteHashes,
            // A whole tree in one remote `find` needs commands over ssh, which the probe proved.
            recursiveListing: !remoteHashes.isEmpty, caseInsensitive: false, maxNameBytes: 255,
            listPageSize: Self.listPageSize, serverSideMove: true)
    }

    /// Opens the store: connects the first session (so bad credentials, an unknown host key or
    /// an unreachable server fail here, naming `sftp://user@host:port`), probes the hash tools
    /// unless `config.remoteHash == false`, and keeps that session for the first operation.
    ///
    /// - Parameter config: where and how to connect.
    /// - Returns: the store.
    /// - Throws: `VFSError` `.unavailable` (refused, unreachable; retryable), `.timedOut`,
    ///   `.authenticationFailed` (credentials, unknown or changed host key), `.invalidArgument`
    ///   (unknown host name).
    public static func connect(_ config: SFTPConfig) async throws -> SFTPFileSystem {
        let pool = SFTPSessionPool(config: config)
        let lease = try await pool.checkout()
        var hashes: Set<HashKind> = []
        if config.remoteHash != false {
            hashes = await SFTPRemoteHashing.probe(lease.connection.session)
        }
        await pool.checkin(lease.connection)
        return SFTPFileSystem(config: config, pool: pool, remoteHashes: hashes)
    }

    /// Closes the idle sessions; sessions lent to running operations close when those end.
    public func close() async {
        await pool.close()
    }

    /// How many sessions the store has open now, at most so far, and opened in total.
    public var sessionStatistics: (open: Int, peak: Int, opened: Int) {
        get async { (await pool.openConnections, await pool.peakOpen, await pool.opened) }
    }

    public func display(_ path: VPath) -> String {
        Address(scheme: .sftp, path: path, user: config.user, host: config.displayHost, port: config.port).description
    }

    /// The path sent to the server: absolute, or relative to the login folder below `~`.
    func remotePath(_ path: VPath) -> String {
        if path.components.first == "~" {
            let rest = path.components.dropFirst()
            return rest.isEmpty ? "." : rest.joined(separator: "/")
        }
        return path.string
    }

    /// The login folder or the root: folders that always exist.
    func isTop(_ path: VPath) -> Bool {
        path.isRoot || (path.components.count == 1 && path.components[0] == "~")
    }

    // MARK: - Primitives

    /// STAT, following symbolic links (a dangling link is described as the link).
    /// - Throws: `.notFound`, `.permissionDenied`, `.unavailable`...
    public func info(_ path: VPath) async throws -> FileInfo {
        try await withConnection(path) { sftp in try await self.fetchInfo(sftp, path) }
    }

    /// OPENDIR + READDIR, in pages of `listPageSize`, with the attributes each entry carries.
    /// The listing borrows one session from its first page to its last.
    /// - Throws (from the listing): `.notFound`, `.notADirectory`, `.permissionDenied`...
    public func list(_ directory: VPath) -> Listing {
        let lister = SFTPLister(fs: self, directory: directory)
        return Listing(display: { [self] in display($0) }) { try await lister.nextPage() }
    }

    /// Opens the file (so a missing file or a folder fails here), then streams it from
    /// `range.offset` with pipelined 1 MiB reads. The stream keeps its session until it ends, is
    /// cancelled, or is dropped; a lost connection ends it with a retryable `.unavailable`.
    /// - Throws: `.notFound`, `.isADirectory`, `.permissionDenied`, `.unavailable`...
    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        let shown = display(path)
        let remote = remotePath(path)
        var retried = false
        while true {
            let lease = try await pool.checkout()
            let connection = lease.connection
            do {
                let file = try await connection.sftp.openRead(remote)
                let pool = self.pool
                let stream = file.contentStream(from: UInt64(range?.offset ?? 0), length: range?.length, errorPath: shown) {
                    Task { await pool.checkin(connection) }
                }
                return ByteStream(SFTPReadSource(stream))
            } catch {
                await pool.checkin(connection)
                if shouldRetry(error, lease: lease, retried: retried) { retried = true; continue }
                throw SFTPErrors.map(error, display: shown)
            }
        }
    }

    /// REMOVE of a file or symbolic link.
    /// - Throws: `.notFound`, `.isADirectory`, `.permissionDenied`...
    public func remove(_ path: VPath) async throws {
        try await withConnection(path, idempotent: false) { sftp in try await sftp.unlink(self.remotePath(path)) }
    }

    /// MKDIR (mode 0755 before the server's umask).
    /// - Throws: `.alreadyExists`, `.notFound` for a missing parent, `.permissionDenied`...
    public func makeDirectory(_ path: VPath) async throws {
        if isTop(path) {
            throw VFSError(.alreadyExists, "already exists", path: display(path), remedy: "this folder always exists",
                           backend: kind)
        }
        try await withConnection(path, idempotent: false) { sftp in try await sftp.mkdir(self.remotePath(path)) }
    }

    /// RMDIR of an empty folder.
    /// - Throws: `.notEmpty`, `.notFound`, `.notADirectory`, `.permissionDenied`...
    public func removeDirectory(_ path: VPath) async throws {
        try await withConnection(path, idempotent: false) { sftp in try await sftp.rmdir(self.remotePath(path)) }
    }

    // MARK: - Optional powers

    /// Renames on the server (RENAME; an existing destination file is replaced, see
    /// `SFTPClient.rename(from:to:overwrite:)`), creating the destination's parent folders.
    /// - Throws: `.notFound` for a missing source, `.isADirectory` when a folder is at the destination.
    public func move(from source: VPath, to destination: VPath) async throws {
        try await withConnection(source, idempotent: false) { sftp in
            if let existing = try? await sftp.lstat(self.remotePath(destination)), existing.kind == .directory {
                throw VFSError(.isADirectory, "a folder is in the way", path: self.display(destination),
                               remedy: "remove or rename that folder first", backend: self.kind)
            }
            do {
                try await self.makeParents(sftp, destination.parent)
            } catch {
                throw SFTPErrors.map(error, display: self.display(destination.parent))
            }
            try await sftp.rename(from: self.remotePath(source), to: self.remotePath(destination), overwrite: true)
        }
    }

    /// Sets the modification time (SETSTAT; SFTP v3 keeps whole seconds).
    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        try await withConnection(path) { sftp in try await sftp.setModificationTime(self.remotePath(path), to: date) }
    }

    // MARK: - Helpers

    /// Runs `body` with a borrowed session and maps its errors to `VFSError`s naming `path`.
    ///
    /// An idempotent request that fails because a reused idle session turned out dead (the
    /// server dropped it meanwhile) is repeated once on a new session.
    func withConnection<T: Sendable>(_ path: VPath, idempotent: Bool = true,
                                     _ body: (SFTPClient) async throws -> T) async throws -> T {
        var retried = false
        while true {
            let lease = try await pool.checkout()
            do {
                let result = try await body(lease.connection.sftp)
                await pool.checkin(lease.connection)
                return result
            } catch {
                await pool.checkin(lease.connection)
                if idempotent && shouldRetry(error, lease: lease, retried: retried) { retried = true; continue }
                throw SFTPErrors.map(error, display: display(path))
            }
        }
    }

    /// True for a connection failure on a session that sat idle (not one opened just now).
    func shouldRetry(_ error: any Error, lease: SFTPLease, retried: Bool) -> Bool {
        !retried && !lease.fresh && !lease.connection.isUsable && SFTPErrors.isConnectionFailure(error)
    }

    /// stat (following links); a dangling symbolic link is described as the link (lstat).
    func fetchInfo(_ sftp: SFTPClient, _ path: VPath) async throws -> FileInfo {
        let remote = remotePath(path)
        do {
            return try await sftp.stat(remote).fileInfo(path: path)
        } catch let e as SSH2Error where e.kind == .notFound {
            if let link = try? await sftp.lstat(remote), link.kind == .symlink { return link.fileInfo(path: path) }
            throw e
        }
    }

    /// `mkdir -p` on a borrowed session: creates `directory` and its missing parents.
    /// - Throws: `.alreadyExists` when a file is in the way.
    func makeParents(_ sftp: SFTPClient, _ directory: VPath) async throws {
        guard !isTop(directory) else { return }
        let remote = remotePath(directory)
        do {
            try await sftp.mkdir(remote)
        } catch let e as SSH2Error where e.kind == .notFound {
            try await makeParents(sftp, directory.parent)
            do { try await sftp.mkdir(remote) } catch let again as SSH2Error where again.kind == .alreadyExists {
                try await requireDirectory(sftp, directory)
            }
        } catch let e as SSH2Error where e.kind == .alreadyExists {
            try await requireDirectory(sftp, directory)
        }
    }

    private func requireDirectory(_ sftp: SFTPClient, _ directory: VPath) async throws {
        guard try await sftp.stat(remotePath(directory)).kind == .directory else {
            throw VFSError(.alreadyExists, "a file is in the way of a directory", path: display(directory),
                           remedy: "remove or rename the file first", backend: kind)
        }
    }
}

/// The stream of a read: closes the remote file (and frees its session) when dropped unread.
final class SFTPReadSource: ByteSource {
    private let upstream: ByteStream

    init(_ upstream: ByteStream) { self.upstream = upstream }

    deinit { (upstream.source as? ByteChannel)?.cancelNow() }

    func next() async throws -> [UInt8]? { try await upstream.source.next() }

    func cancel() async { await upstream.cancel() }
}

// MARK: - Symbolic links

extension SFTPFileSystem {
    /// The target stored in the link at `path` (SFTP READLINK).
    /// - Throws: `.notFound`, `.invalidArgument` when it is not a link.
    public func linkTarget(_ path: VPath) async throws -> String {
        let shown = display(path)
        do {
            return try await withConnection(path) { sftp in try await sftp.readLink(self.remotePath(path)) }
        } catch {
            throw SFTPErrors.map(error, display: shown)
        }
    }

    /// Creates the symbolic link `path` pointing to `target` (SFTP SYMLINK).
    /// - Throws: `.alreadyExists`, `.notFound` for a missing parent, `.permissionDenied`...
    public func makeLink(_ path: VPath, target: String) async throws {
        let shown = display(path)
        do {
            try await withConnection(path) { sftp in try await sftp.makeLink(self.remotePath(path), target: target) }
        } catch {
            throw SFTPErrors.map(error, display: shown)
        }
    }
}
