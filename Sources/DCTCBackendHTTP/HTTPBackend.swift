import DCTCCore
import Foundation

/// Builds HTTP(S) and WebDAV stores for the registry.
///
/// - `http://host/path`, `https://user@host:port/path`: one store per server; WebDAV is
///   detected with `OPTIONS` (a `DAV` header), else the store is read-only.
/// - An account (`NAME:path`) of type `http` (detected like a URL) or `webdav` (WebDAV
///   forced): its `url` is the store's root; `user`, `password` (or `password_env`,
///   `password_command`), `token` (sent as a Bearer token), `insecure_tls`,
///   `max_connections` and `timeout` (seconds) are honoured.
///
/// Without a password in the account, `$NETRC` or `~/.netrc` is consulted for the host (and user). A
/// password is never taken from the command line or the URL.
public enum HTTPBackend {
    public static let kinds: [StoreKind] = [.http, .webdav]

    /// The account keys of HTTP and WebDAV stores (their `RegInfo`), read by `configuration(for:)`.
    public enum Option {
        public static let url = BackendOption("url", .string, help: "The base URL (http:// or https://); the store's root.",
                                              example: "https://server.example.com/dav/", required: true)
        public static let user = BackendOption.user.with(default: "the netrc entry's login")
        public static let password = BackendOption.password.with(default: "the netrc entry's password")
        public static let token = BackendOption("token", .secret, help: "A bearer token, sent as Authorization: Bearer.",
                                                example: "DAV_TOKEN")
        public static let insecureTLS = BackendOption.insecureTLS
        public static let contentType = BackendOption("content_type", .string,
                                                      help: "The Content-Type of files written (--content-type wins).",
                                                      default: "guessed from the name", example: "application/octet-stream")
    }

    /// The keys an account of type `http` or `webdav` understands.
    public static let options: [BackendOption] = BackendOption.common + [
        Option.url, Option.user, Option.password, Option.token, Option.insecureTLS, Option.contentType,
    ] + BackendOption.network

    /// Builds the store for `request` and asks the server what it speaks.
    ///
    /// - Throws: `.invalidArgument` for an account without `url` or with another scheme;
    ///   whatever `HTTPFileSystem.connect` throws (`.unavailable`, `.authenticationFailed`).
    public static func makeStore(_ request: StoreRequest) async throws -> any VirtualFileSystem {
        try await HTTPFileSystem.connect(configuration(for: request))
    }

    /// The configuration `makeStore` uses, without touching the network.
    ///
    /// - Parameters:
    ///   - request: what the registry asks for.
    ///   - netrcText: the text of a netrc file to use instead of `$NETRC` or `~/.netrc`.
    /// - Throws: `.invalidArgument` for an account without `url`, or a secret that cannot be resolved.
    public static func configuration(for request: StoreRequest, netrcText: String? = nil) throws -> HTTPStoreConfiguration {
        var config: HTTPStoreConfiguration
        var probe = request.address.path
        if let account = request.account {
            guard let url = account.string(Option.url), !url.isEmpty else {
                throw VFSError.invalid("account '\(account.name)' has no url", path: request.address.description,
                                       remedy: "add url = \"https://server.example.com/dav/\" to [accounts.\(account.name)] in the config file")
            }
            config = try HTTPStoreConfiguration(url: url)
            if let user = account.string(Option.user), !user.isEmpty { config.user = user }
            config.password = try account.secret(Option.password)
            config.bearerToken = try account.secret(Option.token)
            if account.bool(Option.insecureTLS) == true { config.verifyTLS = false }
            if let n = account.int(.maxConnections) { config.maxConnections = n }
            if let timeout = account.seconds(.timeout) {
                config.timeouts.connect = timeout
                config.timeouts.stallTime = max(timeout, .seconds(1))
            }
            config.mode = account.type == "webdav" ? .webdav : .detect
            if let root = account.string(.root), !root.isEmpty {
                probe = VPath(root).appending(relative: request.address.path.components.joined(separator: "/"))
            }
        } else {
            let address = request.address
            guard address.scheme == .http || address.scheme == .https, let host = address.host else {
                throw VFSError.invalid("an HTTP or WebDAV store needs an http:// or https:// address",
                                       path: address.description)
            }
            config = HTTPStoreConfiguration(scheme: address.scheme.rawValue, host: host, port: address.port,
                                            user: address.user)
            config.mode = request.kind == .webdav ? .webdav : .detect
        }
        if request.options.insecureTLS { config.verifyTLS = false }
        config.storedCheck = request.options.storedCheck
        if let t = request.options.connectTimeout { config.timeouts.connect = t }
        if let t = request.options.ioTimeout { config.timeouts.stallTime = t }
        config.uploadContentType = request.options.upload.contentType ?? request.account?.string(Option.contentType)
        if let n = request.options.maxConnections { config.maxConnections = n }
        config.probePath = probe
        if config.password == nil && config.bearerToken == nil {
            let netrc = netrcText.map { Netrc(text: $0) } ?? Netrc.load()
            if let found = netrc?.entry(machine: config.host, login: config.user), let password = found.password {
                config.user = config.user ?? found.login
                config.password = password
            }
        }
        return config
    }
}
