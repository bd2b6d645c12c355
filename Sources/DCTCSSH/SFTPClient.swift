import CDCTCSSH2
import DCTCCore
import Foundation

extension SSHSession {
    /// Starts the SFTP subsystem on this session. Wraps `libssh2_sftp_init`.
    /// - Throws: `SSH2Error` when the server refuses SFTP or the connection fails.
    public func openSFTP() async throws -> SFTPClient {
        let thread = self.thread
        let core = try await perform { session in ThreadConfined(try SFTPCore(session: session), on: thread) }
        return SFTPClient(session: self, core: core)
    }
}

/// SFTP requests over one `SSHSession`, run on that session's thread one at a time.
///
/// Paths are strings sent as their UTF-8 bytes; relative paths start at the login folder.
/// Methods throw `SSH2Error` (see there for the mapping to `VFSError` codes), except the
/// streams, which carry `VFSError`s because their consumers know nothing of SSH.
///
/// Because the session thread serves one request at a time, a stream occupies the session until
/// it ends: finish or cancel it before the next request on the same session, and use one
/// session per concurrent transfer.
public final class SFTPClient: Sendable {
    /// The session the requests travel over (kept alive by this client).
    public let session: SSHSession
    let core: ThreadConfined<SFTPCore>

    /// The buffer size for reads (512 KiB; see `SFTPFileCore.ioSize`).
    public static var bufferSize: Int { SFTPFileCore.ioSize }

    init(session: SSHSession, core: ThreadConfined<SFTPCore>) {
        self.session = session
        self.core = core
    }

    deinit {
        let core = self.core
        core.thread.submit { core.withValueOnThread { $0.release() } }
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (SFTPCore) throws -> T) async throws -> T {
        try await core.withValue { try body($0) }
    }

    // MARK: - Metadata

    /// The attributes of `path`, following symbolic links. Wraps `libssh2_sftp_stat_ex(LIBSSH2_SFTP_STAT)`.
    /// - Throws: `SSH2Error` `.notFound`, `.permissionDenied`, `.unavailable`...
    public func stat(_ path: String) async throws -> SFTPAttributes {
        try await perform { try $0.stat(path, followLinks: true) }
    }

    /// The attributes of `path` itself, a symbolic link included. Wraps `libssh2_sftp_stat_ex(LIBSSH2_SFTP_LSTAT)`.
    /// - Throws: `SSH2Error` `.notFound`, `.permissionDenied`, `.unavailable`...
    public func lstat(_ path: String) async throws -> SFTPAttributes {
        try await perform { try $0.stat(path, followLinks: false) }
    }

    /// Sets the modification time (and access time, which defaults to the same) of `path`.
    /// SFTP version 3 keeps whole seconds: fractions are dropped. Wraps
    /// `libssh2_sftp_stat_ex(LIBSSH2_SFTP_SETSTAT)` with `LIBSSH2_SFTP_ATTR_ACMODTIME`.
    ///
    /// - Parameters:
    ///   - path: the file or folder.
    ///   - date: the new modification time (1970...2106).
    ///   - accessTime: the new access time; `date` when nil.
    /// - Throws: `SSH2Error` `.invalidArgument` for a date SFTP cannot store, `.notFound`, `.permissionDenied`...
    public func setModificationTime(_ path: String, to date: Date, accessTime: Date? = nil) async throws {
        try await perform { try $0.setTimes(path, accessTime: accessTime ?? date, modificationTime: date) }
    }

    /// Sets the permission bits of `path` exactly (no umask).
    /// Wraps `libssh2_sftp_stat_ex(LIBSSH2_SFTP_SETSTAT)` with `LIBSSH2_SFTP_ATTR_PERMISSIONS`.
    /// - Throws: `SSH2Error` `.notFound`, `.permissionDenied`...
    public func setPermissions(_ path: String, _ permissions: UInt32) async throws {
        try await perform { try $0.setPermissions(path, permissions) }
    }

    /// The target stored in the symbolic link `path`, as written.
    /// Wraps `libssh2_sftp_symlink_ex(LIBSSH2_SFTP_READLINK)`.
    public func readLink(_ path: String) async throws -> String {
        try await perform { try $0.readLink(path) }
    }

    /// Creates the symbolic link `path` pointing to `target`.
    /// Wraps `libssh2_sftp_symlink_ex(LIBSSH2_SFTP_SYMLINK)`.
    /// - Throws: `SSH2Error` `.alreadyExists`, `.notFound`, `.permissionDenied`...
    public func makeLink(_ path: String, target: String) async throws {
        try await perform { try $0.makeLink(path, target: target) }
    }

    /// The server's absolute form of `path`; `"."` gives the login folder.
    /// Wraps `libssh2_sftp_symlink_ex(LIBSSH2_SFTP_REALPATH)`.
    /// - Throws: `SSH2Error` `.notFound`...
    public func realpath(_ path: String) async throws -> String {
        try await perform { try $0.realpath(path) }
    }

    // MARK: - Folders

    /// The entries of a folder with the attributes the listing carries (no request per entry),
    /// in the server's order, without `.` and `..`. Names are kept as bytes (see `SFTPDirectoryEntry`).
    /// Wraps `libssh2_sftp_open_ex(LIBSSH2_SFTP_OPENDIR)` and `libssh2_sftp_readdir_ex`.
    /// - Throws: `SSH2Error` `.notFound`, `.notADirectory`, `.permissionDenied`...
    public func list(_ directory: String) async throws -> [SFTPDirectoryEntry] {
        try await perform { try $0.list(directory) }
    }

    /// Creates a folder (its parent must exist). Wraps `libssh2_sftp_mkdir_ex`.
    /// - Parameters:
    ///   - path: the new folder.
    ///   - mode: permission bits (the server applies its umask).
    /// - Throws: `SSH2Error` `.alreadyExists` when something is at `path`, `.notFound` when the
    ///   parent is missing, `.permissionDenied`...
    public func mkdir(_ path: String, mode: UInt32 = 0o755) async throws {
        try await perform { try $0.mkdir(path, mode: mode) }
    }

    /// Removes an empty folder. Wraps `libssh2_sftp_rmdir_ex`.
    /// - Throws: `SSH2Error` `.notEmpty` (OpenSSH reports a bare FAILURE; a folder still there
    ///   after it is taken as not empty), `.notADirectory`, `.notFound`...
    public func rmdir(_ path: String) async throws {
        try await perform { try $0.rmdir(path) }
    }

    // MARK: - Files

    /// Removes a file or symbolic link. Wraps `libssh2_sftp_unlink_ex`.
    /// - Throws: `SSH2Error` `.notFound`, `.isADirectory`, `.permissionDenied`...
    public func unlink(_ path: String) async throws {
        try await perform { try $0.unlink(path) }
    }

    /// Renames a file or folder.
    ///
    /// libssh2 1.10 speaks SFTP version 3, whose RENAME never replaces an existing destination
    /// (the OVERWRITE flag is only sent from version 5), and it cannot send OpenSSH's
    /// `posix-rename@openssh.com` (that arrived in libssh2 1.11 as `libssh2_sftp_posix_rename_ex`).
    /// So with `overwrite` and an existing destination file, the old file is renamed aside
    /// (to a short `.dctc-replaced-XXXX` beside it), the source renamed into place, and the old file deleted; if
    /// the second rename fails the old file is put back. Readers may briefly see no file at
    /// `destination`, never a partial one. Wraps `libssh2_sftp_rename_ex`.
    ///
    /// - Parameters:
    ///   - source: the existing path.
    ///   - destination: the new path (its parent must exist).
    ///   - overwrite: replace an existing destination file (a folder is never replaced).
    /// - Throws: `SSH2Error` `.alreadyExists` when the destination exists and may not (or, for
    ///   a folder, cannot) be replaced; `.notFound` when the source is missing...
    public func rename(from source: String, to destination: String, overwrite: Bool = false) async throws {
        try await perform { try $0.rename(source, destination, overwrite: overwrite) }
    }

    /// Opens a file for reading; the handle knows the file's attributes.
    /// Wraps `libssh2_sftp_open_ex(LIBSSH2_FXF_READ)` and `libssh2_sftp_fstat_ex`.
    /// - Throws: `SSH2Error` `.notFound`, `.isADirectory`, `.permissionDenied`...
    public func openRead(_ path: String) async throws -> SFTPFile {
        let thread = core.thread
        let (file, attributes) = try await perform { sftp in
            let file = try sftp.open(path, mode: .read, permissions: 0)
            return (ThreadConfined(file, on: thread), file.attributes)
        }
        return SFTPFile(client: self, core: file, path: path, attributes: attributes)
    }

    /// Opens a file for writing. Wraps `libssh2_sftp_open_ex(LIBSSH2_FXF_WRITE|CREAT|...)`.
    /// - Parameters:
    ///   - path: the file.
    ///   - mode: truncate, create only, or append.
    ///   - permissions: permission bits for a new file (the server applies its umask).
    /// - Throws: `SSH2Error` `.alreadyExists` (`.createNew`), `.isADirectory`, `.notFound`
    ///   (missing parent), `.permissionDenied`...
    public func openWrite(_ path: String, mode: SFTPWriteMode = .truncate, permissions: UInt32 = 0o644) async throws -> SFTPFile {
        let thread = core.thread
        let file = try await perform { sftp in
            ThreadConfined(try sftp.open(path, mode: .write(mode), permissions: permissions), on: thread)
        }
        return SFTPFile(client: self, core: file, path: path, attributes: nil)
    }

    // MARK: - Streams

    /// The content of a file (or of a byte range of it) as a stream of chunks of up to 512 KiB.
    ///
    /// A job on the session thread opens the file, seeks to `range.offset`, and reads with 512 KiB
    /// requests (never past the range), handing each chunk to a bounded `ByteChannel`: a slow
    /// consumer holds the reader back. A range past the end gives fewer bytes or none. Errors,
    /// opening included, arrive through the stream as `VFSError`s. Cancelling the stream stops
    /// the reader and closes the file; a stream that is neither read to the end nor cancelled
    /// keeps the session thread busy forever.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - range: the bytes wanted; the whole file when nil.
    public func readStream(_ path: String, range: ByteRange? = nil) -> ByteStream {
        let channel = ByteChannel(capacity: 4 * Self.bufferSize)
        let core = self.core
        core.thread.submit { [self] in
            core.withValueOnThread { sftp in
                do {
                    let file = try sftp.open(path, mode: .read, permissions: 0)
                    defer { file.release() }
                    if let offset = range?.offset, offset > 0 { try file.seek(to: UInt64(offset)) }
                    try file.pump(into: channel, length: range?.length)
                    channel.finish()
                } catch {
                    channel.finish(throwing: Self.vfsError(error, path: path))
                }
            }
            withExtendedLifetime(self) {}
        }
        return channel.stream
    }

    /// Writes a stream to a file, keeping about 1 MiB in flight.
    ///
    /// A task pulls chunks from `source` into a bounded `ByteChannel`; a job on the session
    /// thread takes them (`receiveBlocking`) and writes them with `libssh2_sftp_write`, then
    /// closes the file. If writing fails, `source` is cancelled; if `source` fails, its error is
    /// rethrown. Either way the file may be left partially written (write to a temporary name
    /// and `rename` for atomic replacement). Cancelling the calling task aborts the write.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - source: the content.
    ///   - mode: truncate, create only, or append.
    ///   - permissions: permission bits for a new file.
    /// - Returns: the number of bytes written.
    /// - Throws: `SSH2Error` for SFTP failures, `VFSError.cancelled`, or what `source` threw.
    @discardableResult
    public func writeStream(_ path: String, from source: ByteStream, mode: SFTPWriteMode = .truncate,
                            permissions: UInt32 = 0o644) async throws -> Int64 {
        let channel = ByteChannel(capacity: 4 * Self.bufferSize)
        let pump = Task {
            do {
                for try await chunk in source { try await channel.send(chunk) }
                channel.finish()
            } catch {
                channel.finish(throwing: error)
                await source.cancel()
            }
        }
        @Sendable func abort(_ reason: VFSError) {
            channel.cancelNow()  // the pump's next send fails, and it cancels the source
            channel.finish(throwing: reason)  // wakes the writer if it waits for data
            pump.cancel()
        }
        do {
            let written = try await withTaskCancellationHandler {
                try await perform { sftp in
                    let file = try sftp.open(path, mode: .write(mode), permissions: permissions)
                    do {
                        let written = try file.drain(from: channel)
                        try file.close()
                        return written
                    } catch {
                        file.release()
                        throw error
                    }
                }
            } onCancel: {
                abort(VFSError(.cancelled, "the upload was cancelled", path: path))
            }
            await pump.value
            return written
        } catch {
            abort(VFSError(.cancelled, "the upload stopped", path: path))
            throw error
        }
    }

    static func vfsError(_ error: any Error, path: String) -> VFSError {
        if let e = error as? SSH2Error { return e.toVFSError(path: path) }
        return VFSError.wrap(error, path: path)
    }
}

/// An open remote file. Its requests run on the session thread like any other.
public final class SFTPFile: Sendable {
    public let client: SFTPClient
    public let path: String
    /// The attributes at open time (read handles only): the size, the type.
    public let attributes: SFTPAttributes?
    let core: ThreadConfined<SFTPFileCore>

    init(client: SFTPClient, core: ThreadConfined<SFTPFileCore>, path: String, attributes: SFTPAttributes?) {
        self.client = client
        self.core = core
        self.path = path
        self.attributes = attributes
    }

    deinit {
        let core = self.core
        core.thread.submit { core.withValueOnThread { $0.release() } }
    }

    /// Reads the next bytes through the handle's 512 KiB buffer: up to `maxLength` (at most 512 KiB),
    /// empty at the end of the file. Wraps `libssh2_sftp_read`.
    /// - Throws: `SSH2Error` for read failures or a closed file.
    public func read(maxLength: Int = SFTPClient.bufferSize) async throws -> [UInt8] {
        try await core.withValue { try $0.read(maxLength: maxLength) }
    }

    /// Moves the offset of the next read or write. Wraps `libssh2_sftp_seek64`.
    /// - Throws: `SSH2Error` for a closed file.
    public func seek(to offset: UInt64) async throws {
        try await core.withValue { try $0.seek(to: offset) }
    }

    /// Writes all of `bytes` at the current offset, repeating `libssh2_sftp_write` after partial writes.
    /// - Throws: `SSH2Error` `.io` (disk full...), `.unavailable`...
    public func write(_ bytes: [UInt8]) async throws {
        try await core.withValue { file in try bytes.withUnsafeBytes { try file.write($0) } }
    }

    /// Asks the server to flush the file to its disk (`fsync@openssh.com`). Wraps `libssh2_sftp_fsync`.
    /// - Throws: `SSH2Error` `.unsupported` when the server lacks the extension.
    public func sync() async throws {
        try await core.withValue { try $0.sync() }
    }

    /// Closes the file and reports the server's answer. Wraps `libssh2_sftp_close_handle`.
    /// - Throws: `SSH2Error` when the server reports a failure (written data may be lost).
    public func close() async throws {
        try await core.withValue { try $0.close() }
    }
}
