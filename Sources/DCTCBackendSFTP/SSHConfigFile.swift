import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an OpenSSH client configuration (`~/.ssh/config`) says about one host, for the
/// keywords dctc honours. Values are as written (tokens such as `%h` and a leading `~` are
/// expanded by `SFTPConfig`).
public struct SSHHostSettings: Sendable, Hashable {
    public var hostName: String?
    public var port: Int?
    public var user: String?
    /// Every `IdentityFile` of every matching block, in file order (they accumulate, as in OpenSSH).
    public var identityFiles: [String] = []
    /// The files of the first `UserKnownHostsFile` that applies.
    public var userKnownHostsFiles: [String]?
    public var identitiesOnly: Bool?
    /// `yes`, `no`, `ask`, `accept-new`, `off`... as written (lowercased).
    public var strictHostKeyChecking: String?
    /// `ProxyJump` as written: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated; `none`.
    public var proxyJump: String?
    /// `ConnectTimeout` in seconds.
    public var connectTimeout: Int?
    /// `ServerAliveInterval` in seconds (0: off).
    public var serverAliveInterval: Int?
    /// `IdentityAgent`: a socket path, `SSH_AUTH_SOCK`, `$VAR` or `none`, as written.
    public var identityAgent: String?
    /// `BatchMode yes`: never prompt.
    public var batchMode: Bool?

    public init() {}
}

/// A parsed OpenSSH client configuration file, reduced to what dctc needs.
///
/// Follows `ssh_config(5)` for the supported keywords: `Host` blocks with patterns (`*`, `?`,
/// `!negation`, several per line), settings before the first `Host` applying to every host,
/// keywords without case, `Keyword value` or `Keyword=value`, double-quoted arguments, `#`
/// comments, `Include` (globs; relative paths under `~/.ssh`). For each keyword the first value
/// that applies wins, except `IdentityFile`, which accumulates. Keywords read: `HostName`,
/// `Port`, `User`, `IdentityFile`, `IdentitiesOnly`, `IdentityAgent`, `UserKnownHostsFile`,
/// `StrictHostKeyChecking`, `ProxyJump`, `ConnectTimeout`, `ServerAliveInterval`, `BatchMode`.
/// `Match` blocks are not evaluated: they never apply (except `Match all`), so dctc may use
/// fewer settings than `ssh`, never settings meant for another host; `unevaluatedMatches`
/// lists them for the `--verbose` notice.
public struct SSHConfigFile: Sendable {
    struct Block: Sendable {
        /// nil: applies to every host (the settings before the first `Host`, or `Match all`).
        var patterns: [String]?
        /// A `Match` block dctc cannot evaluate: never applies.
        var never = false
        /// The `Match` line as written, for the notice.
        var matchLine: String?
        var entries: [(keyword: String, arguments: [String])] = []
    }

    var blocks: [Block]

    /// The `Match` lines dctc did not evaluate (their settings were not used), as written:
    /// shown once with `--verbose`, so that a setting ignored this way is never a mystery.
    public var unevaluatedMatches: [String] {
        blocks.compactMap { $0.never ? $0.matchLine : nil }
    }

    /// Parses configuration text.
    /// - Parameters:
    ///   - contents: the file's text.
    ///   - includeBase: the folder relative `Include` paths start from (`~/.ssh`); nil ignores `Include`.
    public init(contents: String, includeBase: String? = nil) {
        var blocks = [Block(patterns: nil)]
        Self.parse(contents, includeBase: includeBase, depth: 0, into: &blocks)
        self.blocks = blocks
    }

    /// Reads and parses a file; nil when it does not exist.
    /// - Throws: `VFSError(.permissionDenied)` when it exists but cannot be read.
    public static func load(path: String, includeBase: String?) throws -> SSHConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VFSError(.permissionDenied, "cannot read the SSH client configuration", path: path,
                           remedy: "check the file's permissions")
        }
        return SSHConfigFile(contents: String(decoding: data, as: UTF8.self), includeBase: includeBase)
    }

    /// The settings that apply to `host` (the name as the user wrote it, before `HostName`).
    public func settings(forHost host: String) -> SSHHostSettings {
        var s = SSHHostSettings()
        for block in blocks where Self.applies(block, to: host) {
            for (keyword, args) in block.entries {
                guard let first = args.first else { continue }
                switch keyword {
                case "hostname": if s.hostName == nil { s.hostName = first }
                case "port": if s.port == nil, let p = Int(first), (1...65535).contains(p) { s.port = p }
                case "user": if s.user == nil { s.user = first }
                case "identityfile": s.identityFiles.append(first)
                case "userknownhostsfile": if s.userKnownHostsFiles == nil { s.userKnownHostsFiles = args }
                case "identitiesonly": if s.identitiesOnly == nil { s.identitiesOnly = Self.yes(first) }
                case "stricthostkeychecking": if s.strictHostKeyChecking == nil { s.strictHostKeyChecking = first.lowercased() }
                case "proxyjump": if s.proxyJump == nil { s.proxyJump = first }
                case "connecttimeout":
                    if s.connectTimeout == nil, let t = Int(first), t > 0, t <= 86_400 { s.connectTimeout = t }
                case "serveraliveinterval":
                    if s.serverAliveInterval == nil, let t = Int(first), t >= 0, t <= 86_400 { s.serverAliveInterval = t }
                case "identityagent": if s.identityAgent == nil { s.identityAgent = first }
                case "batchmode": if s.batchMode == nil { s.batchMode = Self.yes(first) }
                default: break
                }
            }
        }
        return s
    }

    /// True when a `Host` block other than `Host *` applies to `host` (an alias the user wrote
    /// in the file, or a pattern such as `*.example.org` that matches it).
    public func declaresHost(_ host: String) -> Bool {
        blocks.contains { block in
            guard let patterns = block.patterns, patterns.contains(where: { $0 != "*" && !$0.hasPrefix("!") }) else { return false }
            return Self.applies(block, to: host)
        }
    }

    // MARK: - Matching

    static func applies(_ block: Block, to host: String) -> Bool {
        if block.never { return false }
        guard let patterns = block.patterns else { return true }
        let name = host.lowercased()
        var matched = false
        for raw in patterns {
            let negated = raw.hasPrefix("!")
            let pattern = (negated ? String(raw.dropFirst()) : raw).lowercased()
            if wildcardMatch(pattern, name) {
                if negated { return false }
                matched = true
            }
        }
        return matched
    }

    /// `*` matches any run of characters, `?` exactly one; everything else itself.
    public static func wildcardMatch(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.unicodeScalars)
        let t = Array(text.unicodeScalars)
        var pi = 0, ti = 0
        var star: Int?, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if let s = star {
                pi = s + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    static func yes(_ value: String) -> Bool {
        ["yes", "true", "on"].contains(value.lowercased())
    }

    // MARK: - Parsing

    private static func parse(_ text: String, includeBase: String?, depth: Int, into blocks: inout [Block]) {
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let (keyword, args) = splitLine(String(rawLine)) else { continue }
            switch keyword {
            case "host":
                blocks.append(Block(patterns: args))
            case "match":
                let all = args.count == 1 && args[0].lowercased() == "all"
                blocks.append(Block(patterns: nil, never: !all, matchLine: "Match " + args.joined(separator: " ")))
            case "include":
                guard let includeBase, depth < 16 else { continue }
                for pattern in args {
                    for file in expandInclude(pattern, base: includeBase) {
                        guard let data = FileManager.default.contents(atPath: file) else { continue }
                        parse(String(decoding: data, as: UTF8.self), includeBase: includeBase, depth: depth + 1, into: &blocks)
                    }
                }
            default:
                blocks[blocks.count - 1].entries.append((keyword, args))
            }
        }
    }

    /// `Keyword args...` or `Keyword=args...`; nil for blank and comment lines.
    static func splitLine(_ line: String) -> (String, [String])? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        guard let end = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else {
            return (trimmed.lowercased(), [])
        }
        let keyword = trimmed[..<end].lowercased()
        var rest = trimmed[end...].drop(while: { $0 == " " || $0 == "\t" })
        if rest.first == "=" { rest = rest.dropFirst().drop(while: { $0 == " " || $0 == "\t" }) }
        return (keyword, arguments(String(rest)))
    }

    /// Splits arguments on blanks; double quotes group words. A `#` starting a word ends the line.
    static func arguments(_ text: String) -> [String] {
        var args: [String] = []
        var current = ""
        var inQuotes = false
        var hasWord = false
        for ch in text {
            if inQuotes {
                if ch == "\"" { inQuotes = false } else { current.append(ch) }
            } else if ch == "\"" {
                inQuotes = true
                hasWord = true
            } else if ch == " " || ch == "\t" {
                if hasWord { args.append(current); current = ""; hasWord = false }
            } else if ch == "#" && !hasWord {
                break
            } else {
                current.append(ch)
                hasWord = true
            }
        }
        if hasWord { args.append(current) }
        return args
    }

    /// The files an `Include` argument names, sorted (glob(3)).
    private static func expandInclude(_ pattern: String, base: String) -> [String] {
        var path = pattern
        if path.hasPrefix("~/") {
            // The base is HOME/.ssh.
            path = (base as NSString).deletingLastPathComponent + path.dropFirst()
        } else if !path.hasPrefix("/") {
            path = base + "/" + path
        }
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(path, 0, nil, &result) == 0 else { return [] }
        var files: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { files.append(String(cString: p)) }
        }
        return files
    }
}
