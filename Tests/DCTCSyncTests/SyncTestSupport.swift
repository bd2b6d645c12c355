import DCTCBackendLocal
import DCTCBackendMemory
import DCTCCore
import DCTCState
import DCTCSync
import DCTCTestSupport
import Foundation

/// A memory store that fails on purpose: reads of chosen names fail (permanently or for the
/// first N attempts), to test error handling and retries.
final class FaultyStore: VirtualFileSystem, ModificationTimeSetting, @unchecked Sendable {
    let inner = MemoryFileSystem(name: "faulty")
    // Guarded by `lock`.
    private let lock = NSLock()
    private var failReads: [String: (remaining: Int, retryable: Bool)] = [:]
    private(set) var readAttempts: [String: Int] = [:]

    var kind: StoreKind { inner.kind }
    var capabilities: Capabilities { inner.capabilities }
    func display(_ path: VPath) -> String { inner.display(path) }

    func failReads(of name: String, times: Int = .max, retryable: Bool) {
        lock.withLock { failReads[name] = (times, retryable) }
    }

    func info(_ path: VPath) async throws -> FileInfo { try await inner.info(path) }
    func list(_ directory: VPath) -> Listing { inner.list(directory) }
    func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        let fail: (Bool, Bool) = lock.withLock {
            readAttempts[path.name, default: 0] += 1
            guard var f = failReads[path.name], f.remaining > 0 else { return (false, false) }
            f.remaining -= 1
            failReads[path.name] = f
            return (true, f.retryable)
        }
        if fail.0 {
            throw VFSError(fail.1 ? .unavailable : .permissionDenied, "injected failure", path: display(path))
        }
        return try await inner.read(path, range: range)
    }
    func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        try await inner.write(path, from: content, attributes: attributes)
    }
    func remove(_ path: VPath) async throws { try await inner.remove(path) }
    func makeDirectory(_ path: VPath) async throws { try await inner.makeDirectory(path) }
    func removeDirectory(_ path: VPath) async throws { try await inner.removeDirectory(path) }
    func setModificationTime(_ path: VPath, to date: Date) async throws { try await inner.setModificationTime(path, to: date) }
}

/// Builds stores and runs the engine in one line.
struct SyncFixture {
    let src: any VirtualFileSystem
    let dst: any VirtualFileSystem
    let srcRoot: VPath
    let dstRoot: VPath
    var state: StateStore?

    static func memory(_ name: String = "t", state: Bool = true) throws -> SyncFixture {
        let s = MemoryFileSystem(name: "\(name)-src"), d = MemoryFileSystem(name: "\(name)-dst")
        return SyncFixture(src: s, dst: d, srcRoot: VPath("/src"), dstRoot: VPath("/dst"),
                           state: state ? try StateStore(path: try TestData.temporaryDirectory("dctc-state") + "/state.sqlite") : nil)
    }

    var source: Location { Location(fs: src, path: srcRoot, address: Address(scheme: .memory, path: srcRoot, host: "src")) }
    var destination: Location { Location(fs: dst, path: dstRoot, address: Address(scheme: .memory, path: dstRoot, host: "dst")) }

    func put(_ rel: String, _ text: String, at: Date = Date(timeIntervalSince1970: 1_600_000_000), dest: Bool = false) async throws {
        let fs = dest ? dst : src
        let root = dest ? dstRoot : srcRoot
        try await fs.write(root.appending(relative: rel), bytes: Array(text.utf8), attributes: WriteAttributes(modificationTime: at))
    }

    func text(_ rel: String, dest: Bool = true) async throws -> String? {
        let fs = dest ? dst : src
        let p = (dest ? dstRoot : srcRoot).appending(relative: rel)
        guard try await fs.exists(p) else { return nil }
        return String(decoding: try await fs.readAll(p), as: UTF8.self)
    }

    @discardableResult
    func run(_ configure: (inout SyncOptions) -> Void = { _ in }) async throws -> (SyncSummary, [SyncAction]) {
        var options = SyncOptions()
        options.state = state
        options.retryDelay = 0.01
        configure(&options)
        let actions = ActionLog()
        let engine = SyncEngine(source: source, destination: destination, options: options, onAction: { actions.add($0) })
        let summary = try await engine.run()
        return (summary, actions.all)
    }
}

final class ActionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [SyncAction] = []
    func add(_ a: SyncAction) { lock.withLock { items.append(a) } }
    var all: [SyncAction] { lock.withLock { items.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) } } }
}
