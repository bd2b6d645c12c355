import DCTCCore
import Foundation

/// The decisions of a run as a value: what `--dry-run` prints, what `check` reports, and what
/// apply executes, action for action.
///
/// The engine streams: the Planner's actions go to the `Applier` while the walk goes on, so
/// memory stays bounded by the directories being walked, not by the tree. The plan is the
/// record of those actions. A dry run records each action where the Applier would execute it
/// (after the deletion guards for deletions); a real run records each action the Applier
/// executed. The two are equal for the same trees (a test holds them to it on every store).
public struct Plan: Sendable, Equatable, Codable {
    /// Actions that change the destination (`copy`, `update`, `set-time`, `mkdir`, `delete`,
    /// `rmdir`) or, for `check`, the differences, in a stable order: by path bytes, then kind.
    public var actions: [SyncAction]

    public init(_ actions: [SyncAction]) {
        self.actions = actions.sorted { a, b in
            a.path == b.path ? a.kind.rawValue < b.kind.rawValue : a.path.bytesPrecede(b.path)
        }
    }

    /// The `(action, path)` pairs, for comparing a plan with what was applied.
    public var steps: [String] { actions.map { "\($0.kind.rawValue) \($0.destinationPath)" } }
}

/// Everything a run reports: counters, errors, refused names, events, the recorded plan.
/// Shared by the walk (planning) and the `Applier` (doing).
final class RunReporter: Sendable {
    let counters: SyncCounters
    let collector = RunCollector()
    let notices: Notices
    let events: EventSink?
    let log: @Sendable (String) -> Void
    let onAction: @Sendable (SyncAction) -> Void
    let dryRun: Bool
    let mode: SyncMode
    /// Actions executed (or, in a dry run, that would be).
    private let recorded = Locked<[SyncAction]>([])
    /// Addresses of refused names already reported (each is reported once).
    private let refusedNames = Locked<Set<String>>([])

    init(counters: SyncCounters, events: EventSink?, log: @escaping @Sendable (String) -> Void,
         onAction: @escaping @Sendable (SyncAction) -> Void, dryRun: Bool, mode: SyncMode) {
        self.counters = counters
        self.events = events
        self.log = log
        self.onAction = onAction
        self.notices = Notices(sink: log)
        self.dryRun = dryRun
        self.mode = mode
    }

    /// The plan as recorded so far.
    var plan: Plan { Plan(recorded.value) }

    /// A decision was made: the dry-run plan line, `check`'s difference (an event).
    func planned(_ action: SyncAction) {
        onAction(action)
        if mode == .check, action.kind != .skip {
            emit(action, bytes: action.size, hashes: [:], error: nil)
        }
    }

    /// An action was executed (or, in a dry run, reached the point where it would be): kept in
    /// the plan and sent as an event, so a dry run's events are the real run's.
    func record(_ action: SyncAction, bytes: Int64? = nil, hashes: [HashKind: String] = [:]) {
        recorded.withLock { $0.append(action) }
        emit(action, bytes: dryRun ? action.size : bytes, hashes: hashes, error: nil)
    }

    func emit(_ action: SyncAction, bytes: Int64?, hashes: [HashKind: String], error: String?) {
        events?.emit(SyncEvent(time: Date(), action: action.kind.rawValue, path: action.path,
                               destinationPath: action.destinationPath == action.path ? nil : action.destinationPath,
                               reason: action.reason, bytes: bytes,
                               hashes: hashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: hashes.map { ($0.key.rawValue, $0.value) }),
                               error: error, dryRun: dryRun ? true : nil))
    }

    /// One item failed: counted, kept typed for the summary and the exit code, printed once.
    func fail(_ error: VFSError, path: String) {
        if error.code == .cancelled || Task.isCancelled { return }
        counters.update { $0.errors += 1 }
        collector.error(error)
        log(error.description)
        events?.emit(SyncEvent(time: Date(), action: "error", path: path, error: error.description))
    }

    /// A listed name is not a safe path segment: reported once (one line, escaped), counted,
    /// and nothing is done with it.
    /// - Parameter isName: the problem is the name itself (else a link loop, a broken link).
    func refuse(_ address: String, _ problem: String, isName: Bool = true) {
        guard refusedNames.withLock({ $0.insert(address).inserted }) else { return }
        counters.update { $0.skipped += 1 }
        let line = "skipped \(SafeName.escaped(address)): \(SafeName.escaped(problem))"
            + (isName ? "; dctc never writes, renames or enters such a name" : "")
        collector.skip(line)
        log(line)
        events?.emit(SyncEvent(time: Date(), action: "skip-unsafe-name", path: SafeName.escaped(address), reason: problem))
    }
}

/// Results gathered across tasks: errors, refused names, changed paths, deletions to do at the end.
final class RunCollector: Sendable {
    private struct State {
        var errors: [VFSError] = []
        var skipped: [String] = []
        var changed: [SyncSummary.ChangedPath] = []
        var files: [String] = []
        var dirs: [String] = []
    }
    private let state = Locked(State())

    func error(_ error: VFSError) { state.withLock { $0.errors.append(error) } }
    func skip(_ line: String) { state.withLock { $0.skipped.append(line) } }
    func changed(_ path: String, _ action: String, _ hashes: [HashKind: String]) {
        let h = hashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: hashes.map { ($0.key.rawValue, $0.value) })
        state.withLock { $0.changed.append(.init(path: path, action: action, hashes: h)) }
    }
    func deleteFile(_ path: String) { state.withLock { $0.files.append(path) } }
    func deleteDirectory(_ path: String) { state.withLock { $0.dirs.append(path) } }

    var errors: [VFSError] { state.withLock { $0.errors } }
    var skipped: [String] { state.withLock { $0.skipped } }
    var changed: [SyncSummary.ChangedPath] { state.withLock { $0.changed.sorted { $0.path.bytesPrecede($1.path) } } }
    var filesToDelete: [String] { state.withLock { $0.files } }
    var directoriesToDelete: [String] { state.withLock { $0.dirs } }
}
