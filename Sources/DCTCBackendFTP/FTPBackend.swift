import DCTCCore
import Foundation

/// The factory the store registry calls for `ftp://` and `ftps://` addresses and for accounts
/// of type `ftp`/`ftps`.
///
/// Settings, from the address or the account (account values win where both exist):
/// - `host`, `port` (21 by default), `user` (else the netrc entry's login for the host, else
///   `anonymous`);
/// - the password: the account's `password` secret (inline, `password_env`,
///   `password_command`), else the `machine HOST login USER password …` entry of the netrc
///   file (`netrc_file`, else `$NETRC`, else `~/.netrc`). Never from the command line;
/// - `ftps` (scheme or account type): explicit TLS, certificate verified against the system's
///   CAs or the account's `ca_file`; `insecure_tls = true` or `--insecure` turns verification off;
/// - `max_connections` (or `--max-connections`), default 4; `list_page_size`, default 1000;
///   `timeout`: seconds to connect and log in (default 30) and to wait for a reply (default 60);
/// - `mtime_command`: `auto` (default), `mfmt`, `mdtm` or `none`.
public enum FTPBackend {
    public static let kinds: [StoreKind] = [.ftp, .ftps]

    /// The account keys of the FTP store (its `RegInfo`), each read below.
    public enum Option {
        public static let port = BackendOption.port.with(default: "21", example: "2121")
        public static let user = BackendOption.user.with(default: "the netrc entry's login, else anonymous", example: "upload")
        public static let netrcFile = BackendOption("netrc_file", .string, help: "A netrc file to take the password from.",
                                                    default: "$NETRC, else ~/.netrc", example: "~/.netrc-ftp")
        public static let listPageSize = BackendOption("list_page_size", .integer(1...100_000),
                                                       help: "Entries per listing page.", default: "1000", example: "500")
        public static let mtimeCommand = BackendOption("mtime_command", .string,
                                                       help: "How modification times are set: auto, mfmt, mdtm or none.",
                                                       default: "auto", example: "mfmt")
        public static let caFile = BackendOption("ca_file", .string, help: "A PEM file of certificates to trust.",
                                                 default: "the system's CAs", example: "/etc/ssl/certs/my-ca.pem")
        public static let insecureTLS = BackendOption.insecureTLS
    }

    /// The keys an account of type `kind` (`ftp` or `ftps`) understands.
    public static func options(for kind: StoreKind) -> [BackendOption] {
        var all = BackendOption.common
            + [BackendOption.host, Option.port, Option.user, BackendOption.password,
               Option.netrcFile, Option.listPageSize, Option.mtimeCommand]
            + [BackendOption.maxConnections, BackendOption.timeout.with(default: "30 to connect and log in, 60 for a reply")]
        if kind == .ftps { all += [Option.caFile, Option.insecureTLS] }
        return all
    }

    /// Builds a connected store for a request.
    ///
    /// - Parameter request: the address, the account and the command-line options.
    /// - Returns: an `FTPFileSystem`.
    /// - Throws: `.invalidArgument` for a missing host or a bad setting; what
    ///   `FTPFileSystem.connect` throws (refused login, unreachable server, untrusted certificate).
    public static func makeStore(_ request: StoreRequest) async throws -> any VirtualFileSystem {
        try await FTPFileSystem.connect(try configuration(for: request))
    }

    /// The configuration a request describes, with the password resolved.
    ///
    /// - Parameters:
    ///   - request: the address, the account and the command-line options.
    ///   - netrc: the netrc file to read (default: `Netrc.defaultPath()`: `$NETRC`, else `~/.netrc`).
    /// - Throws: `.invalidArgument` for a missing host or a malformed setting; a secret
    ///   command's failure.
    public static func configuration(for request: StoreRequest, netrc: String? = nil) throws -> FTPConfiguration {
        let account = request.account
        let address = request.address
        let kind = request.kind
        let shown = address.description
        guard kinds.contains(kind) else {
            throw VFSError.invalid("the FTP store cannot serve kind '\(request.kind)'", path: shown)
        }
        guard let host = account?.string(.host) ?? address.host, !host.isEmpty else {
            throw VFSError.invalid("missing host name", path: shown,
                                   remedy: "write ftp://HOST/path, or set `host` in the account")
        }
        var port = address.port ?? 21
        if let text = account?.string(Option.port) {
            guard let p = Int(text), (1...65535).contains(p) else {
                throw VFSError.invalid("bad port '\(text)' in account \(account?.name ?? "")", path: shown,
                                       remedy: "use a number from 1 to 65535")
            }
            port = p
        }
        var user = account?.string(Option.user) ?? address.user
        var password = try account?.secret(.password)
        if password == nil,
           let file = Netrc(path: account?.string(Option.netrcFile).map { Home.expandTilde($0) } ?? netrc ?? Netrc.defaultPath()),
           let e = file.entry(machine: host, login: user) {
            if user == nil {
                // Like curl --netrc: an entry supplies the login when the address has none.
                if let login = e.login { user = login; password = e.password }
            } else {
                password = e.password
            }
        }
        var c = FTPConfiguration(host: host, port: port, user: user, password: password,
                                 explicitTLS: kind == .ftps)
        if kind == .ftps {
            c.caFile = account?.string(Option.caFile)
            c.insecureTLS = account?.bool(Option.insecureTLS) == true
        }
        if request.options.insecureTLS { c.insecureTLS = true }
        c.storedCheck = request.options.storedCheck
        if let n = request.options.maxConnections ?? account?.int(.maxConnections) { c.maxConnections = max(1, n) }
        if let n = account?.int(Option.listPageSize) { c.listPageSize = max(1, n) }
        if let timeout = account?.seconds(.timeout) {
            c.connectTimeout = timeout
            c.responseTimeout = timeout
        }
        if let t = request.options.connectTimeout { c.connectTimeout = t }
        if let t = request.options.ioTimeout { c.responseTimeout = t }
        if let text = account?.string(Option.mtimeCommand) {
            guard let command = FTPConfiguration.TimeCommand(rawValue: text.lowercased()) else {
                throw VFSError.invalid("bad mtime_command '\(text)'", path: shown, remedy: "use auto, mfmt, mdtm or none")
            }
            c.timeCommand = command
        }
        return c
    }
}
