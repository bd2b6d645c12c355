import DCTCCore
import Foundation

/// Thrown by a command whose errors were already printed, to end with `status`.
public struct CommandFailure: Error, Sendable {
    public let status: ExitStatus
    public init(_ status: ExitStatus) { self.status = status }
}

/// Collects the outcome of a command that works on many items: prints each error as it
/// happens (one line, naming the path), then decides the exit status.
public final class ErrorReporter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var errors: [VFSError] = []
    private var succeeded = 0
    private let verbose: Bool

    public init(verbose: Bool) { self.verbose = verbose }

    public func success() { lock.withLock { succeeded += 1 } }

    /// Prints the error now and remembers it.
    public func report(_ error: any Error, path: String? = nil) {
        let e = VFSError.wrap(error, path: path)
        lock.withLock { errors.append(e) }
        printError(describe(e, verbose: verbose))
    }

    /// Runs one item's work, counting it as a success or reporting its error (cancellation
    /// is rethrown, so Ctrl-C ends the whole command).
    public func attempt(path: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            success()
        } catch {
            if error is CancellationError || (error as? VFSError)?.code == .cancelled { throw error }
            report(error, path: path)
        }
    }

    public var failureCount: Int { lock.withLock { errors.count } }

    /// Throws `CommandFailure` when anything failed: `.partial` when some items succeeded.
    public func finish() throws {
        let (errs, ok) = lock.withLock { (errors, succeeded) }
        let status = ExitStatus.forBatch(errors: errs, succeeded: ok)
        if status != .success { throw CommandFailure(status) }
    }
}

/// The one-line text of an error, with the native cause when verbose.
public func describe(_ e: VFSError, verbose: Bool) -> String {
    var s = e.description
    if verbose, let cause = e.cause { s += " [\(e.backend.map { "\($0): " } ?? "")\(cause)]" }
    return s
}

