import DCTCCore
import DCTCCurl

/// Where an HTTP(S)/WebDAV store is and how to talk to it.
///
/// A store covers one server (`scheme://host:port`), or, for an account with a `url` such as
/// `https://example.com/dav/`, everything below that URL's path: store paths are appended to
/// `basePath`. Credentials travel as libcurl options, never inside a URL.
public struct HTTPStoreConfiguration: Sendable {
    /// How the store decides between plain HTTP and WebDAV.
    public enum Mode: Sendable, Hashable {
        /// Ask the server with `OPTIONS` (a `DAV:` header means WebDAV), once per store.
        case detect
        /// Plain HTTP: GET/HEAD and index pages only; every write is refused.
        case readOnly
        /// WebDAV whatever `OPTIONS` says (account type `webdav`).
        case webdav
    }

    /// `http` or `https`.
    public var scheme: String
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    public var port: Int?
    /// Path components the store's root lies under (from an account's `url`).
    public var basePath: [String]
    /// The user name, sent with `password` (HTTP Basic authentication).
    public var user: String?
    /// The user written in the address (`http://user@host/`), shown in `display`.
    public var userInAddress: String?
    /// Never logged or shown.
    public var password: String?
    /// Sent as `Authorization: Bearer …` (account key `token`). Never logged or shown.
    public var bearerToken: String?
    /// TLS certificate verification (`--insecure` / account `insecure_tls` turn it off).
    public var verifyTLS = true
    /// `--verify`: read every WebDAV upload back before the MOVE (the server has no hash).
    public var storedCheck = StoredContentCheck.standard
    public var mode: Mode = .detect
    /// Transfers (hence connections) at once.
    public var maxConnections = 4
    public var timeouts = CurlRequest.Timeouts()
    /// The path `OPTIONS` asks about when detecting WebDAV (the first address given).
    public var probePath: VPath = .root
    /// The Content-Type of files written (`--content-type`, account `content_type`); nil
    /// guesses it from the name (`MIMETypes`).
    public var uploadContentType: String?

    public init(scheme: String, host: String, port: Int? = nil, basePath: [String] = [], user: String? = nil) {
        self.scheme = scheme.lowercased()
        self.host = host
        self.port = port
        self.basePath = basePath
        self.user = user
        self.userInAddress = user
    }

    /// A configuration for a URL such as `https://user@example.com:8443/dav/`.
    ///
    /// - Throws: `.invalidArgument` for another scheme, a missing host, a password in the URL,
    ///   or a path that does not decode.
    public init(url: String) throws {
        let address = try Address.parse(url)
        guard address.scheme == .http || address.scheme == .https, let host = address.host else {
            throw VFSError.invalid("an HTTP or WebDAV store needs an http:// or https:// URL", path: url,
                                   remedy: "write the account's url as https://server.example.com/dav/")
        }
        self.init(scheme: address.scheme.rawValue, host: host, port: address.port,
                  basePath: address.path.components, user: address.user)
    }

    /// `scheme://host:port` (brackets around an IPv6 address; the port only when given).
    var origin: String {
        var s = "\(scheme)://" + (host.contains(":") ? "[\(host)]" : host)
        if let port { s += ":\(port)" }
        return s
    }

    /// The absolute URL of a store path, each name percent-encoded; a directory URL ends in `/`.
    func url(_ path: VPath, directory: Bool = false) -> String {
        let components = basePath + path.components
        var s = origin + "/" + components.map(HTTPURL.encodeComponent).joined(separator: "/")
        if directory && !components.isEmpty { s += "/" }
        return s
    }

    /// The address of a store path as a user would type it: the URL, with the user name the
    /// address had but never a password, names encoded like `Address.description`.
    func display(_ path: VPath) -> String {
        var s = "\(scheme)://"
        if let user = userInAddress { s += HTTPURL.encodeForDisplay(user) + "@" }
        s += host.contains(":") ? "[\(host)]" : host
        if let port { s += ":\(port)" }
        return s + "/" + (basePath + path.components).map(HTTPURL.encodeForDisplay).joined(separator: "/")
    }

    /// The store path of a URL path's components, or nil when they are not below `basePath`.
    func storePath(_ components: [String]) -> VPath? {
        guard components.count >= basePath.count,
              zip(components, basePath).allSatisfy({ $0.utf8.elementsEqual($1.utf8) }) else { return nil }
        return VPath(components: Array(components.dropFirst(basePath.count)))
    }

    /// Credentials are configured (so a 401 means they are wrong, not missing).
    var hasCredentials: Bool { password != nil || bearerToken != nil }
}

/// Printing a configuration never shows its password or token.
extension HTTPStoreConfiguration: CustomStringConvertible, CustomReflectable {
    public var description: String {
        var s = "HTTPStoreConfiguration(\(display(.root)), mode: \(mode), verifyTLS: \(verifyTLS)"
        if let user { s += ", user: \(user)" }
        if password != nil { s += ", password: ***" }
        if bearerToken != nil { s += ", token: ***" }
        return s + ")"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["url": display(.root), "user": user as Any, "mode": mode, "verifyTLS": verifyTLS,
                                "maxConnections": maxConnections, "hasCredentials": hasCredentials])
    }
}
