import DCTCCore

/// What identifies one version of a local file in the hash cache: where it lives on disk
/// (device and inode) and what it looked like (size and modification time in nanoseconds).
///
/// A file whose size or modification time changed has a different key, so its old hashes are
/// never returned for it. The cache keeps one entry per (device, inode): remembering hashes
/// under a new size or time replaces the old entry.
public struct HashCacheKey: Sendable, Hashable, Codable {
    /// `st_dev` of the file system holding the file.
    public var device: UInt64
    /// `st_ino`.
    public var inode: UInt64
    /// The size in bytes.
    public var size: Int64
    /// `st_mtim` in nanoseconds since 1970-01-01 UTC.
    public var modificationTimeNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modificationTimeNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
    }

    /// The key of a local file as listed, or nil when the store did not report its identity
    /// (`FileInfo.localIdentity`) or its size (only the local store reports identities).
    public init?(_ info: FileInfo) {
        guard let identity = info.localIdentity, let size = info.size else { return nil }
        self.init(device: identity.device, inode: identity.inode, size: size,
                  modificationTimeNanoseconds: identity.modificationTimeNanoseconds)
    }
}
