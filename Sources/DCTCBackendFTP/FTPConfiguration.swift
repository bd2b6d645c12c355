import DCTCCore
import Foundation

/// Everything an `FTPFileSystem` needs to reach one server as one user.
///
/// Built by `FTPBackend.makeStore` from an address (`ftp://user@host:port/path`), an account
/// (`host`, `port`, `user`, `password` secret, `ca_file`, `insecure_tls`, `max_connections`,
/// `mtime_command`, `netrc_file`) and the command-line options; tests build one directly.
/// Neither its `description` nor its mirror (`dump`) shows the password.
public struct FTPConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// How modification times are set on the server.
    public enum TimeCommand: String, Sendable, Hashable {
        /// `MFMT` when FEAT lists it, else `MDTM YYYYMMDDHHMMSS path` when probing shows that the
        /// server sets times with it (vsftpd's `mdtm_write`), else none.
        case automatic = "auto"
        /// `MFMT YYYYMMDDHHMMSS path` (draft-somers-ftp-mfxx).
        case mfmt
        /// `MDTM YYYYMMDDHHMMSS path` (vsftpd, some others).
        case mdtm
        /// Never set times: the store says it does not preserve them.
        case none
    }

    public var host: String
    public var port: Int
    /// The login; nil logs in as `anonymous`.
    public var user: String?
    /// The password (`CURLOPT_PASSWORD`). Never logged or shown.
    public var password: String?
    /// Explicit TLS (`AUTH TLS`, RFC 4217) on the control and data connections: the `ftps` kind.
    public var explicitTLS: Bool
    /// A PEM file of certificates to trust instead of the system's (a self-signed server's).
    public var caFile: String?
    /// Skip certificate verification (`--insecure`, account `insecure_tls = true`).
    public var insecureTLS: Bool
    /// Connections (and transfers) at once.
    public var maxConnections: Int
    /// Entries per listing page.
    public var listPageSize: Int
    public var timeCommand: TimeCommand
    /// `CURLOPT_CONNECTTIMEOUT_MS`: TCP, TLS and login.
    public var connectTimeout: Duration
    /// How long a command waits for the server's reply (`CURLOPT_SERVER_RESPONSE_TIMEOUT`):
    /// a control connection cut while a reply is awaited fails then, and is retried.
    public var responseTimeout: Duration = .seconds(60)
    /// `--verify`: read every upload back before the rename (the server has no hash command).
    public var storedCheck = StoredContentCheck.standard

    public init(host: String, port: Int = 21, user: String? = nil, password: String? = nil,
                explicitTLS: Bool = false, caFile: String? = nil, insecureTLS: Bool = false,
                maxConnections: Int = 4, listPageSize: Int = 1000, timeCommand: TimeCommand = .automatic,
                connectTimeout: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.explicitTLS = explicitTLS
        self.caFile = caFile
        self.insecureTLS = insecureTLS
        self.maxConnections = max(1, maxConnections)
        self.listPageSize = max(1, listPageSize)
        self.timeCommand = timeCommand
        self.connectTimeout = connectTimeout
    }

    /// `ftp` or `ftps`: the scheme users write for this store.
    public var scheme: String { explicitTLS ? "ftps" : "ftp" }

    /// `ftp://user@host:port` (no password, no path).
    public var origin: String {
        var s = "\(scheme)://"
        if let user { s += FTPPaths.encodeUserInfo(user) + "@" }
        s += host.contains(":") ? "[\(host)]" : host
        return s + ":\(port)"
    }

    public var description: String {
        var s = origin
        if password != nil { s += " (password set)" }
        if explicitTLS { s += insecureTLS ? " (TLS, unverified)" : (caFile.map { " (TLS, CA \($0))" } ?? " (TLS)") }
        return s
    }

    /// The settings without the password, for `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "port": port, "user": user as Any, "password": password == nil ? "(none)" : "(set)",
            "explicitTLS": explicitTLS, "caFile": caFile as Any, "insecureTLS": insecureTLS,
            "maxConnections": maxConnections, "listPageSize": listPageSize, "timeCommand": timeCommand,
        ])
    }
}
