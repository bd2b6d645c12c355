import DCTCCore
import Foundation

/// Running totals of a sync, safe to update from many tasks.
public final class SyncCounters: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var v = Values()

    public struct Values: Sendable, Codable {
        public var filesChecked = 0
        public var filesToTransfer = 0
        public var bytesToTransfer: Int64 = 0
        public var filesTransferred = 0
        public var bytesTransferred: Int64 = 0
        public var filesDeleted = 0
        public var directoriesCreated = 0
        public var directoriesRemoved = 0
        public var timesSet = 0
        public var errors = 0
        public var retries = 0
        public var cacheHits = 0
        public var hashedBytes: Int64 = 0
        public var differences = 0
        /// Listed names refused as unsafe (`SafeName`).
        public var skipped = 0
        public var listingDone = false
    }

    public init() {}

    public var values: Values { lock.withLock { v } }

    func update(_ body: (inout Values) -> Void) { lock.withLock { body(&v) } }
    func add(cacheHits n: Int) { update { $0.cacheHits += n } }
    func add(hashedBytes n: Int64) { update { $0.hashedBytes += n } }
}

/// What happened to one path, for `--events` (NDJSON) and the JSON summary.
public struct SyncEvent: Sendable, Codable {
    public var time: Date
    public var action: String
    public var path: String
    public var destinationPath: String?
    public var reason: String?
    public var bytes: Int64?
    public var hashes: [String: String]?
    public var error: String?
    public var dryRun: Bool?
}

/// The result of a run: the last line of `--json` output.
public struct SyncSummary: Sendable, Codable {
    public var mode: String
    public var source: String
    public var destination: String
    public var dryRun: Bool
    public var startedAt: Date
    public var durationSeconds: Double
    public var filesChecked: Int
    public var filesTransferred: Int
    public var bytesTransferred: Int64
    public var filesDeleted: Int
    public var directoriesCreated: Int
    public var timesSet: Int
    public var differences: Int
    /// The failures, typed (JSON: their one-line texts).
    @ErrorTexts public var errors: [VFSError]
    /// One line per listed name refused as unsafe (never entered, written or deleted).
    public var skipped: [String]
    public var notices: [String]
    public var deletionsSkipped: String?
    /// The run was cancelled (Ctrl-C): what was done is complete, the rest untouched.
    public var interrupted: Bool
    /// Paths that changed at the destination, with the content hashes known for them.
    public var changed: [ChangedPath]

    public struct ChangedPath: Sendable, Codable {
        public var path: String
        public var action: String
        public var hashes: [String: String]?
    }

    /// True when the run changed nothing and found nothing to change.
    public var nothingDone: Bool {
        filesTransferred == 0 && filesDeleted == 0 && directoriesCreated == 0 && timesSet == 0 && differences == 0
            && errors.isEmpty && skipped.isEmpty
    }

    /// The run's exit status by the one rule (`ExitStatus.forBatch`): every item failed → the
    /// failures' class; some failed, names were refused, or the deletion guards refused →
    /// `.partial`; interrupted → `.interrupted`. (`check`'s differences are the caller's.)
    public var exitStatus: ExitStatus {
        let failures = errors.filter { $0.code != .refused }
        let refusals = errors.count - failures.count
        let done = filesTransferred + filesDeleted + timesSet + directoriesCreated
        let upToDate = max(0, filesChecked - filesTransferred - failures.count)
        return ExitStatus.forBatch(errors: failures, succeeded: done + upToDate,
                                   skipped: skipped.count + refusals, interrupted: interrupted)
    }
}

/// Keeps errors typed in memory and writes them as their one-line texts in JSON (read back,
/// a text becomes an `io` error with that message).
@propertyWrapper
public struct ErrorTexts: Sendable, Codable {
    public var wrappedValue: [VFSError]

    public init(wrappedValue: [VFSError]) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue.map(\.description))
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode([String].self).map { VFSError(.io, $0) }
    }
}

extension VFSError.Code {
    /// A safety guard refused the operation (sync's deletion guards): nothing failed, the
    /// user must decide. Counts as "items not done" (exit 4), never as a failure class.
    public static let refused = VFSError.Code(rawValue: "refused")
}

/// Writes one JSON object per line to a file (`--events FILE`).
public final class EventSink: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private let handle: FileHandle
    private let encoder: JSONEncoder

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw VFSError(.io, "cannot create the events file", path: path, remedy: "check that its folder exists and is writable")
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw VFSError(.io, "cannot open the events file", path: path, remedy: "check its permissions")
        }
        handle = h
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
    }

    public func emit(_ event: SyncEvent) {
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0a)
        lock.withLock { try? handle.write(contentsOf: data) }
    }

    public func close() { lock.withLock { try? handle.close() } }
}
