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
    /// The state files `engine` opened, kept open until `loseState` closes them.
    let openedStores = StoreList()

    init() throws { scratch = try Scratch("dctc-flow") }

    func cleanup() { scratch.cleanup() }

    func write(_ rel: String, _ text: String) throws { _ = try scratch.write(rel, text) }
    func read(_ rel: String) throws -> String { try scratch.readString(rel) }
    func exists(_ rel: String) -> Bool { FileManager.default.fileExists(atPath: scratch.url(rel)) }

    /// Closes every state file this fixture opened, then moves the state folder away, as on a
    /// new machine.
    ///
    /// The stores are closed first and waited for: a store dropped without `close()` closes on
    /// its own thread later, and SQLite then deletes its `-wal` file by the path it opened
    /// (`state/state.sqlite-wal`), which by then would be the new state file's ("disk I/O
    /// error" under load). Moved, not deleted, so no new file can reuse an inode still open.
    func loseState(_ folder: String = "state") async {
        for store in openedStores.takeAll() { await store.close() }
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
        let store = try state ?? openedStores.add(StateStore(path: scratch.url("\(stateFolder)/state.sqlite")))
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

/// The state stores a fixture opened (held strongly, so none closes behind the fixture's back).
final class StoreList: @unchecked Sendable {
    private let lock = NSLock()
    private var stores: [StateStore] = []

    func add(_ store: StateStore) -> StateStore {
        lock.withLock { stores.append(store) }
        return store
    }

    func takeAll() -> [StateStore] {
        lock.withLock {
            defer { stores.removeAll() }
            return stores
        }
    }
}
