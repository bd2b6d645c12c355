import DCTCCore
import Foundation

/// The factory the store registry calls for `s3://bucket/key` addresses and S3 accounts.
public enum S3Backend {
    /// The store kinds this backend serves.
    public static let kinds: [StoreKind] = [.s3]

    /// The account keys of the S3 store (its `RegInfo`), read by `S3Configuration.resolve`.
    ///
    /// `access_key_id` may come from `_env`/`_command` like a secret but is not masked in
    /// listings: it names a key, as a user name does, and aws-cli (`configure list`) and rclone
    /// show it. `secret_access_key` and `session_token` are masked.
    public enum Option {
        public static let endpoint = BackendOption("endpoint", .string, help: "The S3 endpoint URL (MinIO, Ceph, R2...).",
                                                   default: "AWS_ENDPOINT_URL_S3, the profile's, else AWS", example: "http://127.0.0.1:9000")
        public static let region = BackendOption("region", .string, help: "The region requests are signed for.",
                                                 default: "AWS_REGION, the profile's, else us-east-1", example: "eu-west-1")
        public static let profile = BackendOption("profile", .string, help: "The profile of ~/.aws/config and ~/.aws/credentials.",
                                                  default: "AWS_PROFILE, else default", example: "work")
        public static let accessKeyID = BackendOption("access_key_id", .secret, help: "The access key id (shown in listings; it names the key).",
                                                      default: "the AWS environment and files", example: "LAKE_KEY_ID", masked: false)
        public static let secretAccessKey = BackendOption("secret_access_key", .secret, help: "The secret access key.",
                                                          example: "LAKE_SECRET")
        public static let sessionToken = BackendOption("session_token", .secret, help: "A session token for temporary keys.",
                                                       example: "LAKE_SESSION_TOKEN")
        public static let anonymous = BackendOption("anonymous", .boolean, help: "Send unsigned requests (public buckets), as --no-sign-request.",
                                                    default: "false", example: "true")
        public static let pathStyle = BackendOption("path_style", .boolean, help: "Path-style addressing (https://host/bucket/key).",
                                                    default: "the profile's addressing_style, else for IPs and localhost", example: "true")
        public static let insecureTLS = BackendOption.insecureTLS
        public static let maxConnections = BackendOption.maxConnections.with(default: "8")
        public static let uploadConcurrency = BackendOption("upload_concurrency", .integer(1...64),
                                                            help: "Parts of one multipart upload sent at once.", default: "2", example: "8")
        public static let downloadConcurrency = BackendOption("download_concurrency", .integer(1...64),
                                                              help: "Ranges of one large download fetched at once.", default: "4", example: "8")
        public static let chunkSizeMiB = BackendOption("chunk_size_mib", .integer(5...5120), help: "The multipart part size in MiB (grown so 10,000 parts cover the object).",
                                                       default: "5", example: "64")
        public static let partChecksums = BackendOption("part_checksums", .boolean, help: "Send Content-MD5 with each part.",
                                                        default: "true", example: "false")
        public static let resumeUploads = BackendOption("resume_uploads", .boolean,
                                                        help: "Resume interrupted multipart uploads (--no-resume turns it off).",
                                                        default: "true", example: "false")
        public static let listPageSize = BackendOption("list_page_size", .integer(1...1000),
                                                       help: "Keys asked for per listing request (smaller pages end a ranged listing sooner).",
                                                       default: "1000", example: "100")
        public static let contentType = BackendOption("content_type", .string, help: "The Content-Type of objects written.",
                                                      default: "guessed from the name", example: "text/csv")
        public static let cacheControl = BackendOption("cache_control", .string, help: "The Cache-Control of objects written.",
                                                       example: "max-age=3600")
        public static let contentEncoding = BackendOption("content_encoding", .string, help: "The Content-Encoding of objects written.",
                                                          example: "gzip")
        public static let storageClass = BackendOption("storage_class", .string, help: "The storage class of objects written.",
                                                       example: "STANDARD_IA")
        public static let sse = BackendOption("sse", .string, help: "Server-side encryption of objects written: AES256 or aws:kms.",
                                              example: "AES256")
        public static let sseKMSKeyID = BackendOption("sse_kms_key_id", .string, help: "The KMS key of sse = aws:kms.",
                                                      example: "alias/lake")
        public static let acl = BackendOption("acl", .string, help: "The canned ACL of objects written.", example: "private")
        public static let metadata = BackendOption("metadata", .string, help: "User metadata of objects written, k=v,k2=v2.",
                                                   example: "owner=web,team=data")
    }

    /// The keys an account of type `s3` understands.
    public static let options: [BackendOption] = BackendOption.common + [
        Option.endpoint, Option.region, Option.profile, Option.accessKeyID, Option.secretAccessKey, Option.sessionToken,
        Option.anonymous, Option.pathStyle, Option.insecureTLS,
        Option.maxConnections, .timeout,
        Option.uploadConcurrency, Option.downloadConcurrency, Option.chunkSizeMiB, Option.partChecksums, Option.resumeUploads,
        Option.listPageSize,
        Option.contentType, Option.cacheControl, Option.contentEncoding, Option.storageClass, Option.sse, Option.sseKMSKeyID,
        Option.acl, Option.metadata,
    ]

    /// Builds the store for a request: one store serves every `s3://` address (endpoint and
    /// credentials from the AWS environment) or every address of one account.
    ///
    /// Configuration is resolved on a thread of its own: a secret given as a `*_command`
    /// runs a program, which must not block the cooperative pool.
    ///
    /// - Parameter request: the address, the account (for `NAME:bucket/key`) and CLI options.
    /// - Returns: an `S3FileSystem`.
    /// - Throws: `.invalidArgument` for a malformed endpoint or half a key pair;
    ///   `.authenticationFailed` when a secret cannot be resolved.
    public static func makeStore(_ request: StoreRequest) async throws -> any VirtualFileSystem {
        let account = request.account
        let options = request.options
        let configuration = try await IOThread.detached(name: "dctc-s3-config") {
            try S3Configuration.resolve(account: account, options: options)
        }
        let style: S3FileSystem.DisplayStyle = account.map { .account(name: $0.name, root: VPath($0.string(.root) ?? "")) } ?? .url
        return try S3FileSystem(configuration: configuration, display: style)
    }
}
