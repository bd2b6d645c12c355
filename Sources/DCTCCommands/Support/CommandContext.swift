import DCTCBackends
import DCTCCore
import Foundation

/// What every command needs, built once per run: the store registry (with the configured
/// accounts), options, and helpers that turn what the user typed into `Location`s.
public final class CommandContext: Sendable {
    public let registry: StoreRegistry
    public let verbose: Bool
    public let settings: LoadedSettings
    /// The global options of this run.
    public let global: GlobalSettings
    /// The command line after alias expansion and moving global options after the verb: what
    /// every reader of the arguments must use (never `CommandLine.arguments`).
    public var arguments: [String] { Invocation.arguments }

    init(registry: StoreRegistry, global: GlobalSettings, settings: LoadedSettings) {
        self.registry = registry
        self.verbose = global.verbosity > 0
        self.global = global
        self.settings = settings
    }

    /// Builds the context: sets up logging (level, `--log-file`), loads the config file
    /// (printing its warnings once) and registers every backend.
    /// - Parameter accounts: wraps the configured accounts (a pipeline file layers its own
    ///   account definitions over them).
    /// - Parameter upload: `--content-type`, `--metadata`... of the commands that write.
    /// - Parameter streams: `--multi-thread-streams`, `--multi-thread-cutoff` of the commands that download.
    public static func make<V>(_ global: GlobalOptionsOf<V>, upload: UploadOptions? = nil, streams: MultiThreadOptions? = nil,
                               accounts: (any AccountProvider) -> any AccountProvider = { $0 }) async throws -> CommandContext {
        try await make(settings: global.settings, upload: upload, streams: streams, accounts: accounts)
    }

    /// Builds the context from the global options as values.
    public static func make(settings global: GlobalSettings, upload: UploadOptions? = nil, streams: MultiThreadOptions? = nil,
                            accounts: (any AccountProvider) -> any AccountProvider = { $0 }) async throws -> CommandContext {
        try Log.shared.configure(level: global.level, logFile: global.log.logFile)
        let settings = try LoadedSettings.load(configPath: global.config)
        for warning in settings.warnings { printError("warning: \(warning)") }
        var options = StoreOptions()
        try global.connection.apply(to: &options)
        options.verbose = global.verbosity > 0
        if let upload { options.upload = upload.properties }
        if let streams { try streams.apply(to: &options) }
        let registry = StoreRegistry(accounts: accounts(settings.accounts), options: options)
        await DCTCBackends.registerAll(into: registry)
        return CommandContext(registry: registry, global: global, settings: settings)
    }

    /// Parses and resolves one address (no glob expansion).
    public func location(_ text: String) async throws -> Location {
        try await registry.resolve(Address.parse(text))
    }

    /// Parses, resolves and glob-expands one argument.
    ///
    /// A path that exists is taken literally even if it has glob characters; a pattern that
    /// matches nothing is an error (`.notFound`), never its parent folder.
    /// - Returns: the matching locations with their info, sorted.
    public func expand(_ text: String) async throws -> [(Location, FileInfo)] {
        let loc = try await location(text)
        if let info = try await loc.fs.infoIfExists(loc.path) { return [(loc, info)] }
        guard Glob.hasMagic(loc.path.string) else {
            throw VFSError.notFound(loc.fs.display(loc.path))
        }
        return try await loc.fs.glob(loc.path).map { (loc.with(path: $0.path), $0) }
    }

    /// Expands every argument, keeping how each match is shown as the user typed it (as find(1)
    /// and du(1) print paths): the argument itself for a literal path, the match's address for a
    /// glob pattern.
    public func expandAllAsTyped(_ texts: [String], reporter: ErrorReporter) async -> [(Location, FileInfo, shown: String)] {
        var out: [(Location, FileInfo, shown: String)] = []
        for t in texts {
            do {
                let matches = try await expand(t)
                let literal = matches.count == 1 && !Glob.hasMagic(t)
                for (loc, info) in matches { out.append((loc, info, literal ? t : loc.address.description)) }
            } catch {
                reporter.report(error, path: t)
            }
        }
        return out
    }

    /// `shown` joined with a path below it: `./data` + `a/b.csv` → `./data/a/b.csv`.
    public static func join(_ shown: String, _ relative: String) -> String {
        guard !relative.isEmpty else { return shown }
        return shown.hasSuffix("/") || shown.hasSuffix(":") ? shown + relative : shown + "/" + relative
    }

    /// Expands every argument, reporting failures to `reporter` and returning the rest.
    public func expandAll(_ texts: [String], reporter: ErrorReporter) async -> [(Location, FileInfo)] {
        var out: [(Location, FileInfo)] = []
        for t in texts {
            do { out += try await expand(t) } catch { reporter.report(error, path: t) }
        }
        return out
    }

    /// Prints a line to standard error when `--verbose` is on (and logs it at info level).
    public func note(_ message: @autoclosure () -> String) {
        if Log.shared.level >= .info { Log.shared.info(message()) }
    }

    // MARK: - Progress

    /// How progress is shown, from the flags: live on a terminal (or with -P), periodic lines
    /// with `--stats`, else nothing while running.
    var progressMode: ProgressDisplay.Mode {
        if global.quiet || global.progress == false { return global.statsInterval.map { .stats($0) } ?? .silent }
        if global.progress == true || Output.error.isTerminal { return .live }
        return global.statsInterval.map { .stats($0) } ?? .silent
    }

    /// Runs `body` with the progress display the flags ask for, then prints the one-line
    /// summary (`copied 3 files (20M) in 2.0 s, 10M/s`) on standard error unless `-q`.
    ///
    /// Whatever moves bytes reports to the observer given to `body`
    /// (`stream.observed(by: observer, id:)` with `transferStarted`/`transferFinished`).
    /// - Parameters:
    ///   - verb: the summary's first word: "copied", "moved", "uploaded", "transferred".
    ///   - totals: what is expected in all, asked a few times a second.
    ///   - asking: questions will be asked on the terminal (`-i`): no live display then.
    public func withProgress<T>(verb: String,
                                totals: @escaping @Sendable () -> ProgressTotals = { ProgressTotals(complete: false) },
                                asking: Bool = false,
                                _ body: (TransferProgress) async throws -> T) async throws -> T {
        let model = TransferProgress(totals: totals)
        var mode = progressMode
        if asking, case .live = mode { mode = .silent }
        let display = ProgressDisplay(model: model, mode: mode, verb: verb, summary: !global.quiet)
        display.start()
        do {
            let result = try await body(model)
            display.stop()
            return result
        } catch {
            // The error is the message; a summary of a failed command would only repeat it.
            display.stop(printSummary: false)
            throw error
        }
    }

    /// Flushes standard output and closes the log file: the end of every command.
    func finish() {
        Output.standard.flush()
        Output.error.clearStatus()
    }
}

/// The command line every reader sees: after alias expansion, with global options moved after
/// the verb. Set once by `DCTCMain` before parsing.
public enum Invocation {
    private static let stored = Locked<[String]>([])
    public static var arguments: [String] {
        get { stored.value }
        set { stored.value = newValue }
    }
}
