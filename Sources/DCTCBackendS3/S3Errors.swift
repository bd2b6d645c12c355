import DCTCCore
import DCTCCurl
import Foundation

/// A failed S3 request: the HTTP status and, when the server sent one, the `<Error>` document
/// (`<Code>NoSuchBucket</Code><Message>…</Message>`).
///
/// Thrown inside the backend by `S3Transport` so callers can react to particular codes
/// (`NoSuchKey` → look for a prefix, `InvalidRange` → empty read); everything leaving the
/// store is converted with `vfsError` first.
struct S3ServiceError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status (0 when the error came from a `200 OK` whose body was an `<Error>`).
    var status: Int
    /// The S3 error code (`NoSuchBucket`, `SignatureDoesNotMatch`…), when known.
    var code: String?
    var message: String?
    /// `<BucketName>` of the error document, or the bucket of the request.
    var bucket: String?
    var requestId: String?
    /// The `Date` header of the response (for clock-skew correction).
    var serverDate: Date?
    /// The `Retry-After` header in seconds, when the server sent one.
    var retryAfter: Double?
    /// The method of the request (a HEAD error has no body, hence no code).
    var method: String
    /// The address the request was about, as a user types it.
    var display: String
    /// The bucket's address as a user types it (`s3://b`, `NAME:b`), for remedies.
    var bucketDisplay: String?

    var description: String { vfsError.description }

    /// Reads an error document (`<Error><Code>…`); nil when `bytes` is not one.
    static func document(_ bytes: [UInt8], display: String) -> S3XMLNode? {
        guard !bytes.isEmpty, let root = try? S3XML.parse(bytes, display: display), root.name == "Error" else { return nil }
        return root
    }

    /// True when retrying later may succeed: 500, 502, 503, 504, `SlowDown`, `InternalError`,
    /// `RequestTimeout`, 429.
    var isRetryable: Bool {
        if let code, S3ServiceError.retryableCodes.contains(code) { return true }
        return [429, 500, 502, 503, 504].contains(status)
    }

    /// True for answers that say the request was refused before it was applied: 503 and
    /// 429 statuses, `SlowDown` and the throttling codes.
    var isThrottling: Bool {
        if let code, S3ServiceError.throttlingCodes.contains(code) { return true }
        return status == 503 || status == 429
    }

    static let throttlingCodes: Set<String> = [
        "SlowDown", "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
    ]

    static let retryableCodes: Set<String> = [
        "SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout",
        "OperationAborted", "Throttling", "ThrottlingException", "RequestLimitExceeded",
    ]

    /// The one-line `VFSError` a user sees, with the S3 code in the message and a remedy.
    ///
    /// NoSuchBucket → `.notFound` naming the bucket, with "create it with `dctc mkdir s3://BUCKET`";
    /// NoSuchKey, NoSuchUpload → `.notFound`; AccessDenied, AllAccessDisabled → `.permissionDenied`;
    /// InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken, InvalidToken → `.authenticationFailed`;
    /// SlowDown, InternalError, ServiceUnavailable, 500/502/503/504 → `.unavailable` (retryable);
    /// BucketNotEmpty → `.notEmpty`; BucketAlreadyOwnedByYou, BucketAlreadyExists → `.alreadyExists`;
    /// BadDigest, InvalidDigest → `.checksumMismatch`; InvalidRange, InvalidBucketName,
    /// EntityTooSmall/Large, KeyTooLongError → `.invalidArgument`; anything else follows the HTTP status.
    var vfsError: VFSError {
        // The code comes from the server: escaped, so the message stays one line.
        let shownCode = code.map { SafeName.escaped($0) } ?? "HTTP \(status)"
        var cause = "HTTP \(status)"
        if let code { cause += ", S3 \(code)" }
        if let message, !message.isEmpty { cause += ": \(message)" }
        if let requestId { cause += " (request id \(requestId))" }
        func make(_ kind: VFSError.Code, _ what: String, _ remedy: String, path: String? = nil) -> VFSError {
            VFSError(kind, "\(what) (\(shownCode))", path: path ?? display, remedy: remedy, backend: "s3", cause: cause)
        }
        let credentialsRemedy = "check the access key id and secret access key (account settings, AWS_ACCESS_KEY_ID/"
            + "AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials with AWS_PROFILE), the region and the system clock"
        switch code {
        case "NoSuchBucket":
            let b = SafeName.escaped(bucket ?? "?")
            return make(.notFound, "the bucket '\(b)' does not exist", "create it with `dctc mkdir \(bucketDisplay ?? "s3://" + b)`")
        case "NoSuchKey", "NotFound":
            return make(.notFound, "no such file or directory", "check the name and its parent folder with `dctc ls`")
        case "NoSuchUpload":
            return make(.notFound, "the multipart upload no longer exists", "the upload was aborted or completed elsewhere; run the command again")
        case "AccessDenied", "AllAccessDisabled", "AccountProblem":
            return make(.permissionDenied, "access denied", "check that these credentials may read or write there (bucket policy, IAM)")
        case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired",
             "AuthorizationHeaderMalformed", "InvalidSecurity", "MissingSecurityHeader", "AuthorizationQueryParametersError":
            return make(.authenticationFailed, "the server refused the credentials", credentialsRemedy)
        case "RequestTimeTooSkewed":
            return make(.authenticationFailed, "the system clock differs too much from the server's", "set the system clock right (NTP), then retry")
        case "BucketNotEmpty":
            return make(.notEmpty, "the bucket is not empty", "remove its objects first (`dctc rm -r`)")
        case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
            return make(.alreadyExists, "the bucket already exists", code == "BucketAlreadyExists"
                ? "bucket names are global: choose another name" : "use it as it is")
        case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch":
            return make(.checksumMismatch, "the server received content that does not match its checksum",
                        "the source changed or the transfer was damaged; run the command again")
        case "PreconditionFailed":
            return make(.io, "the object changed while it was being read", "run the command again")
        case "InvalidRange":
            return make(.invalidArgument, "the requested byte range is outside the file", "check the offset against the file's size")
        case "InvalidBucketName":
            return make(.invalidArgument, "invalid bucket name",
                        "bucket names are 3-63 characters: lower-case letters, digits, dots and hyphens")
        case "KeyTooLongError":
            return make(.invalidArgument, "the key is too long", "S3 keys are at most 1024 bytes")
        case "EntityTooSmall", "EntityTooLarge", "InvalidPart", "InvalidPartOrder", "MalformedXML", "InvalidArgument",
             "InvalidRequest", "MetadataTooLarge":
            return make(.invalidArgument, "the server rejected the request", "retry with `--verbose` to see the server's explanation")
        case "NotImplemented":
            return make(.unsupported, "this S3 server does not implement the operation",
                        "use a server that does, or another command")
        default:
            break
        }
        if isRetryable {
            var e = VFSError(.unavailable, "the server is overloaded or failing (\(shownCode))", path: display,
                             remedy: "dctc retried this; retry later, with fewer parallel transfers if it persists",
                             backend: "s3", cause: cause, retryable: true)
            e.retryAfter = retryAfter
            return e
        }
        // HEAD answers carry no body: the status is all there is.
        switch status {
        case 404:
            return make(.notFound, "no such file or directory", "check the name and its parent folder with `dctc ls`")
        case 403:
            return make(.permissionDenied, "access denied",
                        "check the credentials and that they may access this bucket; " + credentialsRemedy)
        case 401:
            return make(.authenticationFailed, "the server refused the credentials", credentialsRemedy)
        default:
            var e = HTTPStatus(status).toVFSError(path: display, serverMessage: message)
            e.backend = "s3"
            e.cause = cause
            if let code { e.message += " (\(SafeName.escaped(code)))" }
            return e
        }
    }
}

extension S3ServiceError {
    /// Builds the error of a response: its status plus the error document in `body`.
    init(status: Int, body: [UInt8], headers: CurlHeaders, method: String, bucket: String?, display: String,
         bucketDisplay: String? = nil) {
        let doc = S3ServiceError.document(body, display: display)
        self.init(status: status, code: doc?["Code"], message: doc?["Message"],
                  bucket: doc?["BucketName"] ?? bucket, requestId: doc?["RequestId"] ?? headers["x-amz-request-id"],
                  serverDate: headers["Date"].flatMap(S3Time.parseHTTPDate), retryAfter: HTTPStatus.retryAfter(headers["Retry-After"]),
                  method: method, display: display, bucketDisplay: bucketDisplay)
    }
}

/// Converts anything a store operation threw into the `VFSError` the user sees.
///
/// - Parameters:
///   - error: an `S3ServiceError`, `CurlError`, `VFSError`, cancellation, or other error.
///   - display: the address the operation was about.
func s3VFSError(_ error: any Error, display: String) -> VFSError {
    switch error {
    case let e as S3ServiceError: return e.vfsError
    case let e as CurlError:
        var v = e.toVFSError(path: display)
        v.backend = "s3"
        return v
    case let e as VFSError:
        var v = e
        // Errors from the HTTP layer name the request URL; the user knows the S3 address.
        if v.path == nil || v.path?.hasPrefix("http://") == true || v.path?.hasPrefix("https://") == true {
            v.path = display
        }
        return v
    default:
        return VFSError.wrap(error, path: display)
    }
}
