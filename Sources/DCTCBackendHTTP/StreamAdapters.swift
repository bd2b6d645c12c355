import DCTCCore
import DCTCDigest
import Foundation

/// Passes a window of an upstream stream: drops the first `skip` bytes, then passes at most
/// `take` bytes (all the rest when nil) and cancels the upstream once they are through.
///
/// Reads use it when a server ignores `Range` and sends the whole file (status 200): the
/// caller still gets exactly the bytes it asked for. The skipped bytes do cross the network.
final class ByteWindowSource: ByteSource, @unchecked Sendable {
    // Guarded by `lock`; `next` is called by one consumer at a time (ByteStream's contract),
    // the lock only orders it with `cancel`.
    private let lock = NSLock()
    private let upstream: ByteStream
    private var toSkip: Int64
    private var remaining: Int64?
    /// The upstream ended or was cancelled: nothing more to pass, nothing to cancel.
    private var upstreamDone = false

    init(upstream: ByteStream, skip: Int64, take: Int64?) {
        self.upstream = upstream
        toSkip = max(0, skip)
        remaining = take.map { max(0, $0) }
    }

    func next() async throws -> [UInt8]? {
        while true {
            if lock.withLock({ remaining == 0 || upstreamDone }) {
                await cancel()
                return nil
            }
            guard var chunk = try await upstream.source.next() else {
                lock.withLock { upstreamDone = true }
                return nil
            }
            let output: [UInt8]? = lock.withLock {
                if toSkip > 0 {
                    if Int64(chunk.count) <= toSkip {
                        toSkip -= Int64(chunk.count)
                        return nil
                    }
                    chunk.removeFirst(Int(toSkip))
                    toSkip = 0
                }
                if let left = remaining {
                    if Int64(chunk.count) > left { chunk.removeLast(chunk.count - Int(left)) }
                    remaining = left - Int64(chunk.count)
                }
                return chunk.isEmpty ? nil : chunk
            }
            if let output { return output }
        }
    }

    func cancel() async {
        let first = lock.withLock { () -> Bool in
            defer { upstreamDone = true }
            return !upstreamDone
        }
        if first { await upstream.cancel() }
    }
}

/// Counts and hashes the bytes of an upload as libcurl pulls them, so the store can check
/// them against the writer's expectations once the server has the whole content.
final class UploadMeter: @unchecked Sendable {
    // Guarded by `lock`: the upload feeder task writes, the store reads after the upload.
    private let lock = NSLock()
    private let hasher: HashingTransform

    /// - Throws: when a hash algorithm cannot be set up.
    init(kinds: Set<HashKind>) throws {
        hasher = try HashingTransform(kinds: kinds)
    }

    func add(_ chunk: [UInt8]) {
        lock.withLock { _ = try? hasher.process(chunk) }
    }

    var byteCount: Int64 { lock.withLock { hasher.byteCount } }

    /// The digests; call once, after the upload ended.
    func results() -> [HashKind: String] { lock.withLock { hasher.results() } }
}

/// A stream that shows every chunk to an `UploadMeter` on its way through.
final class MeteredSource: ByteSource, @unchecked Sendable {
    // Immutable; ByteStream guarantees a single consumer.
    private let upstream: ByteStream
    private let meter: UploadMeter

    init(upstream: ByteStream, meter: UploadMeter) {
        self.upstream = upstream
        self.meter = meter
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.source.next() else { return nil }
        meter.add(chunk)
        return chunk
    }

    func cancel() async { await upstream.cancel() }
}
