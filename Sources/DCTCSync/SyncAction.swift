import DCTCCore
import Foundation

/// One decision of the planner, with its reason: what `--dry-run` prints and what the
/// applier executes.
public struct SyncAction: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// The file is missing at the destination.
        case copy
        /// The destination file differs and is replaced.
        case update
        /// Only the modification time differs (content verified equal); set it.
        case setTime = "set-time"
        /// The destination has it and the source does not (sync only).
        case delete
        /// A directory to create at the destination.
        case makeDirectory = "mkdir"
        /// A directory to remove at the destination (sync only), after its contents.
        case removeDirectory = "rmdir"
        /// Equal: nothing to do.
        case skip
        /// `check`: the two sides differ.
        case differ
        /// `check`: only at the source, or only at the destination.
        case missingAtDestination = "missing-at-destination"
        case missingAtSource = "missing-at-source"
    }

    public var kind: Kind
    /// Relative path at the source (for deletions: at the destination).
    public var path: String
    /// Relative path at the destination (differs from `path` when compressing).
    public var destinationPath: String
    public var reason: String
    public var size: Int64?
    /// Hashes known for the source content at planning time.
    public var sourceHashes: [String: String]?

    /// JSON: `"action"`, as in events and summaries (one schema for every command).
    private enum CodingKeys: String, CodingKey {
        case kind = "action", path, destinationPath, reason, size, sourceHashes
    }

    public init(kind: Kind, path: String, destinationPath: String? = nil, reason: String,
                size: Int64? = nil, sourceHashes: [HashKind: String] = [:]) {
        self.kind = kind
        self.path = path
        self.destinationPath = destinationPath ?? path
        self.reason = reason
        self.size = size
        self.sourceHashes = sourceHashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: sourceHashes.map { ($0.key.rawValue, $0.value) })
    }

    /// True for actions that move data.
    public var isTransfer: Bool { kind == .copy || kind == .update }
}
