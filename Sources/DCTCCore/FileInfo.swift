import Foundation

/// What a store knows about one entry, as cheaply as it knows it.
///
/// Fields a store cannot supply are nil. `hashes` holds only hashes the store already knows
/// (an S3 single-part ETag is an MD5; a multipart one is not and never appears here).
public struct FileInfo: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case file, directory, symlink, other
    }

    public var path: VPath
    public var kind: Kind
    /// Size in bytes (files only).
    public var size: Int64?
    public var modificationTime: Date?
    /// The store's opaque content identity (HTTP/S3 ETag), unquoted.
    public var etag: String?
    /// An object version id, where the store keeps versions.
    public var version: String?
    /// Known content hashes, lowercase hex.
    public var hashes: [HashKind: String]
    /// POSIX permission bits, where the store has them.
    public var mode: UInt32?
    /// User metadata (S3 `x-amz-meta-*` without the prefix, lowercased keys).
    public var metadata: [String: String]
    /// What the store keeps besides user metadata, under HTTP's header names
    /// (`Content-Type`, `Cache-Control`, `Content-Encoding`, `Storage-Class`,
    /// `Server-Side-Encryption`...): what `dctc stat` shows. Empty when unknown.
    public var properties: [String: String] = [:]
    /// Identity of a local file (device, inode, mtime in ns) for the checksum cache.
    public var localIdentity: LocalIdentity?
    /// Where a symbolic link points, as stored in the link (kind `.symlink` only; nil when unknown).
    public var linkTarget: String?

    public struct LocalIdentity: Sendable, Hashable, Codable {
        public var device: UInt64
        public var inode: UInt64
        public var modificationTimeNanoseconds: Int64
        public init(device: UInt64, inode: UInt64, modificationTimeNanoseconds: Int64) {
            self.device = device
            self.inode = inode
            self.modificationTimeNanoseconds = modificationTimeNanoseconds
        }
    }

    public init(path: VPath, kind: Kind, size: Int64? = nil, modificationTime: Date? = nil,
                etag: String? = nil, version: String? = nil, hashes: [HashKind: String] = [:],
                mode: UInt32? = nil, metadata: [String: String] = [:], localIdentity: LocalIdentity? = nil,
                linkTarget: String? = nil) {
        self.path = path
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
        self.etag = etag
        self.version = version
        self.hashes = hashes
        self.mode = mode
        self.metadata = metadata
        self.localIdentity = localIdentity
        self.linkTarget = linkTarget
    }

    public var name: String { path.name }
    public var isDirectory: Bool { kind == .directory }
    public var isFile: Bool { kind == .file }
}

/// A byte range for ranged reads: from `offset`, `length` bytes (to the end when nil).
public struct ByteRange: Sendable, Hashable, CustomStringConvertible {
    public var offset: Int64
    public var length: Int64?

    public init(offset: Int64, length: Int64? = nil) {
        self.offset = max(0, offset)
        self.length = length.map { max(0, $0) }
    }

    /// The HTTP `Range` header value (`bytes=0-99`, `bytes=100-`).
    public var httpHeader: String {
        if let length { return "bytes=\(offset)-\(offset + max(length, 1) - 1)" }
        return "bytes=\(offset)-"
    }

    public var description: String { httpHeader }
}

/// What a writer wants to happen with the new content besides its bytes.
public struct WriteAttributes: Sendable {
    /// Set this modification time on the result (when the store can).
    public var modificationTime: Date?
    /// The expected size; a mismatch aborts the write (nothing appears under the final name).
    public var expectedSize: Int64?
    /// Hashes the content must have; a mismatch aborts the write.
    public var expectedHashes: [HashKind: String]
    /// Hashes to compute while the content streams; returned in the `FileInfo`.
    public var computeHashes: Set<HashKind>
    /// User metadata to attach where the store supports it.
    public var metadata: [String: String]
    /// Object properties to set where the store supports them (`Content-Type`,
    /// `Cache-Control`...; names as in `FileInfo.properties`); they win over the store's own
    /// upload settings.
    public var properties: [String: String] = [:]
    /// Create missing parent directories (default true, like object stores behave).
    public var createParents: Bool
    /// The size when known in advance (lets stores choose single vs multipart upload).
    public var sizeHint: Int64?
    /// POSIX permission bits for the new file (stores with modes: local, SFTP). Setuid, setgid
    /// and sticky bits are dropped; nil keeps the mode of a file being replaced, else the
    /// store's default (0666 less the umask).
    public var mode: UInt32?
    /// The hashes of consecutive parts of the content, computed with `expectedHashes` before the
    /// write (see `UpfrontHashWanting.partSizesWantedUpfront`): a store that sends parts with
    /// their own checksums uses these instead of hashing while it sends, and a part that is not
    /// what was hashed fails the write.
    public var expectedPartHashes: PartHashes?

    public init(modificationTime: Date? = nil, expectedSize: Int64? = nil,
                expectedHashes: [HashKind: String] = [:], computeHashes: Set<HashKind> = [],
                metadata: [String: String] = [:], createParents: Bool = true, sizeHint: Int64? = nil,
                mode: UInt32? = nil) {
        self.modificationTime = modificationTime
        self.expectedSize = expectedSize
        self.expectedHashes = expectedHashes
        self.computeHashes = computeHashes
        self.metadata = metadata
        self.createParents = createParents
        self.sizeHint = sizeHint
        self.mode = mode.map { $0 & 0o777 }
    }

    /// The permission bits a store sets: `mode` without setuid, setgid and sticky bits.
    public var permissionBits: UInt32? { mode.map { $0 & 0o777 } }

    public static var none: WriteAttributes { WriteAttributes() }
}

/// How a write makes sure the server stored the bytes it was sent, beyond counting them.
/// Every check runs on the temporary name, before the rename, so a file that fails it never
/// appears under its final name.
public enum StoredContentCheck: Sendable, Hashable {
    /// What costs no second transfer: a hash the server checks on receipt (S3's `Content-MD5`
    /// on every request), or one it computes on its side (SFTP's `md5sum`, for files of at
    /// least `remoteHashMinimumSize`); else the byte count.
    case standard
    /// `--verify`: every file is checked by the server's own hash where it has one, and where
    /// it has none (FTP, WebDAV, SFTP without exec) the stored bytes are read back and hashed.
    case readBack

    /// From this size on, a store that can hash on its side checks every upload without
    /// `--verify`: one command's round trip is then small beside the transfer.
    public static let remoteHashMinimumSize: Int64 = 8 * 1024 * 1024

    /// Whether a store that hashes on the server's side checks a file of `size` bytes.
    public func remoteHashApplies(to size: Int64) -> Bool {
        self == .readBack || size >= Self.remoteHashMinimumSize
    }
}
