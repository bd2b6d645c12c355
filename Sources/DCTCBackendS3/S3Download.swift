import DCTCCore
import DCTCCurl
import Foundation

/// The body of a GET, with errors naming the S3 address and, when the server ignored the
/// Range header, the unwanted bytes skipped and cut here.
actor S3BodySource: ByteSource {
    private let upstream: ByteStream
    private var skip: Int64
    private var remaining: Int64?
    private let display: String

    init(upstream: ByteStream, skip: Int64, limit: Int64?, display: String) {
        self.upstream = upstream
        self.skip = skip
        self.remaining = limit
        self.display = display
    }

    func next() async throws -> [UInt8]? {
        while true {
            if let remaining, remaining <= 0 { return nil }
            let chunk: [UInt8]?
            do {
                chunk = try await upstream.source.next()
            } catch {
                throw s3VFSError(error, display: display)
            }
            guard var bytes = chunk else { return nil }
            if skip > 0 {
                if Int64(bytes.count) <= skip {
                    skip -= Int64(bytes.count)
                    continue
                }
                bytes = Array(bytes[Int(skip)...])
                skip = 0
            }
            if let r = remaining {
                if Int64(bytes.count) >= r {
                    bytes = Array(bytes.prefix(Int(r)))
                    remaining = 0
                    await upstream.cancel()
                } else {
                    remaining = r - Int64(bytes.count)
                }
            }
            if !bytes.isEmpty { return bytes }
        }
    }

    func cancel() async {
        remaining = 0
        await upstream.cancel()
    }
}

/// A large object read as several ranged GETs at once, delivered in order.
///
/// The first range streams straight from the first response; the following ones
/// (`chunkSize` bytes each) are fetched `concurrency` at a time into buffers, with
/// `If-Match` on the first response's ETag so that an object replaced meanwhile fails the
/// read instead of mixing two versions. Memory: `concurrency` chunks at most. Each ranged GET
/// is retried on its own (they are idempotent), so a broken connection costs one chunk.
actor S3ParallelBody: ByteSource {
    typealias Fetch = @Sendable (_ offset: Int64, _ length: Int64) async throws -> [UInt8]

    private var first: ByteStream?
    private var pending: [Task<[UInt8], any Error>] = []
    private var nextOffset: Int64
    private let end: Int64
    private let chunkSize: Int64
    private let concurrency: Int
    private let fetch: Fetch
    private let display: String
    private var finished = false

    /// - Parameters:
    ///   - first: the body of the first range, streamed as it arrives.
    ///   - from: where the bytes after the first range start.
    ///   - end: where the content ends (exclusive).
    ///   - chunkSize: bytes per further GET.
    ///   - concurrency: GETs in flight.
    ///   - display: the address to name in errors.
    ///   - fetch: reads `length` bytes at `offset`.
    init(first: ByteStream, from: Int64, end: Int64, chunkSize: Int64, concurrency: Int, display: String, fetch: @escaping Fetch) {
        self.first = first
        self.nextOffset = from
        self.end = end
        self.chunkSize = max(1, chunkSize)
        self.concurrency = max(1, concurrency)
        self.display = display
        self.fetch = fetch
    }

    deinit {
        for t in pending { t.cancel() }
    }

    func next() async throws -> [UInt8]? {
        guard !finished else { return nil }
        schedule()
        if let stream = first {
            do {
                if let chunk = try await stream.source.next() { return chunk }
            } catch {
                await fail()
                throw s3VFSError(error, display: display)
            }
            first = nil
        }
        guard !pending.isEmpty else {
            finished = true
            return nil
        }
        let task = pending.removeFirst()
        schedule()
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            await fail()
            throw s3VFSError(error, display: display)
        }
    }

    func cancel() async {
        await fail()
    }

    /// Keeps `concurrency` ranged GETs in flight.
    private func schedule() {
        while !finished, pending.count < concurrency, nextOffset < end {
            let offset = nextOffset
            let length = min(chunkSize, end - offset)
            let fetch = self.fetch
            pending.append(Task { try await fetch(offset, length) })
            nextOffset += length
        }
    }

    private func fail() async {
        finished = true
        for t in pending { t.cancel() }
        pending.removeAll()
        if let stream = first {
            first = nil
            await stream.cancel()
        }
    }
}

/// `Content-Range: bytes 0-99/1234` → (0, 99, 1234); the total may be `*` (unknown).
func parseContentRange(_ value: String) -> (first: Int64, last: Int64, total: Int64?)? {
    let text = value.trimmingCharacters(in: .whitespaces)
    guard text.lowercased().hasPrefix("bytes") else { return nil }
    let rest = text.dropFirst(5).trimmingCharacters(in: .whitespaces)
    let parts = rest.split(separator: "/", maxSplits: 1)
    guard parts.count == 2 else { return nil }
    let bounds = parts[0].split(separator: "-", maxSplits: 1)
    guard bounds.count == 2, let a = Int64(bounds[0]), let b = Int64(bounds[1]), b >= a else { return nil }
    return (a, b, Int64(parts[1]))
}
