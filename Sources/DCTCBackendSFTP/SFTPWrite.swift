import DCTCCore
import DCTCDigest
import DCTCSSH
import Foundation

extension SFTPFileSystem {
    /// Writes a file atomically: to a temporary name in the destination folder, then renamed.
    ///
    /// Steps, on one borrowed session: open `.dctc-XXXXXXXXXXXX.tmp` beside the destination
    /// with CREAT|EXCL (creating missing parent folders when that fails for a missing parent and
    /// `createParents`), stream the content with pipelined writes while counting and hashing it
    /// (a stream longer than `expectedSize` is stopped at once), verify the size and hashes,
    /// SETSTAT the modification time, and RENAME over the final name (replacing an existing
    /// file, see `SFTPClient.rename(from:to:overwrite:)`). On any failure the temporary file is
    /// removed, on a new session when the connection was lost, and nothing changes under the
    /// final name.
    ///
    /// - Returns: the new file's info with the computed hashes (a STAT when no modification
    ///   time was given, since the server then chose it).
    /// - Throws: `.checksumMismatch`, `.isADirectory` (a folder at `path`), `.alreadyExists` (a
    ///   file in the way of a parent folder), `.notFound` (missing parent without
    ///   `createParents`), `.permissionDenied`, `.unavailable` (connection lost; retryable),
    ///   or the content stream's own error.
    @discardableResult
    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        guard !isTop(path) else {
            await content.cancel()
            throw VFSError(.isADirectory, "this is a folder, not a file", path: shown, remedy: "name a file", backend: kind)
        }
        let meter: ContentMeter
        do {
            meter = try ContentMeter(kinds: attributes.computeHashes.union(attributes.expectedHashes.keys).union(storedCheckKinds),
                                     expectedSize: attributes.expectedSize, display: shown)
        } catch {
            await content.cancel()
            throw error
        }
        let temp = remotePath(path.parent.appending(SFTPFileSystem.temporaryName()))
        let final = remotePath(path)

        let lease: SFTPLease
        do { lease = try await pool.checkout() } catch {
            await content.cancel()
            throw error
        }
        let sftp = lease.connection.sftp
        // With a mode to give, the file starts private and gets its exact bits before the rename.
        let createMode: UInt32 = attributes.mode == nil ? 0o644 : 0o600
        // From the OPEN on, the temporary file may exist even when the answer never came back
        // (the connection was cut after the server created it): every failure removes it.
        do {
            await sweepStaleTemporaries(sftp, in: path.parent)
            let file: SFTPFile
            do {
                file = try await sftp.openWrite(temp, mode: .createNew, permissions: createMode)
            } catch let e as SSH2Error where e.kind == .notFound && attributes.createParents {
                try await makeParents(sftp, path.parent)
                file = try await sftp.openWrite(temp, mode: .createNew, permissions: createMode)
            }
            try await file.write(from: ByteStream(MeteredSource(content, meter: meter)))
            let hashes = meter.results()
            try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: meter.byteCount,
                              expected: attributes.expectedHashes, actual: hashes)
            try await checkStored(sftp, temp: temp, sent: hashes, size: meter.byteCount, shown: shown)
            if let bits = attributes.permissionBits {
                try await sftp.setPermissions(temp, bits)
            }
            if let mtime = attributes.modificationTime {
                try await sftp.setModificationTime(temp, to: mtime)
            }
            do {
                try await sftp.rename(from: temp, to: final, overwrite: true)
            } catch let e as SSH2Error where e.kind == .alreadyExists {
                if (try? await sftp.lstat(final))?.kind == .directory {
                    throw VFSError(.isADirectory, "this is a folder, not a file", path: shown,
                                   remedy: "name a file, or remove the folder first", backend: kind)
                }
                throw e
            }
            var info: FileInfo
            if let mtime = attributes.modificationTime {
                info = FileInfo(path: path, kind: .file, size: meter.byteCount,
                                modificationTime: Date(timeIntervalSince1970: mtime.timeIntervalSince1970.rounded(.down)))
            } else {
                // The file is in place: a failed STAT does not undo that.
                info = (try? await fetchInfo(sftp, path)) ?? FileInfo(path: path, kind: .file, size: meter.byteCount)
            }
            info.hashes = hashes
            await pool.checkin(lease.connection)
            return info
        } catch {
            await content.cancel()
            // Nothing throws after the rename: a failure always leaves a temporary file to remove
            // (from the OPEN on, it may exist even when the answer never came back).
            await discardTemporary(temp, lease: lease)
            // The user's path, never the temporary name (a cancelled upload names the file it wrote).
            var mapped = SFTPErrors.map(error, display: shown)
            if mapped.path.map(SFTPFileSystem.namesTemporary) ?? false { mapped = mapped.with(path: shown) }
            throw mapped
        }
    }

    /// The hash computed while sending that the stored bytes are checked by: the first the
    /// server can compute (MD5 first), else MD5 for a read-back with `--verify`.
    private var storedCheckKinds: Set<HashKind> {
        if let kind = capabilities.remoteHashes.contains(.md5) ? .md5 : capabilities.remoteHashes.sorted().first {
            return [kind]
        }
        return config.storedCheck == .readBack ? [.md5] : []
    }

    /// Checks the temporary file against the hashes of the bytes sent, before the rename
    /// (`StoredContentCheck`): the server's own hash for a large file (every file with
    /// `--verify`), else with `--verify` the bytes read back over the same session.
    ///
    /// - Throws: `.checksumMismatch`, `.io` when the server's hash command fails.
    private func checkStored(_ sftp: SFTPClient, temp: String, sent: [HashKind: String], size: Int64,
                             shown: String) async throws {
        let check = config.storedCheck
        if let kind = StoredContent.kind(in: sent.filter { capabilities.remoteHashes.contains($0.key) }), let want = sent[kind],
           check.remoteHashApplies(to: size) {
            let digest = try await SFTPRemoteHashing.digest(
                sftp.session, kind: kind, remotePath: temp, size: size,
                what: "the server's \(kind.sumTool) of the uploaded file", shown: shown,
                remedy: "check the server, or set remote_hash = false on the account to skip its check", backend: self.kind)
            try StoredContent.compare(stored: digest, sent: want, kind: kind, how: "computed by the server",
                                      path: shown, backend: self.kind)
        } else if check == .readBack {
            try await StoredContent.verify(readBack: sftp.readStream(temp), sent: sent, size: size,
                                           path: shown, backend: self.kind)
        }
    }

    /// True when `path` ends in a temporary name of ours (`.dctc-….tmp`).
    static func namesTemporary(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.hasPrefix(".dctc-") && name.hasSuffix(".tmp")
    }

    /// Removes `.dctc-*.tmp` files older than an hour (by modification time) from `dir`, once
    /// per folder and store: partial files of runs that were killed. Failures are ignored.
    func sweepStaleTemporaries(_ sftp: SFTPClient, in dir: VPath) async {
        guard sweptFolders.withLock({ $0.insert(dir.string).inserted }) else { return }
        let remoteDir = remotePath(dir)
        guard let entries = try? await sftp.list(remoteDir) else { return }
        let now = Date()
        for entry in entries {
            let name = String(decoding: entry.nameBytes, as: UTF8.self)
            guard SFTPFileSystem.namesTemporary(name), entry.attributes.kind == .file,
                  let mtime = entry.attributes.fileInfo(path: dir.appending(name)).modificationTime,
                  now.timeIntervalSince(mtime) > SFTPFileSystem.staleTemporaryAge else { continue }
            try? await sftp.unlink(remoteDir == "." ? name : remoteDir + "/" + name)
        }
    }

    /// Removes a temporary file after a failed write, then returns the session. When the
    /// session is dead (the connection was lost), a new one does it, even if the writing task
    /// was cancelled; a server that cannot be reached keeps the file (a later `.dctc-*.tmp`).
    func discardTemporary(_ temp: String, lease: SFTPLease) async {
        let connection = lease.connection
        if connection.isUsable {
            do {
                try await connection.sftp.unlink(temp)
                await pool.checkin(connection)
                return
            } catch let e as SSH2Error where e.kind == .notFound {
                await pool.checkin(connection)
                return
            } catch {
                // Try again below on a new session.
            }
        }
        await pool.checkin(connection)
        let pool = self.pool
        // Not cancelled with the writing task; the pool retries the connect.
        await Task {
            for _ in 0..<3 {
                guard let fresh = try? await pool.checkout() else { return }
                do {
                    try await fresh.connection.sftp.unlink(temp)
                    await pool.checkin(fresh.connection)
                    return
                } catch let e as SSH2Error where e.kind == .notFound {
                    await pool.checkin(fresh.connection)
                    return
                } catch {
                    await pool.checkin(fresh.connection)
                }
            }
        }.value
    }

    /// A short random name for a temporary file (`.dctc-` + 12 hex digits + `.tmp`, 22 bytes):
    /// never derived from the final name, which may already use all 255 bytes.
    static func temporaryName() -> String {
        let digits = String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff, radix: 16)
        return ".dctc-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + ".tmp"
    }
}

/// Counts and hashes the content of a write as it streams, and stops a stream that runs past
/// its expected size.
final class ContentMeter: @unchecked Sendable {
    // `hasher` is guarded by `lock`: the stream is pulled by one task at a time, but not always the same.
    private let lock = NSLock()
    private let hasher: HashingTransform
    private let expectedSize: Int64?
    private let display: String

    init(kinds: Set<HashKind>, expectedSize: Int64?, display: String) throws {
        hasher = try HashingTransform(kinds: kinds)
        self.expectedSize = expectedSize
        self.display = display
    }

    /// - Throws: `.checksumMismatch` once more bytes than expected went by.
    func observe(_ chunk: [UInt8]) throws {
        try lock.withLock {
            _ = try hasher.process(chunk)
            if let expectedSize, hasher.byteCount > expectedSize {
                throw VFSError(.checksumMismatch, "size mismatch: expected \(expectedSize) bytes, got more",
                               path: display, remedy: "the source changed or the transfer was damaged; run the command again")
            }
        }
    }

    var byteCount: Int64 { lock.withLock { hasher.byteCount } }

    func results() -> [HashKind: String] { lock.withLock { hasher.results() } }
}

/// A content stream seen through a `ContentMeter`; cancelling it cancels the content.
final class MeteredSource: ByteSource {
    private let upstream: ByteStream
    private let meter: ContentMeter

    init(_ upstream: ByteStream, meter: ContentMeter) {
        self.upstream = upstream
        self.meter = meter
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.source.next() else { return nil }
        try meter.observe(chunk)
        return chunk
    }

    func cancel() async { await upstream.cancel() }
}
