import DCTCCore

/// Percent-encoding and decoding of URL paths, and resolution of the links found in index
/// pages and WebDAV answers (RFC 3986).
///
/// Requests encode every byte of a name except the unreserved characters (`A-Z a-z 0-9 - . _ ~`),
/// so `?`, `#`, `%`, `;`, `+` and spaces can never change a URL's meaning on any server.
/// Addresses shown to users use `Address.description`'s gentler set (`display(_:)`).
enum HTTPURL {
    /// `name` with every byte but the unreserved ones written as `%XX`.
    static func encodeComponent(_ name: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name` for an address shown to a user: like `Address.description`, sub-delimiters,
    /// `:` and `@` stay readable; `?`, `#`, `%`, spaces and non-ASCII are encoded.
    static func encodeForDisplay(_ name: String) -> String {
        var out: [UInt8] = []
        for byte in name.utf8 {
            if isUnreserved(byte) || displayExtras.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes of one path segment.
    ///
    /// - Returns: the name, or nil when the escapes do not form UTF-8 or the result holds a
    ///   `/` or NUL (which no name may contain).
    static func decodeComponent(_ segment: Substring) -> String? {
        guard segment.contains("%") else {
            return segment.contains("\u{0}") ? nil : String(segment)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(segment.utf8.count)
        let utf8 = Array(segment.utf8)
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
        guard let name = String(validating: bytes, as: UTF8.self),
              !name.contains("/"), !name.contains("\u{0}") else { return nil }
        return name
    }

    /// The raw (still encoded) segments of a URL path, `.` and `..` resolved (RFC 3986 §5.2.4).
    /// A trailing `/` shows as a final empty segment.
    static func rawSegments(ofPath path: Substring) -> [Substring] {
        var output: [Substring] = []
        let pieces = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(path.hasPrefix("/") ? 1 : 0)
        for (index, piece) in pieces.enumerated() {
            let last = index == pieces.count - 1
            switch piece {
            case ".":
                if last { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if last { output.append("") }
            case "":
                // Empty segments in the middle (`a//b`) carry no name; keep a trailing one.
                if last { output.append("") }
            default:
                output.append(piece)
            }
        }
        return output
    }

    /// The parts of an absolute URL or a reference: scheme, authority, path, and whether a
    /// query was present. Fragments are dropped.
    struct Reference {
        var scheme: String?
        var authority: String?
        var path: Substring
        var hasQuery: Bool
    }

    /// Splits `text` (an `href` value after entity decoding) into its parts.
    static func parseReference(_ text: String) -> Reference {
        var rest = Substring(text)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var hasQuery = false
        if let question = rest.firstIndex(of: "?") {
            hasQuery = true
            rest = rest[..<question]
        }
        var scheme: String?
        // A scheme is letters, digits, `+ - .` before the first `:`, and before any `/`.
        if let colon = rest.firstIndex(of: ":"), !rest[..<colon].contains("/"), let first = rest.first, first.isLetter,
           rest[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) {
            scheme = rest[..<colon].lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        var authority: String?
        if rest.hasPrefix("//") {
            let afterSlashes = rest.index(rest.startIndex, offsetBy: 2)
            let end = rest[afterSlashes...].firstIndex(of: "/") ?? rest.endIndex
            authority = String(rest[afterSlashes..<end])
            rest = rest[end...]
        }
        return Reference(scheme: scheme, authority: authority, path: rest, hasQuery: hasQuery)
    }

    /// The authority (`host[:port]`) with any `user@` removed and the default port dropped,
    /// lowercased, for comparing two URLs' servers.
    static func normalizedAuthority(_ authority: String, scheme: String) -> String {
        var a = Substring(authority.lowercased())
        if let at = a.lastIndex(of: "@") { a = a[a.index(after: at)...] }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if a.hasSuffix(defaultPort) { a = a.dropLast(defaultPort.count) }
        return String(a)
    }

    /// The path part of an absolute URL (`http://h:1/a/b?x` → `/a/b`).
    static func path(ofURL url: String) -> Substring {
        parseReference(url).path
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let displayExtras: Set<UInt8> = Set("!$&'()*+,;=:@".utf8)

    private static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
