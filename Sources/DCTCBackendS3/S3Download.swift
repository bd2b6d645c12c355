import DCTCCore
import DCTCCurl
import DCTCDigest
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
/// read instead of mixing two versions. Each ranged GET is retried on its own (they are
/// idempotent), so a broken connection costs one chunk, and a slow reader never stalls a
/// transfer (it is read to its end into its buffer).
///
/// Memory: `concurrency + 1` chunk buffers, refilled rather than freed (a fresh multi-megabyte
/// block per chunk makes glibc's allocator keep tens of megabytes around); the reader gets
/// slices of `sliceSize` bytes.
actor S3ParallelBody: ByteSource {
    /// Reads `length` bytes at `offset` into `buffer` (emptied first, its capacity kept).
    typealias Fetch = @Sendable (_ offset: Int64, _ length: Int64, _ buffer: S3ChunkBuffer) async throws -> Void

    private var first: ByteStream?
    private var pending: [(task: Task<Void, any Error>, buffer: S3ChunkBuffer)] = []
    private var spare: [S3ChunkBuffer] = []
    private var current: S3ChunkBuffer?
    private var position = 0
    private var nextOffset: Int64
    private let end: Int64
    private let chunkSize: Int64
    private let concurrency: Int
    private let sliceSize: Int
    private let fetch: Fetch
    private let display: String
    private var finished = false

    /// - Parameters:
    ///   - first: the body of the first range, streamed as it arrives.
    ///   - from: where the bytes after the first range start.
    ///   - end: where the content ends (exclusive).
    ///   - chunkSize: bytes per further GET.
    ///   - concurrency: GETs in flight.
    ///   - sliceSize: bytes per chunk handed to the reader.
    ///   - display: the address to name in errors.
    ///   - fetch: reads a range into a buffer.
    init(first: ByteStream, from: Int64, end: Int64, chunkSize: Int64, concurrency: Int,
         sliceSize: Int = ByteStream.defaultChunkSize, display: String, fetch: @escaping Fetch) {
        self.first = first
        self.nextOffset = from
        self.end = end
        self.chunkSize = max(1, chunkSize)
        self.concurrency = max(1, concurrency)
        self.sliceSize = max(1, sliceSize)
        self.display = display
        self.fetch = fetch
    }

    deinit {
        for p in pending { p.task.cancel() }
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
        if position >= (current?.bytes.count ?? 0) {
            if let done = current { spare.append(done) }
            current = nil
            position = 0
            guard !pending.isEmpty else {
                finished = true
                return nil
            }
            let (task, buffer) = pending.removeFirst()
            schedule()
            do {
                try await withTaskCancellationHandler {
                    try await task.value
                } onCancel: {
                    task.cancel()
                }
            } catch {
                await fail()
                throw s3VFSError(error, display: display)
            }
            current = buffer
            guard !buffer.bytes.isEmpty else { return try await next() }
        }
        guard let buffer = current else { return nil }
        let n = min(sliceSize, buffer.bytes.count - position)
        defer { position += n }
        return Array(buffer.bytes[position..<(position + n)])
    }

    func cancel() async {
        await fail()
    }

    /// Keeps `concurrency` ranged GETs in flight, each with a recycled buffer when one is free.
    private func schedule() {
        while !finished, pending.count < concurrency, nextOffset < end {
            let offset = nextOffset
            let length = min(chunkSize, end - offset)
            let buffer = spare.popLast() ?? S3ChunkBuffer()
            let fetch = self.fetch
            pending.append((Task { try await fetch(offset, length, buffer) }, buffer))
            nextOffset += length
        }
    }

    private func fail() async {
        finished = true
        for p in pending { p.task.cancel() }
        pending.removeAll()
        spare.removeAll()
        current = nil
        if let stream = first {
            first = nil
            await stream.cancel()
        }
    }
}

/// A reusable buffer for one ranged GET. Its array is referenced by this object only, so it
/// is refilled in place (no copy on write).
///
/// `@unchecked Sendable`: it is handed from the reader to one fetch task and back, never used
/// by two tasks at once (the reader touches it only after awaiting that task).
final class S3ChunkBuffer: @unchecked Sendable {
    var bytes: [UInt8] = []
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

/// The whole-object MD5 a GET's headers promise: `x-amz-meta-md5chksum` (rclone's, and
/// dctc's, record of a multipart upload), else a single-part ETag (an MD5 unless the object
/// is encrypted with SSE-KMS or SSE-C). nil when the answer promises nothing checkable.
func knownContentMD5(_ headers: CurlHeaders) -> String? {
    if let meta = headers["x-amz-meta-\(S3Metadata.md5Key)"], let hex = S3Crypto.hex(fromBase64: meta) { return hex }
    guard let etag = headers["ETag"].map(S3XML.unquote), S3Crypto.isMD5Hex(etag) else { return nil }
    let encryption = headers["x-amz-server-side-encryption"]?.lowercased() ?? ""
    if encryption.hasPrefix("aws:kms") || headers["x-amz-server-side-encryption-customer-algorithm"] != nil { return nil }
    return etag.lowercased()
}

/// Passes a whole object's bytes through while hashing them, and fails at the end when their
/// MD5 is not the one the store promised: the reader (a local write into a temporary file)
/// then discards what it has, so damaged bytes never reach the final name.
actor S3VerifyingBody: ByteSource {
    private let upstream: ByteStream
    private let digest: PipelinedDigest
    private let expected: String
    private let display: String
    private var count: Int64 = 0

    init(_ upstream: ByteStream, md5 expected: String, display: String) throws {
        self.upstream = upstream
        self.expected = expected.lowercased()
        self.display = display
        digest = try PipelinedDigest([.md5])
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.source.next() else {
            let actual = await digest.results()[.md5] ?? ""
            guard actual == expected else {
                throw VFSError(.checksumMismatch,
                               "the \(count) bytes received have MD5 \(actual), not the \(expected) the server records for the object",
                               path: display, remedy: "run the command again; check the network path to the server", backend: "s3")
            }
            return nil
        }
        count += Int64(chunk.count)
        // Hashed on a queue of its own while the chunk goes on to the writer.
        await digest.update(chunk)
        return chunk
    }

    func cancel() async { await upstream.cancel() }
}
