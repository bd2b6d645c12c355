/// The exit codes of every dctc command, one table (documented in `Docs/exit-codes.md`).
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// Everything asked for was done.
    case success = 0
    /// A negative answer, not a failure: `grep` found no line, `check`/`hash --check` found differences.
    case negative = 1
    /// Bad flags, arguments or addresses; nothing was done.
    case usage = 2
    /// A named file, directory, account or pattern does not exist.
    case notFound = 3
    /// Some items succeeded and some failed; the errors were printed.
    case partial = 4
    /// A transient failure (network, timeout, throttling) persisted after retries; retrying later may work.
    case transient = 5
    /// A permanent failure: permissions, authentication, I/O, corrupt data, checksum mismatch.
    case fatal = 6
    /// Nothing to do, when the command was asked to say so (`--exit-code-if-nothing-done 7`).
    case nothingToDo = 7
    /// `dctc flow`: a check on a step's output failed; the previous output was kept.
    case checkFailed = 8
    /// `dctc flow`: an external input partition does not exist (yet); retrying later may work.
    case inputMissing = 9
    /// `dctc flow`: another run holds the lock of a unit being built; retrying later may work.
    case lockHeld = 10
    /// Interrupted (Ctrl-C).
    case interrupted = 130

    /// The status for an error.
    public init(for error: VFSError) {
        switch error.code {
        case .notFound: self = .notFound
        case .invalidArgument, .isADirectory, .notADirectory: self = .usage
        case .cancelled: self = .interrupted
        case .checksumMismatch: self = .fatal
        default: self = error.isRetryable ? .transient : .fatal
        }
    }

    /// The one rule for a command that works on many items (`cp`, `mv`, `rm`, `sync`, `copy`,
    /// `check`...):
    /// - interrupted (Ctrl-C, or a `.cancelled` error) → `.interrupted` (130);
    /// - nothing failed and nothing was skipped → `.success`;
    /// - every item failed (none succeeded) → the failures' class when they share one
    ///   (`.transient` 5, `.fatal` 6 for authentication and permission, `.notFound` 3...),
    ///   else `.partial`;
    /// - some succeeded and some failed, or items were skipped (unsafe names) → `.partial` (4).
    /// - Parameters:
    ///   - errors: the failures, typed.
    ///   - succeeded: items done.
    ///   - skipped: items refused without an error of their own (unsafe names in a listing).
    ///   - interrupted: the run was cancelled.
    public static func forBatch(errors: [VFSError], succeeded: Int, skipped: Int = 0,
                                interrupted: Bool = false) -> ExitStatus {
        if interrupted || errors.contains(where: { $0.code == .cancelled }) { return .interrupted }
        guard let first = errors.first else { return skipped > 0 ? .partial : .success }
        if succeeded > 0 || skipped > 0 { return .partial }
        let statuses = Set(errors.map { ExitStatus(for: $0) })
        return statuses.count == 1 ? ExitStatus(for: first) : .partial
    }
}
