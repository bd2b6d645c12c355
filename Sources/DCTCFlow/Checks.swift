import DCTCCompression
import DCTCCore
import DCTCDigest
import Foundation

/// The checks a step's output must pass before it replaces the previous one.
enum Checks {
    static func summary(_ results: [CheckResult]) -> String {
        results.filter { !$0.passed }.map { "check \($0.check) failed: \($0.detail)" }.joined(separator: "; ")
    }

    /// Runs the checks on the staged output (or, for sync steps, the output itself).
    static func run(_ checks: [OutputCheck], on loc: Location, localPath: String?, unit: UnitNode, engine: FlowEngine) async throws -> [CheckResult] {
        guard !checks.isEmpty else { return [] }
        let files: [(String, FileInfo)]
        let info = try await loc.fs.info(loc.path)
        if info.isDirectory {
            files = try await engine.fingerprints.files(under: loc)
        } else {
            files = [(loc.path.name, info)]
        }
        let size = files.reduce(Int64(0)) { $0 + ($1.1.size ?? 0) }
        var results: [CheckResult] = []
        for check in checks {
            switch check {
            case .nonEmpty:
                results.append(CheckResult(check: check.description, passed: size > 0,
                                           detail: size > 0 ? "\(size) bytes" : "the output is empty"))
            case .minSize(let n):
                results.append(CheckResult(check: check.description, passed: size >= n, detail: "\(size) bytes (at least \(n) wanted)"))
            case .minRows(let n):
                let rows = try await countRows(files, in: loc, isDirectory: info.isDirectory)
                results.append(CheckResult(check: check.description, passed: rows >= n, detail: "\(rows) rows (at least \(n) wanted)"))
            case .compare(let measure, let maxChange):
                results.append(try await compare(check, measure: measure, maxChange: maxChange, size: size, files: files,
                                                 loc: loc, isDirectory: info.isDirectory, unit: unit, engine: engine))
            case .shell(let command):
                let target = localPath ?? loc.description
                let values = ["output": ShellQuote.quote(target), "partition": ShellQuote.quote(unit.output.key.description)]
                let dimensions = engine.pipeline.datasets[unit.output.dataset].map { engine.resolver.values(of: $0, unit.output.key) } ?? [:]
                var environment = ProcessInfo.processInfo.environment
                environment["DCTC_OUTPUT"] = target
                environment["DCTC_PARTITION"] = unit.output.key.description
                let status = try await ShellRunner.run(ShellQuote.substitute(command, words: values, dimensions: dimensions), environment: environment,
                                                       directory: FileManager.default.currentDirectoryPath)
                results.append(CheckResult(check: check.description, passed: status == 0, detail: "exit status \(status)"))
            }
        }
        return results
    }

    /// Lines in the (decompressed) files; a last line without a newline counts.
    static func countRows(_ files: [(String, FileInfo)], in loc: Location, isDirectory: Bool) async throws -> Int {
        var rows = 0
        for (_, file) in files {
            let fileLoc = isDirectory ? loc.with(path: file.path) : loc
            let stream = try await fileLoc.fs.read(fileLoc.path).decompressed(displayPath: fileLoc.description, name: fileLoc.path.name)
            var last: UInt8 = 10
            for try await chunk in stream {
                for b in chunk where b == 10 { rows += 1 }
                if let l = chunk.last { last = l }
            }
            if last != 10 { rows += 1 }
        }
        return rows
    }

    /// The partition a `compare: previous` check of the unit reads, or nil without one.
    static func comparedPartition(of unit: UnitNode, engine: FlowEngine) -> PartitionRef? {
        guard unit.step.checks.contains(where: { if case .compare = $0 { true } else { false } }) else { return nil }
        return previousPartition(of: unit, engine: engine)
    }

    /// The previous partition of the same dataset: every time dimension one period earlier.
    static func previousPartition(of unit: UnitNode, engine: FlowEngine) -> PartitionRef? {
        guard let ds = engine.pipeline.datasets[unit.output.dataset] else { return nil }
        var values: [String] = []
        var moved = false
        for (name, text) in zip(ds.dimensions, unit.output.key.values) {
            if case .time(let grain, let start, _)? = engine.pipeline.dimensions[name]?.kind, let p = TimePeriod.parse(text) {
                let previous = p.truncated(to: grain).advanced(by: -1)
                guard previous >= start else { return nil }
                values.append(previous.description)
                moved = true
            } else {
                values.append(text)
            }
        }
        return moved ? PartitionRef(dataset: unit.output.dataset, key: PartitionKey(values)) : nil
    }

    /// `compare: previous`: the change of size (or rows) from the previous partition, wherever it is stored.
    static func compare(_ check: OutputCheck, measure: OutputCheck.CompareMeasure, maxChange: Double, size: Int64,
                        files: [(String, FileInfo)], loc: Location, isDirectory: Bool, unit: UnitNode, engine: FlowEngine) async throws -> CheckResult {
        guard let previous = previousPartition(of: unit, engine: engine) else {
            return CheckResult(check: check.description, passed: true, detail: "no previous partition (the first of the dimension)")
        }
        let previousLoc = try await engine.location(previous)
        guard let stat = try await engine.fingerprints.stat(previousLoc) else {
            return CheckResult(check: check.description, passed: true, detail: "\(previous) does not exist: nothing to compare with")
        }
        let now: Double, before: Double
        switch measure {
        case .size:
            now = Double(size); before = Double(stat.size)
        case .rows:
            now = Double(try await countRows(files, in: loc, isDirectory: isDirectory))
            let previousFiles = stat.info.isDirectory ? try await engine.fingerprints.files(under: previousLoc) : [(previousLoc.path.name, stat.info)]
            before = Double(try await countRows(previousFiles, in: previousLoc, isDirectory: stat.info.isDirectory))
        }
        let change = before == 0 ? (now == 0 ? 0 : Double.infinity) : abs(now - before) / before
        let percent = change.isFinite ? String(format: "%.1f%%", change * 100) : "from nothing"
        let unitName = measure == .size ? "bytes" : "rows"
        return CheckResult(check: check.description, passed: change <= maxChange,
                           detail: "\(Int64(now)) \(unitName) against \(Int64(before)) in \(previous): a change of \(percent) (at most \(Int((maxChange * 100).rounded()))% allowed)")
    }
}
