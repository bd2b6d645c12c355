import CDCTCSSH2
import DCTCCore
import Foundation

/// One authenticated SSH connection: a TCP socket and a `LIBSSH2_SESSION` owned by a thread
/// of its own.
///
/// libssh2 handles are not thread-safe and its calls block, so every call runs as a job on the
/// session's `IOThread`, one at a time, and async callers wait without blocking the cooperative
/// pool. A session therefore serves one request at a time: use several sessions for parallel
/// transfers. Channels (`exec`) and the SFTP subsystem (`openSFTP`) share this thread.
///
/// Connection and host-key checking follow OpenSSH: the server's key must match the entry in
/// `known_hosts` (`[host]:port` off port 22); an unknown key is refused unless
/// `acceptNewHostKey`, a changed key always. After a network failure or timeout the session
/// is marked broken (`isConnected` turns false) and every later call fails fast with
/// `.unavailable`. The connection is closed by `disconnect()` or when the last reference goes.
public final class SSHSession: Sendable {
    /// The options the session was opened with (secrets stay redacted in descriptions).
    public let options: SSHConnectionOptions
    /// The host key the server presented, after verification.
    public let hostKey: SSHHostKey
    /// How the login succeeded (`publickey /path/id_ed25519`, `password`, `publickey (ssh-agent)`).
    public let authenticatedWith: String

    let core: ThreadConfined<SessionCore>
    private let status: SessionStatus

    /// The thread every libssh2 call of this session runs on.
    public var thread: IOThread { core.thread }

    /// False once the session was closed or its connection failed.
    public var isConnected: Bool { status.isConnected }

    private init(options: SSHConnectionOptions, hostKey: SSHHostKey, authenticatedWith: String,
                 core: ThreadConfined<SessionCore>, status: SessionStatus) {
        self.options = options
        self.hostKey = hostKey
        self.authenticatedWith = authenticatedWith
        self.core = core
        self.status = status
    }

    deinit {
        let core = self.core
        core.thread.submit { core.withValueOnThread { $0.close() } }
        core.thread.shutdown()
    }

    /// Connects, verifies the host key and logs in.
    ///
    /// On a new thread: `getaddrinfo` + `connect` (within `connectTimeout`; through the jump
    /// hosts when `jumpHosts` is set, see `SSHTransport`), `libssh2_session_init_ex`,
    /// `libssh2_session_handshake`, host key check against `knownHostsFile`
    /// (`libssh2_knownhost_checkp`), then each configured login method in order.
    ///
    /// - Parameter options: where to connect and how to log in.
    /// - Returns: the logged-in session.
    /// - Throws: `SSH2Error`: `.invalidArgument` (unknown host name), `.unavailable` (refused,
    ///   unreachable, not an SSH server), `.timedOut`, `.authenticationFailed` (host key unknown
    ///   or changed, every login method refused).
    public static func connect(_ options: SSHConnectionOptions) async throws -> SSHSession {
        try SSH2Library.ensureInitialized()
        let thread = IOThread(name: "dctc-ssh \(options.host):\(options.port)")
        let status = SessionStatus()
        do {
            let (core, hostKey, method) = try await thread.run { () throws -> (ThreadConfined<SessionCore>, SSHHostKey, String) in
                let socket = try SSHTransport.connect(options)
                let core = try SessionCore(socket: socket, address: options.address, timeout: options.timeout, status: status)
                core.configureKeepalive(seconds: options.serverAliveInterval)
                let knownHosts = try KnownHostsFile(session: core, path: options.knownHostsFile)
                try knownHosts.load()
                core.preferKnownHostKeyTypes(knownHosts: knownHosts, name: options.knownHostsName)
                try core.handshake()
                let hostKey = try core.verifyHostKey(knownHosts: knownHosts, name: options.knownHostsName,
                                                     acceptNew: options.acceptNewHostKey,
                                                     ask: options.askForUnknownHostKey ? options.prompter : nil)
                let method = try core.authenticate(username: options.username, methods: options.authMethods,
                                                   prompter: options.prompter, host: options.host)
                return (ThreadConfined(core, on: thread), hostKey, method)
            }
            return SSHSession(options: options, hostKey: hostKey, authenticatedWith: method, core: core, status: status)
        } catch {
            thread.shutdown()
            throw error
        }
    }

    /// Runs `body` on the session thread with the live session.
    /// - Throws: `SSH2Error` `.unavailable` when the session is closed or broken, or what `body` throws.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SessionCore) throws -> T) async throws -> T {
        try await core.withValue { core in
            try core.ensureUsable()
            return try body(core)
        }
    }

    /// Closes the connection (releasing SFTP handles opened on it first). Later calls on this
    /// session or its SFTP clients fail with `.unavailable`. Wraps `libssh2_session_disconnect_ex`
    /// and `libssh2_session_free`.
    public func disconnect() async {
        _ = try? await core.withValue { $0.close() }
    }
}
