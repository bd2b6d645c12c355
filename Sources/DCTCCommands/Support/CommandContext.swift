import DCTCBackends
import DCTCCore
import Foundation

/// What every command needs, built once per run: the store registry (with the configured
/// accounts), options, and helpers that turn what the user typed into `Location`s.
public final class CommandContext: Sendable {
    public let registry: StoreRegistry
    public let verbose: Bool
    public let settings: LoadedSettings

    init(registry: StoreRegistry, verbose: Bool, settings: LoadedSettings) {
        self.registry = registry
        self.verbose = verbose
        self.settings = settings
    }

    /// Builds the context: loads the config file (printing its warnings once) and registers
    /// every backend.
    /// - Parameter accounts: wraps the configured accounts (a pipeline file layers its own
    ///   account definitions over them).
    /// - Parameter upload: `--content-type`, `--metadata`... of the commands that write.
    public static func make(_ global: GlobalOptions, upload: UploadOptions? = nil,
                            accounts: (any AccountProvider) -> any AccountProvider = { $0 }) async throws -> CommandContext {
        let settings = try LoadedSettings.load(configPath: global.config)
        for warning in settings.warnings { printError("warning: \(warning)") }
        var options = StoreOptions()
        options.acceptNewHostKey = global.acceptNewHostKey
        options.insecureTLS = global.insecure
        options.aws = global.aws.selection
        if let upload { options.upload = upload.properties }
        options.verbose = global.verbose
        options.noResume = global.noResume
        if let n = global.maxConnections {
            guard n >= 1 && n <= 1024 else { throw VFSError.invalid("--max-connections must be between 1 and 1024", path: String(n)) }
            options.maxConnections = n
        }
        let registry = StoreRegistry(accounts: accounts(settings.accounts), options: options)
        await DCTCBackends.registerAll(into: registry)
        return CommandContext(registry: registry, verbose: global.verbose, settings: settings)
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

    /// Expands every argument, reporting failures to `reporter` and returning the rest.
    public func expandAll(_ texts: [String], reporter: ErrorReporter) async -> [(Location, FileInfo)] {
        var out: [(Location, FileInfo)] = []
        for t in texts {
            do { out += try await expand(t) } catch { reporter.report(error, path: t) }
        }
        return out
    }

    /// Prints a line to standard error when `--verbose` is on.
    public func note(_ message: @autoclosure () -> String) {
        if verbose { Output.error.line(message()) }
    }
}
