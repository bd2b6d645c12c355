import DCTCCore
import Foundation
import ZIPFoundation

/// One entry of a zip archive, as listed by `ZipArchiveReader`.
public struct ZipEntryInfo: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, directory, symbolicLink }

    /// The name as stored (directories end with `/`).
    public var path: String
    public var kind: Kind
    /// Uncompressed size in bytes.
    public var size: Int64
    /// Stored (compressed) size in bytes.
    public var compressedSize: Int64
    /// The stored modification time (2 s precision, read as local time), when valid.
    public var modificationTime: Date?
    /// The CRC-32 recorded for the content.
    public var crc32: UInt32

    public var isDirectory: Bool { kind == .directory }

    public init(path: String, kind: Kind, size: Int64, compressedSize: Int64, modificationTime: Date?, crc32: UInt32) {
        self.path = path
        self.kind = kind
        self.size = size
        self.compressedSize = compressedSize
        self.modificationTime = modificationTime
        self.crc32 = crc32
    }

    init(_ entry: Entry) {
        let kind: Kind = switch entry.type {
        case .file: .file
        case .directory: .directory
        case .symlink: .symbolicLink
        }
        self.init(path: entry.path, kind: kind, size: Int64(clamping: entry.uncompressedSize),
                  compressedSize: Int64(clamping: entry.compressedSize),
                  modificationTime: entry.fileAttributes[.modificationDate] as? Date, crc32: entry.checksum)
    }
}

/// Lists and reads a zip archive on the local disk.
///
/// Each call opens the archive afresh with ZIPFoundation on a thread of its own, so readers
/// are cheap values, and several entries can be streamed at the same time.
public struct ZipArchiveReader: Sendable {
    /// The archive's local path.
    public let path: String
    /// The archive as the user named it (for messages).
    public let displayPath: String

    /// ZIPFoundation's read and decompression buffer size.
    static let bufferSize = 256 * 1024

    /// - Parameters:
    ///   - path: the local archive file.
    ///   - displayPath: how messages name it; `path` by default.
    public init(path: String, displayPath: String? = nil) {
        self.path = path
        self.displayPath = displayPath ?? path
    }

    /// The entries of the archive, in the order of its central directory.
    ///
    /// - Parameter allowUnsafeNames: list entries whose names would escape the destination
    ///   folder (absolute, `..`) instead of failing; for showing, never for extracting.
    /// - Throws: `VFSError(.notFound)` when the file is missing; `VFSError(.corruptData)` when
    ///   it is not a zip archive, is damaged, or (unless allowed) holds an unsafe name.
    public func entries(allowUnsafeNames: Bool = false) async throws -> [ZipEntryInfo] {
        let path = self.path
        let display = displayPath
        return try await IOThread.detached(name: "dctc-zip-list") {
            let archive = try Self.open(path, displayPath: display)
            var result: [ZipEntryInfo] = []
            for entry in archive {
                let info = ZipEntryInfo(entry)
                if !allowUnsafeNames { try ZipEntryName.validateForReading(info.path, archive: display) }
                result.append(info)
            }
            return result
        }
    }

    /// Streams the content of one entry, decompressed and checked against its CRC-32.
    ///
    /// Extraction runs on a thread of its own and is paced by the reader of the stream
    /// (a bounded `ByteChannel`). A caller that stops reading early must `cancel()` the
    /// stream: that stops the extraction and frees its thread.
    /// - Parameter name: the entry name exactly as listed.
    /// - Returns: the content; a damaged entry or a CRC mismatch makes reading fail with
    ///   `VFSError(.corruptData)` after the bytes before the damage.
    /// - Throws: `VFSError(.notFound)` for a missing archive or entry; `VFSError(.isADirectory)`
    ///   for a directory entry; `VFSError(.corruptData)` for an unreadable archive or an
    ///   unsafe entry name.
    public func read(entry name: String) async throws -> ByteStream {
        let path = self.path
        let display = displayPath
        let channel = ByteChannel()
        let thread = IOThread(name: "dctc-zip-read")
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            thread.submit {
                defer { thread.shutdown() }
                let archive: Archive
                let entry: Entry
                do {
                    archive = try Self.open(path, displayPath: display)
                    guard let found = archive[name] else {
                        throw VFSError.notFound("\(display): \(name)", remedy: "list the archive with `dctc ls \(display)`")
                    }
                    guard found.type != .directory else {
                        throw VFSError(.isADirectory, "is a directory entry", path: "\(display): \(name)")
                    }
                    try ZipEntryName.validateForReading(name, archive: display)
                    entry = found
                } catch {
                    opened.resume(throwing: zipError(error, path: display))
                    return
                }
                opened.resume()
                do {
                    let checksum = try archive.extract(entry, bufferSize: Self.bufferSize, skipCRC32: false) { data in
                        try channel.sendBlocking([UInt8](data))
                    }
                    guard entry.type != .file || checksum == entry.checksum else {
                        throw VFSError(.corruptData, "the entry fails its CRC-32 check", path: "\(display): \(name)",
                                       remedy: "the archive is damaged; check it with `unzip -t`")
                    }
                    channel.finish()
                } catch {
                    channel.finish(throwing: channel.isCancelled ? error : zipError(error, path: "\(display): \(name)"))
                }
            }
        }
        return channel.stream
    }

    /// Opens the archive for reading (runs on a thread of ours).
    static func open(_ path: String, displayPath: String) throws -> Archive {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw VFSError.notFound(displayPath)
        }
        guard !isDirectory.boolValue else {
            throw VFSError(.isADirectory, "is a directory, not a zip archive", path: displayPath)
        }
        do {
            return try Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil)
        } catch {
            throw zipError(error, path: displayPath)
        }
    }
}
