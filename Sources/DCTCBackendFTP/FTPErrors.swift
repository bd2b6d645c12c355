import DCTCCore
import DCTCCurl

/// Turns FTP replies and libcurl failures into `VFSError`s that name the address and a remedy.
///
/// Reply codes (RFC 959 §4.2, RFC 2228, RFC 3659):
/// - 530, 332 (not logged in, need account) → `.authenticationFailed`;
/// - 421 (closing), 425 (cannot open data connection), 426 (transfer aborted), 450 (file busy),
///   451 (local error) → `.unavailable`, retryable;
/// - 452, 552 (out of space) → `.io`;
/// - 550 → what the text says: "no such"/"not found" → `.notFound`, "denied"/"permission" →
///   `.permissionDenied`, "exists" → `.alreadyExists`, "not empty" → `.notEmpty`,
///   "is a directory" → `.isADirectory`, "not a directory" → `.notADirectory`; a text that says
///   nothing (vsftpd's "Delete operation failed.") → `.notFound`, which the store refines by
///   looking at the path;
/// - 553 (name not allowed) → `.permissionDenied` when the text says so, else `.invalidArgument`;
/// - 500, 502, 504 (unknown or unimplemented command) → `.unsupported`; 501 (bad arguments) →
///   `.invalidArgument`; other 4xx → `.unavailable`; other 5xx → `.io`.
enum FTPErrors {
    static let credentialsRemedy =
        "check the user name and password: the account's password (or password_env / password_command), or a `machine HOST login USER password …` line in ~/.netrc"

    static let certificateRemedy =
        "trust the server's certificate with `ca_file = /path/to/cert.pem` in the account, or use `--insecure` (account: `insecure_tls = true`) for a test server you trust"

    /// The error for a failing reply.
    ///
    /// - Parameters:
    ///   - reply: the server's reply.
    ///   - operation: what was attempted, in words ("delete", "create the folder").
    ///   - path: the address to name.
    static func vfsError(_ reply: FTPReply, operation: String, path: String) -> VFSError {
        vfsError(code: reply.code, text: reply.text, operation: operation, path: path)
    }

    static func vfsError(code: Int, text: String, operation: String, path: String) -> VFSError {
        let lower = text.lowercased()
        let cause = "FTP \(code)" + (text.isEmpty ? "" : " \(text)")
        func make(_ kind: VFSError.Code, _ message: String, _ remedy: String, retryable: Bool? = nil) -> VFSError {
            VFSError(kind, "\(operation): \(message)", path: path, remedy: remedy, backend: "ftp", cause: cause,
                     retryable: retryable)
        }
        switch code {
        case 530, 332:
            return make(.authenticationFailed, "the server refused the login (\(code))", credentialsRemedy)
        case 421, 425, 426, 450, 451:
            return make(.unavailable, "the server is busy or the connection broke (\(code) \(text))",
                        "retry; lower the number of connections if it persists")
        case 452, 552:
            return make(.io, "the server is out of space (\(code) \(text))", "free space on the server, then retry")
        case 553:
            if mentionsPermission(lower) {
                return make(.permissionDenied, "the server denied it (\(code) \(text))",
                            "check that this account may write there")
            }
            return make(.invalidArgument, "the server does not allow this name (\(code) \(text))",
                        "choose another name")
        case 550:
            return classify550(lower, code: code, text: text, make: make)
        case 500, 502, 504:
            return make(.unsupported, "the server does not support this command (\(code) \(text))",
                        "use another server or disable the feature for this account")
        case 501:
            return make(.invalidArgument, "the server rejected the arguments (\(code) \(text))",
                        "check the name for characters the server cannot handle")
        case 400..<500:
            return make(.unavailable, "the server failed temporarily (\(code) \(text))", "retry later")
        default:
            return make(.io, "the server refused it (\(code) \(text))", "retry with `--verbose` to see the server's answer")
        }
    }

    private static func classify550(_ lower: String, code: Int, text: String,
                                    make: (VFSError.Code, String, String, Bool?) -> VFSError) -> VFSError {
        if lower.contains("not a directory") {
            return make(.notADirectory, "not a directory", "give the path of a folder", nil)
        }
        if lower.contains("is a directory") {
            return make(.isADirectory, "is a directory", "give the path of a file, or use a recursive command", nil)
        }
        if lower.contains("not empty") {
            return make(.notEmpty, "the folder is not empty", "remove its contents first, or use a recursive command", nil)
        }
        if lower.contains("exists") && !lower.contains("not exist") && !lower.contains("n't exist") {
            return make(.alreadyExists, "it already exists", "remove it first or choose another name", nil)
        }
        if mentionsPermission(lower) {
            return make(.permissionDenied, "the server denied access (\(code) \(text))",
                        "check that this account may read or write there", nil)
        }
        return make(.notFound, "no such file or directory (\(code) \(text))",
                    "check the name and its parent folder with `dctc ls`", nil)
    }

    private static func mentionsPermission(_ lower: String) -> Bool {
        ["permission", "denied", "not allowed", "access", "forbidden", "read-only", "not permitted"]
            .contains(where: { lower.contains($0) })
    }

    /// The error for whatever a `CurlClient` call threw during an FTP request.
    ///
    /// A refused command (`CURLE_QUOTE_ERROR`) goes through the reply-code table; a refused
    /// login names the credential sources; an untrusted certificate says how to trust it.
    ///
    /// - Parameters:
    ///   - error: what was thrown.
    ///   - operation: what was attempted, in words.
    ///   - path: the address to name.
    static func vfsError(from error: any Error, operation: String, path: String) -> VFSError {
        guard let curl = error as? CurlError else {
            var e = CurlError.vfsError(from: error, path: path)
            if e.path != path, e.code != .checksumMismatch { e.path = path }
            return e
        }
        switch curl.name {
        case "CURLE_QUOTE_ERROR":
            if let code = curl.httpStatus {
                var e = vfsError(code: code, text: "", operation: operation, path: path)
                e.cause = curl.cause
                return e
            }
        case "CURLE_LOGIN_DENIED", "CURLE_FTP_WEIRD_PASS_REPLY":
            return VFSError(.authenticationFailed, "the server refused the login", path: path,
                            remedy: credentialsRemedy, backend: "ftp", cause: curl.cause)
        case "CURLE_PEER_FAILED_VERIFICATION", "CURLE_SSL_CACERT_BADFILE", "CURLE_SSL_ISSUER_ERROR":
            let detail = curl.detail ?? curl.summary
            return VFSError(.authenticationFailed, "the server's TLS certificate is not trusted (\(detail))",
                            path: path, remedy: certificateRemedy, backend: "ftp", cause: curl.cause)
        case "CURLE_USE_SSL_FAILED":
            return VFSError(.unsupported, "the server does not offer TLS (AUTH TLS was refused)", path: path,
                            remedy: "use an ftp:// address if unencrypted FTP is acceptable", backend: "ftp",
                            cause: curl.cause)
        case "CURLE_REMOTE_ACCESS_DENIED":
            // libcurl's name for a refused CWD or a refused login step.
            var e = curl.toVFSError(path: path)
            e.message = "\(operation): the server denied access"
            return e
        default:
            break
        }
        var e = curl.toVFSError(path: path)
        e.backend = "ftp"
        if !e.message.hasPrefix(operation) { e.message = "\(operation): \(e.message)" }
        return e
    }
}
