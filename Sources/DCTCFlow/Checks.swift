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
                var rows = 0
                for (_, file) in files {
                    let fileLoc = info.isDirectory ? loc.with(path: file.path) : loc
                    let stream = try await fileLoc.fs.read(fileLoc.path).decompressed(displayPath: fileLoc.description, name: fileLoc.path.name)
                    var last: UInt8 = 10
                    for try await chunk in stream {
                        for b in chunk where b == 10 { rows += 1 }
                        if let l = chunk.last { last = l }
                    }
                    if last != 10 { rows += 1 }
                }
                results.append(CheckResult(check: check.description, passed: rows >= n, detail: "\(rows) rows (at least \(n) wanted)"))
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
}
