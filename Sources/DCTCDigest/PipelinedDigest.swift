import DCTCCore
import Dispatch
import Foundation

/// A running hash computed on a serial queue of its own, so that the task producing the bytes
/// (a transfer) does not wait for the hash: chunks are handed over (arrays are shared, not
/// copied) and hashed while the next ones are read or sent.
///
/// Memory is bounded: when more than `limit` bytes wait to be hashed, `update` waits until the
/// queue has caught up. Not for concurrent producers: one task feeds it, in order.
public final class PipelinedDigest: @unchecked Sendable {
    // `digests` and `finished` are touched on `queue` only; `pending` under `lock`.
    private let digests: [Digest]
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var pending = 0
    private let limit: Int

    /// - Parameters:
    ///   - kinds: the hashes to compute.
    ///   - limit: bytes handed over and not hashed yet, at most (then `update` waits).
    /// - Throws: `VFSError(.io)` when libcrypto cannot create a context.
    public init(_ kinds: Set<HashKind>, limit: Int = 8 * 1024 * 1024) throws {
        digests = try kinds.sorted().map { try Digest($0) }
        queue = DispatchQueue(label: "dctc-hash", qos: .userInitiated)
        self.limit = max(1, limit)
    }

    /// True when there is nothing to hash (no kinds asked for).
    public var isEmpty: Bool { digests.isEmpty }

    /// Hands a chunk over; waits only when too much is pending.
    public func update(_ chunk: [UInt8]) async {
        guard !digests.isEmpty, !chunk.isEmpty else { return }
        let waiting = lock.withLock { () -> Int in
            pending += chunk.count
            return pending
        }
        queue.async { [self] in
            for d in self.digests { d.update(chunk) }
            lock.withLock { pending -= chunk.count }
        }
        if waiting > limit {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in queue.async { c.resume() } }
        }
    }

    /// The hashes of everything handed over (lowercase hex), once the queue has caught up.
    public func results() async -> [HashKind: String] {
        guard !digests.isEmpty else { return [:] }
        return await withCheckedContinuation { (c: CheckedContinuation<[HashKind: String], Never>) in
            queue.async { [self] in
                var out: [HashKind: String] = [:]
                for d in self.digests { out[d.kind] = d.finalize() }
                c.resume(returning: out)
            }
        }
    }
}
