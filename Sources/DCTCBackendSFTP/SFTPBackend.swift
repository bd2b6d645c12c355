import DCTCCore
import Foundation

/// The factory `DCTCBackends` registers for SFTP stores.
public enum SFTPBackend {
    /// The store kinds this backend builds.
    public static let kinds: [StoreKind] = [.sftp]

    /// The account keys of the SFTP store (its `RegInfo`), read by `SFTPConfig.resolve`.
    public enum Option {
        public static let port = BackendOption.port.with(default: "~/.ssh/config's Port, else 22")
        public static let user = BackendOption.user.with(default: "~/.ssh/config's User, else $USER")
        public static let keyFile = BackendOption("key_file", .string, help: "An SSH private key to log in with.",
                                                  default: "~/.ssh/config's IdentityFile, else ~/.ssh/id_*",
                                                  example: "~/.ssh/id_ed25519")
        public static let keyPassphrase = BackendOption("key_passphrase", .secret, help: "The passphrase of an encrypted key_file.",
                                                        example: "BOX_KEY_PASSPHRASE")
        public static let knownHostsFile = BackendOption("known_hosts_file", .string, help: "The known-hosts file host keys are checked against.",
                                                         default: "~/.ssh/known_hosts", example: "~/.ssh/known_hosts_work")
        public static let acceptNewHostKey = BackendOption("accept_new_host_key", .boolean,
                                                           help: "Trust an unknown host key on first use and record it.",
                                                           default: "false", example: "true")
        public static let useAgent = BackendOption("use_agent", .boolean, help: "Try the keys of ssh-agent.",
                                                   default: "true", example: "false")
        public static let remoteHash = BackendOption("remote_hash", .boolean,
                                                     help: "Run md5sum/sha1sum/sha256sum on the server when it has them (sync --checksum without reading files; the check of large uploads); false runs no command there.",
                                                     default: "true", example: "false")
        public static let maxConnections = BackendOption.maxConnections.with(
            help: "Sessions open at once (copies inside one SFTP store need at least 2).")
        public static let timeout = BackendOption.timeout.with(default: "60")
    }

    /// The keys an account of type `sftp` understands.
    public static let options: [BackendOption] = BackendOption.common + [
        .host, Option.port, Option.user, .password, Option.keyFile, Option.keyPassphrase,
        Option.knownHostsFile, Option.acceptNewHostKey, Option.useAgent, Option.remoteHash,
        Option.maxConnections, Option.timeout,
    ]

    /// Builds the store for an `sftp://` address or an account of type `sftp`.
    ///
    /// Resolves the configuration (see `SFTPConfig`) on a thread of its own (it reads
    /// `~/.ssh/config` and `~/.netrc` and may run a `password_command`), then connects the first
    /// session, so credentials and the host key are checked here.
    ///
    /// - Parameter request: the address, account and command-line options.
    /// - Returns: an `SFTPFileSystem`.
    /// - Throws: `VFSError`: `.invalidArgument` (no host, bad settings), `.authenticationFailed`
    ///   (rejected credentials, unknown or changed host key, with how to accept it),
    ///   `.unavailable` (refused or unreachable, retryable), `.timedOut`.
    public static func makeStore(_ request: StoreRequest) async throws -> any VirtualFileSystem {
        let config = try await IOThread.detached(name: "dctc-sftp-config") { try SFTPConfig.resolve(request) }
        if request.options.verbose { notice(config.notes) }
        return try await SFTPFileSystem.connect(config)
    }

    /// True when `~/.ssh/config` (or `$DCTC_SSH_CONFIG`) has a `Host` block naming `name` with a
    /// pattern other than a bare `*`: then `name:path` is that SSH host, as scp reads it.
    public static func sshConfigDeclaresHost(_ name: String,
                                             environment: [String: String] = ProcessInfo.processInfo.environment,
                                             home: String = Home.directory()) -> Bool {
        let configured = environment["DCTC_SSH_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.ssh/config"
        let path = configured.hasPrefix("~/") ? home + configured.dropFirst() : configured
        guard let file = try? SSHConfigFile.load(path: path, includeBase: home + "/.ssh") else { return false }
        return file.declaresHost(name)
    }

    private static let noticed = Locked(Set<String>())

    /// Prints each note once per process to standard error (`dctc: note: ...`).
    static func notice(_ notes: [String]) {
        for note in notes where noticed.withLock({ $0.insert(note).inserted }) {
            _ = FileDescriptorIO.writeAll(2, Array("dctc: note: \(SafeName.escaped(note))\n".utf8))
        }
    }
}
