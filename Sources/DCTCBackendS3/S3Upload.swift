import DCTCCore
import DCTCDigest
import Foundation

/// Reads an upload's content in parts of a requested size, hashing and counting every byte on
/// the way (one pass over the data for the part buffers and the whole-object hashes).
///
/// Used by one task only (the one writing the object); the parts it returns are plain arrays
/// that upload tasks may take.
final class S3PartReader {
    private var iterator: ByteStream.AsyncIterator
    private let stream: ByteStream
    private var carry: [UInt8] = []
    private var carryOffset = 0
    private let digests: PipelinedDigest
    /// Bytes read so far.
    private(set) var byteCount: Int64 = 0
    /// True once the stream has ended.
    private(set) var ended = false

    /// - Parameters:
    ///   - stream: the content.
    ///   - kinds: hashes of the whole content to compute.
    /// - Throws: `VFSError(.io)` when a digest cannot be created.
    init(_ stream: ByteStream, hashing kinds: Set<HashKind>) throws {
        self.stream = stream
        iterator = stream.makeAsyncIterator()
        digests = try PipelinedDigest(kinds)
    }

    /// The next `limit` bytes, or fewer at the end of the stream (empty when nothing is left).
    ///
    /// - Throws: whatever the stream throws; `CancellationError` when the task is cancelled.
    func read(upTo limit: Int) async throws -> [UInt8] {
        var part: [UInt8] = []
        try await fill(&part, upTo: limit)
        return part
    }

    /// Appends to `part` until it holds `limit` bytes or the stream ends, reusing its storage
    /// (a recycled part buffer keeps its capacity: no new allocation per part).
    ///
    /// - Throws: whatever the stream throws; `CancellationError` when the task is cancelled.
    func fill(_ part: inout [UInt8], upTo limit: Int) async throws {
        if part.capacity < limit { part.reserveCapacity(limit) }
        if carryOffset < carry.count {
            let n = min(limit - part.count, carry.count - carryOffset)
            part.append(contentsOf: carry[carryOffset..<(carryOffset + n)])
            carryOffset += n
            if carryOffset >= carry.count { carry = []; carryOffset = 0 }
        }
        while part.count < limit, !ended {
            try Task.checkCancellation()
            guard let chunk = try await iterator.next() else {
                ended = true
                break
            }
            byteCount += Int64(chunk.count)
            await digests.update(chunk)  // hashed on its own queue, while the parts are sent
            let room = limit - part.count
            if chunk.count <= room {
                part.append(contentsOf: chunk)
            } else {
                part.append(contentsOf: chunk[..<room])
                carry = chunk
                carryOffset = room
            }
        }
    }

    /// Stops the producer (after a failure).
    func cancel() async { await stream.cancel() }

    /// The whole-content hashes; meaningful once `ended`.
    func results() async -> [HashKind: String] {
        await digests.results()
    }
}

/// The `x-amz-meta-*` headers of a new object.
enum S3Metadata {
    /// rclone's key for the modification time: decimal seconds since the epoch.
    static let mtimeKey = "mtime"
    /// rclone's key for the MD5 of a multipart upload: base64 of the 16 bytes.
    static let md5Key = "md5chksum"

    /// Headers for `metadata` (keys lowercased), the modification time and the MD5.
    ///
    /// Values that are not printable ASCII are sent RFC 2047-encoded (`=?UTF-8?B?…?=`), as the
    /// AWS SDKs do, and decoded again by `decode`.
    ///
    /// - Throws: `.invalidArgument` for a key that cannot be an HTTP header name.
    static func headers(_ metadata: [String: String], modificationTime: Date?, md5Hex: String?,
                        display: String) throws -> [(String, String)] {
        var all: [String: String] = [:]
        for (key, value) in metadata {
            let k = key.lowercased()
            guard !k.isEmpty, k.utf8.allSatisfy({ c in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                    || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            }) else {
                throw VFSError.invalid("the metadata key '\(key)' cannot be stored on S3", path: display,
                                       remedy: "use letters, digits, '-', '_' and '.' only")
            }
            all[k] = value
        }
        if let modificationTime { all[mtimeKey] = S3Time.formatEpoch(modificationTime) }
        if let md5Hex { all[md5Key] = S3Crypto.base64(fromHex: md5Hex) }
        return all.sorted { $0.key < $1.key }.map { ("x-amz-meta-\($0.key)", encode($0.value)) }
    }

    /// Headers for metadata read from an existing object (a copy): keys that cannot be sent
    /// are dropped instead of failing the copy.
    static func lenientHeaders(_ metadata: [String: String], modificationTime: Date?) -> [(String, String)] {
        let valid = metadata.filter { key, _ in
            !key.isEmpty && key.utf8.allSatisfy { c in c > 0x20 && c < 0x7f && c != UInt8(ascii: ":") }
        }
        var all = valid
        if let modificationTime { all[mtimeKey] = S3Time.formatEpoch(modificationTime) }
        return all.sorted { $0.key < $1.key }.map { ("x-amz-meta-\($0.key.lowercased())", encode($0.value)) }
    }

    /// The user metadata of a response's headers (`x-amz-meta-` removed, keys lowercased).
    static func decode<S: Sequence>(_ headers: S) -> [String: String] where S.Element == (name: String, value: String) {
        var out: [String: String] = [:]
        for (name, value) in headers {
            let n = name.lowercased()
            guard n.hasPrefix("x-amz-meta-") else { continue }
            out[String(n.dropFirst("x-amz-meta-".count))] = decodeValue(value)
        }
        return out
    }

    private static func encode(_ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
        if plain && !value.hasPrefix("=?") { return value }
        return "=?UTF-8?B?" + Data(value.utf8).base64EncodedString() + "?="
    }

    private static func decodeValue(_ value: String) -> String {
        guard value.hasPrefix("=?"), value.hasSuffix("?="), value.lowercased().hasPrefix("=?utf-8?b?") else { return value }
        let body = value.dropFirst("=?UTF-8?B?".count).dropLast(2)
        guard let data = Data(base64Encoded: String(body)), let s = String(data: data, encoding: .utf8) else { return value }
        return s
    }
}
