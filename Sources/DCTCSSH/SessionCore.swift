import CDCTCSSH2
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libssh2 resources that hang off a session (the SFTP subsystem, open files): released
/// before the session is freed, because libssh2 frees their channels with it.
protocol SessionResource: AnyObject {
    /// Frees the C resources; later calls do nothing. Runs on the session's thread.
    func release()
}

/// Whether a session can still be used, readable from any thread.
final class SessionStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var connected = true

    var isConnected: Bool { lock.withLock { connected } }
    func markDisconnected() { lock.withLock { connected = false } }
}

/// The socket and `LIBSSH2_SESSION` of one SSH connection.
///
/// Not thread-safe: created, used and freed on the session's `IOThread` only (it is reached
/// through a `ThreadConfined`). libssh2 runs in blocking mode with a timeout, so every call
/// here may block that thread for up to `timeout`.
final class SessionCore {
    /// The `LIBSSH2_SESSION *`; dangling once `isOpen` is false.
    let session: OpaquePointer
    private(set) var socket: Int32
    /// `user@host:port`, for messages.
    let address: String
    let status: SessionStatus
    private var handshaken = false
    /// Set by a transport failure or timeout: libssh2's state is then unknown, so the
    /// session must not be used again.
    private(set) var brokenBy: SSH2Error?
    private var resources: [WeakResource] = []

    private final class WeakResource {
        weak var value: (any SessionResource)?
        init(_ value: any SessionResource) { self.value = value }
    }

    /// Creates the session over a connected socket (taking ownership of it). Wraps
    /// `libssh2_session_init_ex`, `libssh2_session_set_blocking(1)`, `libssh2_session_set_timeout`.
    /// - Throws: `SSH2Error` `.io` when libssh2 cannot allocate the session.
    init(socket: Int32, address: String, timeout: TimeInterval, status: SessionStatus) throws {
        guard let session = CDCTCSSH2_session_init() else {
            closeDescriptor(socket)
            throw SSH2Error(.io, "libssh2 could not create a session", path: address, function: "libssh2_session_init_ex")
        }
        self.session = session
        self.socket = socket
        self.address = address
        self.status = status
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(max(1, timeout * 1000)))
    }

    deinit { close() }

    var isOpen: Bool { socket >= 0 }

    /// Runs the SSH handshake (banner, key exchange). Wraps `libssh2_session_handshake`.
    /// - Throws: `SSH2Error` `.unavailable` (not an SSH server, connection dropped), `.timedOut`.
    func handshake() throws {
        let rc = libssh2_session_handshake(session, libssh2_socket_t(socket))
        if rc != 0 { throw error(rc, function: "libssh2_session_handshake", context: "the SSH handshake failed") }
        handshaken = true
    }

    private var keepaliveSeconds = 0

    /// Sends an SSH keepalive when `seconds` passed since the last traffic (`ServerAliveInterval`),
    /// checked before each request. Wraps `libssh2_keepalive_config`.
    func configureKeepalive(seconds: Int) {
        guard seconds > 0 else { return }
        keepaliveSeconds = seconds
        libssh2_keepalive_config(session, 0, UInt32(seconds))
    }

    /// Throws unless the session can take a request.
    func ensureUsable(path: String? = nil) throws {
        if keepaliveSeconds > 0, brokenBy == nil, isOpen {
            var next: Int32 = 0
            _ = libssh2_keepalive_send(session, &next)
        }
        if let brokenBy {
            throw SSH2Error(.unavailable, "the SSH connection was lost earlier (\(brokenBy.message))",
                            path: path ?? address, function: brokenBy.function, code: brokenBy.code)
        }
        if !isOpen {
            throw SSH2Error(.unavailable, "the SSH connection is closed", path: path ?? address,
                            remedy: "open a new connection", function: "libssh2_session_free")
        }
    }

    /// The error libssh2 reports for the last failed call (`libssh2_session_last_error`,
    /// `libssh2_sftp_last_error`). A transport failure or timeout marks the session broken.
    ///
    /// - Parameters:
    ///   - rc: the code the call returned, or nil to read `libssh2_session_last_errno`.
    ///   - function: the C function that failed.
    ///   - context: what we were doing, for transport failures.
    ///   - path: the path concerned (the session address when nil).
    ///   - sftp: the `LIBSSH2_SFTP *` to read the SFTP status from.
    func error(_ rc: Int32? = nil, function: String, context: String? = nil, path: String? = nil,
               sftp: OpaquePointer? = nil) -> SSH2Error {
        guard isOpen else {
            return SSH2Error(.unavailable, "the SSH connection is closed", path: path ?? address, function: function)
        }
        var code = rc ?? libssh2_session_last_errno(session)
        if code == 0 { code = libssh2_session_last_errno(session) }
        let message = String(cString: CDCTCSSH2_session_last_error_message(session))
        var status: UInt?
        if code == LIBSSH2_ERROR_SFTP_PROTOCOL, let sftp { status = libssh2_sftp_last_error(sftp) }
        let failure = SSH2Error(code: code, sftpStatus: status, function: function, libraryMessage: message,
                                context: context, path: path ?? address)
        if status == nil && failure.isRetryable { markBroken(failure) }
        return failure
    }

    func markBroken(_ failure: SSH2Error) {
        if brokenBy == nil { brokenBy = failure }
        status.markDisconnected()
    }

    /// Registers a resource to release before the session is freed.
    func register(_ resource: any SessionResource) {
        resources.removeAll { $0.value == nil }
        resources.append(WeakResource(resource))
    }

    /// Releases dependent resources, says goodbye to the server when the connection is healthy,
    /// frees the session and closes the socket. Wraps `libssh2_session_disconnect_ex`,
    /// `libssh2_session_free`, `close`. Safe to call twice.
    func close() {
        guard socket >= 0 else { return }
        if brokenBy != nil {
            // A dead or stuck peer: make every pending write fail at once instead of
            // waiting for the timeout in each cleanup call below.
            shutdown(socket, Int32(SHUT_RDWR))
        }
        for resource in resources.reversed() { resource.value?.release() }
        resources.removeAll()
        if handshaken && brokenBy == nil {
            _ = CDCTCSSH2_session_disconnect(session, "dctc closed the connection")
        }
        libssh2_session_free(session)
        closeDescriptor(socket)
        socket = -1
        status.markDisconnected()
    }
}
