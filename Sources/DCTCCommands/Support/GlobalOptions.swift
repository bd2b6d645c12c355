import ArgumentParser
import DCTCCore
import DCTCSync
import Foundation

// The options every command accepts, as small groups composed into one `GlobalOptions`.
//
// Each group is one concern; a new global option is one property in its group (and, for store
// options, one line in that group's `apply(to:)` just below it). The options are accepted before
// the verb too (`dctc -v ls x`): `ArgumentLine` moves them after the verb before parsing, by
// trying each word against `GlobalOptions` itself, so no table of names is kept anywhere else.

/// The verbosity flags, in the two spellings commands need: with short names (`-v`, `-q`, `-P`)
/// for most verbs, long names only for verbs whose own short flags mean something else
/// (`grep -v` inverts the match, `head -q` hides headers).
public protocol VerbosityFlags: ParsableArguments, Sendable {
    /// How many times `--verbose` was given (`-vv` is 2).
    var verbosity: Int { get }
    /// `--quiet`: nothing but errors.
    var quiet: Bool { get }
    /// `--progress` (true), `--no-progress` (false), or neither (nil: when standard error is a terminal).
    var progress: Bool? { get }
}

/// `-v/--verbose` (repeatable), `-q/--quiet`, `-P/--progress`.
public struct VerbosityOptions: VerbosityFlags {
    @Flag(name: .shortAndLong, help: "Say more: each action (-v), and debugging detail (-vv); errors get their native cause.")
    public var verbose: Int

    @Flag(name: .shortAndLong, help: "Print nothing but errors (no progress, no summary).")
    public var quiet = false

    @Flag(name: [.customShort("P"), .long], inversion: .prefixedNo,
          help: "Show the live progress display, even when standard error is not a terminal (default: only on a terminal).")
    public var progress: Bool?

    public var verbosity: Int { verbose }
    public init() {}

    /// The long spelling of each short flag of this group, for moving them across the verb.
    static let longForms: [Character: String] = ["v": "--verbose", "q": "--quiet", "P": "--progress"]
}

/// `--verbose` (repeatable), `--quiet`, `--progress`: the same flags without short names.
public struct LongVerbosityOptions: VerbosityFlags {
    @Flag(name: .long, help: "Say more: each action, and debugging detail when repeated; errors get their native cause.")
    public var verbose: Int

    @Flag(name: .long, help: "Print nothing but errors.")
    public var quiet = false

    @Flag(name: .long, inversion: .prefixedNo,
          help: "Show the live progress display, even when standard error is not a terminal (default: only on a terminal).")
    public var progress: Bool?

    public var verbosity: Int { verbose }
    public init() {}
}

/// How much is logged, for `--log-level`.
public enum LogLevel: String, ExpressibleByArgument, CaseIterable, Sendable, Comparable {
    case error, notice, info, debug

    var rank: Int {
        switch self {
        case .error: 0
        case .notice: 1
        case .info: 2
        case .debug: 3
        }
    }

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rank < b.rank }
}

/// `--log-file`, `--log-level`, `--stats`: what unattended runs keep.
public struct LogOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("Also write every message, with a timestamp, to this file (appended).", valueName: "file"))
    public var logFile: String?

    @Option(name: .long, help: "The least important messages logged: error, notice (default), info (as -v) or debug (as -vv).")
    public var logLevel: LogLevel?

    @Option(name: .long, help: ArgumentHelp("Print a one-line progress summary this often while a transfer runs (e.g. 30s, 1m); 0 turns it off.", valueName: "duration"))
    public var stats: String?

    public init() {}
}

/// `--config`: which config file.
public struct ConfigOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("Config file to use (default: $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml).", valueName: "file"))
    public var config: String?

    public init() {}
}

/// How stores are reached: host keys, TLS, connection limits.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @Flag(name: .long, help: "Accept and remember an SSH host key seen for the first time.")
    public var acceptNewHostKey = false

    @Flag(name: .long, help: "Do not verify TLS certificates (https, ftps). Unsafe outside tests.")
    public var insecure = false

    @Option(name: .long, help: ArgumentHelp(
        "Connections per store at most (default: the account's max_connections, else S3 8, SFTP/FTP/HTTP 4).", valueName: "N"))
    public var maxConnections: Int?

    /// `--profile`, `--region`, `--endpoint-url`, `--no-sign-request` (AWSOptions.swift).
    @OptionGroup public var aws: AWSOptions

    @Flag(name: .long, help: "Start interrupted transfers afresh instead of resuming them (S3 multipart uploads, large downloads to local disk).")
    public var noResume = false

    @Flag(name: .long, help: "Check every upload against what the server stored before it takes its name: by the server's own hash where it has one (SFTP md5sum; S3 checks each request's MD5 anyway), else by reading it back (FTP, WebDAV).")
    public var verify = false

    @Option(name: .long, help: ArgumentHelp(
        "Bandwidth limit shared by all transfers, as rclone's: 2M (MiB/s; a bare number is KiB/s), UP:DOWN (10M:512k), a timetable (\"08:00,512k 19:00,off\"), or off.",
        valueName: "rate"))
    public var bwlimit: String?

    @Option(name: .long, help: ArgumentHelp(
        "How long to wait for a connection (TCP, TLS, SSH handshake, login), as rclone's (default: the account's timeout, else 30s; SFTP 15s).",
        valueName: "duration"))
    public var contimeout: String?

    @Option(name: .long, help: ArgumentHelp(
        "How long a transfer may stall (no byte moving, no reply) before it fails and is retried, as rclone's (default: the account's timeout, else 60s).",
        valueName: "duration"))
    public var timeout: String?

    public init() {}

    public mutating func validate() throws {
        if let bwlimit { _ = try BandwidthSchedule(parse: bwlimit) }
        _ = try Self.duration(contimeout, "--contimeout")
        _ = try Self.duration(timeout, "--timeout")
    }

    /// `30s`, `2m`, `1h`, or seconds (`90`, `2.5`), as a duration above zero.
    static func duration(_ text: String?, _ flag: String) throws -> Duration? {
        guard let text else { return nil }
        let seconds = try Double(text) ?? AgeParser.parseDuration(text)
        guard seconds > 0, seconds <= 86_400 else {
            throw VFSError.invalid("\(flag) \(text) is out of range", remedy: "give a duration from 1ms to 24h, like 30s or 5m")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Copies these options into the settings every store is built with.
    func apply(to options: inout StoreOptions) throws {
        options.acceptNewHostKey = acceptNewHostKey
        options.insecureTLS = insecure
        if let n = maxConnections {
            guard n >= 1 && n <= 1024 else { throw VFSError.invalid("--max-connections must be between 1 and 1024", path: String(n)) }
            options.maxConnections = n
        }
        options.aws = aws.selection
        options.noResume = noResume
        options.storedCheck = verify ? .readBack : .standard
        options.connectTimeout = try Self.duration(contimeout, "--contimeout")
        options.ioTimeout = try Self.duration(timeout, "--timeout")
        // One limit for the process: every transfer of this command shares it.
        BandwidthLimiter.shared.configure(try bwlimit.map { try BandwidthSchedule(parse: $0) }.flatMap { schedule in
            schedule.entries.allSatisfy { $0.rate == .unlimited } ? nil : schedule
        })
    }
}

/// Options every command accepts, composed of the groups above.
public struct GlobalOptionsOf<Verbosity: VerbosityFlags>: ParsableArguments, Sendable {
    @OptionGroup public var verbosityFlags: Verbosity
    @OptionGroup public var log: LogOptions
    @OptionGroup public var file: ConfigOptions
    @OptionGroup public var connection: ConnectionOptions

    public init() {}

    /// `-v` given at least once.
    public var verbose: Bool { verbosityFlags.verbosity > 0 }
    public var quiet: Bool { verbosityFlags.quiet }
    /// `--progress`/`--no-progress`, nil when neither was given.
    public var progress: Bool? { verbosityFlags.progress }
    public var config: String? { file.config }

    /// The plain values the context is built from.
    public var settings: GlobalSettings {
        GlobalSettings(verbosity: verbosityFlags.verbosity, quiet: verbosityFlags.quiet, progress: verbosityFlags.progress,
                       log: log, config: file.config, connection: connection)
    }

    public func validate() throws {
        if verbosityFlags.quiet && verbosityFlags.verbosity > 0 { throw ValidationError("--quiet and --verbose cannot be used together") }
        if verbosityFlags.quiet && verbosityFlags.progress == true { throw ValidationError("--quiet and --progress cannot be used together") }
        if let stats = log.stats { _ = try GlobalSettings.parseStats(stats) }
    }
}

/// The options of almost every command: `-v`, `-q`, `-P` with their short names.
public typealias GlobalOptions = GlobalOptionsOf<VerbosityOptions>

/// The global options as values, whatever spelling of the verbosity flags a command uses.
public struct GlobalSettings: Sendable {
    public var verbosity: Int
    public var quiet: Bool
    public var progress: Bool?
    public var log: LogOptions
    public var config: String?
    public var connection: ConnectionOptions

    /// The level of messages shown and logged: `--log-level`, else from `-v`/`-vv`/`-q`.
    public var level: LogLevel {
        if let explicit = log.logLevel { return explicit }
        if quiet { return .error }
        return verbosity >= 2 ? .debug : verbosity == 1 ? .info : .notice
    }

    /// `--stats` in seconds (nil when absent or 0).
    public var statsInterval: Double? {
        guard let text = log.stats, let seconds = try? GlobalSettings.parseStats(text), seconds > 0 else { return nil }
        return seconds
    }

    static func parseStats(_ text: String) throws -> Double {
        // The duration grammar of --min-age/--max-age (a date is not a duration here).
        do {
            guard !text.contains("-") else { throw ValidationError("") }
            return try AgeParser.parse(text, now: Date())
        } catch {
            throw ValidationError("--stats: '\(text)' is not a duration (write 10s, 1m, 1h30m)")
        }
    }
}
