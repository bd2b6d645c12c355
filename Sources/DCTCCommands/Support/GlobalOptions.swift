import ArgumentParser

/// Options every command accepts.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Flag(name: .shortAndLong, help: "Say more: each action, and the native cause of errors.")
    public var verbose = false

    @Option(name: .long, help: ArgumentHelp("Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).", valueName: "file"))
    public var config: String?

    @Flag(name: .long, help: "Accept and remember an SSH host key seen for the first time.")
    public var acceptNewHostKey = false

    @Flag(name: .long, help: "Do not verify TLS certificates (https, ftps). Unsafe outside tests.")
    public var insecure = false

    @Option(name: .long, help: GlobalOptions.maxConnectionsHelp)
    public var maxConnections: Int?

    /// `--profile`, `--region`, `--endpoint-url`, `--no-sign-request` (AWSOptions.swift).
    @OptionGroup public var aws: AWSOptions

    @Flag(name: .long, help: "Start interrupted uploads afresh instead of resuming them (S3 multipart).")
    public var noResume = false

    /// Shared with grep's own global options.
    static let maxConnectionsHelp = ArgumentHelp(
        "Connections per store at most (default: the account's max_connections, else S3 8, SFTP/FTP/HTTP 4).", valueName: "N")

    public init() {}
}
