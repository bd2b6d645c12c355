import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension FTPFileSystem {
    /// Writes a file atomically: upload to a temporary name, verify, set the time, rename.
    ///
    /// One request does it all on one connection: `CWD` to the folder (after `MKD` of parents
    /// this store has not seen yet), `STOR .dctc-XXXXXXXXXXXX.tmp` with the content streamed
    /// and checked (size, expected hashes) as libcurl sends it, then `MFMT`/`MDTM` on the
    /// temporary file, `RNFR`/`RNTO` to the final name and `MDTM` to read back the stored time.
    /// Verification fails the upload before the rename, so a mismatch never reaches the final
    /// name. When the rename is refused, the store looks at the target: a folder gives
    /// `.isADirectory`; an existing file is deleted and the rename retried (servers that will
    /// not overwrite). Every failure deletes the temporary file.
    ///
    /// - Returns: the new file's info, with the hashes computed on the way.
    /// - Throws: `.checksumMismatch`, `.isADirectory`, `.notFound` (missing folder without
    ///   `createParents`), `.permissionDenied`, and the source's own error when it fails.
    @discardableResult
    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        guard !path.isRoot else {
            await content.cancel()
            throw isADirectory("write", shown)
        }
        let parent = path.parent
        let temp = parent.appending(".dctc-\(FTPFileSystem.randomName()).tmp")
        let tempPath = FTPPaths.serverPath(temp)
        let finalPath = FTPPaths.serverPath(path)

        var commands: [String] = []
        if attributes.createParents && !directories.contains(parent) {
            // Errors are ignored (`*`): most of these folders usually exist. The CWD decides.
            var missing: [VPath] = []
            var p = parent
            while !p.isRoot && !directories.contains(p) {
                missing.append(p)
                p = p.parent
            }
            commands += missing.reversed().map { "*MKD \(FTPPaths.serverPath($0))" }
        }
        commands.append(FTPClient.cwd(parent))

        // `--verify`: the server has no hash command, so the stored bytes are read back before
        // the time is set and the file renamed into place (`renameVerified`).
        let readBack = configuration.storedCheck == .readBack
        var post: [String] = []
        if let mtime = attributes.modificationTime, let set = timeCommand(mtime, tempPath) { post.append(set) }
        post += ["RNFR \(tempPath)", "RNTO \(finalPath)", "*MDTM \(finalPath)"]
        if readBack { post = [] }

        let outcome = FTPUploadOutcome()
        let verifier: UploadVerifier
        do {
            var sending = attributes
            if readBack { sending.computeHashes.insert(.md5) }
            verifier = try UploadVerifier(attributes: sending, path: shown, outcome: outcome)
        } catch {
            await content.cancel()
            throw error
        }
        var r = client.request(url: FTPPaths.fileURL(configuration, name: temp.name))
        r.ftpCommands = commands
        r.ftpPostCommands = post
        r.body = .stream(content.transformed(by: verifier), size: nil)
        r.upload = true

        let response: CurlResponse
        do {
            response = try await client.curl.perform(r)
            await response.body.cancel()
        } catch {
            await content.cancel()
            switch await recoverFailedUpload(error, path: path, temp: temp, outcome: outcome,
                                             modificationTime: attributes.modificationTime) {
            case .failure(let failure):
                throw failure
            case .success:
                directories.insert(parent)
                var info = try await info(path)
                info.hashes = outcome.hashes.filter { attributes.computeHashes.contains($0.key) }
                return info
            }
        }
        directories.insert(parent)
        var replies = FTPReply.parse(response.serverLines)
        if readBack {
            replies = try await renameVerified(temp, to: path, outcome: outcome, modificationTime: attributes.modificationTime)
        }
        var mtime: Date?
        if let last = replies.last, last.code == 213 { mtime = FTPTime.parse(last.text) }
        if mtime == nil, let wanted = attributes.modificationTime, timeCommand != .none {
            mtime = Date(timeIntervalSince1970: floor(wanted.timeIntervalSince1970))
        }
        return FileInfo(path: path, kind: .file, size: outcome.byteCount, modificationTime: mtime,
                        hashes: outcome.hashes.filter { attributes.computeHashes.contains($0.key) })
    }

    /// `--verify`: reads the uploaded temporary file back and compares it with what was sent,
    /// then sets its time and renames it into place (deleting a file in the way on servers
    /// that will not rename over one). Every failure deletes the temporary file.
    ///
    /// - Returns: the replies of the rename and the final `MDTM`.
    /// - Throws: `.checksumMismatch`, `.isADirectory` (a folder at `path`), or the server's refusal.
    private func renameVerified(_ temp: VPath, to path: VPath, outcome: FTPUploadOutcome,
                                modificationTime: Date?) async throws -> [FTPReply] {
        let shown = display(path)
        let tempPath = FTPPaths.serverPath(temp)
        let finalPath = FTPPaths.serverPath(path)
        do {
            try await StoredContent.verify(readBack: read(temp, range: nil), sent: outcome.hashes, size: outcome.byteCount,
                                           path: shown, backend: kind)
            var steps: [String] = []
            if let mtime = modificationTime, let set = timeCommand(mtime, tempPath) { steps.append(set) }
            steps += ["RNFR \(tempPath)", "RNTO \(finalPath)", "*MDTM \(finalPath)"]
            if case .success(let replies) = await client.commandsOrFailure(steps) { return replies }
            if let target = try? await infoIfExists(path), target.isDirectory { throw isADirectory("write", shown) }
            switch await client.commandsOrFailure(["*DELE \(finalPath)"] + steps) {
            case .success(let replies): return replies
            case .failure(let error): throw FTPErrors.vfsError(from: error, operation: "write (rename into place)", path: shown)
            }
        } catch {
            await removeTemporary(tempPath)
            throw VFSError.wrap(error, path: shown)
        }
    }

    /// After a failed upload request: completes the write when only the rename was refused
    /// over an existing file, else deletes the temporary file and explains the failure.
    ///
    /// The request fails at one of three places. Before the transfer (`MKD`/`CWD`): there is
    /// no temporary file and the folder explains it. During it (the source failed, the content
    /// did not match, the server refused `STOR`, the connection broke): the temporary file is
    /// partial. After it (`MFMT`/`RNFR`/`RNTO`): the temporary file is complete, and the target
    /// says why.
    private func recoverFailedUpload(_ error: any Error, path: VPath, temp: VPath, outcome: FTPUploadOutcome,
                                     modificationTime: Date?) async -> Result<Void, VFSError> {
        let shown = display(path)
        let tempPath = FTPPaths.serverPath(temp)
        let finalPath = FTPPaths.serverPath(path)
        let failure: VFSError
        if error is CancellationError {
            failure = VFSError(.cancelled, "write: cancelled", path: shown, backend: "ftp")
        } else if let own = error as? VFSError {
            // The source failed, or the content did not match what was expected.
            failure = own.path == nil ? own.with(path: shown) : own
        } else if let curl = error as? CurlError, curl.name == "CURLE_QUOTE_ERROR" {
            let stored = try? await detached { try await self.infoIfExists(temp) }
            if outcome.isComplete, let stored, stored.isFile {
                if stored.size != outcome.byteCount {
                    failure = VFSError(.io, "write: the server stored \(stored.size ?? -1) of \(outcome.byteCount) bytes",
                                       path: shown, remedy: "retry; check the server's free space", backend: "ftp")
                } else if let target = try? await infoIfExists(path), target.isDirectory {
                    failure = isADirectory("write", shown)
                } else {
                    var steps: [String] = []
                    if let mtime = modificationTime, let set = timeCommand(mtime, tempPath) { steps.append(set) }
                    steps += ["RNFR \(tempPath)", "RNTO \(finalPath)"]
                    // Servers that will not rename over an existing file: delete it first.
                    if case .success = await client.commandsOrFailure(["*DELE \(finalPath)"] + steps) {
                        return .success(())
                    }
                    failure = FTPErrors.vfsError(from: error, operation: "write (rename into place)", path: shown)
                }
            } else {
                // MKD/CWD failed: the folder is missing or a file is in the way.
                directories.remove(path.parent)
                let folder = await explainDirectoryFailure(error, path: path.parent, operation: "write")
                failure = folder.code == .notFound ? folder : folder.with(path: shown)
            }
        } else {
            failure = await explainFileFailure(error, path: temp, operation: "write").with(path: shown)
        }
        await removeTemporary(tempPath)
        return .failure(failure)
    }

    /// Deletes a temporary file, even when the writing task was cancelled (a fresh task).
    func removeTemporary(_ serverPath: String) async {
        let client = self.client
        _ = try? await detached { await client.commandsOrFailure(["*DELE \(serverPath)"]) }
    }

    /// Runs `body` in a task of its own, so cleanup still happens when the caller is cancelled.
    func detached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }
}

/// What an upload's verifier learnt, read by the writer once the request has ended.
final class FTPUploadOutcome: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var _complete = false
    private var _byteCount: Int64 = 0
    private var _hashes: [HashKind: String] = [:]

    /// The source ended and matched every expectation.
    var isComplete: Bool { lock.withLock { _complete } }
    var byteCount: Int64 { lock.withLock { _byteCount } }
    var hashes: [HashKind: String] { lock.withLock { _hashes } }

    func succeed(byteCount: Int64, hashes: [HashKind: String]) {
        lock.withLock {
            _complete = true
            _byteCount = byteCount
            _hashes = hashes
        }
    }
}

/// Hashes and counts the content on its way to libcurl; at the end of the source it checks the
/// expected size and hashes and throws `.checksumMismatch` on a difference, which aborts the
/// upload before the rename (the bytes already sent only reach the temporary file).
final class UploadVerifier: ByteTransform {
    private let hasher: HashingTransform
    private let expectedSize: Int64?
    private let expectedHashes: [HashKind: String]
    private let path: String
    private let outcome: FTPUploadOutcome

    init(attributes: WriteAttributes, path: String, outcome: FTPUploadOutcome) throws {
        hasher = try HashingTransform(kinds: attributes.computeHashes.union(attributes.expectedHashes.keys))
        expectedSize = attributes.expectedSize
        expectedHashes = attributes.expectedHashes
        self.path = path
        self.outcome = outcome
    }

    func process(_ input: [UInt8]) throws -> [UInt8] {
        let out = try hasher.process(input)
        if let expectedSize, hasher.byteCount > expectedSize {
            throw VFSError(.checksumMismatch, "size mismatch: expected \(expectedSize) bytes, got more", path: path,
                           remedy: "the source changed or the transfer was damaged; run the command again")
        }
        return out
    }

    func finish() throws -> [UInt8] {
        let hashes = hasher.results()
        try verifyContent(path: path, expectedSize: expectedSize, actualSize: hasher.byteCount,
                          expected: expectedHashes, actual: hashes)
        outcome.succeed(byteCount: hasher.byteCount, hashes: hashes)
        return []
    }
}
