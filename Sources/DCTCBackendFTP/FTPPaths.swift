import DCTCCore

/// How store paths become what libcurl and the server see.
///
/// Store paths are the server's absolute paths. Addresses are read as RFC 1738 and curl read
/// them: `ftp://host/a/b` is `a/b` inside the login folder (learned with `PWD` at connect),
/// `ftp://host/%2Fa/b` is `/a/b` (see `FTPFileSystem.storePath(for:)` and `display`).
///
/// Every request makes its own `CWD /absolute/directory` (a command sent before the
/// transfer) and gives libcurl a URL whose path is only the file name (`ftp://host:port/NAME`)
/// or empty for a listing (`ftp://host:port/`). libcurl then never changes directory itself,
/// which matters twice: the paths are absolute, not relative to the login's home, and a reused
/// connection never lists or reads in a directory libcurl merely remembers being in (a
/// directory removed and created again meanwhile would list as empty). It also costs one `CWD`
/// per request instead of one per path level.
///
/// Names go into URLs percent-encoded byte by byte (everything but `A-Z a-z 0-9 - . _ ~`), so
/// `?`, `#`, `%`, `;type=` and non-ASCII names reach the server exactly. libcurl refuses control
/// characters in FTP paths ("path contains control characters"): names with a tab, CR or LF can
/// be renamed and deleted but not transferred, and writing one fails with `.invalidArgument`.
enum FTPPaths {
    /// The path as the server's absolute path (`/a/b c`).
    static func serverPath(_ path: VPath) -> String { path.string }

    /// `ftp://host:port/` — the base of every request URL.
    static func baseURL(_ configuration: FTPConfiguration) -> String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        // `ftps` stores use explicit TLS on the plain port: the ftp:// scheme plus
        // CURLOPT_USE_SSL. libcurl's ftps:// means implicit TLS (port 990 style).
        return "ftp://\(host):\(configuration.port)/"
    }

    /// The URL of a file in the current directory (after a `CWD` to its parent).
    static func fileURL(_ configuration: FTPConfiguration, name: String) -> String {
        baseURL(configuration) + encode(name)
    }

    /// True when libcurl would refuse the name in a URL (control characters).
    static func hasControlCharacters(_ name: String) -> Bool {
        name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
    }

    /// Percent-encodes every byte outside the unreserved set of RFC 3986.
    static func encode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(b)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A user name as it appears before `@` in a displayed address.
    static func encodeUserInfo(_ user: String) -> String {
        encode(user)
    }

    /// `ftp://user@host:port/a/b%20c`, the address of `path` as a user would type it (RFC 1738):
    /// relative to `loginFolder` when inside it, else from the server's root (`/%2F...`).
    static func display(_ configuration: FTPConfiguration, _ path: VPath, loginFolder: VPath = .root) -> String {
        let scheme: Address.Scheme = configuration.explicitTLS ? .ftps : .ftp
        var address = Address(scheme: scheme, path: path, user: configuration.user, host: configuration.host,
                              port: configuration.port)
        if !loginFolder.isRoot {
            if path.hasPrefix(loginFolder) {
                address.path = VPath(components: Array(path.components.dropFirst(loginFolder.components.count)))
            } else {
                address.fromServerRoot = true
            }
        }
        return address.description
    }

    /// The folder of a `257 "/a/b" is the current directory` reply (`""` is a quote inside the
    /// name, RFC 959); nil when the reply is not a 257 with a quoted absolute path.
    static func parsePWD(_ reply: FTPReply) -> VPath? {
        guard reply.code == 257, let line = reply.lines.first,
              let open = line.firstIndex(of: "\"") else { return nil }
        var name = ""
        var i = line.index(after: open)
        while i < line.endIndex {
            if line[i] == "\"" {
                let next = line.index(after: i)
                if next < line.endIndex, line[next] == "\"" {
                    name.append("\"")
                    i = line.index(after: next)
                    continue
                }
                guard name.hasPrefix("/") else { return nil }
                return VPath(name)
            }
            name.append(line[i])
            i = line.index(after: i)
        }
        return nil
    }
}
