import ArgumentParser
import DCTCCore

/// A dctc verb: declares its options (the global ones included) and `run(_:)`; the default
/// `run()` builds the context once, runs, flushes, and turns an error into its exit status
/// (printed once, through the log, so it never shares a line with the progress display).
///
/// The pattern of SwiftPM's `SwiftCommand`: no verb builds its context, error reporter or
/// flush by hand.
public protocol DCTCCommand: AsyncParsableCommand {
    /// `VerbosityOptions` (`-v`, `-q`, `-P`), or `LongVerbosityOptions` for verbs whose own
    /// short flags mean something else.
    associatedtype Verbosity: VerbosityFlags = VerbosityOptions
    var global: GlobalOptionsOf<Verbosity> { get }
    /// The command's work, with the context built from the global options.
    func run(_ context: CommandContext) async throws
}

extension DCTCCommand {
    public func run() async throws {
        let context = try await CommandContext.make(global)
        defer { context.finish() }
        do {
            try await run(context)
        } catch let failure as CommandFailure {
            throw failure
        } catch let code as ExitCode {
            throw code
        } catch {
            let status = DCTCMain.status(for: error, verbose: context.verbose)
            throw ExitCode(status)
        }
    }
}
