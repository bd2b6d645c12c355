import Foundation
import DCTCCore

/// Credentials from a `~/.netrc` file, the way curl, ftp and git read it.
///
/// Entries are `machine HOST login USER password SECRET` (any order after `machine`, spread
/// over lines as you like); `default` matches any host; `macdef NAME` bodies run to the next
/// blank line and are skipped; values may be double-quoted with `\"` and `\\` escapes.
struct Netrc: Sendable {
    struct Entry: Sendable, Equatable {
        /// nil for the `default` entry.
        var machine: String?
        var login: String?
        var password: String?
    }

    var entries: [Entry]

    /// Parses the text of a netrc file.
    init(text: String) {
        var entries: [Entry] = []
        var current: Entry?
        var tokens = Netrc.tokens(text)[...]
        while let token = tokens.popFirst() {
            switch token {
            case "machine":
                if let current { entries.append(current) }
                current = Entry(machine: tokens.popFirst()?.lowercased())
            case "default":
                if let current { entries.append(current) }
                current = Entry(machine: nil)
            case "login":
                current?.login = tokens.popFirst()
            case "password":
                current?.password = tokens.popFirst()
            case "account":
                _ = tokens.popFirst()
            case Netrc.macroMarker:
                break
            default:
                break
            }
        }
        if let current { entries.append(current) }
        self.entries = entries
    }

    /// Reads `~/.netrc` (`$HOME/.netrc`).
    ///
    /// - Returns: nil when there is no such file or it cannot be read.
    static func load(home: String? = Home.directory()) -> Netrc? {
        guard let home, !home.isEmpty,
              let text = try? String(contentsOfFile: home + "/.netrc", encoding: .utf8) else { return nil }
        return Netrc(text: text)
    }

    /// The login and password for `host`, preferring an entry whose login is `user` when a user
    /// is given; the `default` entry when no machine matches.
    func credentials(host: String, user: String?) -> (login: String?, password: String?)? {
        let host = host.lowercased()
        let candidates = entries.filter { $0.machine == host } + entries.filter { $0.machine == nil }
        let match: Entry?
        if let user {
            // An entry for another login of the same host is no answer for `user`; one
            // without a login is.
            match = candidates.first(where: { $0.login == user }) ?? candidates.first(where: { $0.login == nil })
        } else {
            match = candidates.first
        }
        guard let match else { return nil }
        return (match.login, match.password)
    }

    /// Stands in for a whole `macdef` block, which the tokenizer drops.
    private static let macroMarker = "\u{0}macdef"

    /// Splits the file into tokens, dropping `macdef` bodies.
    private static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var inMacro = false
        for line in lines {
            if inMacro {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { inMacro = false }
                continue
            }
            var rest = Substring(line)
            while true {
                rest = rest.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" })
                guard let first = rest.first else { break }
                if first == "#" && tokens.last != "password" { break }
                var token = ""
                if first == "\"" {
                    rest = rest.dropFirst()
                    var escaped = false
                    while let c = rest.first {
                        rest = rest.dropFirst()
                        if escaped { token.append(c); escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { break } else { token.append(c) }
                    }
                } else {
                    let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\r" }) ?? rest.endIndex
                    token = String(rest[..<end])
                    rest = rest[end...]
                }
                if token == "macdef" {
                    tokens.append(macroMarker)
                    inMacro = true
                    break
                }
                tokens.append(token)
            }
        }
        return tokens
    }
}
