import CDCTCCurl
import DCTCCore

/// One libcurl easy handle (`CURL *`) and everything libcurl borrows from us while it holds it.
///
/// Not `Sendable`: libcurl forbids using a handle from two threads at once, so a `CurlEasy`
/// lives on one thread (a `CurlClient` worker keeps one per worker thread and reuses it, which
/// also reuses its cached connections). There is one `set` per option kind, each wrapping a
/// typed `CDCTCCurl_easy_setopt_*` shim. libcurl copies strings, but not string lists
/// (`curl_slist`): lists given to `set(_:list:)` stay alive until `reset()` or `deinit`.
///
/// Every handle starts from the same defaults (`applyDefaults`): no signals (`CURLOPT_NOSIGNAL`,
/// required with threads), 256 KiB receive and upload buffers, a 30 s connect timeout, stall
/// detection (below 1 byte/s for 60 s aborts with `CURLE_OPERATION_TIMEDOUT`), TCP keepalive,
/// redirects not followed, and no `Accept-Encoding`, so bodies arrive as the raw stored bytes.
public final class CurlEasy {
    /// Tunables applied by `applyDefaults`.
    public struct Defaults: Sendable {
        /// `CURLOPT_BUFFERSIZE`: the receive buffer, and the largest chunk the write callback gets.
        public var receiveBufferSize = 256 * 1024
        /// `CURLOPT_UPLOAD_BUFFERSIZE` (libcurl 7.88 accepts up to 2 MiB).
        public var uploadBufferSize = 256 * 1024
        /// `CURLOPT_USERAGENT`.
        public var userAgent = "dctc"
        /// `CURLOPT_PROTOCOLS_STR`: the schemes a request may use.
        public var protocols = "http,https,ftp,ftps,file"

        public init() {}
    }

    /// The raw `CURL *`, for calls this class does not wrap. Do not free it.
    public let handle: UnsafeMutableRawPointer
    private let defaults: Defaults
    private let share: CurlShare?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    /// Creates a handle (`curl_easy_init`) with `applyDefaults` applied.
    ///
    /// - Parameters:
    ///   - defaults: buffer sizes, user agent and allowed schemes.
    ///   - share: the share handle for DNS and TLS sessions, kept alive as long as this handle.
    /// - Throws: `CurlError` when libcurl cannot be initialised or allocate the handle.
    init(defaults: Defaults = Defaults(), share: CurlShare? = nil) throws {
        try CurlGlobal.ensureInitialized()
        guard let h = curl_easy_init() else {
            throw CurlError(code: CURLE_OUT_OF_MEMORY, detail: "curl_easy_init failed", url: "")
        }
        handle = h
        self.defaults = defaults
        self.share = share
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try applyDefaults()
    }

    /// Creates a stand-alone handle with the default settings and no share.
    ///
    /// - Throws: `CurlError` when libcurl cannot allocate the handle.
    public convenience init() throws {
        try self.init(defaults: Defaults(), share: nil)
    }

    deinit {
        curl_easy_cleanup(handle)
        freeLists()
        errorBuffer.deallocate()
    }

    // MARK: - Options

    /// Sets an option whose argument is a `long` (`curl_easy_setopt`, CURLOPTTYPE_LONG).
    ///
    /// - Throws: `CurlError` (`CURLE_UNKNOWN_OPTION`, `CURLE_BAD_FUNCTION_ARGUMENT`, …).
    public func set(_ option: CURLoption, long value: Int) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_long(handle, option, value), option)
    }

    /// Sets an option whose argument is a `curl_off_t` (the `*_LARGE` options).
    ///
    /// - Throws: `CurlError` when libcurl rejects the option or value.
    public func set(_ option: CURLoption, offset value: Int64) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_off_t(handle, option, Int(value)), option)
    }

    /// Sets a string option; libcurl copies the string. nil restores the option's default.
    ///
    /// - Throws: `CurlError` when libcurl rejects the option or value.
    public func set(_ option: CURLoption, string value: String?) throws(CurlError) {
        let code: CURLcode
        if let value {
            code = value.withCString { CDCTCCurl_easy_setopt_string(handle, option, $0) }
        } else {
            code = CDCTCCurl_easy_setopt_string(handle, option, nil)
        }
        try check(code, option)
    }

    /// Sets a pointer option (`CURLOPT_WRITEDATA`, `CURLOPT_SHARE`, …). The caller keeps the
    /// pointee alive while libcurl may use it.
    ///
    /// - Throws: `CurlError` when libcurl rejects the option.
    public func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_pointer(handle, option, value), option)
    }

    /// Sets a string-list option (`CURLOPT_HTTPHEADER`, `CURLOPT_QUOTE`, …). The list is built
    /// with `curl_slist_append` and kept alive until `reset()`, since libcurl does not copy it.
    /// An empty array clears the option.
    ///
    /// - Throws: `CurlError` when libcurl rejects the option or cannot allocate the list.
    public func set(_ option: CURLoption, list values: [String]) throws(CurlError) {
        guard !values.isEmpty else {
            try check(CDCTCCurl_easy_setopt_slist(handle, option, nil), option)
            return
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let next = value.withCString({ curl_slist_append(list, $0) }) else {
                curl_slist_free_all(list)
                throw CurlError(code: CURLE_OUT_OF_MEMORY, detail: "curl_slist_append failed", url: "")
            }
            list = next
        }
        guard let list else { return }
        lists.append(list)
        try check(CDCTCCurl_easy_setopt_slist(handle, option, list), option)
    }

    /// `CURLOPT_WRITEFUNCTION`: receives the body. The closure must capture nothing.
    public func setWriteFunction(_ callback: curl_write_callback) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_write_function(handle, callback), CURLOPT_WRITEFUNCTION)
    }

    /// `CURLOPT_READFUNCTION`: supplies the upload. The closure must capture nothing.
    public func setReadFunction(_ callback: curl_read_callback) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_read_function(handle, callback), CURLOPT_READFUNCTION)
    }

    /// `CURLOPT_HEADERFUNCTION`: receives each header line (and each FTP reply line).
    public func setHeaderFunction(_ callback: curl_write_callback) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_header_function(handle, callback), CURLOPT_HEADERFUNCTION)
    }

    /// `CURLOPT_XFERINFOFUNCTION`: called often during the transfer; non-zero aborts it.
    /// Takes effect only with `CURLOPT_NOPROGRESS` set to 0.
    public func setTransferInfoFunction(_ callback: curl_xferinfo_callback) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_xferinfo_function(handle, callback), CURLOPT_XFERINFOFUNCTION)
    }

    /// `CURLOPT_SEEKFUNCTION`: rewinds the upload when libcurl must send it again.
    public func setSeekFunction(_ callback: curl_seek_callback) throws(CurlError) {
        try check(CDCTCCurl_easy_setopt_seek_function(handle, callback), CURLOPT_SEEKFUNCTION)
    }

    // MARK: - Information

    /// A `long` info (`curl_easy_getinfo`, e.g. `CURLINFO_RESPONSE_CODE`); nil if unavailable.
    public func info(long info: CURLINFO) -> Int? {
        var value = 0
        return CDCTCCurl_easy_getinfo_long(handle, info, &value) == CURLE_OK ? value : nil
    }

    /// A `curl_off_t` info (e.g. `CURLINFO_CONTENT_LENGTH_DOWNLOAD_T`); nil if unavailable.
    public func info(offset info: CURLINFO) -> Int64? {
        var value = 0
        return CDCTCCurl_easy_getinfo_off_t(handle, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    /// A `double` info (e.g. `CURLINFO_TOTAL_TIME`); nil if unavailable.
    public func info(double info: CURLINFO) -> Double? {
        var value = 0.0
        return CDCTCCurl_easy_getinfo_double(handle, info, &value) == CURLE_OK ? value : nil
    }

    /// A string info (e.g. `CURLINFO_EFFECTIVE_URL`), copied; nil if unavailable.
    public func info(string info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard CDCTCCurl_easy_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    // MARK: - Running

    /// Runs the transfer (`curl_easy_perform`), blocking the calling thread until it ends.
    ///
    /// Never call this from a Swift task: use a `CurlClient`, whose workers are threads of
    /// their own. Returns the `CURLcode`; `errorText` then holds libcurl's explanation.
    public func perform() -> CURLcode {
        errorBuffer[0] = 0
        return curl_easy_perform(handle)
    }

    /// What libcurl wrote to `CURLOPT_ERRORBUFFER` during the last `perform()`, if anything.
    public var errorText: String? {
        errorBuffer[Int(CURL_ERROR_SIZE) - 1] = 0
        let s = String(cString: errorBuffer)
        return s.isEmpty ? nil : s
    }

    /// Clears every option (`curl_easy_reset`) and applies the defaults again.
    ///
    /// Live connections, the DNS cache and TLS sessions survive a reset, which is why workers
    /// reset and reuse one handle instead of creating a handle per request. Frees the string
    /// lists the previous options used.
    public func reset() {
        curl_easy_reset(handle)
        freeLists()
        // Only an unknown option can fail here, which the first applyDefaults in init ruled out.
        try? applyDefaults()
    }

    /// The defaults every request starts from (see the type's documentation).
    private func applyDefaults() throws(CurlError) {
        try set(CURLOPT_NOSIGNAL, long: 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        try set(CURLOPT_BUFFERSIZE, long: defaults.receiveBufferSize)
        try set(CURLOPT_UPLOAD_BUFFERSIZE, long: defaults.uploadBufferSize)
        try set(CURLOPT_CONNECTTIMEOUT_MS, long: 30_000)
        try set(CURLOPT_LOW_SPEED_LIMIT, long: 1)
        try set(CURLOPT_LOW_SPEED_TIME, long: 60)
        try set(CURLOPT_TCP_KEEPALIVE, long: 1)
        try set(CURLOPT_TCP_KEEPIDLE, long: 60)
        try set(CURLOPT_TCP_KEEPINTVL, long: 30)
        try set(CURLOPT_FOLLOWLOCATION, long: 0)
        try set(CURLOPT_ACCEPT_ENCODING, string: nil)
        try set(CURLOPT_USERAGENT, string: defaults.userAgent)
        try set(CURLOPT_PROTOCOLS_STR, string: defaults.protocols)
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        if let share {
            try set(CURLOPT_SHARE, pointer: share.handle)
        }
    }

    private func freeLists() {
        for list in lists { curl_slist_free_all(list) }
        lists.removeAll()
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        if code != CURLE_OK {
            throw CurlError(code: code, detail: "curl_easy_setopt(option \(option.rawValue)) failed", url: "")
        }
    }
}

@available(*, unavailable, message: "a libcurl easy handle may only be used by one thread")
extension CurlEasy: Sendable {}
