import DCTCCore
import Foundation

/// What dctc knows about one file it wrote (or verified) at a destination.
///
/// A repeat sync compares the destination's listing with this record: when size, ETag and
/// modification time still match, the recorded hashes are trusted and nothing is read or
/// hashed again. A mismatch means the file changed out of band and the record is ignored.
///
/// Equality and hashing compare `path` by its UTF-8 bytes (like `VPath`): `cafe\u{301}` and
/// `caf\u{e9}` are different entries although Swift's `String ==` calls them equal.
public struct ManifestEntry: Sendable, Hashable, Codable {
    /// Relative to the manifest's root, `/`-separated, no leading slash.
    public var path: String
    /// The size of the destination bytes.
    public var size: Int64
    /// The modification time as observed at the destination after writing.
    public var modificationTime: Date?
    /// The destination's ETag, unquoted.
    public var etag: String?
    /// The destination's object version id.
    public var version: String?
    /// Content hashes of the destination bytes, lowercase hex.
    public var hashes: [HashKind: String]
    /// When the destination holds a transformed (compressed or decompressed) copy: the source's size.
    public var sourceSize: Int64?
    /// … and the source's content hashes.
    public var sourceHashes: [HashKind: String]
    /// … and the source's modification time.
    public var sourceModificationTime: Date?
    /// When this entry was recorded.
    public var recordedAt: Date

    public init(path: String, size: Int64, modificationTime: Date? = nil, etag: String? = nil,
                version: String? = nil, hashes: [HashKind: String] = [:], sourceSize: Int64? = nil,
                sourceHashes: [HashKind: String] = [:], sourceModificationTime: Date? = nil,
                recordedAt: Date = Date()) {
        self.path = path
        self.size = size
        self.modificationTime = modificationTime
        self.etag = etag
        self.version = version
        self.hashes = hashes
        self.sourceSize = sourceSize
        self.sourceHashes = sourceHashes
        self.sourceModificationTime = sourceModificationTime
        self.recordedAt = recordedAt
    }

    /// The last path component.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? "" }

    public static func == (a: ManifestEntry, b: ManifestEntry) -> Bool {
        a.path.utf8.elementsEqual(b.path.utf8) && a.size == b.size && a.modificationTime == b.modificationTime
            && bytesEqual(a.etag, b.etag) && bytesEqual(a.version, b.version) && a.hashes == b.hashes
            && a.sourceSize == b.sourceSize && a.sourceHashes == b.sourceHashes
            && a.sourceModificationTime == b.sourceModificationTime && a.recordedAt == b.recordedAt
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path.utf8.count)
        for byte in path.utf8 { hasher.combine(byte) }
        hasher.combine(size)
        hasher.combine(etag)
    }

    private static func bytesEqual(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.utf8.elementsEqual(b.utf8)
        default: false
        }
    }
}
