import CDCTCSSH2
import DCTCCore
import Foundation

/// What the server says about a file (SFTP version 3 attributes; absent fields are nil).
public struct SFTPAttributes: Sendable, Hashable {
    /// Size in bytes.
    public var size: UInt64?
    /// The full `st_mode`: file type bits and permission bits.
    public var permissions: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?
    /// Times have one-second precision in SFTP version 3.
    public var accessTime: Date?
    public var modificationTime: Date?

    public init(size: UInt64? = nil, permissions: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil,
                accessTime: Date? = nil, modificationTime: Date? = nil) {
        self.size = size
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.accessTime = accessTime
        self.modificationTime = modificationTime
    }

    /// Reads the fields whose `LIBSSH2_SFTP_ATTR_*` flag is set.
    init(_ raw: LIBSSH2_SFTP_ATTRIBUTES) {
        let flags = raw.flags
        if flags & UInt(LIBSSH2_SFTP_ATTR_SIZE) != 0 { size = raw.filesize }
        if flags & UInt(LIBSSH2_SFTP_ATTR_PERMISSIONS) != 0 { permissions = UInt32(truncatingIfNeeded: raw.permissions) }
        if flags & UInt(LIBSSH2_SFTP_ATTR_UIDGID) != 0 {
            uid = UInt32(truncatingIfNeeded: raw.uid)
            gid = UInt32(truncatingIfNeeded: raw.gid)
        }
        if flags & UInt(LIBSSH2_SFTP_ATTR_ACMODTIME) != 0 {
            accessTime = Date(timeIntervalSince1970: TimeInterval(raw.atime))
            modificationTime = Date(timeIntervalSince1970: TimeInterval(raw.mtime))
        }
    }

    /// The entry's type from the `LIBSSH2_SFTP_S_IFMT` bits; nil when the server sent no permissions.
    public var kind: FileInfo.Kind? {
        guard let permissions else { return nil }
        switch permissions & UInt32(LIBSSH2_SFTP_S_IFMT) {
        case UInt32(LIBSSH2_SFTP_S_IFREG): return .file
        case UInt32(LIBSSH2_SFTP_S_IFDIR): return .directory
        case UInt32(LIBSSH2_SFTP_S_IFLNK): return .symlink
        default: return .other
        }
    }

    /// The permission bits alone (`0o644`).
    public var mode: UInt32? { permissions.map { $0 & 0o7777 } }

    /// The attributes as a `FileInfo` for `path` (kind `.other` when unknown; size only for files).
    public func fileInfo(path: VPath) -> FileInfo {
        let kind = self.kind ?? .other
        return FileInfo(path: path, kind: kind, size: kind == .file ? size.map { Int64(clamping: $0) } : nil,
                        modificationTime: modificationTime, mode: mode)
    }
}

/// One entry of a directory listing.
public struct SFTPDirectoryEntry: Sendable, Hashable {
    /// The name as the server sent it (bytes, normally UTF-8).
    public var nameBytes: [UInt8]
    /// The attributes from the listing itself (no extra request); a symbolic link is described
    /// as the link, not its target.
    public var attributes: SFTPAttributes

    /// The name as text. Valid UTF-8 keeps its exact bytes (composed and decomposed accents stay
    /// as they are); invalid bytes become U+FFFD, so such a name cannot be addressed by it.
    public var name: String { String(decoding: nameBytes, as: UTF8.self) }

    /// True when `nameBytes` is valid UTF-8, so `name` round-trips to the same bytes.
    public var hasValidUTF8Name: Bool { Array(name.utf8) == nameBytes }

    public init(nameBytes: [UInt8], attributes: SFTPAttributes) {
        self.nameBytes = nameBytes
        self.attributes = attributes
    }
}
