import DCTCCore
import DCTCDigest
import DCTCState
import Foundation

/// Where source hashes come from: what the store already knows, the local hash cache, the
/// store's own hashing, and only then reading the file (remembered in the cache for local
/// files, so a file is hashed once until it changes).
struct HashSource: Sendable {
    let state: StateStore?
    let counters: SyncCounters
    /// The cache's answers for every file of the directory being compared, read in one go;
    /// a key absent from it has nothing cached. Nil: ask the cache file by file.
    var prefetched: [HashCacheKey: [HashKind: String]]? = nil

    /// A hash that costs no reading: known by the store, or cached for an unchanged local file.
    func cheap(_ info: FileInfo, kind: HashKind, in location: Location) async throws -> String? {
        if let h = info.hashes[kind] { return h }
        if let state, let key = HashCacheKey(info) {
            let cached: [HashKind: String]
            if let prefetched { cached = prefetched[key] ?? [:] } else { cached = try await state.cachedHashes(key) }
            if let h = cached[kind] { counters.add(cacheHits: 1); return h }
        }
        return nil
    }

    /// The hash, computing it when nothing knows it.
    func full(_ info: FileInfo, kind: HashKind, in location: Location) async throws -> String {
        if let h = try await cheap(info, kind: kind, in: location) { return h }
        let path = info.path
        let value: String
        if info.localIdentity == nil, let remote = location.fs as? any HashProviding,
           location.fs.capabilities.remoteHashes.contains(kind) {
            value = try await remote.hash(path, kind: kind)
        } else {
            let result = try await location.fs.read(path, range: nil).hashes([kind])
            counters.add(hashedBytes: result.size)
            value = result.hashes[kind] ?? ""
        }
        if let state, let key = HashCacheKey(info) { try await state.rememberHashes(key, [kind: value]) }
        return value
    }
}

/// A hasher that sees a stream pass by and can be asked for its results afterwards from
/// another task: the stream calls it serially, the lock makes the final read safe.
final class SharedHasher: ByteTransform, @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private let inner: HashingTransform

    init(kinds: Set<HashKind>) throws { inner = try HashingTransform(kinds: kinds) }

    func process(_ input: [UInt8]) throws -> [UInt8] { try lock.withLock { try inner.process(input) } }
    func finish() throws -> [UInt8] { [] }

    var byteCount: Int64 { lock.withLock { inner.byteCount } }
    func results() -> [HashKind: String] { lock.withLock { inner.results() } }
}

/// Hashes learnt while files streamed, written to the cache in batches (one transaction per
/// 500 files) instead of one transaction per file.
actor HashCacheBatcher {
    private let state: StateStore?
    private var pending: [HashCacheKey: [HashKind: String]] = [:]

    init(state: StateStore?) { self.state = state }

    func remember(_ key: HashCacheKey, _ hashes: [HashKind: String]) async {
        guard state != nil, !hashes.isEmpty else { return }
        pending[key, default: [:]].merge(hashes) { _, new in new }
        if pending.count >= 500 { try? await flush() }
    }

    func flush() async throws {
        guard let state, !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        try await state.rememberHashes(batch)
    }
}
