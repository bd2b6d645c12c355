import Foundation

/// Where something is: a local path, a URL of a network store, a named account's path, or
/// `-` for standard input/output.
///
/// Forms (see `Docs/user-guide.md#addresses`):
/// - `/abs/path`, `./rel`, `rel/path`, `~/path`, `file:///abs/path` — the local disk;
/// - `sftp://user@host:port/path`, `ftp://…`, `ftps://…`, `http://…`, `https://…` —
///   percent-decoded per RFC 3986 (`%20`, `%23`…); a `%` not followed by two hex digits is kept;
/// - `s3://bucket/key` — the bucket is the first path component;
/// - `user@host:path` — an SFTP address, as scp and rsync read it: `path` is relative to the
///   login folder (`sftp://user@host/~/path`), or absolute when it starts with `/`;
/// - `NAME:path` — an account from the config file (`NAME:bucket/key` for S3 accounts); when no
///   account has that name, a `Host NAME` of `~/.ssh/config` (then like `user@host:path`); else
///   an error naming both. A local path that contains `:` before any `/` is written with `./`;
/// - `mem://NAME/path` — an in-memory store (tests);
/// - `-` — standard input or output.
///
/// Passwords are never accepted inside an address (they would show in `ps` and shell history).
public struct Address: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        case local = "file", sftp, ftp, ftps, http, https, s3, memory = "mem", stdio = "-", account
    }

    public var scheme: Scheme
    /// The account name for `NAME:path` addresses.
    public var account: String?
    public var user: String?
    /// Host name (or memory store name); nil for local, stdio, account and s3 addresses.
    public var host: String?
    public var port: Int?
    public var path: VPath
    /// The query of an http(s) URL, kept verbatim (without `?`).
    public var query: String?
    /// The address was written with a trailing `/` (`cp -r src/ dst` semantics).
    public var trailingSlash: Bool
    /// An account address whose path was written with a leading `/` (`NAME:/abs`): absolute
    /// when `NAME` turns out to be an SSH host rather than an account.
    public var accountPathIsAbsolute = false
    /// `ftp://` and `ftps://` only: the path was written after `%2F` (`ftp://host/%2Ftmp/x`), so
    /// it starts at the server's root; without it the path is relative to the login folder
    /// (RFC 1738, as curl and rclone read FTP URLs).
    public var fromServerRoot = false

    public init(scheme: Scheme, path: VPath, account: String? = nil, user: String? = nil,
                host: String? = nil, port: Int? = nil, query: String? = nil, trailingSlash: Bool = false) {
        self.scheme = scheme
        self.path = path
        self.account = account
        self.user = user
        self.host = host
        self.port = port
        self.query = query
        self.trailingSlash = trailingSlash
    }

    public static func local(_ path: String) -> Address {
        Address(scheme: .local, path: VPath(path))
    }

    public var isLocal: Bool { scheme == .local }
    public var isStdio: Bool { scheme == .stdio }

    /// Account names: letters, digits, `_`, `.`, `-`; at least two characters, not a URL scheme.
    public static func isValidAccountName(_ name: String) -> Bool {
        let leading = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        let allowed = leading.union(CharacterSet(charactersIn: ".-"))
        guard name.unicodeScalars.count >= 2, let first = name.unicodeScalars.first, leading.contains(first),
              name.unicodeScalars.allSatisfy({ allowed.contains($0) }) else { return false }
        return !reservedNames.contains(name.lowercased())
    }

    /// Names that are URL schemes and cannot be account names.
    public static let reservedNames: Set<String> = ["file", "sftp", "ftp", "ftps", "http", "https", "s3", "mem"]

    // MARK: - Parsing

    /// Parses what a user typed.
    /// - Parameters:
    ///   - text: the address.
    ///   - cwd: the directory relative local paths are resolved against.
    ///   - home: the directory `~` stands for.
    /// - Throws: `.invalidArgument` naming the address and what to write instead.
    public static func parse(_ text: String, cwd: String = FileManager.default.currentDirectoryPath,
                             home: String = Home.directory()) throws -> Address {
        do {
            return try parseUnchecked(text, cwd: cwd, home: home)
        } catch var e as VFSError {
            // One line whatever the address holds (a newline could forge a second `dctc:` line).
            e.message = SafeName.escaped(e.message)
            e.path = e.path.map { SafeName.escaped($0) }
            throw e
        }
    }

    private static func parseUnchecked(_ text: String, cwd: String, home: String) throws -> Address {
        guard !text.isEmpty else {
            throw VFSError.invalid("empty address", remedy: "give a path, a URL or NAME:path")
        }
        if text == "-" { return Address(scheme: .stdio, path: .root) }
        if text.contains("\u{0}") {
            throw VFSError.invalid("address contains a NUL character", path: text)
        }
        let trailing = text.hasSuffix("/") && text.count > 1
        if let range = text.range(of: "://") {
            let schemeText = text[..<range.lowerBound].lowercased()
            guard let scheme = Scheme(rawValue: schemeText), ![.stdio, .account].contains(scheme) else {
                throw VFSError.invalid("unknown scheme '\(schemeText)'", path: text,
                                       remedy: "use one of file, sftp, ftp, ftps, http, https, s3, or NAME:path for a configured account")
            }
            var a = try parseURL(scheme: scheme, rest: String(text[range.upperBound...]), original: text)
            a.trailingSlash = trailing
            return a
        }
        // user@host:path — scp's form of an SFTP address (an '@' before the first ':' and no '/').
        if let scp = try parseSCP(text, trailing: trailing) { return scp }
        // NAME:path — a colon before any slash, with a valid account name before it.
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains("/") {
            let name = String(text[..<colon])
            if isValidAccountName(name) {
                let rest = String(text[text.index(after: colon)...])
                var a = Address(scheme: .account, path: VPath(rest), account: name, trailingSlash: trailing)
                a.accountPathIsAbsolute = rest.hasPrefix("/")
                return a
            }
            if Scheme(rawValue: name.lowercased()) != nil {
                throw VFSError.invalid("'\(name):' is a URL scheme", path: text,
                                       remedy: "write \(name.lowercased())://… for a URL, or ./\(text) for a local file")
            }
        }
        var path = text
        if path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst() }
        if !path.hasPrefix("/") { path = cwd + "/" + path }
        return Address(scheme: .local, path: VPath(path), trailingSlash: trailing)
    }

    /// `user@host:path` (scp, rsync), or nil when `text` is not of that form. `host` may be an
    /// IPv6 address in brackets; `path` is relative to the login folder unless it starts with `/`.
    static func parseSCP(_ text: String, trailing: Bool) throws -> Address? {
        guard let at = text.firstIndex(of: "@") else { return nil }
        let userPart = text[..<at]
        guard !userPart.contains("/"), !userPart.contains(":") else { return nil }
        let afterAt = text[text.index(after: at)...]
        var host: Substring
        var rest: Substring
        if afterAt.hasPrefix("[") {
            guard let close = afterAt.firstIndex(of: "]"), afterAt[afterAt.index(after: close)...].hasPrefix(":") else { return nil }
            host = afterAt[afterAt.index(after: afterAt.startIndex)..<close]
            rest = afterAt[afterAt.index(close, offsetBy: 2)...]
        } else {
            guard let colon = afterAt.firstIndex(of: ":"), !afterAt[..<colon].contains("/") else { return nil }
            host = afterAt[..<colon]
            rest = afterAt[afterAt.index(after: colon)...]
        }
        guard !userPart.isEmpty, !host.isEmpty else {
            throw VFSError.invalid("'user@host:path' needs a user and a host", path: text,
                                   remedy: "write user@host:path or sftp://user@host/path, or ./\(text) for a local file")
        }
        let path = rest.hasPrefix("/") ? VPath(String(rest)) : VPath(components: ["~"] + VPath(String(rest)).components)
        return Address(scheme: .sftp, path: path, user: String(userPart), host: String(host).lowercased(),
                       trailingSlash: trailing)
    }

    private static func parseURL(scheme: Scheme, rest: String, original: String) throws -> Address {
        var rest = Substring(rest)
        var query: String?
        if scheme == .http || scheme == .https, let q = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var pathText = rest[slash...]
        var fromServerRoot = false
        if scheme == .ftp || scheme == .ftps, pathText.lowercased().hasPrefix("/%2f") {
            // RFC 1738: an encoded `/` first means the path starts at the server's root.
            fromServerRoot = true
            pathText = pathText.dropFirst(4)
        }
        let path = VPath(components: try pathText.split(separator: "/", omittingEmptySubsequences: true).map {
            try decodeComponent(String($0), original: original)
        })
        switch scheme {
        case .local:
            guard authority.isEmpty || authority == "localhost" else {
                throw VFSError.invalid("file:// URLs name local files only", path: original,
                                       remedy: "write file:///absolute/path")
            }
            return Address(scheme: .local, path: path)
        case .s3:
            guard !authority.isEmpty else {
                // `s3://` alone is the endpoint's root: its buckets (as `aws s3 ls`).
                if path.isRoot { return Address(scheme: .s3, path: path) }
                throw VFSError.invalid("missing bucket name", path: original, remedy: "write s3://BUCKET/key")
            }
            let bucket = try decodeComponent(String(authority), original: original)
            return Address(scheme: .s3, path: VPath(components: [bucket] + path.components))
        default:
            break
        }
        var hostPart = authority
        var user: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") {
                throw VFSError.invalid("passwords are not accepted in addresses (they would show in ps and shell history)",
                                       path: redacted(original),
                                       remedy: "configure an account with password_env or password_command: `dctc config add NAME --type \(scheme.rawValue) ...`")
            }
            user = try decodeComponent(String(userInfo), original: original)
            hostPart = authority[authority.index(after: at)...]
        }
        var host = String(hostPart)
        var port: Int?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw VFSError.invalid("unterminated [ in IPv6 host", path: original)
            }
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { port = try parsePort(after.dropFirst(), original: original) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            host = String(hostPart[..<colon])
            port = try parsePort(hostPart[hostPart.index(after: colon)...], original: original)
        }
        guard !host.isEmpty else {
            throw VFSError.invalid("missing host name", path: original, remedy: "write \(scheme.rawValue)://HOST/path")
        }
        var address = Address(scheme: scheme, path: path, user: user, host: host.lowercased(), port: port, query: query)
        address.fromServerRoot = fromServerRoot
        return address
    }

    private static func parsePort(_ s: Substring, original: String) throws -> Int? {
        if s.isEmpty { return nil }
        guard let p = Int(s), (1...65535).contains(p) else {
            throw VFSError.invalid("bad port '\(s)'", path: original, remedy: "use a number from 1 to 65535")
        }
        return p
    }

    /// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
    static func decodeComponent(_ s: String, original: String) throws -> String {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        let utf8 = Array(s.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw VFSError.invalid("percent-escapes do not decode to UTF-8", path: original)
        }
        guard !decoded.contains("/"), !decoded.contains("\u{0}") else {
            throw VFSError.invalid("an escaped '/' or NUL cannot be part of a name", path: original)
        }
        return decoded
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The address with any `user:password@` replaced by `user:***@`, for error messages.
    public static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<schemeEnd.upperBound]) + rest[..<colon] + ":***" + rest[at...]
    }

    // MARK: - Printing

    /// Characters kept as they are in a printed URL path; everything else is percent-encoded.
    private static let pathAllowed: CharacterSet = {
        var s = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@[]")
        s.remove(charactersIn: "[]")
        return s
    }()

    static func encodeComponent(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? s
    }

    /// The canonical text of this address; `parse(description)` gives the same address back.
    public var description: String {
        let slash = trailingSlash && !path.isRoot ? "/" : ""
        switch scheme {
        case .stdio: return "-"
        case .local: return path.string + slash
        case .account:
            return "\(account ?? ""):" + (accountPathIsAbsolute ? "/" : "") + path.components.joined(separator: "/") + slash
        case .s3:
            return "s3://" + path.components.map(Address.encodeComponent).joined(separator: "/") + slash
        default:
            var s = "\(scheme.rawValue)://"
            if let user { s += Address.encodeComponent(user) + "@" }
            if let host { s += host.contains(":") ? "[\(host)]" : host }
            if let port { s += ":\(port)" }
            s += fromServerRoot ? "/%2F" : "/"
            s += path.components.map(Address.encodeComponent).joined(separator: "/") + slash
            if let query { s += "?" + query }
            return s
        }
    }

    /// The same address with another path.
    public func with(path: VPath) -> Address {
        var a = self
        a.path = path
        a.trailingSlash = false
        return a
    }

    /// The address of a child.
    public func appending(_ name: String) -> Address { with(path: path.appending(name)) }

    /// Identifies the store this address lives in (one store instance per key).
    public var storeKey: String {
        switch scheme {
        case .account: return "account:\(account ?? "")"
        case .local, .stdio, .s3: return scheme.rawValue
        default: return "\(scheme.rawValue)://\(user ?? "")@\(host ?? ""):\(port ?? 0)"
        }
    }
}
