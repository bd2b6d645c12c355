import DCTCCore
import Foundation

/// A password or passphrase that never shows up in descriptions, dumps or logs.
public struct SSHSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// One way of proving who we are to the server, tried in the order the options list them.
public enum SSHAuthMethod: Sendable, CustomStringConvertible {
    /// The keys held by ssh-agent, at `socket` or else at `$SSH_AUTH_SOCK` (skipped when neither is set).
    case agent(socket: String? = nil)
    /// A private key file (`~/.ssh/id_ed25519`); `path + ".pub"` is used when it exists.
    /// libssh2 1.10 cannot sign with RSA keys in a way OpenSSH ≥ 8.8 accepts: use ed25519 or ECDSA.
    case identityFile(String, passphrase: SSHSecret? = nil)
    /// A password (the server must allow the `password` method).
    case password(SSHSecret)

    public var description: String {
        switch self {
        case .agent(let socket): socket.map { "ssh-agent at \($0)" } ?? "ssh-agent"
        case .identityFile(let path, _): "key \(path)"
        case .password: "password"
        }
    }

    /// ssh-agent, then the default identity files of OpenSSH that exist under `home/.ssh`.
    public static func defaults(home: String = Home.directory()) -> [SSHAuthMethod] {
        var methods: [SSHAuthMethod] = [.agent()]
        for name in ["id_ed25519", "id_ecdsa", "id_rsa"] {
            let path = home + "/.ssh/" + name
            if FileManager.default.isReadableFile(atPath: path) { methods.append(.identityFile(path)) }
        }
        return methods
    }
}

/// Everything needed to open an SSH session. Secrets are kept in `SSHSecret`s.
public struct SSHConnectionOptions: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    /// Tried in order; a method the server does not offer (`libssh2_userauth_list`) is skipped.
    public var authMethods: [SSHAuthMethod]
    /// The OpenSSH `known_hosts` file that holds the trusted host keys.
    public var knownHostsFile: String
    /// Trust and record a host key seen for the first time (OpenSSH's `StrictHostKeyChecking=accept-new`).
    /// A changed key is refused whatever this says.
    public var acceptNewHostKey: Bool
    /// Seconds allowed for the TCP connection.
    public var connectTimeout: TimeInterval
    /// Seconds any one libssh2 call may wait for the server (`libssh2_session_set_timeout`).
    public var timeout: TimeInterval
    /// The hosts to go through, first to last (OpenSSH's `ProxyJump`): the first is reached by
    /// TCP, each next one (and finally `host:port`) through a `direct-tcpip` channel of the
    /// previous. Each hop has its own host key check and login. Empty: connect directly.
    public var jumpHosts: [SSHConnectionOptions] = []
    /// Seconds between keepalive messages when the connection is idle (`ServerAliveInterval`); 0: none.
    public var serverAliveInterval: Int = 0
    /// Asks the user on a terminal (passwords, passphrases, unknown host keys); nil off a
    /// terminal, where the non-interactive refusals stay.
    public var prompter: (any SSHPrompter)?
    /// Ask the prompter whether to trust an unknown host key (`StrictHostKeyChecking ask`,
    /// OpenSSH's default). Without a prompter, an unknown key is refused.
    public var askForUnknownHostKey: Bool = false

    /// - Parameters:
    ///   - host: a host name or IP address.
    ///   - port: the TCP port (22 by default).
    ///   - username: the remote user.
    ///   - authMethods: how to log in, in order.
    ///   - knownHostsFile: defaults to `~/.ssh/known_hosts`.
    ///   - acceptNewHostKey: record unknown host keys instead of refusing them.
    ///   - connectTimeout: seconds for the TCP connection.
    ///   - timeout: seconds each libssh2 call may block.
    public init(host: String, port: Int = 22, username: String, authMethods: [SSHAuthMethod] = SSHAuthMethod.defaults(),
                knownHostsFile: String = SSHConnectionOptions.defaultKnownHostsFile, acceptNewHostKey: Bool = false,
                connectTimeout: TimeInterval = 15, timeout: TimeInterval = 60) {
        self.host = host
        self.port = port
        self.username = username
        self.authMethods = authMethods
        self.knownHostsFile = knownHostsFile
        self.acceptNewHostKey = acceptNewHostKey
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// `~/.ssh/known_hosts`.
    public static var defaultKnownHostsFile: String { Home.directory() + "/.ssh/known_hosts" }

    /// The host as `known_hosts` names it: `host` on port 22, else `[host]:port`.
    public var knownHostsName: String { port == 22 ? host : "[\(host)]:\(port)" }

    /// `user@host:port`, the address shown in messages.
    public var address: String { "\(username)@\(host):\(port)" }

    public var description: String {
        var text = "\(address) auth=[\(authMethods.map(\.description).joined(separator: ", "))] known_hosts=\(knownHostsFile)"
        if !jumpHosts.isEmpty { text += " via " + jumpHosts.map(\.address).joined(separator: ",") }
        return text
    }
}
