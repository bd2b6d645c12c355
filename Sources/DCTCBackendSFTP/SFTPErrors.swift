import DCTCCore
import DCTCSSH

/// Turns whatever an SFTP operation threw into the `VFSError` a user sees.
enum SFTPErrors {
    /// - Parameters:
    ///   - error: an `SSH2Error`, a `VFSError`, a `CancellationError`...
    ///   - display: the address the error should name (`sftp://user@host:port/path`).
    /// - Returns: the error naming `display`. Errors that came from the SSH layer with a
    ///   server-side path are renamed; errors that already name an `sftp://` address (a
    ///   connection failure naming the server) and other `VFSError`s with a path (a failing
    ///   source stream, a local file) keep theirs.
    static func map(_ error: any Error, display: String) -> VFSError {
        switch error {
        case let e as SSH2Error:
            return e.toVFSError(path: display)
        case let e as VFSError:
            if e.path?.hasPrefix("sftp://") == true { return e }
            if e.backend == "sftp" || e.path == nil {
                var copy = e.with(path: display)
                copy.backend = copy.backend ?? "sftp"
                return copy
            }
            return e
        case is CancellationError:
            return VFSError(.cancelled, "cancelled", path: display, backend: "sftp")
        default:
            return VFSError(.io, String(describing: error), path: display, backend: "sftp")
        }
    }

    /// True when `error` says the connection failed (lost, reset, timed out), so the same
    /// request on a new connection may succeed.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        switch error {
        case let e as SSH2Error: return e.isRetryable
        case let e as VFSError: return e.isRetryable
        default: return false
        }
    }
}
