import Foundation

/// A source of byte chunks with exactly one consumer.
///
/// `next()` returns the next chunk, or nil at the end. Chunks are never empty. A consumer
/// that stops early calls `cancel()` so the producer can release its resources (a file
/// descriptor, a network connection).
public protocol ByteSource: AnyObject, Sendable {
    func next() async throws -> [UInt8]?
    func cancel() async
}

extension ByteSource {
    public func cancel() async {}
}

/// A stream of byte chunks: the currency of every read and write in dctc.
///
/// Streams are pulled, so they are bounded by construction: a producer runs only as fast as
/// its consumer takes chunks, and a transfer holds a few chunks in memory whatever the file
/// size. A stream has a single consumer; iterate it once.
public struct ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    /// The default chunk size for reads: large enough to amortise syscalls and C calls.
    public static let defaultChunkSize = 256 * 1024

    public let source: any ByteSource

    public init(_ source: any ByteSource) { self.source = source }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any ByteSource
        public mutating func next() async throws -> [UInt8]? { try await source.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }

    /// Tells the producer that no more chunks will be read.
    public func cancel() async { await source.cancel() }

    /// A stream of the given bytes, served in chunks.
    public static func bytes(_ bytes: [UInt8], chunkSize: Int = defaultChunkSize) -> ByteStream {
        ByteStream(MemorySource(bytes, chunkSize: chunkSize))
    }

    public static func string(_ s: String) -> ByteStream { .bytes(Array(s.utf8)) }

    public static var empty: ByteStream { .bytes([]) }

    /// A stream fed by a closure that returns the next chunk or nil at the end.
    public static func pulling(_ next: @escaping @Sendable () async throws -> [UInt8]?) -> ByteStream {
        ByteStream(ClosureSource(next))
    }

    /// This stream passed through a transform (a codec, a hasher) chunk by chunk.
    public func transformed<T: ByteTransform>(by transform: sending T) -> ByteStream {
        ByteStream(TransformSource(upstream: self, transform: transform))
    }

    /// The first `count` bytes of this stream; the producer is cancelled once they are read.
    public func prefix(bytes count: Int64) -> ByteStream {
        ByteStream(PrefixSource(upstream: self, remaining: count))
    }

    /// Reads the whole stream into memory.
    ///
    /// - Throws: `VFSError.invalidArgument` when the content is larger than `limit` bytes,
    ///   so a caller can never be made to buffer an unbounded file by accident.
    public func collect(limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self {
            if out.count + chunk.count > limit {
                await cancel()
                throw VFSError.invalid("content is larger than \(limit) bytes and cannot be held in memory")
            }
            out.append(contentsOf: chunk)
        }
        return out
    }
}

/// A stateful chunk-by-chunk transformation (compression, decompression, hashing).
///
/// Called serially by one stream: `process` for each input chunk, `finish` once at the end.
/// Either may return an empty array when it has nothing to emit yet.
public protocol ByteTransform: AnyObject {
    func process(_ input: [UInt8]) throws -> [UInt8]
    func finish() throws -> [UInt8]
}

// MARK: - Sources

/// Serves an in-memory buffer.
actor MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    init(_ bytes: [UInt8], chunkSize: Int) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    func next() async throws -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + chunkSize)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }

    func cancel() async { offset = bytes.count }
}

actor ClosureSource: ByteSource {
    private let pull: @Sendable () async throws -> [UInt8]?
    private var done = false

    init(_ pull: @escaping @Sendable () async throws -> [UInt8]?) { self.pull = pull }

    func next() async throws -> [UInt8]? {
        while !done {
            guard let chunk = try await pull() else { done = true; return nil }
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }

    func cancel() async { done = true }
}

actor TransformSource<T: ByteTransform>: ByteSource {
    private let upstream: ByteStream
    private let transform: T
    private var finished = false

    init(upstream: ByteStream, transform: sending T) {
        self.upstream = upstream
        self.transform = transform
    }

    func next() async throws -> [UInt8]? {
        while !finished {
            if let chunk = try await upstream.source.next() {
                let out = try transform.process(chunk)
                if !out.isEmpty { return out }
            } else {
                finished = true
                let tail = try transform.finish()
                return tail.isEmpty ? nil : tail
            }
        }
        return nil
    }

    func cancel() async {
        finished = true
        await upstream.cancel()
    }
}

actor PrefixSource: ByteSource {
    private let upstream: ByteStream
    private var remaining: Int64

    init(upstream: ByteStream, remaining: Int64) {
        self.upstream = upstream
        self.remaining = max(0, remaining)
    }

    func next() async throws -> [UInt8]? {
        guard remaining > 0 else { return nil }
        guard let chunk = try await upstream.source.next() else { remaining = 0; return nil }
        if Int64(chunk.count) <= remaining {
            remaining -= Int64(chunk.count)
            if remaining == 0 { await upstream.cancel() }
            return chunk
        }
        let part = Array(chunk.prefix(Int(remaining)))
        remaining = 0
        await upstream.cancel()
        return part
    }

    func cancel() async {
        remaining = 0
        await upstream.cancel()
    }
}

/// Passes bytes through unchanged while showing each chunk to an observer (hashing, counting).
public final class ObservingTransform: ByteTransform {
    private let observe: ([UInt8]) throws -> Void
    public init(_ observe: @escaping ([UInt8]) throws -> Void) { self.observe = observe }
    public func process(_ input: [UInt8]) throws -> [UInt8] { try observe(input); return input }
    public func finish() throws -> [UInt8] { [] }
}
