import ArgumentParser
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process entry point: alias expansion, parsing, running, and the exit-code table.
public enum DCTCMain {
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Never {
        // Network libraries write to sockets that peers may close; a SIGPIPE must not kill the
        // process (libcurl with CURLOPT_NOSIGNAL expects this). A closed standard output is
        // handled where it is written (see Output).
        signal(SIGPIPE, SIG_IGN)
        let args = expandAlias(arguments)
        Invocation.arguments = args
        // grep's -v means --invert-match, not --verbose.
        let verbose = args.contains("--verbose") || (args.contains("-v") && args.first != "grep")
        let command: any ParsableCommand
        do {
            command = try DCTC.parseAsRoot(args)
        } catch {
            let code = DCTC.exitCode(for: error)
            if code == .success {
                Output.standard.write(DCTC.fullMessage(for: error) + "\n")
                Output.standard.flush()
                exit(0)
            }
            Output.error.line(unknownCommandMessage(args) ?? DCTC.fullMessage(for: error))
            exit(ExitStatus.usage.rawValue)
        }
        // Entries a listing left out (unsafe names, filesystem loops) are printed once each and
        // make a command that otherwise succeeded end with `.partial`.
        SkippedEntries.printer.value = { printError($0) }
        // Detail from the stores (an upload resumed or started afresh) shows with -v.
        Detail.sink.value = { Log.shared.info($0) }
        let task = Task { () -> Int32 in
            do {
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    var syncCommand = command
                    try syncCommand.run()
                }
                if SkippedEntries.process.counted > 0 { return ExitStatus.partial.rawValue }
                return ExitStatus.success.rawValue
            } catch {
                return status(for: error, verbose: verbose)
            }
        }
        let interrupts = installInterruptHandler(task)
        let code = await task.value
        interrupts.cancel()
        Output.standard.flush()
        // _exit, not exit: exit runs OpenSSL's atexit cleanup while the threads of network
        // sessions may still be inside libcrypto, which crashed in pthread_rwlock_wrlock.
        // Our output is flushed above and the state store commits every transaction.
        _exit(code)
    }

    /// Maps a thrown error to an exit code, printing it unless it was printed already.
    static func status(for error: any Error, verbose: Bool) -> Int32 {
        switch error {
        case let failure as CommandFailure:
            return failure.status.rawValue
        case let e as VFSError:
            printError(describe(e, verbose: verbose))
            return ExitStatus(for: e).rawValue
        case is CancellationError:
            printError("interrupted")
            return ExitStatus.interrupted.rawValue
        default:
            let code = DCTC.exitCode(for: error)
            if code == .success {
                // Help and version requests surface here when parsing hands them to run().
                Output.standard.line(DCTC.fullMessage(for: error))
                return 0
            }
            // A ValidationError thrown by run() (after parsing): one line, usage status.
            let message = DCTC.message(for: error)
            if !message.isEmpty { printError(message) }
            return code == .validationFailure ? ExitStatus.usage.rawValue : code.rawValue
        }
    }

    /// First Ctrl-C cancels the running command (temporary files are cleaned up); a second one exits at once.
    static func installInterruptHandler(_ task: Task<Int32, Never>) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        // A queue of its own (overcommit): `.global()` shares its threads with the Swift task
        // pool, so while transfers keep those busy the first Ctrl-C waited until the end.
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "dctc.interrupt"))
        let count = InterruptCount()
        source.setEventHandler {
            if count.increment() > 1 { _exit(ExitStatus.interrupted.rawValue) }
            task.cancel()
        }
        source.resume()
        return source
    }

    /// `dctc: unknown command 'synk'; did you mean 'sync'? ...` when the first word names no
    /// command (ArgumentParser would only say "Unexpected argument"); nil otherwise.
    static func unknownCommandMessage(_ args: [String]) -> String? {
        guard let first = args.first, !first.hasPrefix("-") else { return nil }
        let names = DCTC.configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
        guard !names.contains(first), first != "help",
              !DCTC.configuration.subcommands.contains(where: { $0._commandName == first }) else { return nil }
        let close = names.map { ($0, editDistance($0, first)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
        let suggestion = close.map { " Did you mean '\($0)'?" } ?? ""
        return "dctc: unknown command '\(first)'.\(suggestion) Run `dctc` for the list of commands, `dctc COMMAND --help` for one."
    }

    /// The Levenshtein distance between two short strings.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Expands an alias from the config file (`[aliases] ll = "ls -l -h"`) and moves global
    /// options given before the verb after it (see `ArgumentLine`).
    static func expandAlias(_ args: [String]) -> [String] {
        ArgumentLine.normalise(args) { configPath in
            (try? LoadedSettings.load(configPath: configPath))?.aliases ?? [:]
        }
    }
}

final class InterruptCount: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
