import DCTCCore
import DCTCCurl
import Foundation

/// One S3 API request as the store thinks of it: a method on a bucket and key, with query
/// parameters, headers to sign and a body.
struct S3Operation: Sendable {
    enum Body: Sendable {
        case none
        /// Bytes in memory; `hashed` sends their SHA-256 as `x-amz-content-sha256` (small XML
        /// documents), otherwise `UNSIGNED-PAYLOAD` (upload parts, which carry `Content-MD5`).
        case bytes([UInt8], hashed: Bool)
        /// A stream of exactly `size` bytes, sent as it is read (`UNSIGNED-PAYLOAD`). Cannot be
        /// replayed, so a request with a stream body is never retried.
        case stream(ByteStream, size: Int64)
    }

    var method: String
    var bucket: String?
    var key: String?
    /// Query parameters; a nil value is sent as a bare name (`?uploads`).
    var query: [(String, String?)] = []
    /// Headers sent and signed (`x-amz-*`, `Content-MD5`, `Content-Type`).
    var headers: [(String, String)] = []
    var body: Body = .none
    var range: ByteRange?
    /// Safe to send again after a broken connection or a 5xx answer.
    var idempotent: Bool
    /// The address the request is about, as the user typed it (for errors).
    var display: String

    init(_ method: String, bucket: String?, key: String? = nil, query: [(String, String?)] = [],
         headers: [(String, String)] = [], body: Body = .none, idempotent: Bool, display: String) {
        self.method = method
        self.bucket = bucket
        self.key = key
        self.query = query
        self.headers = headers
        self.body = body
        self.idempotent = idempotent
        self.display = display
    }

    var replayable: Bool {
        if case .stream = body { return false }
        return true
    }
}

/// Sends S3 requests: builds the URL for the addressing style, signs it (SigV4), runs it on a
/// `CurlClient`, turns error answers into `S3ServiceError`s, and retries what may be retried.
///
/// Retries (the shared `RetryPolicy`): a request with a replayable body is tried up to
/// `maxAttempts` times when the connection breaks or the server answers 5xx/`SlowDown`/429
/// (an idempotent one always; one that is not, such as CreateMultipartUpload, only when the
/// answer says it was not applied: throttling, or a connection refused), with full-jitter
/// backoff, honouring `Retry-After`. A request rejected with `RequestTimeTooSkewed` is signed
/// again once with the server's clock.
final class S3Transport: Sendable {
    let configuration: S3Configuration
    let client: CurlClient
    private let signer: S3Signer?
    /// Temporary credentials asked for when needed (wins over `signer`), and the signer of
    /// the last ones handed out (its day key is reused while they stay the same).
    private let credentialProvider: S3CredentialProvider?
    private let providedSigner = LockedValue<S3Signer?>(nil)
    /// Seconds to add to the local clock when signing (set after `RequestTimeTooSkewed`).
    private let clockOffset = LockedValue(0.0)
    /// How a bucket is written in messages (`s3://b`, `NAME:b`).
    let bucketDisplay: @Sendable (String) -> String

    /// - Parameters:
    ///   - configuration: endpoint, credentials, tuning.
    ///   - bucketDisplay: how a bucket is written in messages.
    /// - Throws: `CurlError` when libcurl cannot be initialised.
    init(configuration: S3Configuration, bucketDisplay: @escaping @Sendable (String) -> String = { "s3://\($0)" }) throws {
        self.configuration = configuration
        self.bucketDisplay = bucketDisplay
        var curl = CurlClient.Configuration(maxConnections: max(1, configuration.maxConnections))
        curl.protocols = "http,https"
        curl.threadName = "dctc-s3"
        curl.userAgent = "dctc"
        client = try CurlClient(configuration: curl)
        signer = configuration.credentials.map { S3Signer(credentials: $0, region: configuration.region) }
        credentialProvider = try configuration.credentialSource.map { try S3CredentialProvider(source: $0, verifyTLS: configuration.verifyTLS, caBundle: configuration.caBundle) }
    }

    // MARK: - Addresses

    /// The parts of a request's address: the URL to send, and the canonical URI to sign.
    struct Target {
        var url: String
        var canonicalURI: String
        var host: String
    }

    /// Where a request for `bucket`/`key` goes.
    ///
    /// Path style puts the bucket in the path (`http://host/bucket/key`); virtual-hosted style
    /// in the host (`https://bucket.host/key`), except for bucket names that cannot be host
    /// names (upper case, `_`, or dots over https, which the wildcard certificate does not cover).
    func target(bucket: String?, key: String?, query: [(String, String?)]) -> Target {
        let endpoint = configuration.endpoint
        var host = endpoint.authority
        var wirePath = endpoint.basePath
        var canonicalPath = endpoint.basePath
        if let bucket {
            if usesPathStyle(for: bucket) {
                wirePath += "/" + S3Signer.encode(bucket, keepSlash: false)
                canonicalPath += "/" + S3Signer.encode(bucket, keepSlash: false)
            } else {
                let h = endpoint.host.contains(":") ? "[\(endpoint.host)]" : endpoint.host
                host = "\(bucket).\(h)" + (endpoint.port.map { ":\($0)" } ?? "")
            }
        }
        if let key {
            // A "." or ".." component would be removed by URL normalisation (libcurl does it):
            // on the wire its dots are escaped; the signature covers the key as S3 decodes it.
            for component in key.split(separator: "/", omittingEmptySubsequences: false) {
                let c = String(component)
                canonicalPath += "/" + S3Signer.encode(c, keepSlash: false)
                wirePath += "/" + ((c == "." || c == "..") ? String(repeating: "%2E", count: c.count)
                                                            : S3Signer.encode(c, keepSlash: false))
            }
        }
        if wirePath.isEmpty { wirePath = "/" }
        if canonicalPath.isEmpty { canonicalPath = "/" }
        var url = "\(endpoint.scheme)://\(host)\(wirePath)"
        if !query.isEmpty {
            url += "?" + query.map { name, value in
                S3Signer.encode(name, keepSlash: false) + (value.map { "=" + S3Signer.encode($0, keepSlash: false) } ?? "")
            }.joined(separator: "&")
        }
        return Target(url: url, canonicalURI: canonicalPath, host: host)
    }

    private func usesPathStyle(for bucket: String) -> Bool {
        if configuration.pathStyle { return true }
        let dnsSafe = bucket.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "-") || (c == UInt8(ascii: ".") && configuration.endpoint.scheme == "http")
        }
        return !dnsSafe
    }

    // MARK: - Sending

    /// Sends `operation` and returns its 2xx response (body still streaming).
    ///
    /// - Throws: `S3ServiceError` for an error answer (after the retries it deserved),
    ///   `CurlError` when the server could not be reached or the connection broke,
    ///   `VFSError` from a failing upload stream, `CancellationError`.
    func send(_ operation: S3Operation) async throws -> CurlResponse {
        var attempts = RetryPolicy.Attempts(retryPolicy)
        var skewCorrected = false
        while true {
            try Task.checkCancellation()
            let request = try curlRequest(for: operation, signer: try await currentSigner())
            let response: CurlResponse
            do {
                response = try await client.perform(request)
            } catch let e as CurlError {
                if operation.replayable, operation.idempotent || e.requestNeverSent,
                   let wait = attempts.next(after: e.toVFSError(path: operation.display)) {
                    try await RetryPolicy.sleep(wait)
                    continue
                }
                throw e
            }
            if (200..<300).contains(response.status) { return response }
            let body = await S3Transport.prefix(of: response.body, limit: 64 * 1024)
            let error = S3ServiceError(status: response.status, body: body, headers: response.headers,
                                       method: operation.method, bucket: operation.bucket, display: operation.display,
                                       bucketDisplay: operation.bucket.map(bucketDisplay))
            if error.code == "RequestTimeTooSkewed", !skewCorrected, operation.replayable, let server = error.serverDate {
                skewCorrected = true
                clockOffset.set(server.timeIntervalSinceNow)
                continue
            }
            // A throttling answer (503 SlowDown, 429) means the request was not applied: it is
            // safe to send again even when it is not idempotent (CreateMultipartUpload).
            if operation.replayable, operation.idempotent || error.isThrottling,
               let wait = attempts.next(after: error.vfsError) {
                try await RetryPolicy.sleep(wait)
                continue
            }
            throw error
        }
    }

    /// Sends `operation` and reads the whole (small) answer: listings, XML results.
    ///
    /// - Returns: the response and its body.
    /// - Throws: as `send`; a broken body is retried like a broken connection.
    func sendCollecting(_ operation: S3Operation, limit: Int = 16 * 1024 * 1024) async throws -> (CurlResponse, [UInt8]) {
        let buffer = S3ChunkBuffer()
        let response = try await collect(operation, into: buffer, limit: limit, reserve: false)
        return (response, buffer.bytes)
    }

    /// Sends `operation` and reads its answer into `buffer` (emptied first; a recycled
    /// buffer keeps its capacity, which spares the allocator a large block per request).
    ///
    /// - Parameter reserve: allocate `limit` bytes up front (for bodies of a known length).
    /// - Returns: the response, its body consumed.
    /// - Throws: as `send`; `VFSError(.io)` when the body is longer than `limit`; a broken
    ///   body is retried like a broken connection.
    @discardableResult
    func collect(_ operation: S3Operation, into buffer: S3ChunkBuffer, limit: Int, reserve: Bool = true) async throws -> CurlResponse {
        var attempts = RetryPolicy.Attempts(retryPolicy)
        while true {
            let response = try await send(operation)
            do {
                buffer.bytes.removeAll(keepingCapacity: true)
                if reserve, buffer.bytes.capacity < limit { buffer.bytes.reserveCapacity(limit) }
                for try await chunk in response.body {
                    guard buffer.bytes.count + chunk.count <= limit else {
                        await response.body.cancel()
                        throw VFSError(.io, "the server sent more than the \(limit) bytes expected", path: operation.display,
                                       remedy: "check that the endpoint is an S3 server", backend: "s3")
                    }
                    buffer.bytes.append(contentsOf: chunk)
                }
                return response
            } catch let e as VFSError where operation.idempotent && operation.replayable {
                guard let wait = attempts.next(after: e) else { throw e }
                try await RetryPolicy.sleep(wait)
            }
        }
    }

    /// The shared retry policy with this store's tries and first delay (`max_attempts`,
    /// `retryBaseDelay`): full jitter, `Retry-After`, 60 s of waiting at most.
    var retryPolicy: RetryPolicy {
        var p = RetryPolicy.requests
        p.retries = max(0, configuration.maxAttempts - 1)
        let base = Double(configuration.retryBaseDelay.components.seconds)
            + Double(configuration.retryBaseDelay.components.attoseconds) / 1e18
        if ProcessInfo.processInfo.environment["DCTC_RETRY_BASE_DELAY"] == nil { p.baseDelay = base }
        return p
    }

    /// Up to `limit` bytes of a body; the rest is cancelled. Errors end the read quietly.
    static func prefix(of body: ByteStream, limit: Int) async -> [UInt8] {
        var out: [UInt8] = []
        do {
            for try await chunk in body {
                out.append(contentsOf: chunk.prefix(limit - out.count))
                if out.count >= limit { break }
            }
        } catch {
            // The status is what matters; a broken error body changes nothing.
        }
        await body.cancel()
        return out
    }

    /// The signer for the next request: the fixed keys', or the provider's current ones.
    private func currentSigner() async throws -> S3Signer? {
        guard let credentialProvider else { return signer }
        let credentials = try await credentialProvider.credentials()
        return providedSigner.update { cached in
            if let c = cached, c.credentials == credentials { return c }
            let fresh = S3Signer(credentials: credentials, region: configuration.region)
            cached = fresh
            return fresh
        }
    }

    /// The signed libcurl request for an operation.
    private func curlRequest(for op: S3Operation, signer: S3Signer?) throws -> CurlRequest {
        let target = target(bucket: op.bucket, key: op.key, query: op.query)
        var headers = op.headers
        let body: CurlRequest.Body
        var payloadHash = S3Signer.unsignedPayload
        switch op.body {
        case .none:
            body = .none
            payloadHash = S3Signer.emptyPayloadHash
        case .bytes(let bytes, let hashed):
            body = .bytes(bytes)
            if hashed { payloadHash = try S3Crypto.sha256Hex(bytes) }
        case .stream(let stream, let size):
            body = .stream(stream, size: size)
        }
        if let signer {
            let date = Date().addingTimeInterval(clockOffset.get())
            let signed = try signer.signatureHeaders(
                method: op.method, canonicalURI: target.canonicalURI,
                query: op.query.map { ($0.0, $0.1 ?? "") },
                headers: [("host", target.host)] + headers, payloadHash: payloadHash, date: date)
            headers += signed
        }
        var request = CurlRequest(method: op.method, url: target.url, headers: headers, body: body)
        if op.method == "PUT" || op.method == "POST" {
            // No `Expect: 100-continue` round trip (some servers never answer it, costing a second).
            request.removedHeaders = ["Expect"]
        }
        if op.method == "HEAD" { request.noBody = true }
        request.range = op.range
        request.verifyTLS = configuration.verifyTLS
        request.caBundlePath = configuration.caBundle
        request.timeouts.connect = configuration.connectTimeout
        request.timeouts.stallTime = configuration.stallTimeout
        return request
    }
}

/// A value behind a lock, for the little mutable state shared across tasks.
final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    /// Changes the value and returns what `body` returns, atomically.
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
