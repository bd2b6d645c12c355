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
    public var connectTimeout: TimeInterval
    public var timeout: TimeInterval

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
        SSHConnectionOptions(host: host, port: port, username: user, authMethods: authMethods,
                             knownHostsFile: knownHostsFile, acceptNewHostKey: acceptNewHostKey,
                             connectTimeout: connectTimeout, timeout: timeout)
    }

    public var description: String {
        "\(address) (connects to \(host):\(port)) auth=[\(authMethods.map(\.description).joined(separator: ", "))] " +
        "known_hosts=\(knownHostsFile) sessions=\(maxConnections)"
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
                               home: String = Home.directory()) throws -> SFTPConfig {
        try resolve(address: request.address, account: request.account, options: request.options,
                    environment: environment, home: home)
    }

    /// Resolves the configuration from the parts of a store request; see `resolve(_:environment:home:)`.
    public static func resolve(address: Address, account: AccountSettings?, options: StoreOptions,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               home: String = Home.directory()) throws -> SFTPConfig {
        let shown = address.description
        guard let typedHost = nonEmpty(account?["host"]) ?? nonEmpty(address.host) else {
            throw VFSError.invalid("no host to connect to", path: shown,
                                   remedy: "write sftp://USER@HOST/path, or set `host` on the account")
        }

        let sshConfigPath = nonEmpty(environment["DCTC_SSH_CONFIG"]) ?? home + "/.ssh/config"
        let sshConfig = try SSHConfigFile.load(path: expandTilde(sshConfigPath, home: home), includeBase: home + "/.ssh")
        let ssh = sshConfig?.settings(forHost: typedHost) ?? SSHHostSettings()

        let hostName = ssh.hostName.map { expandTokens($0, host: typedHost, home: home, port: nil, user: nil) } ?? typedHost

        var port = address.port
        if port == nil, let text = nonEmpty(account?["port"]) {
            guard let p = Int(text), (1...65535).contains(p) else {
                throw VFSError.invalid("bad port '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "use a number from 1 to 65535")
            }
            port = p
        }
        let resolvedPort = port ?? ssh.port ?? 22

        let netrcPath = nonEmpty(environment["NETRC"]) ?? home + "/.netrc"
        var user = nonEmpty(address.user) ?? nonEmpty(account?["user"]) ?? nonEmpty(ssh.user)
        let accountPassword = try account?.secret("password")
        var netrcEntry: NetrcFile.Entry?
        if nonEmpty(accountPassword) == nil, let netrc = NetrcFile.load(path: expandTilde(netrcPath, home: home)) {
            netrcEntry = netrc.entry(machine: typedHost, login: user)
                ?? (hostName != typedHost ? netrc.entry(machine: hostName, login: user) : nil)
            if user == nil { user = nonEmpty(netrcEntry?.login) }
        }
        let resolvedUser = user ?? localUserName(environment)

        func expand(_ path: String) -> String {
            expandTilde(expandTokens(path, host: hostName, home: home, port: resolvedPort, user: resolvedUser,
                                     localUser: localUserName(environment)), home: home)
        }

        // Identity files: named ones, else OpenSSH's defaults that exist.
        var identityFiles: [String] = []
        if let keyFile = nonEmpty(account?["key_file"]) { identityFiles.append(expand(keyFile)) }
        identityFiles += ssh.identityFiles.filter { $0.lowercased() != "none" }.map(expand)
        let namedIdentities = !identityFiles.isEmpty
        if !namedIdentities {
            identityFiles = ["id_ed25519", "id_ecdsa", "id_rsa"].map { home + "/.ssh/" + $0 }
                .filter { FileManager.default.isReadableFile(atPath: $0) }
        }
        var seen = Set<String>()
        identityFiles = identityFiles.filter { seen.insert($0).inserted }

        var methods: [SSHAuthMethod] = []
        let useAgent = account?.bool("use_agent") ?? true
        let identitiesOnly = (ssh.identitiesOnly ?? false) && namedIdentities
        if useAgent, !identitiesOnly, let socket = nonEmpty(environment["SSH_AUTH_SOCK"]) {
            methods.append(.agent(socket: socket))
        }
        let passphrase = try account?.secret("key_passphrase").flatMap(nonEmpty).map(SSHSecret.init)
        methods += identityFiles.map { .identityFile($0, passphrase: passphrase) }
        if let password = nonEmpty(accountPassword) ?? netrcEntry?.password {
            methods.append(.password(SSHSecret(password)))
        }

        let knownHosts = nonEmpty(account?["known_hosts_file"]).map(expand)
            ?? ssh.userKnownHostsFiles?.first.map(expand)
            ?? nonEmpty(environment["DCTC_KNOWN_HOSTS"]).map { expandTilde($0, home: home) }
            ?? home + "/.ssh/known_hosts"

        let acceptNew = options.acceptNewHostKey || (account?.bool("accept_new_host_key") ?? false)
            || ssh.strictHostKeyChecking == "accept-new"

        var maxConnections = options.maxConnections ?? defaultMaxConnections
        if options.maxConnections == nil, let text = nonEmpty(account?["max_connections"]) {
            guard let n = Int(text), n >= 1 else {
                throw VFSError.invalid("bad max_connections '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "use a whole number of at least 1")
            }
            maxConnections = n
        }

        var timeout: TimeInterval = 60
        if let text = nonEmpty(account?["timeout"]) {
            guard let t = TimeInterval(text), t > 0 else {
                throw VFSError.invalid("bad timeout '\(text)' in account '\(account?.name ?? "")'", path: shown,
                                       remedy: "give the seconds as a positive number")
            }
            timeout = t
        }

        return SFTPConfig(host: hostName, displayHost: typedHost, port: resolvedPort, user: resolvedUser,
                          authMethods: methods, knownHostsFile: knownHosts, acceptNewHostKey: acceptNew,
                          maxConnections: maxConnections, remoteHash: account?.bool("remote_hash"),
                          connectTimeout: min(15, timeout), timeout: timeout)
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
