import Foundation

/// What a store can do, as data (after rclone's `Features`): commands and the sync engine read
/// these instead of guessing, and the conformance suite skips a case only when a capability
/// says it does not apply, printing that it did so.
public struct Capabilities: Sendable, Hashable {
    /// Writes, removes and directory changes are possible.
    public var writable: Bool
    /// Real directories exist (false for object stores, where directories are key prefixes).
    public var hasDirectories: Bool
    /// `read` honours a range without transferring the bytes before it.
    public var rangedReads: Bool
    /// Modification times given to `write` are kept.
    public var preservesModificationTime: Bool
    /// Granularity of stored modification times (1 s on FTP MDTM, 1 ns on local disks).
    public var modificationTimePrecision: TimeInterval
    /// Hashes the store supplies cheaply (in listings or metadata).
    public var knownHashes: Set<HashKind>
    /// Hashes the store can compute on its side (`HashProviding`).
    public var remoteHashes: Set<HashKind>
    /// The store can list a whole tree in one stream (S3 without a delimiter; SFTP with a remote
    /// `find` when the server runs commands); see `RecursiveListing`.
    public var recursiveListing: Bool
    /// Names are compared without case.
    public var caseInsensitive: Bool
    /// Longest name component in bytes, when limited.
    public var maxNameBytes: Int?
    /// Entries per listing page the store returns.
    public var listPageSize: Int
    /// Listings carry the modification time that `write` set. False for S3, whose listings
    /// give the upload time while the kept time is in metadata only `info` (HEAD) returns.
    public var listingHasModificationTime: Bool
    /// `copy(from:to:attributes:)` happens on the server; otherwise the bytes stream through dctc.
    public var serverSideCopy: Bool
    /// `move(from:to:)` is a rename on the server (directories too); otherwise copy + remove.
    public var serverSideMove: Bool
    /// `removeMany` removes many files per request; otherwise one request per file.
    public var batchRemoval: Bool

    public init(writable: Bool = true, hasDirectories: Bool = true, rangedReads: Bool = true,
                preservesModificationTime: Bool = true, modificationTimePrecision: TimeInterval = 1e-9,
                knownHashes: Set<HashKind> = [], remoteHashes: Set<HashKind> = [],
                recursiveListing: Bool = false, caseInsensitive: Bool = false,
                maxNameBytes: Int? = 255, listPageSize: Int = 1000, listingHasModificationTime: Bool = true,
                serverSideCopy: Bool = false, serverSideMove: Bool = false, batchRemoval: Bool = false) {
        self.writable = writable
        self.hasDirectories = hasDirectories
        self.rangedReads = rangedReads
        self.preservesModificationTime = preservesModificationTime
        self.modificationTimePrecision = modificationTimePrecision
        self.knownHashes = knownHashes
        self.remoteHashes = remoteHashes
        self.recursiveListing = recursiveListing
        self.caseInsensitive = caseInsensitive
        self.maxNameBytes = maxNameBytes
        self.listPageSize = listPageSize
        self.listingHasModificationTime = listingHasModificationTime
        self.serverSideCopy = serverSideCopy
        self.serverSideMove = serverSideMove
        self.batchRemoval = batchRemoval
    }
}
