import DCTCCompression
import DCTCCore
import DCTCState
import Foundation

/// What a sync run does: `sync` makes the destination look like the source (deleting
/// extras), `copy` does the same without deletions, `check` compares and changes nothing.
public enum SyncMode: String, Sendable, Codable {
    case sync, copy, check
}

/// How two files are judged equal.
public enum CompareMode: String, Sendable, Codable, CaseIterable {
    /// Size and modification time (within the stores' precision): the default, and cheap.
    case sizeAndTime = "size-and-time"
    /// Content hash (MD5, the hash S3 and rclone share), from listings, the manifest, the
    /// local hash cache, or a remote hash; read when nothing else knows it.
    case checksum
    /// Size only.
    case sizeOnly = "size-only"
    /// Like size-and-time, but a destination file newer than the source is left alone.
    case update
}

/// Compression applied on the way.
public enum SyncTransform: Sendable, Equatable {
    case none
    case compress(Codec, level: Int?)
    case decompress
}

/// Everything that shapes a run. Defaults are the safe, documented ones.
/// A change `-i/--interactive` asks about.
public struct Confirm: Sendable, Hashable {
    public enum Kind: String, Sendable { case replace, delete }
    public let kind: Kind
    /// The destination file, as the user would type it.
    public let path: String
    /// "replace PATH?", "delete PATH?".
    public var question: String { "\(kind.rawValue) \(path)?" }
}

public struct SyncOptions: Sendable {
    public var mode: SyncMode = .sync
    public var compare: CompareMode = .sizeAndTime
    public var dryRun = false
    public var transform: SyncTransform = .none
    public var filters: FilterSet = .none
    public var shard: Shard?
    /// Only the files whose relative paths are in this range (`--start-after`/`--end-at`, one
    /// shard of a fan-out); the stores that can list a run of keys list only it.
    public var range: PathRange = .everything

    /// Whether the file at `relativePath` is this run's to handle (shard and range).
    func selects(_ relativePath: String) -> Bool {
        range.contains(relativePath) && (shard?.contains(relativePath) ?? true)
    }
    /// Abort deletions when more than this many would happen.
    public var maxDelete: Int?
    /// Allow syncing from an empty source root (which deletes everything at the destination).
    public var allowEmptySource = false
    /// Move replaced and deleted destination files here instead of losing them.
    public var backupDirectory: Location?
    /// Listing/comparison parallelism.
    public var checkers = 8
    /// Data transfer parallelism.
    public var transfers = 4
    /// Attempts after the first for a transient failure.
    public var retries = 3
    /// First retry delay; doubled each attempt, with jitter.
    public var retryDelay: TimeInterval = 1
    /// Time difference still counted as equal; nil means the coarser precision of the two stores.
    public var modifyWindow: TimeInterval?
    /// The state store (hash cache and manifests); nil runs without memory between runs.
    public var state: StateStore?
    /// When set, only explain the decision for this relative path.
    public var explainPath: String?
    /// Leave every file that exists at the destination alone, whatever it holds
    /// (`--ignore-existing`, rclone's name; `cp --no-clobber`).
    public var ignoreExisting = false
    /// Start no transfer that would take the run's bytes beyond this (`--max-transfer`, rclone's
    /// cautious cut-off): the files left out are reported, and deletions are skipped.
    public var maxTransfer: Int64?
    /// Start no transfer after this long (`--max-duration`); transfers under way finish.
    public var maxDuration: TimeInterval?
    /// Create source folders that hold nothing to transfer (`--create-empty-src-dirs`, rclone's
    /// name). Off by default, as rclone: a folder is created when a file is written into it.
    /// `cp -r` and `mv -r` turn it on (cp(1) copies empty folders).
    public var createEmptySourceDirectories = false
    /// Never replace a destination file that differs (`--immutable`, rclone's name): it is an
    /// error instead; new files are still copied.
    public var immutable = false
    /// Also delete destination files the filters exclude (`--delete-excluded`, sync only).
    public var deleteExcluded = false
    /// Follow symbolic links at the source (`-L/--copy-links`), with loop detection: the
    /// caller gives the engine the source store's following view (`LinkFollowing`).
    public var copyLinks = false
    /// Recreate symbolic links at the destination (`-l/--links`): refused by the CLI for now.
    public var links = false
    /// Keep the source's permission bits (never widened) unless `--no-perms`.
    public var preservePermissions = true
    /// `-i/--interactive`: asked before each file is replaced or deleted; false leaves that
    /// file as it is.
    public var confirm: (@Sendable (Confirm) async -> Bool)?

    public init() {}
}
