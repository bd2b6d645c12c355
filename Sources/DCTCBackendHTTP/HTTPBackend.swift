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
    public static let kinds = ["http", "webdav"]

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
            guard let url = account["url"], !url.isEmpty else {
                throw VFSError.invalid("account '\(account.name)' has no url", path: request.address.description,
                                       remedy: "add url = \"https://server.example.com/dav/\" to [accounts.\(account.name)] in the config file")
            }
            config = try HTTPStoreConfiguration(url: url)
            if let user = account["user"], !user.isEmpty { config.user = user }
            config.password = try account.secret("password")
            config.bearerToken = try account.secret("token")
            if account.bool("insecure_tls") == true { config.verifyTLS = false }
            if let n = account.int("max_connections") { config.maxConnections = n }
            if let timeout = account.seconds("timeout") {
                config.timeouts.connect = timeout
                config.timeouts.stallTime = max(timeout, .seconds(1))
            }
            config.mode = account.type == "webdav" ? .webdav : .detect
            if let root = account["root"], !root.isEmpty {
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
            config.mode = request.kind == "webdav" ? .webdav : .detect
        }
        if request.options.insecureTLS { config.verifyTLS = false }
        if let t = request.options.connectTimeout { config.timeouts.connect = t }
        if let t = request.options.ioTimeout { config.timeouts.stallTime = t }
        config.uploadContentType = request.options.upload.contentType ?? request.account?["content_type"]
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
