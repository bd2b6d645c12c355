import DCTCCore
import DCTCSSH
import Foundation

/// One directory listing in progress: an open directory handle on a borrowed session, read a
/// page at a time.
///
/// The session stays borrowed from the first page to the last (requests of other operations
/// would otherwise queue behind, or in front of, a stream on that session), and goes back to
/// the pool when the listing ends, fails, or is dropped unfinished.
actor SFTPLister {
    private let fs: SFTPFileSystem
    private let directory: VPath
    private var lease: SFTPLease?
    private var handle: SFTPDirectory?
    private var finished = false

    init(fs: SFTPFileSystem, directory: VPath) {
        self.fs = fs
        self.directory = directory
    }

    deinit {
        guard let lease else { return }
        let handle = self.handle
        let pool = fs.pool
        Task {
            await handle?.close()
            await pool.checkin(lease.connection)
        }
    }

    /// The next page of entries; nil at the end.
    /// - Throws: `VFSError` `.notFound`, `.notADirectory`, `.permissionDenied`, `.unavailable`...
    func nextPage() async throws -> [FileInfo]? {
        guard !finished else { return nil }
        do {
            let (handle, sftp) = try await openIfNeeded()
            let pageSize = fs.capabilities.listPageSize
            guard let entries = try await handle.next(maxCount: pageSize) else {
                await finish()
                return nil
            }
            var page: [FileInfo] = []
            page.reserveCapacity(entries.count)
            for entry in entries {
                let path = directory.appending(entry.name)
                var info = entry.attributes.fileInfo(path: path)
                // The listing describes a symbolic link itself; follow it like `info` does (a
                // dangling link stays a link). Only links cost a request.
                if info.kind == .symlink, let target = try? await sftp.stat(fs.remotePath(path)) {
                    info = target.fileInfo(path: path)
                }
                page.append(info)
            }
            // A short page is the last one: give the session back now.
            if entries.count < pageSize { await finish() }
            return page
        } catch {
            await finish()
            throw SFTPErrors.map(error, display: fs.display(directory))
        }
    }

    private func openIfNeeded() async throws -> (SFTPDirectory, SFTPClient) {
        if let handle, let lease { return (handle, lease.connection.sftp) }
        let remote = fs.remotePath(directory)
        var retried = false
        while true {
            let lease = try await fs.pool.checkout()
            do {
                let handle = try await lease.connection.sftp.openDirectory(remote)
                self.lease = lease
                self.handle = handle
                return (handle, lease.connection.sftp)
            } catch {
                await fs.pool.checkin(lease.connection)
                if fs.shouldRetry(error, lease: lease, retried: retried) { retried = true; continue }
                throw error
            }
        }
    }

    private func finish() async {
        finished = true
        if let handle { await handle.close() }
        handle = nil
        if let lease { await fs.pool.checkin(lease.connection) }
        lease = nil
    }
}
