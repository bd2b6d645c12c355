import DCTCCore
import Foundation

/// A parsed `~/.netrc` (the format of ftp(1) and curl): `machine NAME login USER password PASS`
/// entries, an optional `default` entry, `macdef` macros skipped.
///
/// Tokens are separated by blanks and newlines; a token may be double-quoted (with `\"` and
/// `\\` escapes), as curl accepts. Passwords are kept only to be handed to the SSH login.
public struct NetrcFile: Sendable {
    public struct Entry: Sendable, Hashable {
        /// nil for the `default` entry.
        public var machine: String?
        public var login: String?
        public var password: String?
    }

    public private(set) var entries: [Entry] = []

    public init(contents: String) {
        let tokens = Self.tokens(contents)
        var current: Entry?
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            let value: String? = i + 1 < tokens.count ? tokens[i + 1].text : nil
            switch token.text {
            case "machine":
                if let current { entries.append(current) }
                current = Entry(machine: value)
                i += 2
            case "default":
                if let current { entries.append(current) }
                current = Entry(machine: nil)
                i += 1
            case "login":
                current?.login = value
                i += 2
            case "password":
                current?.password = value
                i += 2
            case "account":
                i += 2
            case "macdef":
                // The macro runs to the next empty line: skip tokens until one starts after a blank line.
                let macroLine = token.line
                i += 2
                while i < tokens.count, !tokens[i].afterBlankLine || tokens[i].line == macroLine { i += 1 }
            default:
                i += 1
            }
        }
        if let current { entries.append(current) }
    }

    /// Reads and parses a file; nil when it does not exist or cannot be read.
    public static func load(path: String) -> NetrcFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return NetrcFile(contents: String(decoding: data, as: UTF8.self))
    }

    /// The first entry for `machine` (case-insensitive) whose login is `login` (any login when
    /// nil, and entries without a login match any), else the `default` entry.
    public func entry(machine: String, login: String?) -> Entry? {
        func loginMatches(_ e: Entry) -> Bool {
            guard let login, let entryLogin = e.login else { return true }
            return login == entryLogin
        }
        if let e = entries.first(where: { $0.machine?.lowercased() == machine.lowercased() && loginMatches($0) }) {
            return e
        }
        return entries.first(where: { $0.machine == nil && loginMatches($0) })
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
            if inToken { tokens.append(Token(text: current, line: line, afterBlankLine: blankSeen)); blankSeen = false }
            current = ""
            inToken = false
        }
        for ch in text {
            if quoted {
                if escaped { current.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" {
                    quoted = false
                } else { current.append(ch) }
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
