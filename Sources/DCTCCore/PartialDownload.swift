/// A store that keeps the bytes of an interrupted write (a large download killed, cut off or
/// stopped with Ctrl-C) and continues after them on the next copy of the same content, instead
/// of starting again. The local store does this; the copy engine asks for it when the source
/// can read from an offset (`PartialDownload.key`).
public protocol ResumableWriting: VirtualFileSystem {
    /// Writes `path` as `write` does, through a partial file named after `key` that is kept
    /// when the transfer is interrupted. When a partial file of the same key is there, its
    /// bytes are hashed, `content(offset)` gives the rest from that offset, and the whole is
    /// checked against `attributes` (size, known hashes) before it takes the final name. A
    /// resumed file that fails the checks is written again from offset 0, once. Partial files
    /// of other content for the same destination are removed; with `--no-resume` the partial
    /// file is started again from its first byte.
    ///
    /// `content(offset, length)` gives `length` bytes from `offset` (nil: to the end). A store
    /// may call it several times at once for contiguous ranges of a large file
    /// (`MultiThreadDownloads`), each range read with the source's own retries.
    func writeResuming(_ path: VPath, key: String, attributes: WriteAttributes,
                       content: @escaping RangedContent) async throws -> FileInfo
}

/// Opens `length` bytes of a source from `offset` (nil `length`: to the end).
public typealias RangedContent = @Sendable (_ offset: Int64, _ length: Int64?) async throws -> ByteStream

/// Parallel ranged streams for one large download (`--multi-thread-streams`,
/// `--multi-thread-cutoff`, rclone's names and defaults): a file of at least `cutoff` bytes is
/// read as contiguous chunks handed out in order to `streams` concurrent ranged reads, written
/// where they belong in the partial file, and checked whole before the rename.
public struct MultiThreadDownloads: Sendable, Hashable {
    /// Concurrent ranged reads for one file; 0 or 1 reads it as one stream.
    public var streams: Int
    /// The smallest file read with several streams.
    public var cutoff: Int64

    public static let defaultStreams = 4
    public static let defaultCutoff: Int64 = 256 * 1024 * 1024

    public init(streams: Int = MultiThreadDownloads.defaultStreams, cutoff: Int64 = MultiThreadDownloads.defaultCutoff) {
        self.streams = max(0, streams)
        self.cutoff = max(0, cutoff)
    }

    /// Whether a file of `size` bytes is read with several streams.
    public func applies(to size: Int64) -> Bool { streams > 1 && size >= cutoff && size > 0 }

    /// The largest range one stream reads at a time (a store reads a range of at most this as one request).
    public static let maximumChunkSize: Int64 = 64 * 1024 * 1024

    /// The chunk a stream reads at a time for `remaining` bytes: about four chunks per stream
    /// (so the verified prefix grows steadily and a resume loses little), from 4 MiB to
    /// `maximumChunkSize`.
    public func chunkSize(remaining: Int64) -> Int64 {
        let perChunk = remaining / Int64(max(1, streams) * 4)
        let mib: Int64 = 1024 * 1024
        return min(Self.maximumChunkSize, max(4 * mib, (perChunk + mib - 1) / mib * mib))
    }
}

/// When a copy may resume a partial download, and under which identity.
public enum PartialDownload {
    /// Files smaller than this are copied afresh: starting again costs less than the bookkeeping.
    public static let minimumSize: Int64 = 8 * 1024 * 1024

    /// The identity of the source content a partial file belongs to (its address, ETag or
    /// modification time, and size), or nil when the copy cannot resume: a source on the same
    /// kind of store as the destination (a local copy), without ranged reads, too small, or
    /// without an identity that changes with its content.
    public static func key(source: any VirtualFileSystem, path: VPath, info: FileInfo) -> String? {
        guard !(source is any ResumableWriting), source.capabilities.rangedReads,
              let size = info.size, size >= minimumSize else { return nil }
        let identity: String
        if let etag = info.etag, !etag.isEmpty {
            identity = "etag " + etag
        } else if let mtime = info.modificationTime {
            identity = "mtime \(mtime.timeIntervalSince1970)"
        } else {
            return nil
        }
        return "\(source.display(path))\n\(identity)\n\(size)"
    }
}

/// The names of dctc's own work files: `.dctc-*.tmp` (a write in progress, renamed to its final
/// name at the end) and `.dctc-*.partial` (an interrupted download kept to be continued). Sync
/// and copy leave them out of the trees they compare, so they are never copied or deleted as
/// if they were the user's.
public enum WorkFiles {
    public static func contains(_ name: String) -> Bool {
        name.hasPrefix(".dctc-") && (name.hasSuffix(".tmp") || name.hasSuffix(".partial"))
    }
}
