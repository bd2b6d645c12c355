import Foundation

/// Credentials from a `.netrc` file, read the way ftp(1), curl and rclone read it: the one
/// netrc reader of dctc (FTP, HTTP/WebDAV and SFTP stores all use it).
///
/// Entries are `machine HOST login USER password SECRET` (in any order after `machine`,
/// spread over lines as you like; `passwd` is accepted for `password`, `account` is skipped);
/// `default` matches any other host; `macdef NAME` bodies run to the next blank line and are
/// skipped. Tokens are separated by blanks and newlines; a token may be double-quoted, with
/// `\"` and `\\` escapes. The file is `$NETRC` when set, else `~/.netrc` (`Home.directory()`).
///
/// Passwords are only handed to the store's login; they never appear in descriptions,
/// messages or logs.
public struct Netrc: Sendable {
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// nil for the `default` entry.
        public var machine: String?
        public var login: String?
        public var password: String?

        public init(machine: String?, login: String? = nil, password: String? = nil) {
            self.machine = machine
            self.login = login
            self.password = password
        }

        public var description: String {
            "machine \(machine ?? "(default)") login \(login ?? "-") password \(password == nil ? "-" : "<secret>")"
        }
    }

    public private(set) var entries: [Entry] = []

    /// Parses the text of a netrc file. Reads at most 100,000 tokens.
    public init(text: String) {
        let tokens = Self.tokens(text)
        var current: Entry?
        var i = 0
        func value() -> String? {
            i += 1
            return i < tokens.count ? tokens[i].text : nil
        }
        while i < tokens.count {
            switch tokens[i].text {
            case "machine":
                if let current { entries.append(current) }
                current = Entry(machine: value())
            case "default":
                if let current { entries.append(current) }
                current = Entry(machine: nil)
            case "login": current?.login = value()
            case "password", "passwd": current?.password = value()
            case "account": _ = value()
            case "macdef":
                // The macro's name, then its body up to the first empty line.
                let line = tokens[i].line
                _ = value()
                while i + 1 < tokens.count, !tokens[i + 1].afterBlankLine || tokens[i + 1].line == line { i += 1 }
            default: break
            }
            i += 1
        }
        if let current { entries.append(current) }
    }

    /// Reads a netrc file; nil when it does not exist or cannot be read (as curl, a missing or
    /// unreadable netrc only means no credentials from it). Files over 1 MiB are ignored.
    public init?(path: String) {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else { return nil }
        self.init(text: String(decoding: data, as: UTF8.self))
    }

    /// The netrc file dctc reads: `$NETRC` when set and non-empty, else `~/.netrc`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment,
                                   home: String = Home.directory()) -> String {
        if let path = environment["NETRC"], !path.isEmpty { return Home.expandTilde(path, home: home) }
        return home + "/.netrc"
    }

    /// Reads the file at `defaultPath(environment:home:)`; nil when there is none.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            home: String = Home.directory()) -> Netrc? {
        Netrc(path: defaultPath(environment: environment, home: home))
    }

    /// The entry for `machine` (case-insensitive) and `login`:
    /// - with a login: the first entry of that machine with that login, else the first of that
    ///   machine without a login; then the same among `default` entries (an entry for another
    ///   login is no answer);
    /// - without a login: the first entry of that machine, else the `default` entry.
    public func entry(machine: String, login: String?) -> Entry? {
        let host = machine.lowercased()
        let groups = [entries.filter { $0.machine?.lowercased() == host }, entries.filter { $0.machine == nil }]
        for group in groups {
            if let login {
                if let e = group.first(where: { $0.login == login }) ?? group.first(where: { $0.login == nil }) { return e }
            } else if let e = group.first {
                return e
            }
        }
        return nil
    }

    // MARK: - Tokens

    struct Token {
        var text: String
        var line: Int
        /// The token is the first after an empty line (ends a `macdef`).
        var afterBlankLine: Bool
    }

    static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var line = 0
        var blankSeen = false
        var lineHasContent = false
        var current = ""
        var inToken = false
        var quoted = false
        var escaped = false
        func flush() {
            if inToken, tokens.count < 100_000 {
                tokens.append(Token(text: current, line: line, afterBlankLine: blankSeen))
                blankSeen = false
            }
            current = ""
            inToken = false
        }
        for ch in text {
            if quoted {
                if escaped {
                    current.append(ch); escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    quoted = false
                } else {
                    current.append(ch)
                }
                continue
            }
            switch ch {
            case "\n", "\r\n":
                flush()
                if !lineHasContent { blankSeen = true }
                line += 1
                lineHasContent = false
            case " ", "\t", "\r":
                flush()
            case "\"" where !inToken:
                inToken = true
                quoted = true
                lineHasContent = true
            default:
                inToken = true
                lineHasContent = true
                current.append(ch)
            }
        }
        flush()
        return tokens
    }
}
