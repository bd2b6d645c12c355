import DCTCCore
import Foundation

/// Credentials from a `.netrc` file (the format of ftp(1), curl and rclone): entries
/// `machine HOST login USER password SECRET`, a `default` entry for any other host, and
/// `macdef` macros (skipped up to the next blank line). Tokens are separated by white space;
/// a token may be double-quoted with `\` escapes.
///
/// The password is only ever handed to libcurl (`CURLOPT_PASSWORD`); it never appears in
/// arguments, messages or logs.
public struct FTPNetrc: Sendable {
    public struct Entry: Sendable, Hashable {
        /// nil for the `default` entry.
        public var machine: String?
        public var login: String?
        public var password: String?
    }

    public let entries: [Entry]

    /// Parses the text of a netrc file.
    public init(text: String) {
        var entries: [Entry] = []
        var current: Entry?
        let tokens = FTPNetrc.tokens(text)
        var i = 0
        func value() -> String? {
            i += 1
            return i < tokens.count ? tokens[i].text : nil
        }
        while i < tokens.count {
            let token = tokens[i]
            switch token.text {
            case "machine":
                if let c = current { entries.append(c) }
                current = Entry(machine: value())
            case "default":
                if let c = current { entries.append(c) }
                current = Entry(machine: nil)
            case "login": current?.login = value()
            case "password", "passwd": current?.password = value()
            case "account": _ = value()
            case "macdef":
                // The macro's name, then its body up to the first empty line.
                _ = value()
                while i + 1 < tokens.count, !tokens[i + 1].afterBlankLine { i += 1 }
            default: break
            }
            i += 1
        }
        if let c = current { entries.append(c) }
        self.entries = entries
    }

    /// Reads a netrc file; nil when it does not exist or cannot be read.
    public init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// The default netrc file: `$NETRC`, else `~/.netrc`.
    public static var defaultPath: String {
        if let p = ProcessInfo.processInfo.environment["NETRC"], !p.isEmpty { return p }
        let home = Home.directory()
        return home + "/.netrc"
    }

    /// The entry for `host` (and `user`, when given): the first `machine` entry that matches,
    /// else the `default` entry when its login matches too.
    public func entry(host: String, user: String?) -> Entry? {
        let candidates = entries.filter { $0.machine?.lowercased() == host.lowercased() }
            + entries.filter { $0.machine == nil }
        for e in candidates {
            if let user, let login = e.login, login != user { continue }
            return e
        }
        return nil
    }

    private struct Token {
        var text: String
        /// An empty line came between this token and the previous one.
        var afterBlankLine: Bool
    }

    private static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        var newlinesSinceToken = 0
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.first {
            if c == "\n" {
                newlinesSinceToken += 1
                chars.removeFirst()
                continue
            }
            if c == " " || c == "\t" || c == "\r" {
                chars.removeFirst()
                continue
            }
            if c == "#" && (out.isEmpty || newlinesSinceToken > 0) {
                // A comment line.
                while let d = chars.first, d != "\n" { chars.removeFirst() }
                continue
            }
            var s = String.UnicodeScalarView()
            if c == "\"" {
                chars.removeFirst()
                while let d = chars.first, d != "\"" {
                    chars.removeFirst()
                    if d == "\\", let e = chars.first {
                        chars.removeFirst()
                        s.append(e)
                    } else {
                        s.append(d)
                    }
                }
                if !chars.isEmpty { chars.removeFirst() }
            } else {
                while let d = chars.first, d != " ", d != "\t", d != "\n", d != "\r" {
                    chars.removeFirst()
                    s.append(d)
                }
            }
            out.append(Token(text: String(s), afterBlankLine: newlinesSinceToken >= 2))
            newlinesSinceToken = 0
        }
        return out
    }
}
