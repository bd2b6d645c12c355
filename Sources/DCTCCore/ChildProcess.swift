import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public struct ProcessExit: Sendable, Equatable {
    /// The exit status, or the number of the signal that ended it.
    public let status: Int32
    /// True when a signal ended it.
    public let signaled: Bool

    public init(status: Int32, signaled: Bool) {
        self.status = status
        self.signaled = signaled
    }

    /// The shell's number for it: the exit status, or 128 + the signal.
    public var shellStatus: Int32 { signaled ? 128 + status : status }
}

extension Process {
    /// Waits for the child to end, blocking the calling thread, with `waitpid(2)` on its pid.
    ///
    /// Use this, never `waitUntilExit()`, and read the status from the result, never from
    /// `terminationStatus`. On Linux, Foundation learns that a child ended when a socket the
    /// child inherited closes; a child started meanwhile by another thread can inherit that
    /// socket too and keep it open, and `waitUntilExit()` then spins until that other process
    /// ends, with the first one left a zombie (swift-corelibs-foundation issue 4795; seen as a
    /// test run that hung, one core busy in `waitUntilExit`). Once this has reaped the child,
    /// Foundation may go on believing it runs, so `terminationStatus` may throw.
    @discardableResult
    public func waitForExit() -> ProcessExit {
        var raw: Int32 = 0
        while true {
            let reaped = waitpid(processIdentifier, &raw, 0)
            if reaped == processIdentifier {
                // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift does not import.
                let signal = raw & 0x7f
                if signal != 0 && signal != 0x7f { return ProcessExit(status: signal, signaled: true) }
                return ProcessExit(status: (raw >> 8) & 0xff, signaled: false)
            }
            if reaped == -1 && errno == EINTR { continue }
            // ECHILD: Foundation reaped it first, so it knows how it ended.
            waitUntilExit()
            return ProcessExit(status: terminationStatus, signaled: terminationReason == .uncaughtSignal)
        }
    }
}
