import DCTCCompression
import DCTCCore
import DCTCDigest
import DCTCDispatch
import DCTCState
import DCTCSync
import Foundation

/// Builds one unit: takes its lock, stages the output privately, runs the step (with retries),
/// runs the checks, then replaces the output atomically, writes the sidecar last and records
/// the trace. A failed step or check leaves the previous output as it was.
struct StepRunner {
    let engine: FlowEngine
    let node: UnitNode
    let previous: Trace?
    let options: BuildOptions

    var env: FlowEnvironment { engine.env }
    var pipeline: Pipeline { engine.pipeline }

    /// A failure of the step itself, or of a check.
    struct StepFailure: Error, CustomStringConvertible {
        let description: String
        let isCheck: Bool
        let checks: [CheckResult]
    }

    func build(into initial: UnitResult) async -> UnitResult {
        var result = initial
        let started = Date()
        // Two locks: an flock beside the state file (cheap, this machine), then the lock beside
        // the output (every machine writing it). Both are waited for under --wait-for-lock.
        let outLoc: Location
        do { outLoc = try await engine.location(node.output) } catch {
            result.outcome = .failed
            result.error = VFSError.wrap(error, path: result.output).description
            return result
        }
        let deadline = options.waitForLock.map { Date().addingTimeInterval($0) }
        var waited = false
        var lock: UnitLock?
        var storeLock: StoreLock?
        var lastHolder: LockHolder?
        var polls = 0
        while true {
            do {
                if lock == nil { lock = try UnitLock.acquire(directory: env.lockDirectory, pipeline: pipeline.name, unit: node.id) }
                if lock != nil, storeLock == nil {
                    switch try await StoreLock.acquire(output: outLoc, unit: node.id, lease: options.lockLease, env: env) {
                    case .held(let l): storeLock = l
                    case .busy(let holder): lastHolder = holder
                    }
                }
            } catch {
                lock?.release()
                result.outcome = .failed
                result.error = VFSError.wrap(error, path: Sidecar.lockLocation(of: outLoc).description).description
                return result
            }
            if lock != nil && storeLock != nil { break }
            guard let deadline, Date() < deadline, polls < 1_000_000 else {
                lock?.release()
                result.outcome = .locked
                let who = lastHolder.map { $0.sentence } ?? "another run is building \(node.id)"
                result.reasons = [lock == nil ? "another run on this machine is building \(node.id) (lock held)" : who] + result.reasons
                return result
            }
            if !waited { env.progress("waiting for the lock of \(node.id): \(lastHolder?.sentence ?? "held by another run")") }
            waited = true
            polls += 1
            // Poll: short at first, then every 2 s (a lock has no notification to wait on).
            let pause = min(0.2 * Double(polls), 2.0)
            try? await Task.sleep(nanoseconds: UInt64(pause * 1_000_000_000))
            if Task.isCancelled { lock?.release(); result.outcome = .locked; return result }
        }
        guard let lock, let storeLock else { return result }
        defer { lock.release() }
        // Another worker may have built the unit while this run evaluated it or waited: its
        // sidecar, written last, says so.
        engine.fingerprints.invalidate(outLoc)
        if let recheck = try? await engine.evaluate(node, trace: nil), recheck.fresh, recheck.adopted != nil,
           !options.forceTargets || !node.isTarget, options.upstream != .all {
            await storeLock.release()
            if let trace = recheck.refreshed {
                try? await env.state.recordFlowBuild(pipeline: pipeline.name, step: node.step.name, partition: node.id.key.description,
                                                     trace: trace.json(), at: trace.builtAt)
            }
            result.outcome = .fresh
            result.outputHash = recheck.trace?.output.fingerprint?.hash
            result.outputSize = recheck.trace?.output.fingerprint?.size
            result.reasons = ["built by another run\(lastHolder.map { " (\($0.owner))" } ?? "") while this one \(waited ? "waited" : "planned")"]
            env.progress("\(node.id) was built by another run")
            return result
        }
        let built = await buildHoldingLock(into: result, started: started)
        if storeLock.lost.withLock({ $0 }) {
            env.progress("warning: the lock of \(node.id) was taken over by another worker while this one built it (its lease of \(FlowEngine.duration(options.lockLease)) ran out): check the clocks, or give a longer --lock-lease")
        }
        await storeLock.release()
        return built
    }

    func buildHoldingLock(into initial: UnitResult, started: Date) async -> UnitResult {
        var result = initial
        env.progress("building \(node.id): \(result.reasons.first ?? "")")
        let maxAttempts = node.step.retries + 1
        var delay = node.step.retryDelay
        var lastError = ""
        for attempt in 1...maxAttempts {
            result.attempts = attempt
            do {
                let (fingerprint, checks, unchanged) = try await attemptWithinTimeout()
                result.checks = checks
                result.outcome = .built
                result.outputHash = fingerprint.hash
                result.outputSize = fingerprint.size
                result.outputUnchanged = unchanged
                result.seconds = Date().timeIntervalSince(started)
                env.progress("built \(node.id)\(unchanged ? " (output unchanged)" : "")")
                return result
            } catch let failure as StepFailure where failure.isCheck {
                // A failing check is not retried: the same inputs give the same output.
                result.checks = failure.checks
                result.outcome = .checkFailed
                result.error = failure.description
                try? await env.state.recordFlowFailure(pipeline: pipeline.name, step: node.step.name,
                                                       partition: node.id.key.description, status: "check-failed", message: failure.description)
                result.seconds = Date().timeIntervalSince(started)
                env.progress("check failed for \(node.id): \(failure.description)")
                return result
            } catch {
                if error is CancellationError || (error as? VFSError)?.code == .cancelled {
                    result.outcome = .failed
                    result.error = "interrupted"
                    return result
                }
                lastError = (error as? StepFailure)?.description ?? VFSError.wrap(error, path: result.output).description
                if attempt < maxAttempts {
                    env.progress("\(node.id) failed (attempt \(attempt) of \(maxAttempts)): \(lastError); retrying in \(String(format: "%.1f", delay)) s")
                    let jitter = Double.random(in: 0.8...1.2)
                    try? await Task.sleep(nanoseconds: UInt64(delay * jitter * 1_000_000_000))
                    delay = min(delay * 2, 300)
                }
            }
        }
        result.outcome = .failed
        result.error = lastError
        result.seconds = Date().timeIntervalSince(started)
        try? await env.state.recordFlowFailure(pipeline: pipeline.name, step: node.step.name,
                                               partition: node.id.key.description, status: "failed", message: lastError)
        env.progress("failed \(node.id): \(lastError)")
        return result
    }

    /// One attempt, stopped after the step's timeout. A shell command is stopped by `timeout(1)`
    /// (with its children); other kinds run in this process and are cancelled.
    func attemptWithinTimeout() async throws -> (Fingerprint, [CheckResult], Bool) {
        guard let timeout = node.step.timeout else { return try await attemptBuild() }
        if case .shell = node.step.kind { return try await attemptBuild() }
        let runner = self
        return try await withThrowingTaskGroup(of: (Fingerprint, [CheckResult], Bool)?.self) { group in
            group.addTask { try await runner.attemptBuild() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(timeout * 1_000_000_000))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw StepFailure(description: "stopped after the step's timeout of \(FlowEngine.duration(timeout))", isCheck: false, checks: [])
            }
            return result
        }
    }

    /// One attempt: run, check, commit, sidecar, trace.
    /// - Returns: the output's fingerprint, the check results, and whether the content equals the previous build's.
    func attemptBuild() async throws -> (Fingerprint, [CheckResult], Bool) {
        let outLoc = try await engine.location(node.output)
        let isDirectoryOutput = pipeline.datasets[node.output.dataset]?.template.text.hasSuffix("/") == true
        // Fingerprint the inputs as they are now, before reading them.
        var inputs: [Trace.Input] = []
        var inputLocations: [Location] = []
        for (_, refs) in node.inputs {
            for ref in refs {
                let loc = try await engine.location(ref)
                if let stat = try await engine.fingerprints.stat(loc) {
                    let hash = try await engine.fingerprints.contentHash(loc)
                    inputs.append(Trace.Input(ref: ref.description, address: loc.description,
                                              fingerprint: Fingerprint(stat: stat.stat, hash: hash, size: stat.size)))
                    inputLocations.append(loc)
                } else {
                    inputs.append(Trace.Input(ref: ref.description, address: loc.description, fingerprint: nil))
                }
            }
        }
        let staging = try Staging(root: env.stagingDirectory, unit: node.id)
        defer { staging.remove() }
        var checks: [CheckResult] = []
        let outputHash: String
        switch node.step.kind {
        case .sync:
            guard let source = inputLocations.first else { throw StepFailure(description: "the input does not exist", isCheck: false, checks: []) }
            try await mirror(source, to: outLoc, failure: "sync of \(source) to \(outLoc) failed")
            checks = try await passingChecks(on: outLoc, localPath: nil)
            outputHash = try await engine.fingerprints.contentHash(outLoc)
        case .copy(let compress, let decompress):
            guard let source = inputLocations.first else { throw StepFailure(description: "the input does not exist", isCheck: false, checks: []) }
            let staged = staging.outputPath(name: outLoc.path.name.isEmpty ? "output" : outLoc.path.name)
            var stream = try await source.fs.read(source.path)
            if decompress || compress != nil {
                stream = try await stream.decompressed(displayPath: source.description, name: source.path.name)
            }
            if let compress, let codec = Codec(rawValue: compress == "gz" ? "gzip" : compress == "bz2" ? "bzip2" : compress) {
                stream = stream.compressed(with: codec)
            }
            let stagedLoc = try await env.resolve(staged)
            try await stagedLoc.fs.write(stagedLoc.path, from: stream, attributes: .none)
            outputHash = try await commitFile(staged: staged, to: outLoc, checks: &checks)
        case .shell(let command):
            let localInputs = try await staging.localInputs(inputLocations, resolve: env.resolve)
            let outputPath = isDirectoryOutput ? staging.outputDirectory() : staging.outputPath(name: outLoc.path.name.isEmpty ? "output" : outLoc.path.name)
            guard let outDataset = pipeline.datasets[node.output.dataset] else {
                throw StepFailure(description: "unknown dataset \(node.output.dataset)", isCheck: false, checks: [])
            }
            let values = engine.resolver.values(of: outDataset, node.output.key)
            let substitutions: [String: String] = [
                "inputs": localInputs.map(ShellQuote.quote).joined(separator: " "),
                "input": localInputs.first.map(ShellQuote.quote) ?? "''",
                "output": ShellQuote.quote(outputPath),
                "partition": ShellQuote.quote(node.output.key.description),
            ]
            var environment = ProcessInfo.processInfo.environment
            environment["DCTC_OUTPUT"] = outputPath
            environment["DCTC_INPUTS"] = localInputs.joined(separator: "\n")
            environment["DCTC_PARTITION"] = node.output.key.description
            environment["DCTC_STEP"] = node.step.name
            let script = ShellQuote.substitute(command, words: substitutions, dimensions: values)
            let status = try await ShellRunner.run(script, environment: environment, directory: staging.root, timeout: node.step.timeout)
            if let timeout = node.step.timeout, status == ShellRunner.timedOut {
                throw StepFailure(description: "the command was stopped after its timeout of \(FlowEngine.duration(timeout))", isCheck: false, checks: [])
            }
            guard status == 0 else {
                throw StepFailure(description: "command exited with status \(status)", isCheck: false, checks: [])
            }
            guard FileManager.default.fileExists(atPath: outputPath) else {
                throw StepFailure(description: "the command did not write {output}", isCheck: false, checks: [])
            }
            if isDirectoryOutput {
                outputHash = try await commitDirectory(staged: outputPath, to: outLoc, checks: &checks)
            } else {
                outputHash = try await commitFile(staged: outputPath, to: outLoc, checks: &checks)
            }
        case .dispatch(let settings):
            let options = try FlowDispatch.options(settings)
            let stagedDir = staging.outputDirectory()
            let stagedLoc = try await env.resolve(stagedDir)
            let inputs = inputLocations.map { DispatchInput.location($0) }
            _ = try await DispatchEngine.run(inputs: inputs, to: DispatchDestination(location: stagedLoc), options: options)
            outputHash = try await commitDirectory(staged: stagedDir, to: outLoc, checks: &checks)
        }
        // The trace: the output's new stat and hash.
        guard let outStat = try await engine.fingerprints.stat(outLoc) else {
            throw VFSError.notFound(outLoc.description)
        }
        let fingerprint = Fingerprint(stat: outStat.stat, hash: outputHash, size: outStat.size)
        let trace = Trace(pipeline: pipeline.name, step: node.step.name, partition: node.id.key.description,
                          spec: node.step.specDigest(in: pipeline), inputs: inputs.sorted { $0.ref < $1.ref },
                          output: Trace.Input(ref: node.output.description, address: outLoc.description, fingerprint: fingerprint),
                          builtAt: Date(), dctcVersion: FlowVersion.string)
        let json = try trace.json()
        // The sidecar is written last: an output without one was not completely built.
        try await Sidecar.write(json, of: outLoc, isDirectory: outStat.info.isDirectory)
        engine.fingerprints.invalidate(outLoc)
        engine.fingerprints.remember(hash: outputHash, for: outLoc)
        try await env.state.recordFlowBuild(pipeline: pipeline.name, step: node.step.name, partition: node.id.key.description,
                                            trace: json, at: trace.builtAt)
        return (fingerprint, checks, previous?.output.fingerprint?.hash == outputHash)
    }

    /// Checks a staged local folder, then makes the output folder match it (a checksum sync:
    /// unchanged files are left alone, extra files removed).
    func commitDirectory(staged: String, to outLoc: Location, checks: inout [CheckResult]) async throws -> String {
        let stagedLoc = try await env.resolve(staged)
        checks = try await passingChecks(on: stagedLoc, localPath: staged)
        try await mirror(stagedLoc, to: outLoc, failure: "writing \(outLoc) failed")
        return try await engine.fingerprints.contentHash(outLoc)
    }

    /// Makes `destination` match `source` (a checksum sync with the state file; sidecars are
    /// dctc's own and take no part), then forgets what was known of the destination.
    func mirror(_ source: Location, to destination: Location, failure: String) async throws {
        var options = SyncOptions()
        options.mode = .sync
        options.compare = .checksum
        options.allowEmptySource = true
        options.state = env.state
        options.filters = try FlowFilters.withoutSidecars()
        let summary = try await SyncEngine(source: source, destination: destination, options: options, log: env.log).run()
        if let first = summary.errors.first {
            throw StepFailure(description: "\(failure): \(first)", isCheck: false, checks: [])
        }
        engine.fingerprints.invalidate(destination)
    }

    /// Runs the step's checks on an output (staged or, for sync steps, in place).
    /// - Throws: `StepFailure` (a check failure) when any check fails.
    func passingChecks(on loc: Location, localPath: String?) async throws -> [CheckResult] {
        let checks = try await Checks.run(node.step.checks, on: loc, localPath: localPath, unit: node, engine: engine)
        if checks.contains(where: { !$0.passed }) {
            throw StepFailure(description: Checks.summary(checks), isCheck: true, checks: checks)
        }
        return checks
    }

    /// Checks a staged local file, then writes it over the output (atomically), unless the
    /// output already holds exactly this content.
    func commitFile(staged: String, to outLoc: Location, checks: inout [CheckResult]) async throws -> String {
        let stagedLoc = try await env.resolve(staged)
        checks = try await passingChecks(on: stagedLoc, localPath: staged)
        let hash = try await stagedLoc.fs.read(stagedLoc.path).hashes([.md5]).hashes[.md5] ?? ""
        // Same content already in place: keep it (and its modification time, so readers stay cheap).
        if let prev = previous?.output.fingerprint, prev.hash == hash,
           let current = try await engine.fingerprints.stat(outLoc), current.stat == prev.stat {
            return hash
        }
        try await outLoc.fs.makeDirectories(outLoc.path.parent)
        _ = try await Transfer.copyFile(from: stagedLoc, to: outLoc)
        engine.fingerprints.invalidate(outLoc)
        return hash
    }
}

/// The version written into traces and sidecars.
public enum FlowVersion {
    public static let string = "dctc-flow/1"
}

/// Sync filters for flow steps: sidecars are dctc's own, never data.
enum FlowFilters {
    static func withoutSidecars() throws -> FilterSet {
        try FilterSet(rules: [FilterRule(.exclude, Sidecar.directoryName), FilterRule(.exclude, "*" + Sidecar.legacyFileSuffix),
                              FilterRule(.exclude, Sidecar.folderName + "/")])
    }
}
