import DCTCCore

/// Everything one libcurl transfer needs, as a `Sendable` value that a worker thread turns into
/// easy-handle options.
///
/// One type serves HTTP(S), FTP(S) and `file://`: the fields a protocol does not use are
/// ignored by libcurl. Its `description` shows the method and the URL without credentials;
/// the password never appears in any text this module produces.
public struct CurlRequest: Sendable, CustomStringConvertible {
    /// What is sent after the request line.
    public enum Body: Sendable {
        /// Nothing.
        case none
        /// Bytes in memory (small documents: XML bodies, JSON). libcurl can rewind them.
        case bytes([UInt8])
        /// A stream read as libcurl sends it; `size` when known (`Content-Length`), else HTTP
        /// uses chunked transfer encoding. A stream shorter or longer than `size` fails the
        /// transfer instead of sending a truncated or overlong body.
        case stream(ByteStream, size: Int64?)
    }

    /// Deadlines. Stall detection (`stallSpeed` bytes/s for `stallTime`) catches a dead peer
    /// without cutting off a long but moving transfer.
    public struct Timeouts: Sendable {
        /// `CURLOPT_CONNECTTIMEOUT_MS`: TCP, TLS and FTP login.
        public var connect: Duration = .seconds(30)
        /// `CURLOPT_LOW_SPEED_TIME`: how long the transfer may stay below `stallSpeed`.
        public var stallTime: Duration = .seconds(60)
        /// `CURLOPT_LOW_SPEED_LIMIT`, bytes per second.
        public var stallSpeed: Int = 1
        /// `CURLOPT_TIMEOUT_MS`: the whole transfer, body included; nil for none.
        public var total: Duration?
        /// `CURLOPT_SERVER_RESPONSE_TIMEOUT`: how long an FTP command may wait for its reply
        /// (libcurl's default is 120 s, which the low-speed check does not shorten); nil keeps it.
        public var serverResponse: Duration?

        public init(connect: Duration = .seconds(30), stallTime: Duration = .seconds(60),
                    stallSpeed: Int = 1, total: Duration? = nil) {
            self.connect = connect
            self.stallTime = stallTime
            self.stallSpeed = stallSpeed
            self.total = total
        }
    }

    /// `CURLOPT_HTTPAUTH`.
    public enum HTTPAuthentication: Sendable {
        /// `CURLAUTH_BASIC`: sent with the first request (use over TLS).
        case basic
        /// `CURLAUTH_DIGEST`: costs one extra round trip.
        case digest
        /// `CURLAUTH_ANYSAFE`: whatever the server offers except Basic.
        case anySafe
    }

    /// `CURLOPT_USE_SSL` for FTP: explicit TLS on the control and data connections.
    public enum FTPSecurity: Sendable {
        case none
        /// Use TLS when the server offers it.
        case tryTLS
        /// Fail unless the server does TLS (`ftp://` with `AUTH TLS`; `ftps://` is implicit TLS).
        case requireTLS
    }

    /// `GET`, `HEAD`, `PUT`, `POST`, `DELETE`, `PROPFIND`, …; ignored for FTP and `file://`.
    public var method: String
    /// The address; a `user:password@` part is moved to `user`/`password` before libcurl sees it.
    public var url: String
    /// Extra request headers, in order; a name may repeat. Names and values may not contain
    /// line breaks.
    public var headers: [(String, String)]
    /// Headers libcurl would add by itself that must not be sent (e.g. `Expect`, `Accept`).
    public var removedHeaders: [String] = []
    public var body: Body
    public var timeouts: Timeouts = Timeouts()
    /// `CURLOPT_USERNAME`.
    public var user: String?
    /// `CURLOPT_PASSWORD`. Never logged or shown.
    public var password: String?
    public var httpAuthentication: HTTPAuthentication = .basic
    /// `CURLOPT_SSL_VERIFYPEER`/`VERIFYHOST`; false only for test servers (`--insecure`).
    public var verifyTLS = true
    /// `CURLOPT_CAINFO`: a PEM bundle to trust instead of the system's.
    public var caBundlePath: String?
    /// `CURLOPT_FOLLOWLOCATION` (http and https only, at most 10 hops).
    public var followRedirects = false
    /// `CURLOPT_RANGE`: part of the content (HTTP `Range`, FTP `REST`, `file://`). An HTTP
    /// server may ignore it and answer 200 with everything: check for status 206.
    public var range: ByteRange?
    /// `CURLOPT_NOBODY`: headers or file facts only (HTTP `HEAD`; FTP `SIZE`/`MDTM` only).
    public var noBody = false
    /// `CURLOPT_UPLOAD`: send `body` (HTTP `PUT` unless `method` says otherwise; FTP `STOR`).
    /// Set by the initialiser for `PUT`, and for any other method but `POST` that has a body.
    /// An upload of `.none` sends zero bytes (`Content-Length: 0`; an empty FTP file).
    public var upload = false
    /// `CURLOPT_CUSTOMREQUEST`: the literal request method, or the FTP listing command
    /// (`MLSD`). For HTTP a `method` other than GET/HEAD/POST/PUT is sent this way anyway.
    public var customRequest: String?
    /// `CURLOPT_DIRLISTONLY`: FTP `NLST` instead of `LIST`.
    public var dirListOnly = false
    /// `CURLOPT_QUOTE`: FTP commands sent before the transfer (`DELE /d/f`, `MKD /d`, `MFMT …`).
    /// Use absolute paths: a reused connection may still be in another request's folder.
    /// The replies arrive in `CurlResponse.serverLines`; a 4xx/5xx reply fails the request
    /// with `CURLE_QUOTE_ERROR` and the reply code as `CurlError.httpStatus`.
    public var ftpCommands: [String] = []
    /// `CURLOPT_POSTQUOTE`: FTP commands sent after a successful transfer (`RNFR`/`RNTO`).
    public var ftpPostCommands: [String] = []
    /// `CURLOPT_FTP_CREATE_MISSING_DIRS`: create the folders of an upload's path.
    public var ftpCreateMissingDirectories = false
    public var ftpSecurity: FTPSecurity = .none
    /// `CURLOPT_FILETIME`: fetch the modification time (FTP `MDTM`, HTTP `Last-Modified`,
    /// `file://` mtime) into `CurlResponse.fileTime`.
    public var fetchFileTime = false

    /// A request; `upload` is set for `PUT`, and when `body` is not `.none` and `method` is not
    /// `POST`; `noBody` is set for `HEAD`.
    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: Body = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        let m = method.uppercased()
        if case .none = body { upload = m == "PUT" } else { upload = m != "POST" }
        if m == "HEAD" { noBody = true }
    }

    public static func get(_ url: String, headers: [(String, String)] = []) -> CurlRequest {
        CurlRequest(url: url, headers: headers)
    }

    public static func head(_ url: String, headers: [(String, String)] = []) -> CurlRequest {
        CurlRequest(method: "HEAD", url: url, headers: headers)
    }

    public static func put(_ url: String, body: Body, headers: [(String, String)] = []) -> CurlRequest {
        CurlRequest(method: "PUT", url: url, headers: headers, body: body)
    }

    public static func delete(_ url: String, headers: [(String, String)] = []) -> CurlRequest {
        CurlRequest(method: "DELETE", url: url, headers: headers)
    }

    /// `GET http://host/path` without credentials.
    public var description: String { "\(method) \(displayURL)" }

    /// The URL as it may be shown: without `user:password@`.
    public var displayURL: String { CurlURL.redacted(url) }

    /// Checks what libcurl would otherwise reject late or misinterpret.
    ///
    /// - Throws: `VFSError.invalidArgument` for a header with a line break or an empty name,
    ///   a zero-length range, or a method with spaces.
    func validate() throws {
        // Scalars, not Characters: "\r\n" is a single Character.
        func bad(_ s: String) -> Bool { s.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) }
        for (name, value) in headers {
            if name.isEmpty || name.contains(":") || name.contains(" ") || bad(name) || bad(value) {
                throw VFSError.invalid("the request header \(name.debugDescription) is malformed", path: displayURL)
            }
        }
        if method.isEmpty || method.contains(" ") || bad(method) {
            throw VFSError.invalid("the request method \(method.debugDescription) is malformed", path: displayURL)
        }
        if let range, range.length == 0 {
            throw VFSError.invalid("an empty byte range cannot be requested", path: displayURL,
                                   remedy: "skip the request when there is nothing to read")
        }
        for command in ftpCommands + ftpPostCommands where bad(command) {
            throw VFSError.invalid("an FTP command contains a line break", path: displayURL)
        }
    }

    /// The `CURLOPT_RANGE` value: `first-last` or `first-`.
    var curlRange: String? {
        guard let range else { return nil }
        if let length = range.length { return "\(range.offset)-\(range.offset + length - 1)" }
        return "\(range.offset)-"
    }
}
