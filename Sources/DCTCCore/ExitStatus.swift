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

    /// The status for a batch where `failed` of `total` items failed with these errors.
    public static func forBatch(errors: [VFSError], succeeded: Int) -> ExitStatus {
        guard let first = errors.first else { return .success }
        if succeeded > 0 { return .partial }
        if errors.count == 1 { return ExitStatus(for: first) }
        let statuses = Set(errors.map { ExitStatus(for: $0) })
        return statuses.count == 1 ? ExitStatus(for: first) : .partial
    }
}
