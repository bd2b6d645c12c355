import ArgumentParser
import DCTCBackendS3
import DCTCConfig
import DCTCCore
import DCTCFlow
import DCTCState
import Foundation

/// Options every `dctc flow` verb takes.
struct FlowOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("The pipeline file (default: $DCTC_PIPELINE, else ./pipeline.dctc.yaml).", valueName: "file"))
    var pipeline: String?

    @Option(name: .long, help: ArgumentHelp("The state file holding traces (default: $DCTC_STATE, else $XDG_STATE_HOME/dctc/state.sqlite).", valueName: "file"))
    var state: String?

    @Flag(name: .long, help: "Print one JSON result object as the last line of standard output.")
    var json = false

    var pipelinePath: String {
        pipeline ?? ProcessInfo.processInfo.environment["DCTC_PIPELINE"].flatMap { $0.isEmpty ? nil : $0 } ?? "pipeline.dctc.yaml"
    }
}

/// How `flow build` and `flow backfill` treat units another run is building.
struct FlowLockOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Wait up to DURATION (30s, 10m, 2h, forever) for units another run or worker is building, then use what it built.", valueName: "duration"))
    var waitForLock: String?

    @Option(name: .long, help: ArgumentHelp("The lease of a lock beside an output (default 60s): renewed while the unit builds; a worker silent that long is taken as dead.", valueName: "duration"))
    var lockLease: String?

    func validate() throws {
        if let w = waitForLock, FlowLockOptions.seconds(w) == nil { throw ValidationError("--wait-for-lock takes a duration such as 30s, 10m, 2h or forever, not '\(w)'") }
        if let l = lockLease {
            guard let s = FlowLockOptions.seconds(l), s >= 1, s <= 86_400 else { throw ValidationError("--lock-lease takes a duration from 1s to 24h, not '\(l)'") }
        }
    }

    func apply(to options: inout BuildOptions) {
        options.waitForLock = waitForLock.flatMap(FlowLockOptions.seconds)
        if let l = lockLease.flatMap(FlowLockOptions.seconds) { options.lockLease = l }
    }

    /// `90`, `90s`, `5m`, `2h`, `1d`, `forever` (a year) in seconds.
    static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "forever" { return 365 * 86_400 }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var number = Substring(t)
        var factor = 1.0
        if let last = t.last, let f = units[last] { number = t.dropLast(); factor = f }
        guard let n = Double(number), n >= 0, n.isFinite, n * factor <= 365 * 86_400 else { return nil }
        return n * factor
    }
}

/// A loaded pipeline with its stores, state and engine.
struct FlowSession {
    let pipeline: Pipeline
    let engine: FlowEngine
    let context: CommandContext
    let state: StateStore

    /// Loads the pipeline (exit 2 with the line when it is invalid), the accounts it defines
    /// over the configured ones, and the state file.
    static func open(_ options: FlowOptions, global: GlobalOptions, progress: Bool = false) async throws -> FlowSession {
        let path = options.pipelinePath
        let pipeline: Pipeline
        do {
            pipeline = try PipelineParser.load(path: path)
        } catch let e as PipelineError {
            printError(describe(e.vfsError, verbose: false))
            if options.json { try? FlowPrinter.jsonLine(FlowError(error: e.description, exitCode: ExitStatus.usage.rawValue)) }
            throw CommandFailure(.usage)
        }
        let context = try await CommandContext.make(global) { PipelineAccounts(pipeline: pipeline, configured: $0) }
        for name in pipeline.accountReferences where try context.settings.accounts.account(named: name) == nil {
            printError(describe(VFSError(.notFound, "the pipeline uses account '\(name)', which is not configured", path: path,
                                         remedy: "add it with 'dctc config add \(name)' or define it under accounts: in the pipeline"), verbose: false))
            throw CommandFailure(.usage)
        }
        let statePath = options.state ?? ProcessInfo.processInfo.environment["DCTC_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? StateStore.defaultPath()
        let state = try StateStore(path: statePath)
        let lockDirectory = ((statePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("locks")
        let staging = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        // Relative local addresses in the pipeline are relative to the pipeline file's folder.
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let verbose = global.verbose
        var env = FlowEnvironment(
            resolve: { address in
                try await context.registry.resolve(Address.parse(address, cwd: base))
            },
            state: state, lockDirectory: lockDirectory, stagingDirectory: staging,
            log: { line in if verbose { Output.error.line(line) } },
            progress: { line in if progress || verbose { Output.error.line("flow: " + line) } })
        env.createExclusively = { loc, bytes in
            guard let s3 = loc.fs as? S3FileSystem else { return nil }
            return try await s3.createIfAbsent(loc.path, bytes: bytes)
        }
        return FlowSession(pipeline: pipeline, engine: FlowEngine(pipeline: pipeline, environment: env), context: context, state: state)
    }

    /// Parses targets, turning errors into exit 2 (with a JSON error object under --json).
    func targets(_ texts: [String], json: Bool = false) throws -> [PartitionRef] {
        var out: [PartitionRef] = []
        for t in texts {
            do { out += try engine.targets(t) } catch {
                let e = VFSError.wrap(error, path: t)
                printError(describe(e, verbose: false))
                if json { try? FlowPrinter.jsonLine(FlowError(error: e.description, exitCode: ExitStatus.usage.rawValue)) }
                throw CommandFailure(.usage)
            }
        }
        return out
    }
}

/// The JSON line printed under --json when a flow command cannot start.
struct FlowError: Encodable {
    let error: String
    let exitCode: Int32
}

/// Accounts defined in the pipeline file, over the configured ones.
struct PipelineAccounts: AccountProvider {
    let pipeline: Pipeline
    let configured: any AccountProvider

    func account(named name: String) throws -> AccountSettings? {
        guard let fields = pipeline.accounts[name] else { return try configured.account(named: name) }
        guard let typeName = fields["type"], let type = AccountType(rawValue: typeName) else {
            throw VFSError(.invalidArgument, "account '\(name)' has an unknown type '\(fields["type"] ?? "")'", path: pipeline.path,
                           remedy: "use one of \(AccountType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var toml: [String: TOMLValue] = [:]
        for (k, v) in fields where k != "type" {
            // As the backend declares the key (`user: 1234` stays a string).
            toml[k] = ConfigCommand.Add.value(v, as: AccountKeysText.catalog.option(k, for: type)?.kind)
        }
        let account = try Account(name: name, type: type, fields: toml)
        var values: [String: String] = [:]
        for (k, v) in account.fields where !Account.secretKeys.contains(k) { values[k] = v.stringValue ?? v.tomlLiteral }
        return AccountSettings(name: name, type: type.rawValue, values: values) { key in try account.secret(key) }
    }

    var accountNames: [String] { (Array(pipeline.accounts.keys) + configured.accountNames).sorted() }
}

/// Printing flow reports.
enum FlowPrinter {
    static func jsonLine<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        Output.standard.line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func outcomeWord(_ o: UnitOutcome) -> String {
        o.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)
    }

    /// Lines past which a run's units are summed up per step and outcome (failures still listed).
    static let longRange = 40

    /// One line per unit: outcome, unit, reasons. On long ranges (not verbose), failures are
    /// listed and the rest summed up per step: `roll: 300 built, 2 failed (2024-03-04, 2024-03-09)`.
    static func units(_ report: FlowReport, all: Bool) {
        let shown = report.units.filter { all || $0.outcome != .fresh }
        if !all && shown.count > longRange {
            let problems: Set<UnitOutcome> = [.failed, .checkFailed, .inputMissing, .locked]
            for u in shown where problems.contains(u.outcome) { line(u) }
            var order: [String] = []
            var counts: [String: [UnitOutcome: [String]]] = [:]
            for u in report.units {
                if counts[u.step] == nil { order.append(u.step) }
                counts[u.step, default: [:]][u.outcome, default: []].append(u.partition)
            }
            for step in order {
                guard let byOutcome = counts[step] else { continue }
                let parts = byOutcome.sorted { $0.key.rawValue < $1.key.rawValue }.map { outcome, partitions -> String in
                    let sorted = partitions.sorted()
                    let span = sorted.count > 1 ? " (\(sorted.first ?? "") … \(sorted.last ?? ""))" : " (\(sorted.first ?? ""))"
                    return "\(partitions.count) \(outcome.rawValue)\(span)"
                }
                Output.standard.line("\(step): " + parts.joined(separator: ", "))
            }
            return
        }
        for u in shown { line(u) }
    }

    static func line(_ u: UnitResult) {
        var line = "\(outcomeWord(u.outcome)) \(u.step)@\(u.partition)"
        var why = u.reasons.filter { $0 != "up to date" }
        if let e = u.error { why.append(e) }
        if u.outputUnchanged == true { why.append("output unchanged: downstream stays fresh") }
        if !why.isEmpty { line += "  (" + why.joined(separator: "; ") + ")" }
        Output.standard.line(line)
    }

    static func summary(_ report: FlowReport) -> String {
        var parts = ["\(report.built) built", "\(report.fresh) fresh"]
        if report.wouldBuild > 0 { parts.append("\(report.wouldBuild) to build") }
        if report.failed > 0 { parts.append("\(report.failed) failed") }
        if report.checkFailed > 0 { parts.append("\(report.checkFailed) check failed") }
        if report.inputMissing > 0 { parts.append("\(report.inputMissing) waiting for input") }
        if report.locked > 0 { parts.append("\(report.locked) locked") }
        if report.skipped > 0 { parts.append("\(report.skipped) skipped") }
        return "flow \(report.command): " + parts.joined(separator: ", ") + String(format: " in %.2f s", report.seconds)
            + (report.nothingToDo ? " (nothing to do)" : "")
    }

    /// Prints the report and ends with its exit code.
    static func finish(_ report: FlowReport, options: FlowOptions, exitCodeIfNothingDone: Int32?, verbose: Bool) throws {
        if options.json {
            try jsonLine(report)
        } else {
            units(report, all: verbose)
            Output.error.line(summary(report))
        }
        Output.standard.flush()
        if report.nothingToDo, let code = exitCodeIfNothingDone { throw ExitCode(code) }
        if report.exitCode != 0 { throw CommandFailure(ExitStatus(rawValue: report.exitCode) ?? .fatal) }
    }
}
