import DCTCCore

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
