import CDCTCCurl
import DCTCCore
import Foundation

/// One request's run through a worker: the context libcurl's callbacks receive, the
/// continuation that hands the response to the caller, and the channels of both bodies.
///
/// Lifecycle: `CurlClient.perform` creates it, `attach`es the caller's continuation and gives it
/// to the pool; a worker thread calls `run(on:)`, which configures the easy handle, points the
/// callbacks at this object (`Unmanaged`, unretained: the worker's job keeps it alive for the
/// whole `curl_easy_perform`) and blocks in `curl_easy_perform`. The response is handed out as
/// soon as its headers are complete (or with the first body bytes, or at the end of a transfer
/// without a body); the body then flows through `bodyChannel` until the transfer ends.
///
/// `@unchecked Sendable`: the fields under "worker thread only" are touched only by the worker
/// thread that runs the transfer (in `run` and the callbacks it triggers); the others are
/// immutable or guarded by `lock`; the channels synchronise themselves.
final class CurlTransfer: @unchecked Sendable {
    // MARK: Immutable
    let request: CurlRequest
    /// What may be shown: the URL without credentials.
    let displayURL: String
    private let url: String
    private let user: String?
    private let password: String?
    private let isHTTP: Bool
    let bodyChannel: ByteChannel
    private let uploadChannel: ByteChannel?
    private let uploadBytes: [UInt8]?
    private let uploadSize: Int64?
    private let coalesceSize: Int

    // MARK: Guarded by `lock`
    private let lock = NSLock()
    private var continuation: CheckedContinuation<CurlResponse, any Error>?
    private var answered = false
    private var callerCancelled = false

    // MARK: Worker thread only
    private var easy: CurlEasy?
    private var delivered = false
    private var status = 0
    private var headers = CurlHeaders()
    private var lines: [String] = []
    private var headerBytes = 0
    private var pending: [UInt8] = []
    private var pendingSince: UInt64 = 0
    private var readerGone = false
    private var uploadError: (any Error)?
    private var uploadChunk: [UInt8] = []
    private var uploadChunkOffset = 0
    private var uploadSent: Int64 = 0
    private var uploadEnded = false

    /// Header bytes kept per response; beyond this, lines are dropped (libcurl itself caps one
    /// header at 100 KB, but an FTP session can send many reply lines).
    private static let maxHeaderBytes = 1 << 20
    /// A partly filled body chunk is handed on after this long even if small (50 ms).
    private static let maxPendingNanoseconds: UInt64 = 50_000_000

    /// - Parameters:
    ///   - request: what to do.
    ///   - bodyCapacity: bytes the response and upload channels buffer before their producer waits.
    ///   - coalesceSize: small body pieces are gathered up to this size before being handed on.
    init(request: CurlRequest, bodyCapacity: Int, coalesceSize: Int) {
        self.request = request
        let split = CurlURL.splitCredentials(request.url)
        url = split.url
        user = request.user ?? split.user
        password = request.password ?? split.password
        displayURL = split.url
        isHTTP = ["http", "https"].contains(CurlURL.scheme(of: split.url) ?? "")
        bodyChannel = ByteChannel(capacity: bodyCapacity)
        self.coalesceSize = max(1, coalesceSize)
        switch request.body {
        case .none:
            uploadChannel = nil
            uploadBytes = nil
            uploadSize = request.upload ? 0 : nil
        case .bytes(let bytes):
            uploadChannel = nil
            uploadBytes = bytes
            uploadSize = Int64(bytes.count)
        case .stream(_, let size):
            uploadChannel = ByteChannel(capacity: bodyCapacity)
            uploadBytes = nil
            uploadSize = size
        }
    }

    // MARK: - Caller side

    /// Starts the task that copies a `.stream` upload body into the upload channel, which the
    /// read callback drains with `receiveBlocking`. It stops (and cancels the source) when the
    /// transfer ends early.
    func startUploadFeeder() {
        guard case .stream(let stream, _) = request.body, let channel = uploadChannel else { return }
        Task {
            do {
                for try await chunk in stream {
                    try await channel.send(chunk)
                }
                channel.finish()
            } catch {
                channel.finish(throwing: error)
                await stream.cancel()
            }
        }
    }

    /// Stores the caller's continuation.
    ///
    /// - Returns: false when the caller was cancelled already; the continuation has then been
    ///   resumed with `CancellationError` and the transfer must not be started.
    func attach(_ c: CheckedContinuation<CurlResponse, any Error>) -> Bool {
        lock.lock()
        if callerCancelled {
            answered = true
            lock.unlock()
            c.resume(throwing: CancellationError())
            closeChannels(error: CancellationError())
            return false
        }
        continuation = c
        lock.unlock()
        return true
    }

    /// The caller's task was cancelled while waiting for the response.
    ///
    /// - Returns: true when that still matters (no response was handed out yet).
    @discardableResult
    func cancelByCaller() -> Bool {
        lock.lock()
        let matters = !answered
        if matters { callerCancelled = true }
        lock.unlock()
        // Unblocks a read callback waiting for upload bytes; the progress callback aborts.
        if matters { uploadChannel?.finish(throwing: CancellationError()) }
        return matters
    }

    private var isCallerCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return callerCancelled
    }

    /// Fails a transfer that never ran (withdrawn from the queue, pool shut down).
    func abandon(_ error: any Error) {
        answer(.failure(error))
        closeChannels(error: error)
    }

    private func closeChannels(error: any Error) {
        uploadChannel?.cancelNow()
        bodyChannel.finish(throwing: CurlError.vfsError(from: error, path: displayURL))
    }

    /// Resumes the caller once; later answers are ignored.
    private func answer(_ result: Result<CurlResponse, any Error>) {
        lock.lock()
        if answered {
            lock.unlock()
            return
        }
        answered = true
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(with: result)
    }

    // MARK: - Worker side

    /// Runs the whole transfer on the calling worker thread with `easy`, then resets `easy`.
    func run(on easy: CurlEasy) {
        if isCallerCancelled {
            abandon(CancellationError())
            return
        }
        self.easy = easy
        defer {
            // Drops our callbacks and context pointers before anyone else uses the handle.
            easy.reset()
            self.easy = nil
        }
        var code: CURLcode
        var setupError: CurlError?
        do {
            try configure(easy)
            code = easy.perform()
        } catch {
            setupError = error
            code = error.code
        }
        if code == CURLE_OK { flushPending() }
        // The transfer is over: a feeder still waiting to send stops and cancels its source.
        uploadChannel?.cancelNow()

        if code == CURLE_OK && !readerGone {
            if !delivered { deliver() }
            bodyChannel.finish()
            return
        }
        // Before the response was handed out the caller gets the error itself (a CurlError);
        // after, the body's reader gets it as a VFSError.
        let error = failure(for: code, setupError: setupError)
        if !delivered { answer(.failure(error)) }
        bodyChannel.finish(throwing: CurlError.vfsError(from: error, path: displayURL))
    }

    /// Chooses the error that explains why the transfer ended with `code`.
    private func failure(for code: CURLcode, setupError: CurlError?) -> any Error {
        if let setupError { return setupError }
        if !delivered && isCallerCancelled { return CancellationError() }
        if let uploadError { return uploadError }
        if readerGone || bodyChannel.isCancelled {
            return VFSError(.cancelled, "the reader stopped before the end of the body", path: displayURL)
        }
        let reported = easy?.info(long: CURLINFO_RESPONSE_CODE) ?? 0
        let shownStatus = status > 0 ? status : reported
        return CurlError(code: code, detail: easy?.errorText, httpStatus: shownStatus > 0 ? shownStatus : nil,
                         url: displayURL)
    }

    /// Turns the request into options on a freshly reset handle.
    private func configure(_ easy: CurlEasy) throws(CurlError) {
        let r = request
        try easy.set(CURLOPT_URL, string: url)
        let me = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_WRITEDATA, pointer: me)
        try easy.set(CURLOPT_HEADERDATA, pointer: me)
        try easy.set(CURLOPT_READDATA, pointer: me)
        try easy.set(CURLOPT_XFERINFODATA, pointer: me)
        try easy.set(CURLOPT_SEEKDATA, pointer: me)
        // These closures capture nothing (they must convert to C function pointers); the
        // transfer arrives through the *DATA pointer set above.
        try easy.setWriteFunction { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveBody(data, size * count)
        }
        try easy.setHeaderFunction { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeader(data, size * count)
        }
        try easy.setReadFunction { buffer, size, count, context in
            guard let context else { return Int(CURL_READFUNC_ABORT) }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().supplyUpload(buffer, size * count)
        }
        try easy.setSeekFunction { context, offset, origin in
            guard let context else { return CURL_SEEKFUNC_FAIL }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().seekUpload(offset, origin)
        }
        try easy.setTransferInfoFunction { context, _, _, _, _ in
            guard let context else { return 1 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().progress()
        }
        try easy.set(CURLOPT_NOPROGRESS, long: 0)

        // Deadlines.
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, long: CurlTransfer.milliseconds(r.timeouts.connect))
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, long: max(1, r.timeouts.stallSpeed))
        try easy.set(CURLOPT_LOW_SPEED_TIME, long: max(1, CurlTransfer.milliseconds(r.timeouts.stallTime) / 1000))
        if let total = r.timeouts.total {
            try easy.set(CURLOPT_TIMEOUT_MS, long: max(1, CurlTransfer.milliseconds(total)))
        }
        if let response = r.timeouts.serverResponse {
            try easy.set(CURLOPT_SERVER_RESPONSE_TIMEOUT, long: max(1, CurlTransfer.milliseconds(response) / 1000))
        }

        // Credentials: options, never the URL, so libcurl's texts cannot contain them.
        if let user { try easy.set(CURLOPT_USERNAME, string: user) }
        if let password { try easy.set(CURLOPT_PASSWORD, string: password) }
        if isHTTP, user != nil || password != nil {
            let auth: Int
            switch r.httpAuthentication {
            case .basic: auth = CDCTCCurl_AUTH_BASIC
            case .digest: auth = CDCTCCurl_AUTH_DIGEST
            case .anySafe: auth = CDCTCCurl_AUTH_ANYSAFE
            }
            try easy.set(CURLOPT_HTTPAUTH, long: auth)
        }

        // TLS.
        try easy.set(CURLOPT_SSL_VERIFYPEER, long: r.verifyTLS ? 1 : 0)
        try easy.set(CURLOPT_SSL_VERIFYHOST, long: r.verifyTLS ? 2 : 0)
        if let ca = r.caBundlePath { try easy.set(CURLOPT_CAINFO, string: ca) }

        if r.followRedirects {
            try easy.set(CURLOPT_FOLLOWLOCATION, long: 1)
            try easy.set(CURLOPT_MAXREDIRS, long: 10)
        }

        // Headers.
        var headerLines: [String] = []
        for (name, value) in r.headers {
            // "Name;" is libcurl's way to send a header with an empty value.
            headerLines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        for name in r.removedHeaders { headerLines.append("\(name):") }
        try easy.set(CURLOPT_HTTPHEADER, list: headerLines)

        if let range = r.curlRange { try easy.set(CURLOPT_RANGE, string: range) }
        if r.fetchFileTime { try easy.set(CURLOPT_FILETIME, long: 1) }

        // FTP.
        if !r.ftpCommands.isEmpty { try easy.set(CURLOPT_QUOTE, list: r.ftpCommands) }
        if !r.ftpPostCommands.isEmpty { try easy.set(CURLOPT_POSTQUOTE, list: r.ftpPostCommands) }
        if r.ftpCreateMissingDirectories {
            try easy.set(CURLOPT_FTP_CREATE_MISSING_DIRS, long: Int(CURLFTP_CREATE_DIR.rawValue))
        }
        if r.dirListOnly { try easy.set(CURLOPT_DIRLISTONLY, long: 1) }
        switch r.ftpSecurity {
        case .none: break
        case .tryTLS: try easy.set(CURLOPT_USE_SSL, long: Int(CURLUSESSL_TRY.rawValue))
        case .requireTLS: try easy.set(CURLOPT_USE_SSL, long: Int(CURLUSESSL_ALL.rawValue))
        }

        // Method and body. The read function is always ours, so a body-less POST never
        // falls back to libcurl's default of reading standard input.
        let method = r.method.uppercased()
        if r.noBody { try easy.set(CURLOPT_NOBODY, long: 1) }
        if r.upload {
            try easy.set(CURLOPT_UPLOAD, long: 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: uploadSize ?? -1)
        } else if method == "POST" {
            try easy.set(CURLOPT_POST, long: 1)
            let size: Int64
            if case .none = r.body { size = 0 } else { size = uploadSize ?? -1 }
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: size)
        }
        var custom = r.customRequest
        if custom == nil, isHTTP {
            let implied = (method == "GET" && !r.upload) || method == "HEAD"
                || (method == "PUT" && r.upload) || (method == "POST" && !r.upload)
            if !implied { custom = method }
        }
        if let custom { try easy.set(CURLOPT_CUSTOMREQUEST, string: custom) }
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        return max(0, Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000))
    }

    // MARK: - Callbacks (worker thread)

    /// CURLOPT_WRITEFUNCTION: hands the response out if needed, then queues the bytes.
    /// Returning less than `count` makes libcurl abort with CURLE_WRITE_ERROR.
    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        // Without a body to wait for, FTP and file:// pass their facts ("Content-Length: 10")
        // through here as well as the header callback: the response waits for the end then.
        if !delivered && !request.noBody {
            if isCallerCancelled { return 0 }
            deliver()
        }
        guard count > 0, let data else { return count }
        if readerGone { return 0 }
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        if pending.isEmpty && count >= coalesceSize {
            send(Array(bytes))
        } else {
            if pending.isEmpty {
                pending.reserveCapacity(max(coalesceSize, count))
                pendingSince = DispatchTime.now().uptimeNanoseconds
            }
            pending.append(contentsOf: bytes)
            if pending.count >= coalesceSize { flushPending() }
        }
        return readerGone ? 0 : count
    }

    /// Sends the gathered small pieces as one chunk.
    private func flushPending() {
        guard !pending.isEmpty, !readerGone else { return }
        let chunk = pending
        pending = []
        send(chunk)
    }

    /// Blocks while the channel is full (backpressure); notes a reader that went away.
    private func send(_ chunk: [UInt8]) {
        do {
            try bodyChannel.sendBlocking(chunk)
        } catch {
            readerGone = true
        }
    }

    /// CURLOPT_HEADERFUNCTION: one complete header line (or FTP reply line) per call.
    private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard let data, count > 0 else { return count }
        // Parsed on bytes: this runs for every header line of every request (a cold sync of 10k
        // small files sees ~100k of them), and Foundation's trimming was a sixth of the CPU.
        let bytes = UnsafeRawBufferPointer(start: data, count: count).bindMemory(to: UInt8.self)
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let body = UnsafeBufferPointer(rebasing: bytes[0..<end])
        let line = String(decoding: body, as: UTF8.self)

        if body.starts(with: CurlTransfer.httpPrefix) {
            // A new response block (after 100 Continue, a redirect or an auth round): start over.
            status = CurlTransfer.statusCode(in: line)
            headers = CurlHeaders()
            lines = [line]
            headerBytes = count
            return count
        }
        if body.isEmpty {
            if isHTTP && !delivered && isFinalStatus(status) && !isCallerCancelled { deliver() }
            return count
        }
        guard !delivered else { return count }  // trailers and late lines do not change a handed-out response
        headerBytes += count
        guard headerBytes <= CurlTransfer.maxHeaderBytes else { return count }
        lines.append(line)
        if body[0] == 0x20 || body[0] == 0x09 {
            headers.continueLast(CurlTransfer.trimmed(body[...]))
        } else if let colon = body.firstIndex(of: 0x3A) {
            let nameBytes = body[..<colon]
            if !nameBytes.isEmpty, !nameBytes.contains(0x20) {
                headers.append(name: String(decoding: nameBytes, as: UTF8.self),
                               value: CurlTransfer.trimmed(body[(colon + 1)...]))
            }
        }
        return count
    }

    private static let httpPrefix = Array("HTTP/".utf8)

    /// The text of header bytes without leading and trailing spaces and tabs.
    static func trimmed(_ slice: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        var lo = slice.startIndex, hi = slice.endIndex
        while lo < hi, slice[lo] == 0x20 || slice[lo] == 0x09 { lo += 1 }
        while hi > lo, slice[hi - 1] == 0x20 || slice[hi - 1] == 0x09 { hi -= 1 }
        return String(decoding: slice.base[lo..<hi], as: UTF8.self)
    }

    /// A status after which libcurl sends no further response block for this request.
    private func isFinalStatus(_ code: Int) -> Bool {
        if code < 200 { return false }
        if request.followRedirects, (300..<400).contains(code) { return false }
        if code == 401 || code == 407, request.httpAuthentication != .basic { return false }
        return true
    }

    /// `HTTP/1.1 404 Not Found` → 404.
    private static func statusCode(in line: String) -> Int {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2 else { return 0 }
        return Int(parts[1]) ?? 0
    }

    /// Builds the response from what is known now and resumes the caller.
    private func deliver() {
        guard !delivered else { return }
        delivered = true
        let reported = easy?.info(long: CURLINFO_RESPONSE_CODE) ?? 0
        let code = (isHTTP && status > 0) ? status : reported
        let effective = easy?.info(string: CURLINFO_EFFECTIVE_URL).map(CurlURL.redacted) ?? displayURL
        let length = easy?.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T).flatMap { $0 >= 0 ? $0 : nil }
        var time: Date?
        if request.fetchFileTime, let t = easy?.info(offset: CURLINFO_FILETIME_T), t >= 0 {
            time = Date(timeIntervalSince1970: TimeInterval(t))
        }
        let response = CurlResponse(status: code, headers: headers, serverLines: lines, effectiveURL: effective,
                                    contentLength: length, fileTime: time,
                                    body: ByteStream(CurlBodySource(bodyChannel)))
        answer(.success(response))
    }

    /// CURLOPT_READFUNCTION: copies the next upload bytes into libcurl's buffer.
    /// Returns 0 at the end, CURL_READFUNC_ABORT (after noting why) on failure.
    private func supplyUpload(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let buffer, capacity > 0 else { return 0 }
        let out = UnsafeMutableRawBufferPointer(start: buffer, count: capacity)
        if let bytes = uploadBytes {
            let start = Int(uploadSent)
            let n = min(capacity, bytes.count - start)
            guard n > 0 else { return 0 }
            bytes.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
            uploadSent += Int64(n)
            return n
        }
        guard let channel = uploadChannel else { return 0 }
        let abort = Int(CURL_READFUNC_ABORT)
        if uploadChunkOffset >= uploadChunk.count {
            if uploadEnded { return 0 }
            do {
                guard let next = try channel.receiveBlocking() else {
                    uploadEnded = true
                    if let size = uploadSize, uploadSent != size {
                        uploadError = sizeMismatch("the source ended after \(uploadSent) of \(size) bytes")
                        return abort
                    }
                    return 0
                }
                uploadChunk = next
                uploadChunkOffset = 0
            } catch {
                uploadError = error
                return abort
            }
        }
        let n = min(capacity, uploadChunk.count - uploadChunkOffset)
        if let size = uploadSize, uploadSent + Int64(n) > size {
            uploadError = sizeMismatch("the source is longer than the \(size) bytes announced")
            return abort
        }
        let start = uploadChunkOffset
        uploadChunk.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
        uploadChunkOffset += n
        uploadSent += Int64(n)
        if let size = uploadSize, uploadSent == size, uploadChunkOffset == uploadChunk.count, !uploadEnded {
            // libcurl stops asking once `size` bytes are out: make sure the source ends here too.
            do {
                if let extra = try channel.receiveBlocking(), !extra.isEmpty {
                    uploadError = sizeMismatch("the source is longer than the \(size) bytes announced")
                    return abort
                }
                uploadEnded = true
            } catch {
                uploadError = error
                return abort
            }
        }
        return n
    }

    private func sizeMismatch(_ message: String) -> VFSError {
        VFSError(.checksumMismatch, message, path: displayURL,
                 remedy: "the source changed while it was read; retry the transfer")
    }

    /// CURLOPT_SEEKFUNCTION: in-memory bodies rewind anywhere; a stream only before its first byte.
    private func seekUpload(_ offset: Int, _ origin: Int32) -> Int32 {
        guard origin == SEEK_SET else { return CURL_SEEKFUNC_CANTSEEK }
        if let bytes = uploadBytes, offset >= 0, offset <= bytes.count {
            uploadSent = Int64(offset)
            return CURL_SEEKFUNC_OK
        }
        if offset == 0 && uploadSent == 0 { return CURL_SEEKFUNC_OK }
        return CURL_SEEKFUNC_CANTSEEK
    }

    /// CURLOPT_XFERINFOFUNCTION: runs at least once a second, even when no data moves, so
    /// cancellation by the caller or the reader is noticed during stalls. Non-zero aborts.
    private func progress() -> Int32 {
        if !delivered && isCallerCancelled { return 1 }
        if bodyChannel.isCancelled {
            readerGone = true
            return 1
        }
        if !pending.isEmpty,
           DispatchTime.now().uptimeNanoseconds &- pendingSince >= CurlTransfer.maxPendingNanoseconds {
            flushPending()
            if readerGone { return 1 }
        }
        return 0
    }
}
