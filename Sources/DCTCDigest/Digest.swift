import CDCTCCrypto
import DCTCCore

/// A running content hash over OpenSSL's libcrypto (`EVP_Digest*`).
///
/// libcrypto is already linked through libcurl and hashes at assembly speed (MD5 ~500 MiB/s,
/// SHA-256 ~300 MiB/s here), with no build cost; swift-crypto would add two minutes to every
/// clean build for the same speed. Not thread-safe: one owner feeds it.
public final class Digest {
    public let kind: HashKind
    private let context: OpaquePointer
    private var finished: String?

    /// - Throws: `VFSError(.io)` when libcrypto cannot create a context (out of memory).
    public init(_ kind: HashKind) throws {
        self.kind = kind
        guard let ctx = EVP_MD_CTX_new() else {
            throw VFSError(.io, "cannot create a \(kind) context (EVP_MD_CTX_new failed)")
        }
        context = ctx
        let md: OpaquePointer? = switch kind {
        case .md5: EVP_md5()
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
        guard let md, EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw VFSError(.io, "cannot start a \(kind) digest (EVP_DigestInit_ex failed)")
        }
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes (`EVP_DigestUpdate`).
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard finished == nil, let base = buffer.baseAddress, buffer.count > 0 else { return }
        // EVP_DigestUpdate only fails on a context that was never initialised, which init rules out.
        _ = EVP_DigestUpdate(context, base, buffer.count)
    }

    /// The lowercase hex digest (`EVP_DigestFinal_ex`). Calling it again returns the same value.
    public func finalize() -> String {
        if let finished { return finished }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        let hex = Digest.hex(out.prefix(Int(length)))
        finished = hex
        return hex
    }

    /// Hashes bytes held in memory.
    public static func hash(_ bytes: [UInt8], kind: HashKind) throws -> String {
        let d = try Digest(kind)
        d.update(bytes)
        return d.finalize()
    }

    private static let digits = Array("0123456789abcdef".utf8)

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var chars: [UInt8] = []
        for b in bytes {
            chars.append(digits[Int(b >> 4)])
            chars.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}

/// Hashes a stream with several algorithms at once while passing the bytes through unchanged.
///
/// Also counts the bytes, so a writer can verify size and hashes after one pass.
public final class HashingTransform: ByteTransform {
    private let digests: [Digest]
    public private(set) var byteCount: Int64 = 0

    public init(kinds: Set<HashKind>) throws {
        digests = try kinds.sorted().map { try Digest($0) }
    }

    public func process(_ input: [UInt8]) throws -> [UInt8] {
        byteCount += Int64(input.count)
        for d in digests { d.update(input) }
        return input
    }

    public func finish() throws -> [UInt8] { [] }

    /// True when no hash was asked for: the bytes need not be read to be counted.
    public var computesNothing: Bool { digests.isEmpty }

    /// Counts `count` bytes that were not passed through (only when `computesNothing`).
    public func countUnread(_ count: Int64) {
        precondition(digests.isEmpty, "bytes skipped by a hasher that computes a hash")
        byteCount += count
    }

    /// The digests, once the stream has ended.
    public func results() -> [HashKind: String] {
        var r: [HashKind: String] = [:]
        for d in digests { r[d.kind] = d.finalize() }
        return r
    }
}

extension ByteStream {
    /// Reads the whole stream and returns its hashes and size.
    public func hashes(_ kinds: Set<HashKind>) async throws -> (hashes: [HashKind: String], size: Int64) {
        let digests = try kinds.sorted().map { try Digest($0) }
        var size: Int64 = 0
        for try await chunk in self {
            size += Int64(chunk.count)
            for d in digests { d.update(chunk) }
        }
        var r: [HashKind: String] = [:]
        for d in digests { r[d.kind] = d.finalize() }
        return (r, size)
    }
}

/// The check of what a server stored against what was sent (`StoredContentCheck`).
public enum StoredContent {
    /// The hash a store compares stored bytes by: MD5 when it was computed while sending, else
    /// the first kind computed.
    public static func kind(in sent: [HashKind: String]) -> HashKind? {
        sent[.md5] != nil ? .md5 : sent.keys.sorted().first
    }

    /// Reads back what a store stored, hashes it and compares it with what was sent.
    ///
    /// - Parameters:
    ///   - stream: the stored bytes, read from the server.
    ///   - sent: the hashes computed while sending; `kind(in:)` picks the one compared.
    ///   - size: the number of bytes sent.
    ///   - path: the user's path, for the message.
    /// - Throws: `.checksumMismatch` when the bytes differ, or the read's own error.
    public static func verify(readBack stream: ByteStream, sent: [HashKind: String], size: Int64,
                              path: String, backend: StoreKind) async throws {
        guard let kind = kind(in: sent), let want = sent[kind] else {
            await stream.cancel()
            throw VFSError(.invalidArgument, "no hash of the sent bytes to compare the stored ones with", path: path,
                           remedy: "this is a bug in dctc: report it", backend: backend)
        }
        let (hashes, stored) = try await stream.hashes([kind])
        if stored != size {
            throw mismatch(path: path, backend: backend,
                           "the server stored \(stored) bytes of the \(size) sent (read back)")
        }
        try compare(stored: hashes[kind] ?? "", sent: want, kind: kind, how: "read back", path: path, backend: backend)
    }

    /// Compares the hash of the stored bytes (`how`: "read back", "computed by the server")
    /// with the hash of the sent ones.
    ///
    /// - Throws: `.checksumMismatch` naming both values.
    public static func compare(stored: String, sent: String, kind: HashKind, how: String,
                               path: String, backend: StoreKind) throws {
        guard stored.lowercased() != sent.lowercased() else { return }
        throw mismatch(path: path, backend: backend,
                       "the server stored other bytes than were sent: \(kind) \(sent) sent, \(stored) \(how)")
    }

    private static func mismatch(path: String, backend: StoreKind, _ message: String) -> VFSError {
        VFSError(.checksumMismatch, message, path: path,
                 remedy: "nothing was written under this name; run the command again, and if it recurs check the server's disk",
                 backend: backend)
    }
}

/// Checks computed hashes and size against what a writer expected.
///
/// - Throws: `.checksumMismatch` naming the path, the algorithm and both values.
public func verifyContent(path: String, expectedSize: Int64?, actualSize: Int64,
                          expected: [HashKind: String], actual: [HashKind: String]) throws {
    if let expectedSize, expectedSize != actualSize {
        throw VFSError(.checksumMismatch, "size mismatch: expected \(expectedSize) bytes, got \(actualSize)",
                       path: path, remedy: "the source changed or the transfer was damaged; run the command again")
    }
    for (kind, want) in expected {
        if let got = actual[kind], got != want.lowercased() {
            throw VFSError(.checksumMismatch, "\(kind) mismatch: expected \(want), got \(got)", path: path,
                           remedy: "the source changed or the transfer was damaged; run the command again")
        }
    }
}

/// The OpenSSL libcrypto this build links (`OpenSSL_version(OPENSSL_VERSION)`).
public enum CryptoLibraryVersion {
    public static var string: String {
        guard let v = OpenSSL_version(Int32(OPENSSL_VERSION)) else { return "unknown" }
        return String(cString: v)
    }
}

/// A byte source that passes a stream through unchanged while hashing and counting it, for
/// writers that hand the bytes on (to libcurl, to a file) and need the digests afterwards.
/// The one hashing source of the project (beside `HashingTransform`, which is the transform
/// form for `ByteStream.transformed(by:)`).
public actor HashingSource: ByteSource {
    private let upstream: ByteStream
    private let digests: [Digest]
    private var count: Int64 = 0

    /// - Throws: `VFSError(.io)` when a digest cannot be created.
    public init(_ upstream: ByteStream, kinds: Set<HashKind>) throws {
        self.upstream = upstream
        digests = try kinds.sorted().map { try Digest($0) }
    }

    public func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.source.next() else { return nil }
        count += Int64(chunk.count)
        for d in digests { d.update(chunk) }
        return chunk
    }

    public func cancel() async { await upstream.cancel() }

    /// The digests and byte count of everything read so far.
    public func results() -> (hashes: [HashKind: String], size: Int64) {
        var out: [HashKind: String] = [:]
        for d in digests { out[d.kind] = d.finalize() }
        return (out, count)
    }
}
