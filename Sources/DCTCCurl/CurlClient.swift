import DCTCCore

/// The HTTP(S)/FTP(S)/`file://` client that backends hold: a pool of worker threads running
/// libcurl transfers, bridged to async code.
///
/// `perform` returns as soon as the response headers are in, with the body streaming through a
/// bounded channel (backpressure reaches the network: a slow reader slows the transfer). The
/// blocking `curl_easy_perform` runs only on the client's own threads, never on Swift's
/// cooperative pool; at most `maxConnections` transfers run at once and the rest wait in order.
/// The workers share DNS results and TLS sessions (a `CURLSH` with real locks); each keeps its
/// own connections alive between requests.
///
/// Cancelling the calling task before the response arrives aborts the transfer. After that, the
/// response body controls it: reading to the end, `await response.body.cancel()`, cancelling
/// the reading task, or dropping the response all free the worker.
///
/// Dropping the client fails queued requests, lets running transfers finish, and ends its threads.
public final class CurlClient: Sendable {
    public struct Configuration: Sendable {
        /// Worker threads, hence transfers (and connections) at once.
        public var maxConnections = 4
        /// `User-Agent` of HTTP requests.
        public var userAgent = "dctc"
        /// `CURLOPT_BUFFERSIZE` (max 512 KiB).
        public var receiveBufferSize = 256 * 1024
        /// `CURLOPT_UPLOAD_BUFFERSIZE` (max 2 MiB on libcurl 7.88).
        public var uploadBufferSize = 256 * 1024
        /// Bytes of body held between a transfer and its reader (and between an upload
        /// source and libcurl) before the faster side waits.
        public var bodyBufferSize = 4 * ByteStream.defaultChunkSize
        /// Small network reads are gathered into chunks of about this size.
        public var chunkSize = 128 * 1024
        /// The schemes requests may use (`CURLOPT_PROTOCOLS_STR`).
        public var protocols = "http,https,ftp,ftps,file"
        /// Prefix of the worker threads' names.
        public var threadName = "dctc-curl"

        public init(maxConnections: Int = 4) {
            self.maxConnections = maxConnections
        }
    }

    public let configuration: Configuration
    private let pool: CurlWorkerPool

    /// Creates a client; worker threads start with the first requests.
    ///
    /// - Throws: `CurlError` when libcurl cannot be initialised.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        var defaults = CurlEasy.Defaults()
        defaults.receiveBufferSize = min(max(configuration.receiveBufferSize, 16 * 1024), 512 * 1024)
        defaults.uploadBufferSize = min(max(configuration.uploadBufferSize, 16 * 1024), 2 * 1024 * 1024)
        defaults.userAgent = configuration.userAgent
        defaults.protocols = configuration.protocols
        pool = CurlWorkerPool(size: configuration.maxConnections, name: configuration.threadName,
                              defaults: defaults, share: try CurlShare())
    }

    /// A client with `maxConnections` workers and default settings otherwise.
    public convenience init(maxConnections: Int) throws {
        try self.init(configuration: Configuration(maxConnections: maxConnections))
    }

    deinit { pool.shutdown() }

    /// Requests waiting for a free worker right now (for tests and diagnostics).
    var queuedRequests: Int { pool.queuedCount }

    /// Sends `request` and returns when the response headers have arrived.
    ///
    /// Any status comes back as a response (check `status`, or use `requireSuccess(path:)`).
    /// The body streams while it is read; errors during the body (a broken connection, a
    /// stall) are thrown by the body stream as `VFSError`s.
    ///
    /// - Parameter request: what to send.
    /// - Returns: the status, headers and streaming body.
    /// - Throws: `CurlError` when the transfer fails before a response (connection refused,
    ///   timeout, TLS, FTP login or reply; convert with `toVFSError(path:)`); `VFSError` for an
    ///   invalid request or an upload source that failed or did not match its announced size;
    ///   `CancellationError` when the calling task is cancelled first.
    public func perform(_ request: CurlRequest) async throws -> CurlResponse {
        try request.validate()
        try Task.checkCancellation()
        let transfer = CurlTransfer(request: request, bodyCapacity: configuration.bodyBufferSize,
                                    coalesceSize: configuration.chunkSize)
        transfer.startUploadFeeder()
        let pool = self.pool
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<CurlResponse, any Error>) in
                if transfer.attach(c) { pool.submit(transfer) }
            }
        } onCancel: {
            if transfer.cancelByCaller(), pool.withdraw(transfer) {
                transfer.abandon(CancellationError())
            }
        }
    }

    /// Sends `request` and reads the whole body into memory (listings, XML and JSON documents).
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - limit: the most bytes to hold; a longer body fails instead of filling memory.
    /// - Returns: the response (its body already consumed) and the body's bytes.
    /// - Throws: what `perform` throws; `VFSError.invalidArgument` when the body exceeds
    ///   `limit`; the body stream's `VFSError` when the transfer fails midway.
    public func performCollecting(_ request: CurlRequest, limit: Int = 16 * 1024 * 1024) async throws
        -> (CurlResponse, [UInt8])
    {
        let response = try await perform(request)
        let bytes = try await response.body.collect(limit: limit)
        return (response, bytes)
    }
}
