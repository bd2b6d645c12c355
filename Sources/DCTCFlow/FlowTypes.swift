import DCTCCore
import DCTCState
import Foundation

/// How far upstream a build looks.
public enum UpstreamMode: String, Sendable, CaseIterable, Codable {
    /// Rebuild upstream units that are stale (the default).
    case modified
    /// Rebuild every upstream unit, stale or not.
    case all
    /// Build only the targets, from the inputs as they are.
    case none
}

/// What happened to one unit (or, in a plan, what would).
public enum UnitOutcome: String, Sendable, Codable {
    case built
    case fresh
    case wouldBuild = "would-build"
    case keptStale = "kept-stale"
    case failed
    case checkFailed = "check-failed"
    case inputMissing = "input-missing"
    case locked
    case skipped
}

/// One check's result.
public struct CheckResult: Sendable, Codable, Hashable {
    public var check: String
    public var passed: Bool
    public var detail: String
}

/// The outcome of one unit, as printed and as JSON.
public struct UnitResult: Sendable, Codable {
    public var step: String
    public var partition: String
    public var dataset: String
    public var outcome: UnitOutcome
    public var reasons: [String]
    public var output: String
    public var outputHash: String?
    public var outputSize: Int64?
    /// A rebuilt output whose content equals the previous one (downstream stays fresh).
    public var outputUnchanged: Bool?
    public var checks: [CheckResult]
    public var attempts: Int
    public var seconds: Double
    public var error: String?
    public var isTarget: Bool
    /// The last attempt, when it did not succeed: `failed: MESSAGE`, `check-failed: MESSAGE`.
    public var lastAttempt: String? = nil

    public var unit: UnitID { UnitID(step: step, key: PartitionKey(partition == "-" ? [] : partition.split(separator: "|", omittingEmptySubsequences: false).map(String.init))) }
}

/// Everything a flow run needs from the outside world.
public struct FlowEnvironment: Sendable {
    /// Resolves an address (as written in the pipeline) to a store location.
    public var resolve: @Sendable (String) async throws -> Location
    public var state: StateStore
    /// Where lock files live (next to the state file).
    public var lockDirectory: String
    /// Private temporary space for staging outputs and downloaded inputs.
    public var stagingDirectory: String
    /// Verbose lines.
    public var log: @Sendable (String) -> Void
    /// Progress lines (a unit started or ended), on standard error.
    public var progress: @Sendable (String) -> Void
    /// Seconds since 1970, for "now" in open time dimensions.
    public var now: Double
    /// Creates a small object only when absent, on stores that can (S3 `If-None-Match: *`):
    /// true when created, false when it existed, nil when the store cannot do it.
    public var createExclusively: (@Sendable (Location, [UInt8]) async throws -> Bool?)? = nil

    public init(resolve: @escaping @Sendable (String) async throws -> Location, state: StateStore, lockDirectory: String,
                stagingDirectory: String, log: @escaping @Sendable (String) -> Void = { _ in },
                progress: @escaping @Sendable (String) -> Void = { _ in }, now: Double = Date().timeIntervalSince1970) {
        self.resolve = resolve; self.state = state; self.lockDirectory = lockDirectory
        self.stagingDirectory = stagingDirectory; self.log = log; self.progress = progress; self.now = now
    }
}

/// Options of `flow build`, `plan` and `backfill`.
public struct BuildOptions: Sendable {
    public var upstream: UpstreamMode = .modified
    public var jobs = 4
    public var dryRun = false
    /// Rebuild the targets even when fresh (`backfill --only all`).
    public var forceTargets = false
    /// How long to wait for a unit's lock held by another run (nil: do not wait, report it locked).
    public var waitForLock: Double?
    /// The lease of a lock beside an output: renewed every third of it while the unit builds;
    /// a worker that stops renewing for this long is taken as dead.
    public var lockLease: Double = 60
    public init() {}
}

/// The result of a run: every unit in execution order.
public struct FlowReport: Sendable, Codable {
    public var command: String
    public var pipeline: String
    public var targets: [String]
    public var dryRun: Bool
    public var units: [UnitResult]
    public var built: Int
    public var fresh: Int
    public var failed: Int
    public var checkFailed: Int
    public var inputMissing: Int
    public var locked: Int
    public var skipped: Int
    public var wouldBuild: Int
    public var nothingToDo: Bool
    public var seconds: Double
    public var exitCode: Int32

    init(command: String, pipeline: String, targets: [String], dryRun: Bool, units: [UnitResult], seconds: Double) {
        self.command = command; self.pipeline = pipeline; self.targets = targets; self.dryRun = dryRun
        self.units = units; self.seconds = seconds
        func count(_ o: UnitOutcome) -> Int { units.filter { $0.outcome == o }.count }
        built = count(.built); fresh = count(.fresh) + count(.keptStale); failed = count(.failed)
        checkFailed = count(.checkFailed); inputMissing = count(.inputMissing); locked = count(.locked)
        skipped = count(.skipped); wouldBuild = count(.wouldBuild)
        nothingToDo = built == 0 && wouldBuild == 0 && failed == 0 && checkFailed == 0 && inputMissing == 0 && locked == 0
        exitCode = FlowReport.status(failed: failed, checkFailed: checkFailed, inputMissing: inputMissing, locked: locked).rawValue
    }

    /// The exit status: a failed step wins over a failed check, then a missing input, then a held lock.
    static func status(failed: Int, checkFailed: Int, inputMissing: Int, locked: Int) -> ExitStatus {
        if failed > 0 { return .partial }
        if checkFailed > 0 { return .checkFailed }
        if inputMissing > 0 { return .inputMissing }
        if locked > 0 { return .lockHeld }
        return .success
    }
}
