import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

// MARK: - Primitives: writes (WebDAV only)

extension HTTPFileSystem {
    /// Uploads a file atomically: PUT to `.dctc-XXXXXXXXXXXX.tmp` in the destination folder,
    /// check the size and hashes counted while streaming, then MOVE it over `path`
    /// (`Overwrite: T`). On any failure the temporary file is deleted and `path` is untouched.
    ///
    /// The body is sent with `Content-Length` when `expectedSize` (or `sizeHint`) is known, else
    /// chunked. The modification time travels the way `profile.modificationTimes` says.
    ///
    /// - Returns: the new file's info with the hashes computed on the way.
    /// - Throws: `.unsupported` on a read-only server, `.isADirectory` when a folder is in the
    ///   way, `.checksumMismatch`, `.notFound` for a missing folder with `createParents` off,
    ///   and whatever the server answers (`.permissionDenied`, `.authenticationFailed`, 507 as `.io`).
    @discardableResult
    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        guard profile.isWebDAV else {
            await content.cancel()
            throw readOnlyError(path, "writing a file")
        }
        let meter: UploadMeter
        do {
            if path.isRoot { throw isADirectory(path) }
            // A MOVE with Overwrite onto a folder would replace the whole folder: look first.
            if let existing = try await propfindIfExists(path) {
                if existing.isDirectory { throw isADirectory(path) }
            } else if attributes.createParents {
                try await ensureDirectory(path.parent)
            } else if !knownDirectories.contains(path.parent) {
                guard let parent = try await propfindIfExists(path.parent) else { throw notFound(path.parent) }
                if !parent.isDirectory { throw notADirectory(path.parent) }
            }
            meter = try UploadMeter(kinds: attributes.computeHashes.union(attributes.expectedHashes.keys)
                .union(configuration.storedCheck == .readBack ? [.md5] : []))
        } catch {
            await content.cancel()
            throw error
        }
        let temp = path.parent.appending(Self.temporaryName())
        let body = ByteStream(MeteredSource(upstream: content, meter: meter))
        // Content-Type as `aws s3 cp` would send it: asked for, else guessed from the final name.
        let type = attributes.properties["Content-Type"] ?? configuration.uploadContentType ?? MIMETypes.type(forName: path.name)
        let typeHeader = type.flatMap { t in t.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f } ? [("Content-Type", t)] : nil } ?? []
        let put = request("PUT", temp, headers: modificationTimeHeaders(attributes.modificationTime) + typeHeader,
                          body: .stream(body, size: attributes.expectedSize ?? attributes.sizeHint))
        do {
            let response = try await send(put, path)
            guard (200..<300).contains(response.status) else {
                if response.status == 409 {
                    await response.body.cancel()
                    knownDirectories.remove(path.parent)
                    throw VFSError(.notFound, "the folder to write into does not exist (HTTP 409)", path: display(path.parent),
                                   remedy: "create it first, or retry if it was removed meanwhile", backend: kind)
                }
                throw await statusError(response, path)
            }
            await response.body.cancel()
            let hashes = meter.results()
            try verifyContent(path: display(path), expectedSize: attributes.expectedSize, actualSize: meter.byteCount,
                              expected: attributes.expectedHashes, actual: hashes)
            if configuration.storedCheck == .readBack {
                // `--verify`: the server keeps no hash; its stored bytes are read back before the MOVE.
                try await StoredContent.verify(readBack: read(temp, range: nil), sent: hashes, size: meter.byteCount,
                                               path: display(path), backend: kind)
            }
            try await moveResource(temp, to: path, isDirectory: false, overwrite: true)
            return FileInfo(path: path, kind: .file, size: meter.byteCount,
                            modificationTime: keptModificationTime(attributes.modificationTime), hashes: hashes)
        } catch {
            await removeTemporary(temp)
            throw VFSError.wrap(error, path: display(path))
        }
    }

    /// Removes a file with DELETE, after checking it is not a folder (a DELETE of a
    /// collection removes everything in it).
    ///
    /// - Throws: `.notFound`, `.isADirectory`, `.unsupported` on a read-only server.
    public func remove(_ path: VPath) async throws {
        guard profile.isWebDAV else { throw readOnlyError(path, "removing a file") }
        let entry = try await propfindEntry(path)
        if entry.isDirectory { throw isADirectory(path) }
        let response = try await send(request("DELETE", path), path)
        await response.body.cancel()
        switch response.status {
        case 200..<300: return
        case 404, 410: throw notFound(path)
        default: throw await statusError(response, path)
        }
    }

    /// Creates one folder with MKCOL; its parent must exist.
    ///
    /// - Throws: `.alreadyExists` (some servers answer MKCOL of an existing folder with 201,
    ///   so the store asks first), `.notFound` for a missing parent (HTTP 409).
    public func makeDirectory(_ path: VPath) async throws {
        guard profile.isWebDAV else { throw readOnlyError(path, "creating a folder") }
        if path.isRoot { throw alreadyExists(path, file: false) }
        if let existing = try await propfindIfExists(path) { throw alreadyExists(path, file: !existing.isDirectory) }
        try await mkcol(path)
    }

    /// Removes an empty folder: PROPFIND `Depth: 1` to check it is empty, then DELETE.
    ///
    /// A server that hides names starting with `.` from its listings (nginx) makes a folder
    /// holding only such names look empty, and the DELETE then removes them too.
    ///
    /// - Throws: `.notEmpty`, `.notFound`, `.notADirectory`.
    public func removeDirectory(_ path: VPath) async throws {
        guard profile.isWebDAV else { throw readOnlyError(path, "removing a folder") }
        if path.isRoot {
            throw VFSError(.invalidArgument, "the store's top folder cannot be removed", path: display(path), backend: kind)
        }
        guard let entries = try await propfind(path, depth: 1) else { throw notFound(path) }
        var isCollection = false
        var hasChildren = false
        for entry in entries {
            guard let p = configuration.storePath(entry.components) else { continue }
            if p == path { isCollection = entry.isCollection } else if p.parent == path { hasChildren = true }
        }
        if !isCollection && !hasChildren { throw notADirectory(path) }
        if hasChildren {
            throw VFSError(.notEmpty, "directory not empty", path: display(path),
                           remedy: "remove its contents first, or use `dctc rm -r`", backend: kind)
        }
        let response = try await send(request("DELETE", path, directory: true), path)
        await response.body.cancel()
        knownDirectories.remove(path)
        switch response.status {
        case 200..<300: return
        case 404, 410: throw notFound(path)
        default: throw await statusError(response, path)
        }
    }

    // MARK: - Optional powers

    /// Renames a file or folder on the server (MOVE), creating the destination's parents.
    ///
    /// - Throws: `.notFound` for a missing source, `.isADirectory` when a folder is in the way
    ///   of the destination, `.alreadyExists` when moving a folder onto a file.
    public func move(from source: VPath, to destination: VPath) async throws {
        guard profile.isWebDAV else { throw readOnlyError(source, "moving") }
        if source == destination { return }
        let entry = try await propfindEntry(source)
        if let target = try await propfindIfExists(destination) {
            if target.isDirectory { throw isADirectory(destination) }
            if entry.isDirectory { throw alreadyExists(destination, file: true) }
        }
        try await ensureDirectory(destination.parent)
        try await moveResource(source, to: destination, isDirectory: entry.isDirectory, overwrite: !entry.isDirectory)
        if entry.isDirectory {
            knownDirectories.remove(source)
            knownDirectories.insert(destination)
        }
    }

    /// Copies a file on the server (COPY to a temporary name, then MOVE over the destination).
    ///
    /// Falls back to streaming the content through dctc when `attributes` ask for something a
    /// COPY cannot do: hashes to compute or check, or a modification time other than the
    /// source's (servers give a copy the source's time).
    ///
    /// - Throws: `.notFound`, `.isADirectory` (either side), `.checksumMismatch` when the
    ///   source's size differs from `expectedSize`.
    @discardableResult
    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        guard profile.isWebDAV else { throw readOnlyError(destination, "copying") }
        let entry = try await propfindEntry(source)
        if entry.isDirectory { throw isADirectory(source) }
        let timeDiffers = attributes.modificationTime.map { wanted in
            entry.modificationTime.map { abs($0.timeIntervalSince(wanted)) >= 1 } ?? true
        } ?? false
        if !attributes.computeHashes.isEmpty || !attributes.expectedHashes.isEmpty || timeDiffers {
            return try await write(destination, from: read(source, range: nil), attributes: attributes)
        }
        if let expected = attributes.expectedSize, let size = entry.size, expected != size {
            throw VFSError(.checksumMismatch, "size mismatch: expected \(expected) bytes, got \(size)",
                           path: display(source), remedy: "the source changed; run the command again", backend: kind)
        }
        if let target = try await propfindIfExists(destination), target.isDirectory { throw isADirectory(destination) }
        if attributes.createParents { try await ensureDirectory(destination.parent) }
        let temp = destination.parent.appending(Self.temporaryName())
        let headers = [("Destination", configuration.url(temp)), ("Overwrite", "T"), ("Depth", "0")]
        let response = try await send(request("COPY", source, headers: headers), destination)
        await response.body.cancel()
        switch response.status {
        case 200..<300: break
        case 404, 410: throw notFound(source)
        case 409: throw notFound(destination.parent)
        default: throw await statusError(response, destination)
        }
        do {
            try await moveResource(temp, to: destination, isDirectory: false, overwrite: true)
        } catch {
            await removeTemporary(temp)
            throw error
        }
        return try await propfindEntry(destination)
    }

    // MARK: - Helpers

    /// Creates `directory` and its missing parents, asking the server only about folders
    /// this store has not seen yet.
    ///
    /// - Throws: `.alreadyExists` when a file is in the way.
    func ensureDirectory(_ directory: VPath) async throws {
        if knownDirectories.contains(directory) { return }
        if let existing = try await propfindIfExists(directory) {
            if !existing.isDirectory { throw alreadyExists(directory, file: true) }
            return
        }
        try await ensureDirectory(directory.parent)
        do {
            try await mkcol(directory)
        } catch let e as VFSError where e.code == .alreadyExists {
            // Created by someone else meanwhile: fine when it is a folder.
            guard try await propfindIfExists(directory)?.isDirectory == true else { throw e }
        }
    }

    /// MKCOL `directory/`.
    func mkcol(_ directory: VPath) async throws {
        let response = try await send(request("MKCOL", directory, directory: true), directory)
        await response.body.cancel()
        switch response.status {
        case 200..<300: knownDirectories.insert(directory)
        case 405: throw alreadyExists(directory, file: false)
        case 409: throw notFound(directory.parent)
        default: throw await statusError(response, directory)
        }
    }

    /// MOVE `source` to `destination`.
    func moveResource(_ source: VPath, to destination: VPath, isDirectory: Bool, overwrite: Bool) async throws {
        let headers = [("Destination", configuration.url(destination, directory: isDirectory)),
                       ("Overwrite", overwrite ? "T" : "F")]
        let response = try await send(request("MOVE", source, directory: isDirectory, headers: headers), destination)
        await response.body.cancel()
        switch response.status {
        case 200..<300: return
        case 404, 410: throw notFound(source)
        case 409: throw notFound(destination.parent)
        case 412: throw alreadyExists(destination, file: true)
        default: throw await statusError(response, destination)
        }
    }

    /// DELETE, ignoring every failure (cleanup of a temporary file that may not exist).
    func deleteQuietly(_ path: VPath) async {
        guard let response = try? await send(request("DELETE", path), path) else { return }
        await response.body.cancel()
    }

    /// Removes the temporary file of a failed upload, making sure it is gone.
    ///
    /// A server may still be finishing the aborted PUT when the DELETE arrives and create the
    /// file after it (rclone writes a partial upload out when its handler ends), so the
    /// store looks again and retries a few times, a little later each time.
    /// The cleanup runs in a task of its own, so it happens even when the upload failed
    /// because the calling task was cancelled.
    func removeTemporary(_ temp: VPath) async {
        await Task { [self] in
            for attempt in 1...6 {
                await deleteQuietly(temp)
                guard (try? await propfindIfExists(temp)) != nil else { return }
                try? await Task.sleep(for: .milliseconds(50 * attempt))
            }
        }.value
    }

    /// The headers that carry an upload's modification time, per `profile.modificationTimes`.
    ///
    /// `X-OC-Mtime` is sent to servers of unknown kind too (ownCloud and Nextcloud honour it,
    /// others ignore it), but the store claims the time only where it is known to be kept.
    func modificationTimeHeaders(_ time: Date?) -> [(String, String)] {
        guard let time else { return [] }
        let seconds = Int64(time.timeIntervalSince1970.rounded(.down))
        switch profile.modificationTimes {
        case .dateHeader: return [("Date", HTTPDate.format(time))]
        case .ocMtimeHeader, .notKept: return [("X-OC-Mtime", String(seconds))]
        }
    }

    /// The time the server keeps for an upload given `time`, or nil when it keeps none.
    func keptModificationTime(_ time: Date?) -> Date? {
        guard let time, profile.modificationTimes != .notKept else { return nil }
        return Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }

    func alreadyExists(_ path: VPath, file: Bool) -> VFSError {
        VFSError(.alreadyExists, file ? "a file is in the way" : "the folder already exists", path: display(path),
                 remedy: file ? "remove or rename the file first" : "nothing to do, or choose another name", backend: kind)
    }

    static func temporaryName() -> String {
        ".dctc-" + String(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff, radix: 16) + ".tmp"
    }
}
