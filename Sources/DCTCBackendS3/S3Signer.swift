import DCTCCore
import DCTCDigest
import Foundation

/// AWS Signature Version 4 for S3, header-signed (`Authorization: AWS4-HMAC-SHA256 …`).
///
/// The signature covers a canonical form of the request: the method, the URI path with each
/// byte outside the unreserved set percent-encoded (S3 encodes the key once and keeps `/`),
/// the query parameters sorted by name and encoded the same way (`/` included), the signed
/// headers (lowercase names, sorted, values trimmed with inner runs of spaces collapsed), and
/// the payload hash, which is also sent as `x-amz-content-sha256`: the body's SHA-256 for
/// small documents, `UNSIGNED-PAYLOAD` for streamed bodies (whose integrity `Content-MD5` or
/// the returned ETag checks instead). Temporary credentials add `x-amz-security-token`.
///
/// See "Authenticating Requests: Using the Authorization Header (AWS Signature Version 4)" in
/// the Amazon S3 API reference; `S3SignerTests` checks the examples published there.
public struct S3Signer: Sendable {
    public let credentials: S3Credentials
    public let region: String
    public let service: String

    /// `x-amz-content-sha256` of a body sent without hashing it first.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The derived key of the last day signed for (the four-HMAC chain changes once a day).
    private let keyCache = SigningKeyCache()

    public init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers that sign a request: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (temporary credentials) and `Authorization`.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`…
    ///   - canonicalURI: the URI path exactly as canonicalised (`S3Signer.encodePath`).
    ///   - query: the query parameters, decoded (a parameter without a value has `""`).
    ///   - headers: the headers to sign besides the ones this call adds; must include `host`.
    ///   - payloadHash: the hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    ///   - date: the request time.
    /// - Returns: the headers to add to the request, in order.
    /// - Throws: `VFSError(.io)` when libcrypto cannot create a digest context.
    public func signatureHeaders(method: String, canonicalURI: String, query: [(String, String)],
                                 headers: [(String, String)], payloadHash: String, date: Date) throws -> [(String, String)] {
        let (amzDate, day) = S3Signer.timestamps(date)
        var added: [(String, String)] = [("x-amz-date", amzDate), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let canonical = S3Signer.canonicalHeaders(headers + added)
        let request = S3Signer.canonicalRequest(method: method, canonicalURI: canonicalURI, query: query,
                                                canonicalHeaders: canonical, payloadHash: payloadHash)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(try S3Crypto.sha256Hex(Array(request.utf8)))"
        let signature = Digest.hex(try signingKey(day: day, message: stringToSign))
        let signed = canonical.map(\.name).joined(separator: ";")
        added.append(("Authorization",
                      "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope),SignedHeaders=\(signed),Signature=\(signature)"))
        return added
    }

    /// HMAC chain: `AWS4`+secret → date → region → service → `aws4_request` → message.
    /// The day's key is derived once and reused for every request of that day.
    private func signingKey(day: String, message: String) throws -> [UInt8] {
        let key: [UInt8]
        if let cached = keyCache.key(for: day) {
            key = cached
        } else {
            var derived = try S3Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: Array(day.utf8))
            for part in [region, service, "aws4_request"] {
                derived = try S3Crypto.hmacSHA256(key: derived, message: Array(part.utf8))
            }
            keyCache.store(derived, for: day)
            key = derived
        }
        return try S3Crypto.hmacSHA256(key: key, message: Array(message.utf8))
    }

    // MARK: - Canonical forms

    /// The canonical request: method, URI, query, headers, signed header names, payload hash.
    public static func canonicalRequest(method: String, canonicalURI: String, query: [(String, String)],
                                        canonicalHeaders: [(name: String, value: String)], payloadHash: String) -> String {
        var s = method.uppercased() + "\n" + canonicalURI + "\n" + canonicalQuery(query) + "\n"
        for h in canonicalHeaders { s += "\(h.name):\(h.value)\n" }
        s += "\n" + canonicalHeaders.map(\.name).joined(separator: ";") + "\n" + payloadHash
        return s
    }

    /// `name=value` pairs, names and values encoded (`/` too), sorted by encoded name then value.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (encode($0.0, keepSlash: false), encode($0.1, keepSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lowercase names, sorted; values trimmed with runs of spaces collapsed; repeated names
    /// joined with commas.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: String] = [:]
        for (name, value) in headers {
            let n = name.lowercased()
            let v = isCanonicalValue(value) ? value
                : value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                    .trimmingCharacters(in: .whitespaces)
            merged[n] = merged[n].map { $0 + "," + v } ?? v
        }
        return merged.map { (name: $0.key, value: $0.value) }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// True when a header value is already in canonical form: no tab, no leading, trailing
    /// or doubled space (the usual case, which then skips the splitting and trimming).
    private static func isCanonicalValue(_ value: String) -> Bool {
        var previousSpace = true
        for b in value.utf8 {
            if b == UInt8(ascii: "\t") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") { return false }
            let space = b == UInt8(ascii: " ")
            if space && previousSpace { return false }
            previousSpace = space
        }
        return !previousSpace || value.isEmpty
    }

    private static let unreserved: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8 { table[Int(c)] = true }
        return table
    }()
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 encoding as SigV4 wants it: every byte of the UTF-8 form except
    /// `A-Z a-z 0-9 - . _ ~` (and `/` when `keepSlash`) becomes `%XX` with upper-case hex.
    public static func encode(_ s: String, keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if unreserved[Int(b)] || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `20130524T000000Z` and `20130524` for a date (UTC).
    public static func timestamps(_ date: Date) -> (amzDate: String, day: String) {
        var t = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&t, &parts)
        // Digits by hand: String(format:) goes through Foundation's formatter on every request.
        var out: [UInt8] = []
        out.reserveCapacity(16)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var v = max(0, value)
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        digits(Int(parts.tm_mon) + 1, 2)
        digits(Int(parts.tm_mday), 2)
        let day = String(decoding: out, as: UTF8.self)
        out.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        digits(Int(parts.tm_min), 2)
        digits(Int(parts.tm_sec), 2)
        out.append(UInt8(ascii: "Z"))
        return (String(decoding: out, as: UTF8.self), day)
    }
}

/// The SigV4 key derived for one day, shared by the copies of a signer.
final class SigningKeyCache: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var day = ""
    private var key: [UInt8] = []

    func key(for day: String) -> [UInt8]? { lock.withLock { self.day == day && !key.isEmpty ? key : nil } }
    func store(_ key: [UInt8], for day: String) { lock.withLock { self.day = day; self.key = key } }
}

/// The few hashes S3 requests need, over libcrypto through `DCTCDigest`.
enum S3Crypto {
    static func sha256Hex(_ bytes: [UInt8]) throws -> String {
        try Digest.hash(bytes, kind: .sha256)
    }

    /// HMAC-SHA256 (RFC 2104) over `Digest`: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), block size 64.
    static func hmacSHA256(key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        var k = key.count > 64 ? bytes(fromHex: try Digest.hash(key, kind: .sha256)) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        let inner = try Digest(.sha256)
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        let outer = try Digest(.sha256)
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(bytes(fromHex: inner.finalize()))
        return bytes(fromHex: outer.finalize())
    }

    /// The base64 form of a hex digest (`Content-MD5`, `x-amz-meta-md5chksum`).
    static func base64(fromHex hex: String) -> String {
        Data(bytes(fromHex: hex)).base64EncodedString()
    }

    /// The hex form of a base64 digest, or nil when it is not base64 of `length` bytes.
    static func hex(fromBase64 text: String, length: Int = 16) -> String? {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespaces)), data.count == length else { return nil }
        return Digest.hex(data)
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: continue
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// True for a 32-digit hex string: what a single-part upload's ETag (an MD5) looks like.
    static func isMD5Hex(_ s: String) -> Bool {
        s.utf8.count == 32 && s.utf8.allSatisfy { c in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(c)
        }
    }
}
