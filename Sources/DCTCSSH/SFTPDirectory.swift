import CDCTCSSH2
import DCTCCore
import Foundation

extension SFTPClient {
    /// Opens a folder to read its entries in batches, for listings too large to hold at once.
    /// Wraps `libssh2_sftp_open_ex(LIBSSH2_SFTP_OPENDIR)`.
    /// - Throws: `SSH2Error` `.notFound`, `.notADirectory` (a file is there), `.permissionDenied`...
    public func openDirectory(_ path: String) async throws -> SFTPDirectory {
        let thread = core.thread
        let directory = try await perform { sftp in
            ThreadConfined(try SFTPDirectoryCore(sftp: sftp, path: path), on: thread)
        }
        return SFTPDirectory(client: self, core: directory, path: path)
    }
}

/// An open folder whose entries are read a batch at a time. Its requests run on the session
/// thread like any other, so other requests may come between two batches.
public final class SFTPDirectory: Sendable {
    public let client: SFTPClient
    public let path: String
    let core: ThreadConfined<SFTPDirectoryCore>

    init(client: SFTPClient, core: ThreadConfined<SFTPDirectoryCore>, path: String) {
        self.client = client
        self.core = core
        self.path = path
    }

    deinit {
        let core = self.core
        core.thread.submit { core.withValueOnThread { $0.release() } }
    }

    /// The next entries (at most `maxCount`, without `.` and `..`) with the attributes the
    /// listing carries, in the server's order; nil once the folder is exhausted, and the handle
    /// is then closed. Wraps `libssh2_sftp_readdir_ex`.
    /// - Throws: `SSH2Error` for read failures or a lost connection.
    public func next(maxCount: Int) async throws -> [SFTPDirectoryEntry]? {
        try await core.withValue { try $0.next(maxCount: maxCount) }
    }

    /// Closes the handle (`libssh2_sftp_close_handle`), ignoring errors. Later `next` calls return nil.
    public func close() async {
        _ = try? await core.withValue { $0.release() }
    }
}

/// An open `LIBSSH2_SFTP_HANDLE` of a folder and its name buffer. Lives on the session's thread.
final class SFTPDirectoryCore: SessionResource {
    private let sftp: SFTPCore
    private var handle: OpaquePointer?
    private let path: String
    private var buffer: UnsafeMutablePointer<CChar>?
    private static let bufferSize = 64 * 1024

    /// Wraps `libssh2_sftp_open_ex(LIBSSH2_SFTP_OPENDIR)`; OpenSSH's "no such file" for a file
    /// opened as a folder is refined to `.notADirectory`.
    init(sftp: SFTPCore, path: String) throws {
        let session = try sftp.handle(path: path)
        guard let raw = withPath(path, { p, n in CDCTCSSH2_sftp_opendir(session, p, n) }) else {
            var e = sftp.failure(function: "libssh2_sftp_open_ex", path: path)
            if e.kind == .notFound, let kind = sftp.existingKind(path), kind != .directory {
                e = e.with(kind: .notADirectory, message: "not a folder")
            }
            throw e
        }
        self.sftp = sftp
        self.handle = raw
        self.path = path
        sftp.session.register(self)
    }

    deinit { release() }

    /// Closes the handle ignoring errors and frees the buffer. Safe to call twice.
    func release() {
        if let handle, sftp.sftp != nil, sftp.session.isOpen { _ = CDCTCSSH2_sftp_close(handle) }
        handle = nil
        buffer?.deallocate()
        buffer = nil
    }

    /// Wraps `libssh2_sftp_readdir_ex`.
    func next(maxCount: Int) throws -> [SFTPDirectoryEntry]? {
        guard let handle else { return nil }
        try sftp.session.ensureUsable(path: path)
        let buffer = self.buffer ?? UnsafeMutablePointer<CChar>.allocate(capacity: Self.bufferSize)
        self.buffer = buffer
        var entries: [SFTPDirectoryEntry] = []
        while entries.count < max(1, maxCount) {
            var raw = LIBSSH2_SFTP_ATTRIBUTES()
            let n = CDCTCSSH2_sftp_readdir(handle, buffer, Self.bufferSize, &raw)
            if n == 0 {
                release()
                return entries.isEmpty ? nil : entries
            }
            if n < 0 { throw sftp.failure(n, function: "libssh2_sftp_readdir_ex", path: path) }
            let name = Array(UnsafeRawBufferPointer(start: buffer, count: Int(n)))
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            entries.append(SFTPDirectoryEntry(nameBytes: name, attributes: SFTPAttributes(raw)))
        }
        return entries
    }
}
