import CDCTCCurl
import DCTCCore
import Foundation

/// A failed libcurl transfer: the `CURLcode` it ended with, curl's own words for it, and the
/// HTTP status when the failure is about a response rather than the connection.
///
/// `CurlClient.perform` throws this for failures of the transfer itself (connection, TLS,
/// timeouts, FTP replies). An HTTP response with an error status is not a transfer failure:
/// it comes back as a `CurlResponse`, and `HTTPStatus.toVFSError` or
/// `CurlResponse.requireSuccess(path:)` turn it into an error. Backends convert with
/// `toVFSError(path:)` (or `CurlError.vfsError(from:path:)` for any error a transfer throws).
///
/// The URL it carries never contains a user name or password.
public struct CurlError: Error, Sendable, CustomStringConvertible, VFSErrorConvertible {
    /// The libcurl result code (`CURLE_*`).
    public let code: CURLcode
    /// `curl_easy_strerror(code)`: curl's one-line description of the code.
    public let summary: String
    /// The text libcurl wrote to `CURLOPT_ERRORBUFFER`, which names the host, port or reply.
    public let detail: String?
    /// The HTTP (or FTP) status received before the failure, when there was one.
    public let httpStatus: Int?
    /// The URL of the transfer, without credentials.
    public let url: String

    /// Creates an error for a `CURLcode`.
    ///
    /// - Parameters:
    ///   - code: the code `curl_easy_perform` returned.
    ///   - detail: the error buffer's text, if any.
    ///   - httpStatus: the response status, when one was received.
    ///   - url: the transfer's URL; credentials are removed here as well.
    public init(code: CURLcode, detail: String? = nil, httpStatus: Int? = nil, url: String) {
        self.code = code
        self.summary = String(cString: curl_easy_strerror(code))
        let trimmed = detail?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.detail = (trimmed?.isEmpty ?? true) ? nil : trimmed
        self.httpStatus = httpStatus
        self.url = CurlURL.redacted(url)
    }

    /// An error for an HTTP response with a failing status (`CURLE_HTTP_RETURNED_ERROR`).
    public static func http(status: Int, url: String, detail: String? = nil) -> CurlError {
        CurlError(code: CURLE_HTTP_RETURNED_ERROR, detail: detail, httpStatus: status, url: url)
    }

    /// The symbolic name of the code, e.g. `CURLE_COULDNT_CONNECT`.
    public var name: String { CurlError.name(of: code) }

    /// `CURLE_COULDNT_CONNECT (7): Failed to connect to 127.0.0.1 port 1: Connection refused`.
    public var cause: String {
        var s = "\(name) (\(code.rawValue)): \(detail ?? summary)"
        if let httpStatus { s += ", status \(httpStatus)" }
        return s
    }

    public var description: String { "\(url): \(cause)" }

    /// True when trying again later may succeed.
    public var isRetryable: Bool { toVFSError(path: url).isRetryable }

    /// True when the request certainly never reached the server (connection refused, host
    /// not resolved): even a request that is not idempotent may be sent again.
    public var requestNeverSent: Bool {
        code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY
    }

    /// The symbolic name of a `CURLcode`, e.g. `CURLE_OPERATION_TIMEDOUT`.
    public static func name(of code: CURLcode) -> String {
        let raw = Int(code.rawValue)
        guard raw >= 0, raw < codeNames.count else { return "CURLE_\(raw)" }
        return "CURLE_" + codeNames[raw]
    }

    // MARK: - Conversion to VFSError

    /// The `VFSError` a user sees for this failure, with a remedy in words.
    ///
    /// Connection-level failures (`COULDNT_CONNECT`, `COULDNT_RESOLVE_HOST`, `SEND_ERROR`,
    /// `RECV_ERROR`, `GOT_NOTHING`, `PARTIAL_FILE`, …) become `.unavailable` (retryable);
    /// `OPERATION_TIMEDOUT` becomes `.timedOut`; `LOGIN_DENIED` `.authenticationFailed`;
    /// `REMOTE_ACCESS_DENIED` `.permissionDenied`; `REMOTE_FILE_NOT_FOUND` `.notFound`;
    /// certificate and TLS failures `.authenticationFailed` with a remedy about certificates;
    /// `ABORTED_BY_CALLBACK` `.cancelled`; an HTTP status goes through `HTTPStatus.toVFSError`.
    ///
    /// - Parameter path: the address to show, as the user typed it (defaults to the URL).
    public func toVFSError(path: String? = nil) -> VFSError {
        let shown = path ?? url
        if code == CURLE_HTTP_RETURNED_ERROR, let httpStatus {
            var e = HTTPStatus(httpStatus).toVFSError(path: shown)
            e.cause = cause
            return e
        }
        let (kind, message, remedy) = CurlError.classify(code)
        return VFSError(kind, message, path: shown, remedy: remedy, backend: scheme, cause: cause)
    }

    /// `VFSErrorConvertible`: the same as `toVFSError(path:)`.
    public func vfsError(path: String?) -> VFSError { toVFSError(path: path) }

    /// Converts whatever a `CurlClient` call threw into a `VFSError` for `path`.
    ///
    /// `CurlError` goes through `toVFSError(path:)`; a `VFSError` (from an upload source, or a
    /// cancelled reader) keeps its code; `CancellationError` becomes `.cancelled`.
    public static func vfsError(from error: any Error, path: String) -> VFSError {
        if let e = error as? CurlError { return e.toVFSError(path: path) }
        return VFSError.wrap(error, path: path)
    }

    /// The URL's scheme (`http`, `ftp`, …), used as the error's backend name.
    private var scheme: String? {
        guard let r = url.range(of: "://") else { return nil }
        return String(url[..<r.lowerBound]).lowercased()
    }

    private static let certificateRemedy =
        "the server's TLS certificate or connection could not be verified: install its CA certificate "
        + "and point the store's ca bundle option at it, or use `--insecure` for a test server you trust"

    // Kept in one table so the mapping reads as a specification.
    private static func classify(_ code: CURLcode) -> (VFSError.Code, String, String) {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return (.unavailable, "cannot resolve the host name",
                    "check the host name and your network or DNS settings, then retry")
        case CURLE_COULDNT_CONNECT, CURLE_FTP_CANT_GET_HOST, CURLE_FTP_ACCEPT_FAILED, CURLE_FTP_ACCEPT_TIMEOUT,
             CURLE_NO_CONNECTION_AVAILABLE:
            return (.unavailable, "cannot connect to the server",
                    "check that the server is running and the host and port are right, then retry")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_SEND_FAIL_REWIND,
             CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_AGAIN, CURLE_WEIRD_SERVER_REPLY, CURLE_FTP_WEIRD_PASV_REPLY,
             CURLE_FTP_WEIRD_227_FORMAT, CURLE_UNRECOVERABLE_POLL:
            return (.unavailable, "the connection to the server broke off",
                    "retry; if it keeps happening, check the server's logs and load")
        case CURLE_OPERATION_TIMEDOUT:
            return (.timedOut, "the server stopped responding in time",
                    "retry, or give a slow server more time with --timeout or the account's timeout")
        case CURLE_LOGIN_DENIED, CURLE_AUTH_ERROR, CURLE_FTP_WEIRD_PASS_REPLY:
            return (.authenticationFailed, "the server refused the login",
                    "check the user name and password for this store")
        case CURLE_REMOTE_ACCESS_DENIED:
            return (.permissionDenied, "the server denied access",
                    "check that this account may read or write there")
        case CURLE_REMOTE_FILE_NOT_FOUND, CURLE_FILE_COULDNT_READ_FILE, CURLE_TFTP_NOTFOUND:
            return (.notFound, "no such file or directory",
                    "check the name and its parent folder with `dctc ls`")
        case CURLE_REMOTE_FILE_EXISTS:
            return (.alreadyExists, "the file already exists on the server",
                    "remove it first or choose another name")
        case CURLE_REMOTE_DISK_FULL:
            return (.io, "the server's disk is full", "free space on the server, then retry")
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED:
            return (.authenticationFailed, "the secure (TLS) connection could not be established", certificateRemedy)
        case CURLE_ABORTED_BY_CALLBACK:
            return (.cancelled, "the transfer was cancelled", "")
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_NOT_BUILT_IN:
            return (.unsupported, "this kind of address is not supported by the HTTP/FTP client",
                    "use an http://, https://, ftp://, ftps:// or file:// address")
        case CURLE_URL_MALFORMAT:
            return (.invalidArgument, "the address is not a valid URL", "check the address for typos")
        case CURLE_RANGE_ERROR, CURLE_BAD_DOWNLOAD_RESUME, CURLE_FTP_COULDNT_USE_REST:
            return (.invalidArgument, "the server refused the requested byte range",
                    "check the offset is within the file")
        case CURLE_TOO_MANY_REDIRECTS:
            return (.io, "the server redirected too many times", "check the address on the server side")
        case CURLE_UPLOAD_FAILED:
            return (.io, "the server refused the upload",
                    "check that the folder exists and this account may write there")
        case CURLE_QUOTE_ERROR:
            return (.io, "the server refused a command", "check the path and this account's permissions")
        case CURLE_FILESIZE_EXCEEDED:
            return (.io, "the file is larger than the allowed maximum", "raise the size limit")
        case CURLE_BAD_CONTENT_ENCODING:
            return (.corruptData, "the server sent data in an encoding that could not be decoded",
                    "retry; check the server's compression settings")
        default:
            return (.io, String(cString: curl_easy_strerror(code)).lowercased(),
                    "retry with `--verbose` to see libcurl's code")
        }
    }

    // Index = CURLcode raw value, as declared in curl/curl.h of 7.88 (obsolete slots kept).
    private static let codeNames: [String] = [
        "OK", "UNSUPPORTED_PROTOCOL", "FAILED_INIT", "URL_MALFORMAT", "NOT_BUILT_IN", "COULDNT_RESOLVE_PROXY",
        "COULDNT_RESOLVE_HOST", "COULDNT_CONNECT", "WEIRD_SERVER_REPLY", "REMOTE_ACCESS_DENIED",
        "FTP_ACCEPT_FAILED", "FTP_WEIRD_PASS_REPLY", "FTP_ACCEPT_TIMEOUT", "FTP_WEIRD_PASV_REPLY",
        "FTP_WEIRD_227_FORMAT", "FTP_CANT_GET_HOST", "HTTP2", "FTP_COULDNT_SET_TYPE", "PARTIAL_FILE",
        "FTP_COULDNT_RETR_FILE", "OBSOLETE20", "QUOTE_ERROR", "HTTP_RETURNED_ERROR", "WRITE_ERROR",
        "OBSOLETE24", "UPLOAD_FAILED", "READ_ERROR", "OUT_OF_MEMORY", "OPERATION_TIMEDOUT", "OBSOLETE29",
        "FTP_PORT_FAILED", "FTP_COULDNT_USE_REST", "OBSOLETE32", "RANGE_ERROR", "HTTP_POST_ERROR",
        "SSL_CONNECT_ERROR", "BAD_DOWNLOAD_RESUME", "FILE_COULDNT_READ_FILE", "LDAP_CANNOT_BIND",
        "LDAP_SEARCH_FAILED", "OBSOLETE40", "FUNCTION_NOT_FOUND", "ABORTED_BY_CALLBACK",
        "BAD_FUNCTION_ARGUMENT", "OBSOLETE44", "INTERFACE_FAILED", "OBSOLETE46", "TOO_MANY_REDIRECTS",
        "UNKNOWN_OPTION", "SETOPT_OPTION_SYNTAX", "OBSOLETE50", "OBSOLETE51", "GOT_NOTHING",
        "SSL_ENGINE_NOTFOUND", "SSL_ENGINE_SETFAILED", "SEND_ERROR", "RECV_ERROR", "OBSOLETE57",
        "SSL_CERTPROBLEM", "SSL_CIPHER", "PEER_FAILED_VERIFICATION", "BAD_CONTENT_ENCODING", "OBSOLETE62",
        "FILESIZE_EXCEEDED", "USE_SSL_FAILED", "SEND_FAIL_REWIND", "SSL_ENGINE_INITFAILED", "LOGIN_DENIED",
        "TFTP_NOTFOUND", "TFTP_PERM", "REMOTE_DISK_FULL", "TFTP_ILLEGAL", "TFTP_UNKNOWNID",
        "REMOTE_FILE_EXISTS", "TFTP_NOSUCHUSER", "OBSOLETE75", "OBSOLETE76", "SSL_CACERT_BADFILE",
        "REMOTE_FILE_NOT_FOUND", "SSH", "SSL_SHUTDOWN_FAILED", "AGAIN", "SSL_CRL_BADFILE", "SSL_ISSUER_ERROR",
        "FTP_PRET_FAILED", "RTSP_CSEQ_ERROR", "RTSP_SESSION_ERROR", "FTP_BAD_FILE_LIST", "CHUNK_FAILED",
        "NO_CONNECTION_AVAILABLE", "SSL_PINNEDPUBKEYNOTMATCH", "SSL_INVALIDCERTSTATUS", "HTTP2_STREAM",
        "RECURSIVE_API_CALL", "AUTH_ERROR", "HTTP3", "QUIC_CONNECT_ERROR", "PROXY", "SSL_CLIENTCERT",
        "UNRECOVERABLE_POLL",
    ]
}
