import DCTCBackendLocal
import DCTCCore
import DCTCState
import DCTCTestSupport
@testable import DCTCFlow
import Foundation

/// A pipeline in a scratch folder, on the local store, with its own state file.
struct FlowFixture {
    let scratch: Scratch
    let fs = LocalFileSystem()

    init() throws { scratch = try Scratch("dctc-flow") }

    func cleanup() { scratch.cleanup() }

    func write(_ rel: String, _ text: String) throws { _ = try scratch.write(rel, text) }
    func read(_ rel: String) throws -> String { try scratch.readString(rel) }
    func exists(_ rel: String) -> Bool { FileManager.default.fileExists(atPath: scratch.url(rel)) }

    /// Removes the state folder, as on a new machine (SQLite may still be removing its side
    /// files of a closing connection: try again a few times).
    func loseState(_ folder: String = "state") {
        // Moved away, not deleted: a connection still open on the old file keeps its inode, so
        // the new state file cannot get the same inode number (SQLite would take the two for
        // one file and share their locks: "disk I/O error" under load).
        for _ in 0..<20 where FileManager.default.fileExists(atPath: scratch.url(folder)) {
            try? FileManager.default.moveItem(atPath: scratch.url(folder), toPath: scratch.url("\(folder)-lost-\(UUID().uuidString)"))
        }
    }

    /// Sets a file's modification time (to make a same-content rewrite visible by stat).
    func touch(_ rel: String, secondsAgo: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -secondsAgo)], ofItemAtPath: scratch.url(rel))
    }

    func pipeline(_ yaml: String) throws -> Pipeline {
        try PipelineParser.parse(yaml, path: scratch.url("pipeline.dctc.yaml"))
    }

    /// An engine; `stateFolder` gives it a state file and lock folder of its own (another worker).
    func engine(_ yaml: String, state: StateStore? = nil, stateFolder: String = "state") throws -> FlowEngine {
        let p = try pipeline(yaml)
        let base = scratch.path
        let fs = self.fs
        let store = try state ?? StateStore(path: scratch.url("\(stateFolder)/state.sqlite"))
        let env = FlowEnvironment(
            resolve: { address in
                let parsed = try Address.parse(address, cwd: base)
                return Location(fs: fs, path: parsed.path, address: parsed)
            },
            state: store, lockDirectory: scratch.url("\(stateFolder)/locks"), stagingDirectory: NSTemporaryDirectory(),
            now: 1_400_000_000)
        return FlowEngine(pipeline: p, environment: env)
    }

    /// Builds targets and returns the report.
    func build(_ engine: FlowEngine, _ targets: String..., options: BuildOptions = BuildOptions()) async throws -> FlowReport {
        var refs: [PartitionRef] = []
        for t in targets { refs += try engine.targets(t) }
        return try await engine.build(refs, options: options)
    }

    /// Raw daily logs for 2013-06-01 … 2013-06-NN.
    func rawDays(_ days: ClosedRange<Int>) throws {
        for d in days {
            try write(String(format: "raw/2013-06-%02d.log", d), "a \(d)\nb \(d)\n")
        }
    }

    static let weblogs = """
    name: weblogs
    dimensions:
      date: {type: time, grain: day, start: 2013-06-01}
    datasets:
      raw:
        path: "raw/{date}.log"
        external: true
      raw_gz:
        path: "gz/{date:%Y/%m/%d}.log.gz"
      rollup:
        path: "rollup/{date}.txt"
    steps:
      compress:
        kind: copy
        compress: gz
        input: raw
        output: raw_gz
      roll:
        kind: shell
        command: "for f in {inputs}; do gzip -dc \\"$f\\"; done | sort > {output}"
        inputs:
          - dataset: raw_gz
            date: window(-6d, 0d)
        output: rollup
        checks:
          - min_rows: 2
    """
}

extension FlowReport {
    func outcome(_ unit: String) -> UnitOutcome? {
        units.first { "\($0.step)@\($0.partition)" == unit }?.outcome
    }
    var builtUnits: [String] { units.filter { $0.outcome == .built }.map { "\($0.step)@\($0.partition)" } }
}
