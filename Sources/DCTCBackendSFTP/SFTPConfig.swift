import DCTCCore
import DCTCSSH
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Everything an SFTP store needs to connect, resolved once from the address, the account,
/// the command-line options, `~/.ssh/config` and `~/.netrc`.
///
/// Precedence for each value, highest first (as with `ssh`, where the command line beats the
/// config file):
/// - host: the account's `host`, else the address's; then `HostName` from `~/.ssh/config`
///   for that name (an alias);
/// - port: the address's, the account's `port`, `Port` from `~/.ssh/config`, 22;
/// - user: the address's, the account's `user`, `User` from `~/.ssh/config`, the login of a
///   matching `~/.netrc` entry, the local user name;
/// - login methods, tried in this order: ssh-agent (unless `use_agent = false`, or
///   `IdentitiesOnly yes` with identity files, or `SSH_AUTH_SOCK` is unset); the identity
///   files (the account's `key_file`, then every `IdentityFile`; OpenSSH's defaults
///   `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` that exist when none is named), unlocked with
///   the account's `key_passphrase`; a password: the account's `password` (inline, `_env` or
///   `_command`), else the `~/.netrc` entry for the host and user. Passwords never come from
///   the command line or the address;
/// - known hosts: the account's `known_hosts_file`, the first `UserKnownHostsFile`,
///   `$DCTC_KNOWN_HOSTS`, `~/.ssh/known_hosts`;
/// - accepting an unknown host key: `--accept-new-host-key`, the account's
///   `accept_new_host_key`, or `StrictHostKeyChecking accept-new`; a changed key is always refused;
/// - sessions: `--max-connections`, the account's `max_connections`, 4;
/// - remote hashing: the account's `remote_hash` (`false` turns it off; otherwise the server
///   is probed once);
/// - timeout: the account's `timeout` (seconds each request may wait), 60.
///
/// - jump hosts: `ProxyJump` (each hop resolved from `~/.ssh/config` like the target);
/// - `ConnectTimeout` (else 15 s), `ServerAliveInterval`, `IdentityAgent`, `BatchMode`;
/// - on a terminal (and without `BatchMode yes`): a password or key passphrase is asked for when
///   nothing else worked, and an unknown host key is shown for a yes/no answer unless
///   `StrictHostKeyChecking` is `yes` (`accept-new`, `no` record it; `ask`, the default, asks).
///
/// `$DCTC_SSH_CONFIG` replaces `~/.ssh/config` (tests use it); `$NETRC` replaces `~/.netrc`.
public struct SFTPConfig: Sendable, CustomStringConvertible {
    /// The host to connect to (after `HostName`).
    public var host: String
    /// The host as the user wrote it (an alias of `~/.ssh/config` stays an alias), for addresses.
    public var displayHost: String
    public var port: Int
    public var user: String
    public var authMethods: [SSHAuthMethod]
    public var knownHostsFile: String
    public var acceptNewHostKey: Bool
    /// The most SSH sessions the store opens at once (at least 1).
    public var maxConnections: Int
    /// false: never run commands on the server; nil or true: probe for `md5sum`/`sha1sum`/`sha256sum`.
    public var remoteHash: Bool?
    /// How uploads check what the server stored: its `md5sum` for large files (every file with
    /// `--verify`), or with `--verify` a read-back where the server runs no hash command.
    public var storedCheck = StoredContentCheck.standard
    public var connectTimeout: TimeInterval
    public var timeout: TimeInterval
    /// The jump hosts, first to last (`ProxyJump`), each fully resolved from `~/.ssh/config`.
    public var jumpHosts: [SSHConnectionOptions] = []
    /// `ServerAliveInterval` (seconds; 0: off).
    public var serverAliveInterval: Int = 0
    /// Ask on the terminal whether to trust an unknown host key (`StrictHostKeyChecking ask`, the default).
    public var askForUnknownHostKey = false
    /// The terminal prompter (passwords, passphrases, host keys); nil off a terminal or with `BatchMode yes`.
    public var prompter: (any SSHPrompter)?
    /// Things the user may want to know about how the configuration was read (`Match` blocks
    /// not evaluated), printed once with `--verbose`.
    public var notes: [String] = []

    public init(host: String, displayHost: String? = nil, port: Int = 22, user: String, authMethods: [SSHAuthMethod],
                knownHostsFile: String, acceptNewHostKey: Bool = false, maxConnections: Int = 4,
                remoteHash: Bool? = nil, connectTimeout: TimeInterval = 15, timeout: TimeInterval = 60) {
        self.host = host
        self.displayHost = displayHost ?? host
        self.port = port
        self.user = user
        self.authMethods = authMethods
        self.knownHostsFile = knownHostsFile
        self.acceptNewHostKey = acceptNewHostKey
        self.maxConnections = max(1, maxConnections)
        self.remoteHash = remoteHash
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// The default number of sessions per store.
    public static let defaultMaxConnections = 4

    /// `sftp://user@host:port`, percent-encoded like `Address.description`: how errors name the server.
    public var address: String {
        let root = Address(scheme: .sftp, path: .root, user: user, host: displayHost, port: port).description
        return root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The options for one SSH session.
    public var connectionOptions: SSHConnectionOptions {
        var options = SSHConnectionOptions(host: host, port: port, username: user, authMethods: authMethods,
                                           knownHostsFile: knownHostsFile, acceptNewHostKey: acceptNewHostKey,
                                           connectTimeout: connectTimeout, timeout: timeout)
        options.jumpHosts = jumpHosts
        options.serverAliveInterval = serverAliveInterval
        options.prompter = prompter
        options.askForUnknownHostKey = askForUnknownHostKey
        return options
    }

    public var description: String {
        "\(address) (connects to \(host):\(port)) auth=[\(authMethods.map(\.description).joined(separator: ", "))] " +
        "known_hosts=\(knownHostsFile) sessions=\(maxConnections)" +
        (jumpHosts.isEmpty ? "" : " via " + jumpHosts.map(\.address).joined(separator: ","))
    }

    // MARK: - Resolution

    /// Resolves the configuration of the store a request names.
    ///
    /// Reads `~/.ssh/config` and `~/.netrc` and may run the account's `*_command` secrets:
    /// call it off the cooperative pool (the factory does).
    ///
    /// - Parameters:
    ///   - request: the address, account and options.
    ///   - environment: the environment to read `HOME`-independent settings from
    ///     (`DCTC_SSH_CONFIG`, `DCTC_KNOWN_HOSTS`, `SSH_AUTH_SOCK`, `NETRC`, `USER`).
    ///   - home: the folder `~` stands for.
    /// - Throws: `VFSError(.invalidArgument)` when no host is given or a value is malformed, and
    ///   whatever resolving a secret throws.
    public static func resolve(_ request: StoreRequest,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               home: String = Home.directory(),
                               prompter: (any SSHPrompter)? = TerminalPrompter.forTerminal()) throws -> SFTPConfig {
        try resolve(address: request.address, account: request.account, options: request.options,
                    environment: environment, home: home, prompter: prompter)
    }

    /// Resolves the configuration from the parts of a store request; see `resolve(_:environment:home:)`.
    public static func resolve(address: Address, account: AccountSettings?, options: StoreOptions,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               home: String = Home.directory(),
                               prompter: (any SSHPrompter)? = nil) throws -> SFTPConfig {
        let shown = address.description
        guard let typedHost = nonEmpty(account?.string(.host)) ?? nonEmpty(address.host) else {
            throw VFSError.invalid("no host to connect to", path: shown,
                                   remedy: "write sftp://USER@HOST/path, or set `host` on the account")
        }

        let sshConfigPath = nonEmpty(environment["DCTC_SSH_CONFIG"]) ?? home + "/.ssh/config"
        let sshConfig = try SSHConfigFile.load(path: expandTilde(sshConfigPath, home: home), includeBase: home + "/.ssh")
        let ssh = sshConfig?.settings(forHost: typedHost) ?? SSHHostSettings()

        let hostName = ssh.hostName.map { expandTokens($0, host: typedHost, home: home, port: nil, user: nil) } ?? typedHost

        var port = address.port
        if port == nil, let text = nonEmpty(account?.string(SFTPBackend.Option.port)) {
            guard let p = Int(text), (1...65535).contains(p) else {
                throw VFSError.invalid("bad port '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "use a number from 1 to 65535")
            }
            port = p
        }
        let resolvedPort = port ?? ssh.port ?? 22

        var user = nonEmpty(address.user) ?? nonEmpty(account?.string(SFTPBackend.Option.user)) ?? nonEmpty(ssh.user)
        let accountPassword = try account?.secret(.password)
        var netrcEntry: Netrc.Entry?
        if nonEmpty(accountPassword) == nil, let netrc = Netrc.load(environment: environment, home: home) {
            netrcEntry = netrc.entry(machine: typedHost, login: user)
                ?? (hostName != typedHost ? netrc.entry(machine: hostName, login: user) : nil)
            if user == nil { user = nonEmpty(netrcEntry?.login) }
        }
        let resolvedUser = user ?? localUserName(environment)

        func expand(_ path: String) -> String {
            expandTilde(expandTokens(path, host: hostName, home: home, port: resolvedPort, user: resolvedUser,
                                     localUser: localUserName(environment)), home: home)
        }

        let passphrase = try account?.secret(SFTPBackend.Option.keyPassphrase).flatMap(nonEmpty).map(SSHSecret.init)
        var methods = keyMethods(ssh, accountKey: nonEmpty(account?.string(SFTPBackend.Option.keyFile)).map(expand),
                                 useAgent: account?.bool(SFTPBackend.Option.useAgent) ?? true, passphrase: passphrase,
                                 expand: expand, environment: environment, home: home)
        if let password = nonEmpty(accountPassword) ?? netrcEntry?.password {
            methods.append(.password(SSHSecret(password)))
        }

        let knownHosts = nonEmpty(account?.string(SFTPBackend.Option.knownHostsFile)).map(expand)
            ?? defaultKnownHosts(ssh, expand: expand, environment: environment, home: home)

        let hostKeys = hostKeyPolicy(ssh, acceptNew: options.acceptNewHostKey || (account?.bool(SFTPBackend.Option.acceptNewHostKey) ?? false))
        let acceptNew = hostKeys.acceptNew
        let interactive = (ssh.batchMode ?? false) ? nil : prompter
        let jumps = try jumpHosts(ssh.proxyJump, config: sshConfig, environment: environment, home: home,
                                  prompter: interactive, options: options, depth: 0, shown: shown)

        var maxConnections = options.maxConnections ?? defaultMaxConnections
        if options.maxConnections == nil, let text = nonEmpty(account?.string(SFTPBackend.Option.maxConnections)) {
            guard let n = Int(text), n >= 1 else {
                throw VFSError.invalid("bad max_connections '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "use a whole number of at least 1")
            }
            maxConnections = n
        }

        var timeout: TimeInterval = 60
        if let text = nonEmpty(account?.string(SFTPBackend.Option.timeout)) {
            guard let t = TimeInterval(text), t > 0 else {
                throw VFSError.invalid("bad timeout '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "give the seconds as a positive number")
            }
            timeout = t
        }
        if let io = options.ioTimeout { timeout = Double(io.components.seconds) + Double(io.components.attoseconds) / 1e18 }
        let commandLineConnect = options.connectTimeout.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }

        var config = SFTPConfig(host: hostName, displayHost: typedHost, port: resolvedPort, user: resolvedUser,
                                authMethods: methods, knownHostsFile: knownHosts, acceptNewHostKey: acceptNew,
                                maxConnections: maxConnections, remoteHash: account?.bool(SFTPBackend.Option.remoteHash),
                                connectTimeout: commandLineConnect ?? ssh.connectTimeout.map(TimeInterval.init) ?? min(15, timeout),
                                timeout: timeout)
        config.jumpHosts = jumps
        config.storedCheck = options.storedCheck
        config.serverAliveInterval = ssh.serverAliveInterval ?? 0
        config.prompter = interactive
        config.askForUnknownHostKey = hostKeys.ask
        if let sshConfig, !sshConfig.unevaluatedMatches.isEmpty {
            config.notes.append("\(sshConfigPath): dctc does not evaluate `Match` blocks; their settings were not used: " +
                                sshConfig.unevaluatedMatches.joined(separator: "; "))
        }
        return config
    }

    // MARK: - Per-host pieces (shared by the target and the jump hosts)

    /// ssh-agent (unless `IdentitiesOnly yes` with named keys, `IdentityAgent none`, or no
    /// socket), then the identity files: `accountKey`, every `IdentityFile`, else OpenSSH's
    /// default files that exist.
    static func keyMethods(_ ssh: SSHHostSettings, accountKey: String?, useAgent: Bool, passphrase: SSHSecret?,
                           expand: (String) -> String, environment: [String: String], home: String) -> [SSHAuthMethod] {
        var identityFiles: [String] = []
        if let accountKey { identityFiles.append(accountKey) }
        identityFiles += ssh.identityFiles.filter { $0.lowercased() != "none" }.map(expand)
        let namedIdentities = !identityFiles.isEmpty
        if !namedIdentities {
            identityFiles = ["id_ed25519", "id_ecdsa", "id_rsa"].map { home + "/.ssh/" + $0 }
                .filter { FileManager.default.isReadableFile(atPath: $0) }
        }
        var seen = Set<String>()
        identityFiles = identityFiles.filter { seen.insert($0).inserted }

        var methods: [SSHAuthMethod] = []
        let identitiesOnly = (ssh.identitiesOnly ?? false) && namedIdentities
        if useAgent, !identitiesOnly, let socket = agentSocket(ssh.identityAgent, expand: expand, environment: environment) {
            methods.append(.agent(socket: socket))
        }
        methods += identityFiles.map { .identityFile($0, passphrase: passphrase) }
        return methods
    }

    /// The agent socket: `IdentityAgent` (a path, `SSH_AUTH_SOCK`, `$VAR`, or `none`), else `$SSH_AUTH_SOCK`.
    static func agentSocket(_ identityAgent: String?, expand: (String) -> String, environment: [String: String]) -> String? {
        guard let agent = identityAgent else { return nonEmpty(environment["SSH_AUTH_SOCK"]) }
        if agent.lowercased() == "none" { return nil }
        if agent == "SSH_AUTH_SOCK" { return nonEmpty(environment["SSH_AUTH_SOCK"]) }
        if agent.hasPrefix("$") { return nonEmpty(environment[String(agent.dropFirst())]) }
        return expand(agent)
    }

    /// The first `UserKnownHostsFile`, `$DCTC_KNOWN_HOSTS`, `~/.ssh/known_hosts`.
    static func defaultKnownHosts(_ ssh: SSHHostSettings, expand: (String) -> String,
                                  environment: [String: String], home: String) -> String {
        ssh.userKnownHostsFiles?.first.map(expand)
            ?? nonEmpty(environment["DCTC_KNOWN_HOSTS"]).map { expandTilde($0, home: home) }
            ?? home + "/.ssh/known_hosts"
    }

    /// `StrictHostKeyChecking`: `yes` refuses unknown keys; `accept-new` (and `no`/`off`, which
    /// dctc treats as `accept-new`: a changed key is always refused) records them; `ask` (the
    /// default) asks on a terminal and refuses elsewhere. `acceptNew` (the command line or the
    /// account) wins.
    static func hostKeyPolicy(_ ssh: SSHHostSettings, acceptNew: Bool) -> (acceptNew: Bool, ask: Bool) {
        if acceptNew { return (true, false) }
        switch ssh.strictHostKeyChecking {
        case "yes", "true": return (false, false)
        case "accept-new", "no", "off", "false": return (true, false)
        default: return (false, true)
        }
    }

    /// The hosts of a `ProxyJump` value, each resolved from `~/.ssh/config` like the target
    /// (`HostName`, `Port`, `User`, keys, agent, known hosts, `StrictHostKeyChecking`, and its
    /// own `ProxyJump`, which comes first). At most 8 levels and 16 hops.
    ///
    /// - Throws: `VFSError(.invalidArgument)` for a malformed hop or a chain that loops.
    static func jumpHosts(_ value: String?, config: SSHConfigFile?, environment: [String: String], home: String,
                          prompter: (any SSHPrompter)?, options: StoreOptions, depth: Int,
                          shown: String) throws -> [SSHConnectionOptions] {
        guard let value, !value.isEmpty, value.lowercased() != "none" else { return [] }
        guard depth < 8 else {
            throw VFSError.invalid("ProxyJump chain too long or looping in ~/.ssh/config", path: shown,
                                   remedy: "check the ProxyJump lines of the hosts involved")
        }
        var hops: [SSHConnectionOptions] = []
        for spec in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !spec.isEmpty {
            let (hopUser, hopHost, hopPort) = try parseJump(spec, shown: shown)
            let ssh = config?.settings(forHost: hopHost) ?? SSHHostSettings()
            let hostName = ssh.hostName.map { expandTokens($0, host: hopHost, home: home, port: nil, user: nil) } ?? hopHost
            let port = hopPort ?? ssh.port ?? 22
            let user = hopUser ?? nonEmpty(ssh.user) ?? localUserName(environment)
            func expand(_ path: String) -> String {
                expandTilde(expandTokens(path, host: hostName, home: home, port: port, user: user,
                                         localUser: localUserName(environment)), home: home)
            }
            hops += try jumpHosts(ssh.proxyJump, config: config, environment: environment, home: home,
                                  prompter: prompter, options: options, depth: depth + 1, shown: shown)
            let policy = hostKeyPolicy(ssh, acceptNew: options.acceptNewHostKey)
            var hop = SSHConnectionOptions(
                host: hostName, port: port, username: user,
                authMethods: keyMethods(ssh, accountKey: nil, useAgent: true, passphrase: nil, expand: expand,
                                        environment: environment, home: home),
                knownHostsFile: defaultKnownHosts(ssh, expand: expand, environment: environment, home: home),
                acceptNewHostKey: policy.acceptNew,
                connectTimeout: ssh.connectTimeout.map(TimeInterval.init) ?? 15)
            hop.serverAliveInterval = ssh.serverAliveInterval ?? 0
            let interactive = (ssh.batchMode ?? false) ? nil : prompter
            hop.prompter = interactive
            hop.askForUnknownHostKey = policy.ask
            hops.append(hop)
        }
        guard hops.count <= 16 else {
            throw VFSError.invalid("more than 16 jump hosts in ProxyJump", path: shown,
                                   remedy: "check the ProxyJump lines of ~/.ssh/config for a loop")
        }
        return hops
    }

    /// `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`.
    static func parseJump(_ spec: String, shown: String) throws -> (user: String?, host: String, port: Int?) {
        var text = Substring(spec)
        if text.lowercased().hasPrefix("ssh://") { text = text.dropFirst(6) }
        if text.hasSuffix("/") { text = text.dropLast() }
        var user: String?
        if let at = text.lastIndex(of: "@") {
            user = nonEmpty(String(text[..<at]))
            text = text[text.index(after: at)...]
        }
        var host = String(text)
        var port: Int?
        var portText: Substring?
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { portText = rest.dropFirst() }
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw VFSError.invalid("bad port in ProxyJump '\(spec)'", path: shown, remedy: "use [user@]host[:port]")
            }
            port = p
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw VFSError.invalid("bad ProxyJump host '\(spec)'", path: shown, remedy: "use [user@]host[:port]")
        }
        return (user, host, port)
    }

    // MARK: - Helpers

    static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }

    /// `~` and `~/...` become `home` and `home/...`.
    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    /// Expands the `ssh_config` tokens `%%`, `%h` (remote host), `%d` (local home), `%u`
    /// (local user), `%r` (remote user) and `%p` (port); unknown tokens stay as they are.
    static func expandTokens(_ text: String, host: String, home: String, port: Int?, user: String?,
                             localUser: String? = nil) -> String {
        guard text.contains("%") else { return text }
        var out = ""
        var iterator = text.makeIterator()
        while let ch = iterator.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard let token = iterator.next() else { out.append("%"); break }
            switch token {
            case "%": out.append("%")
            case "h": out += host
            case "d": out += home
            case "u" where localUser != nil: out += localUser ?? ""
            case "r" where user != nil: out += user ?? ""
            case "p" where port != nil: out += String(port ?? 22)
            default: out.append("%"); out.append(token)
            }
        }
        return out
    }

    /// `$USER`, else the name of the process's user (`getpwuid`).
    static func localUserName(_ environment: [String: String]) -> String {
        if let user = nonEmpty(environment["USER"]) { return user }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "root"
    }
}
