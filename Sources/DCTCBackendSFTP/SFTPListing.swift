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
                    let linkTarget = (try? await sftp.readLink(fs.remotePath(path))) ?? ""
                    info = target.fileInfo(path: path)
                    // Still a link: `removeTree` removes it without deleting through it.
                    info.linkTarget = linkTarget
                    // A link to a folder on the current path would make every walk endless: it
                    // is reported and stays a link entry, which no walk enters.
                    if info.isDirectory, await leadsBack(path, sftp) {
                        SkippedEntries.report(address: fs.display(path),
                                              reason: "filesystem loop at \(fs.display(path)) (the link leads back to a folder above it)")
                        info = entry.attributes.fileInfo(path: path)
                        info.linkTarget = linkTarget
                    }
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

    /// The server's real paths of the listed folder and of each folder on the way to it,
    /// found when the first link to a folder is met.
    private var ancestorRealPaths: Set<String>?

    /// True when the link at `path` resolves to the listed folder or a folder on the path to it.
    private func leadsBack(_ path: VPath, _ sftp: SFTPClient) async -> Bool {
        guard let real = try? await sftp.realpath(fs.remotePath(path)) else { return false }
        if ancestorRealPaths == nil {
            var found = Set<String>()
            var p = directory
            for _ in 0...directory.depth {
                if let r = try? await sftp.realpath(fs.remotePath(p)) { found.insert(r) }
                if fs.isTop(p) { break }
                p = p.parent
            }
            // The server's root and the login folder's ancestors: a link to `/` is a loop too.
            if let top = found.min(by: { $0.count < $1.count }) {
                var q = top
                while let slash = q.lastIndex(of: "/"), q != "/" {
                    q = slash == q.startIndex ? "/" : String(q[..<slash])
                    found.insert(q)
                }
            }
            ancestorRealPaths = found
        }
        return ancestorRealPaths?.contains(real) ?? false
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
