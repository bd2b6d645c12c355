import DCTCCore
import Foundation

/// Pure decisions: what to do with one joined entry, as an action with its reason.
///
/// The Planner does no I/O. The engine gathers what a decision needs (the kept modification
/// time, the comparator's verdict, which may read hashes) and hands it over; the Planner
/// turns it into the `SyncAction` that `--dry-run` prints, `check` reports and the `Applier`
/// executes, the same value in every mode.
struct Planner: Sendable {
    let mode: SyncMode
    /// `--immutable`: a differing destination file is an error, never replaced.
    var immutable = false
    /// The destination keeps real directories (false for object stores).
    let destinationHasDirectories: Bool
    /// The destination's address of a relative path, for conflict messages.
    let displayDestination: @Sendable (String) -> String

    /// What becomes of a source directory.
    enum DirectoryStep: Sendable {
        /// A file is in the way at the destination: an error, nothing below is visited.
        case conflict(VFSError)
        /// Visit its contents, creating it first when `create` is set.
        case descend(create: SyncAction?, destinationExists: Bool)
    }

    /// A directory at the source.
    func directory(_ e: JoinedEntry) -> DirectoryStep {
        if let dst = e.destination, !dst.isDirectory {
            return .conflict(VFSError(.alreadyExists, "a file at the destination where the source has a directory",
                                      path: displayDestination(e.destinationPath), remedy: "remove or rename one of them"))
        }
        guard e.destination == nil else { return .descend(create: nil, destinationExists: true) }
        // An object store has no directories: the files below make the prefix, and an empty
        // directory cannot be kept (as rclone). Nothing to do, nothing differs.
        guard destinationHasDirectories else { return .descend(create: nil, destinationExists: false) }
        let kind: SyncAction.Kind = mode == .check ? .missingAtDestination : .makeDirectory
        return .descend(create: SyncAction(kind: kind, path: e.path, reason: "directory missing at the destination"),
                        destinationExists: false)
    }

    /// A source file the destination does not have.
    func missing(_ e: JoinedEntry, source: FileInfo) -> SyncAction {
        SyncAction(kind: mode == .check ? .missingAtDestination : .copy, path: e.path,
                   destinationPath: e.destinationPath, reason: "missing at the destination", size: source.size)
    }

    /// A source file the destination already has, under `--ignore-existing`: left alone
    /// without comparing.
    func existing(_ e: JoinedEntry, source: FileInfo) -> SyncAction {
        SyncAction(kind: .skip, path: e.path, destinationPath: e.destinationPath,
                   reason: "exists at the destination (--ignore-existing)", size: source.size)
    }

    /// A source file where the destination has a directory.
    func fileOverDirectory(_ e: JoinedEntry) -> VFSError {
        VFSError(.isADirectory, "a directory at the destination where the source has a file",
                 path: displayDestination(e.destinationPath), remedy: "remove or rename one of them")
    }

    /// Under `--immutable`, the error for a destination file the comparator would replace.
    func immutableConflict(_ e: JoinedEntry, decision: Comparator.Decision) -> VFSError? {
        guard immutable, mode != .check, decision.kind == .update else { return nil }
        return VFSError(.alreadyExists, "differs from the source (\(decision.reason)) and --immutable forbids replacing it",
                        path: displayDestination(e.destinationPath), remedy: "remove it first, or run without --immutable")
    }

    /// A source file and a destination file, judged by the comparator.
    func compared(_ e: JoinedEntry, source: FileInfo, decision: Comparator.Decision) -> SyncAction {
        let kind: SyncAction.Kind = decision.kind == .skip ? .skip : mode == .check ? .differ : decision.kind
        return SyncAction(kind: kind, path: e.path, destinationPath: e.destinationPath, reason: decision.reason,
                          size: source.size, sourceHashes: kind == .skip ? [:] : decision.sourceHashes)
    }

    /// An entry only at the destination: `check` reports it, `sync` deletes it (a directory
    /// with everything below: see `subtree`), `copy` leaves it.
    func onlyAtDestination(_ e: JoinedEntry, destination: FileInfo) -> SyncAction? {
        switch mode {
        case .check:
            return SyncAction(kind: .missingAtSource, path: e.path, reason: "only at the destination", size: destination.size)
        case .copy:
            return nil
        case .sync:
            return destination.isDirectory
                ? SyncAction(kind: .removeDirectory, path: e.path, reason: "not at the source")
                : SyncAction(kind: .delete, path: e.path, reason: "not at the source", size: destination.size)
        }
    }
}
