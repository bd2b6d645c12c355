import DCTCCore
import Foundation
import ZIPFoundation

/// Creates a new zip archive on the local disk, atomically, from byte streams.
///
/// The archive is written to a hidden scratch file `.NAME.dctc-tmp-XXXXXXXX` in the
/// destination's folder and renamed over the destination by `commit()`, so the final name
/// shows either nothing new or a complete archive. `abandon()`, a failed entry, or dropping the
/// writer without committing removes the scratch file.
///
/// ZIPFoundation does the zip work synchronously; it runs on a thread the writer owns, and
/// entry content is bridged to it through a bounded `ByteChannel`, so an entry of any size
/// is written in constant memory. Entries are deflated (ZIP64 records are written for entries
/// and archives beyond 4 GiB). Add entries one at a time.
public actor ZipArchiveWriter {
    /// The archive's final local path.
    public nonisolated let path: String
    /// The archive as the user named it (for messages).
    public nonisolated let displayPath: String

    private enum State { case open, busy, committed, closed }

    /// ZIPFoundation's read and compression buffer size.
    static let bufferSize = 256 * 1024

    private let temporaryPath: String
    private let thread: IOThread
    private let archive: ThreadConfined<Archive?>
    private var state = State.open
    private var entryCount = 0

    /// Starts a new archive whose final name will be `path`.
    ///
    /// - Parameters:
    ///   - path: the local file the archive becomes on `commit()` (replacing any file there).
    ///   - displayPath: how messages name it; `path` by default.
    /// - Throws: `VFSError` when the scratch file cannot be created (`.notFound` for a missing
    ///   folder, `.permissionDenied`, `.io`).
    public init(path: String, displayPath: String? = nil) async throws {
        let display = displayPath ?? path
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let baseName = url.lastPathComponent
        let thread = IOThread(name: "dctc-zip-writer")
        let archive = ThreadConfined<Archive?>(nil, on: thread)
        do {
            temporaryPath = try await archive.withValue { archive in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                    throw VFSError.notFound(display, remedy: "create its folder first")
                }
                guard isDirectory.boolValue else {
                    throw VFSError(.notADirectory, "its folder is not a directory", path: display)
                }
                for _ in 0..<16 {
                    let candidate = directory + "/." + baseName + ".dctc-tmp-" + randomSuffix()
                    if FileManager.default.fileExists(atPath: candidate) { continue }
                    do {
                        archive = try Archive(url: URL(fileURLWithPath: candidate), accessMode: .create, pathEncoding: nil)
                        return candidate
                    } catch {
                        unlink(candidate)
                        throw zipError(error, path: display)
                    }
                }
                throw VFSError(.io, "cannot find a free scratch name next to the archive", path: display)
            }
        } catch {
            thread.shutdown()
            throw error
        }
        self.path = path
        self.displayPath = display
        self.thread = thread
        self.archive = archive
    }

    deinit {
        switch state {
        case .committed, .closed:
            break
        case .open, .busy:
            let archive = self.archive
            let temporaryPath = self.temporaryPath
            thread.submit {
                archive.withValueOnThread { $0 = nil }
                unlink(temporaryPath)
            }
        }
        thread.shutdown()
    }

    // MARK: - Adding entries

    /// Adds a file entry whose content is streamed (deflated).
    ///
    /// When `size` is known the content goes straight into the archive; when it is nil it is
    /// first spooled to an unlinked scratch file next to the archive, because a zip entry's
    /// header needs its size.
    /// - Parameters:
    ///   - path: the entry name, relative (`dir/file.txt`); see `ZipEntryName`.
    ///   - modificationTime: stored with the entry (zip keeps it to 2 s, in local time).
    ///   - size: the content's exact size in bytes, or nil when unknown.
    ///   - content: the bytes; consumed once, cancelled on failure.
    /// - Throws: `VFSError(.invalidArgument)` for an unsafe name or while another entry is
    ///   being added; `VFSError(.checksumMismatch)` when the content's length differs from
    ///   `size`; the content's own error; `VFSError(.io)` for write failures. Any failure
    ///   abandons the whole archive (the scratch file is removed).
    public func addEntry(path entryPath: String, modificationTime: Date, size: Int64?,
                         content: ByteStream) async throws {
        do {
            try beginOperation()
        } catch {
            await content.cancel()
            throw error
        }
        let name: String
        do {
            name = try ZipEntryName.validatedForWriting(entryPath, archive: displayPath)
        } catch {
            state = .open
            await content.cancel()
            throw error
        }
        if let size, size < 0 {
            state = .open
            await content.cancel()
            throw VFSError.invalid("negative size \(size) for zip entry \"\(name)\"", path: displayPath)
        }
        let channel = ByteChannel()
        let archive = self.archive
        let display = displayPath
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let baseName = URL(fileURLWithPath: path).lastPathComponent
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await Self.pump(content, into: channel) }
                group.addTask {
                    try await archive.withValue { archive in
                        defer { channel.cancelNow() }
                        guard let archive else { throw VFSError(.io, "the archive is closed", path: display) }
                        do {
                            try Self.writeFileEntry(to: archive, name: name, modificationTime: modificationTime,
                                                    size: size, channel: channel, spoolFolder: folder,
                                                    spoolBaseName: baseName, displayPath: display)
                        } catch {
                            throw zipError(error, path: display)
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            await discard()
            throw error
        }
        entryCount += 1
        state = .open
    }

    /// Adds a directory entry (`NAME/`).
    ///
    /// - Throws: `VFSError(.invalidArgument)` for an unsafe name; `VFSError(.io)` for write
    ///   failures, which abandon the archive.
    public func addDirectory(path entryPath: String, modificationTime: Date) async throws {
        try beginOperation()
        let name: String
        do {
            name = try ZipEntryName.validatedForWriting(entryPath, archive: displayPath) + "/"
        } catch {
            state = .open
            throw error
        }
        let display = displayPath
        do {
            try await archive.withValue { archive in
                guard let archive else { throw VFSError(.io, "the archive is closed", path: display) }
                do {
                    try archive.addEntry(with: name, type: .directory, uncompressedSize: Int64(0),
                                         modificationDate: modificationTime, permissions: 0o755,
                                         provider: { _, _ in Data() })
                } catch {
                    throw zipError(error, path: display)
                }
            }
        } catch {
            await discard()
            throw error
        }
        entryCount += 1
        state = .open
    }

    // MARK: - Finishing

    /// Closes the archive and renames it to its final name, replacing any file there.
    ///
    /// Before the rename the scratch file is read back (its central directory must list every
    /// entry added, which catches short writes on a full disk) and flushed to disk (`fsync`).
    /// - Throws: `VFSError(.io)` when closing, checking, flushing or renaming fails; the
    ///   scratch file is then removed and the destination left as it was.
    public func commit() async throws {
        try beginOperation()
        let temporaryPath = self.temporaryPath
        let finalPath = path
        let display = displayPath
        let expected = entryCount
        do {
            try await archive.withValue { archive in
                archive = nil  // closes the file (ZIPFoundation flushes and fcloses in deinit)
                let check: Archive
                do {
                    check = try Archive(url: URL(fileURLWithPath: temporaryPath), accessMode: .read, pathEncoding: nil)
                } catch {
                    throw VFSError(.io, "the archive could not be written completely", path: display,
                                   remedy: "check the free space of its folder", cause: String(describing: error))
                }
                var listed = 0
                for _ in check { listed += 1 }
                guard listed == expected else {
                    throw VFSError(.io, "the archive lists \(listed) entries instead of \(expected)", path: display,
                                   remedy: "check the free space of its folder")
                }
                let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw posixError(errno, path: display, doing: "opening the archive to flush it") }
                let synced = fsync(fd)
                let syncErrno = errno
                close(fd)
                guard synced == 0 else { throw posixError(syncErrno, path: display, doing: "fsync") }
                guard rename(temporaryPath, finalPath) == 0 else {
                    throw posixError(errno, path: display, doing: "renaming the finished archive into place")
                }
            }
        } catch {
            await discard()
            throw error
        }
        state = .committed
        thread.shutdown()
    }

    /// Drops the archive: closes and removes the scratch file. Does nothing after `commit()`.
    public func abandon() async {
        guard state == .open || state == .busy else { return }
        await discard()
    }

    // MARK: - Helpers

    private func beginOperation() throws {
        switch state {
        case .open:
            state = .busy
        case .busy:
            throw VFSError.invalid("an entry is already being added to this archive", path: displayPath,
                                   remedy: "add zip entries one at a time")
        case .committed, .closed:
            throw VFSError.invalid("the archive is already finished or abandoned", path: displayPath)
        }
    }

    /// Closes and removes the scratch file, and stops the thread.
    private func discard() async {
        state = .closed
        let temporaryPath = self.temporaryPath
        _ = try? await archive.withValue { archive in
            archive = nil
            unlink(temporaryPath)
        }
        thread.shutdown()
    }

    /// Feeds `content` into `channel` until it ends, fails, or the channel's reader stops.
    private static func pump(_ content: ByteStream, into channel: ByteChannel) async {
        do {
            for try await chunk in content {
                try await channel.send(chunk)
            }
            channel.finish()
        } catch {
            if !channel.isCancelled { channel.finish(throwing: error) }
            await content.cancel()
        }
    }

    /// Deflates one entry into the archive (runs on the writer's thread).
    private static func writeFileEntry(to archive: Archive, name: String, modificationTime: Date, size: Int64?,
                                       channel: ByteChannel, spoolFolder: String, spoolBaseName: String,
                                       displayPath: String) throws {
        let entryDisplay = "\(displayPath): \(name)"
        if let size {
            let reader = ChannelBlockReader(channel)
            try archive.addEntry(with: name, type: .file, uncompressedSize: size,
                                 modificationDate: modificationTime, permissions: 0o644,
                                 compressionMethod: compressionMethod(forSize: size), bufferSize: bufferSize,
                                 provider: { _, count in
                                     let data = try reader.read(upTo: count)
                                     guard data.count == count else {
                                         throw VFSError(.checksumMismatch,
                                                        "the content ended after \(reader.bytesRead) bytes, but its size was given as \(size)",
                                                        path: entryDisplay)
                                     }
                                     return data
                                 })
            guard try reader.isAtEnd() else {
                throw VFSError(.checksumMismatch, "the content is longer than its given size of \(size) bytes",
                               path: entryDisplay)
            }
        } else {
            let spool = try SpoolFile(directory: spoolFolder, baseName: spoolBaseName, displayPath: displayPath)
            while let chunk = try channel.receiveBlocking() {
                try spool.append(chunk, displayPath: displayPath)
            }
            try spool.rewind(displayPath: displayPath)
            let total = spool.size
            try archive.addEntry(with: name, type: .file, uncompressedSize: total,
                                 modificationDate: modificationTime, permissions: 0o644,
                                 compressionMethod: compressionMethod(forSize: total), bufferSize: bufferSize,
                                 provider: { _, count in
                                     let data = try spool.read(upTo: count, displayPath: displayPath)
                                     guard data.count == count else {
                                         throw VFSError(.io, "the scratch copy of the content is shorter than written",
                                                        path: entryDisplay)
                                     }
                                     return data
                                 })
        }
    }

    /// Deflate, except just below 4 GiB.
    ///
    /// ZIPFoundation 0.9.20 sizes the local header (with or without a ZIP64 field) from the
    /// uncompressed size before writing the data, and rewrites it afterwards with the
    /// compressed size. Incompressible content just under 4 GiB can deflate to just over it,
    /// which would grow the header into the data; storing such entries avoids that. Remove
    /// when ZIPFoundation reserves the ZIP64 field up front.
    static func compressionMethod(forSize size: Int64) -> CompressionMethod {
        let limit = Int64(UInt32.max)
        let worstCaseGrowth = size / 1000 + (1 << 20)
        return size < limit && size + worstCaseGrowth >= limit ? .none : .deflate
    }
}
