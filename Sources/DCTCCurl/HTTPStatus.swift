import DCTCCore
import Foundation

/// An HTTP response status, and the `VFSError` it stands for when it is a failure.
///
/// Backends of HTTP-based stores (WebDAV, S3) receive every status as a `CurlResponse` and
/// call `toVFSError(path:)` when the status is not the one they expected; a store with its
/// own error documents (S3's XML `<Code>`) refines the result.
public struct HTTPStatus: Sendable, Hashable, CustomStringConvertible {
    /// The numeric status (`404`).
    public let code: Int

    public init(_ code: Int) { self.code = code }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(code) }

    /// `404 Not Found`.
    public var description: String {
        let reason = HTTPStatus.reasons[code]
        return reason.map { "\(code) \($0)" } ?? "\(code)"
    }

    /// The `VFSError` for this status.
    ///
    /// 404 → `.notFound`; 401 and 407 → `.authenticationFailed`; 403 → `.permissionDenied`;
    /// 412 → `.alreadyExists` (a conditional write found something there, or it changed);
    /// 409 → `.io` (conflicts with the current state: a missing parent, a non-empty bucket);
    /// 416 → `.invalidArgument`; 408 → `.timedOut`; 429, 500, 502, 503, 504 → `.unavailable`
    /// (retryable); anything else → `.io`.
    ///
    /// - Parameters:
    ///   - path: the address the request was about, as the user would type it.
    ///   - serverMessage: a short text from the response body worth keeping as the cause.
    public func toVFSError(path: String, serverMessage: String? = nil) -> VFSError {
        let kind: VFSError.Code
        let message: String
        let remedy: String
        switch code {
        case 404, 410:
            (kind, message, remedy) = (.notFound, "no such file or directory",
                                       "check the name and its parent folder with `dctc ls`")
        case 401, 407:
            (kind, message, remedy) = (.authenticationFailed, "the server refused the credentials",
                                       "check the user name and password (or keys) for this store")
        case 403:
            (kind, message, remedy) = (.permissionDenied, "the server denied access",
                                       "check that this account may read or write there")
        case 412:
            (kind, message, remedy) = (.alreadyExists, "the target already exists or changed meanwhile",
                                       "list it again, then remove it or retry")
        case 409:
            (kind, message, remedy) = (.io, "the request conflicts with the current state on the server",
                                       "check that the parent folder exists and the target is not in use")
        case 416:
            (kind, message, remedy) = (.invalidArgument, "the requested byte range is outside the file",
                                       "check the offset against the file's size")
        case 408:
            (kind, message, remedy) = (.timedOut, "the server timed out waiting for the request", "retry")
        case 429, 500, 502, 503, 504:
            (kind, message, remedy) = (.unavailable, "the server is overloaded or failing",
                                       "retry later; lower the number of parallel transfers if it persists")
        default:
            (kind, message, remedy) = (.io, "the server answered with an unexpected status",
                                       "retry with `--verbose` to see the server's answer")
        }
        var cause = "HTTP \(description)"
        if let serverMessage, !serverMessage.isEmpty { cause += ": \(serverMessage)" }
        return VFSError(kind, "\(message) (HTTP \(code))", path: path, remedy: remedy, backend: "http", cause: cause)
    }

    /// The seconds a `Retry-After` header asks to wait: delta-seconds (`120`) or an HTTP date
    /// (`Wed, 21 Oct 2026 07:28:00 GMT`); nil when absent, malformed or in the past. Capped at one hour.
    public static func retryAfter(_ value: String?) -> Double? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let n = Double(text) else { return nil }
            return min(n, 3600)
        }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = f.date(from: text) else { return nil }
        let wait = date.timeIntervalSinceNow
        return wait > 0 ? min(wait, 3600) : nil
    }

    private static let reasons: [Int: String] = [
        100: "Continue", 200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
        207: "Multi-Status", 301: "Moved Permanently", 302: "Found", 304: "Not Modified",
        307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
        403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 407: "Proxy Authentication Required",
        408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required",
        412: "Precondition Failed", 413: "Content Too Large", 416: "Range Not Satisfiable",
        423: "Locked", 429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
        502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 507: "Insufficient Storage",
    ]
}
