import DCTCCore
import Foundation

/// An AWS access key pair, with the session token of temporary credentials.
///
/// Its `description` shows the access key id only: the secret and the token never appear in
/// any text this module produces.
public struct S3Credentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// `AWS_SESSION_TOKEN` of temporary (STS) credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "S3Credentials(\(accessKeyId), secret: ***)" }

    /// Where the credentials were found, for messages ("the account 'x'", "AWS_ACCESS_KEY_ID").
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case account(String)
        case environment
        case sharedFile(path: String, profile: String)
        /// Keys in `~/.aws/config` (`aws_access_key_id` in a `[profile NAME]` section).
        case configFile(path: String, profile: String)
        /// Asked when needed: STS, `credential_process`, container or instance metadata.
        case provider(String)
        /// Unsigned requests, as asked (`--no-sign-request`, account `anonymous = true`).
        case anonymous(String)
        /// No credentials were given (a configuration built in code): unsigned requests.
        case none

        public var description: String {
            switch self {
            case .account(let name): "the account '\(name)'"
            case .environment: "the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables"
            case .sharedFile(let path, let profile): "profile [\(profile)] of \(path)"
            case .configFile(let path, let profile): "profile [\(profile)] of \(path)"
            case .provider(let what): what
            case .anonymous(let why): "nowhere: requests are sent unsigned (\(why))"
            case .none: "nowhere (requests are sent unsigned)"
            }
        }
    }
}

/// Where an S3 store sends its requests: the endpoint's scheme, host, port and base path.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// Host name or IP address (IPv6 without brackets).
    public var host: String
    /// The port when it is not the scheme's default.
    public var port: Int?
    /// A path prefix every request is sent under (usually empty), without a trailing `/`.
    public var basePath: String

    /// Parses `http://127.0.0.1:9000`, `https://s3.eu-west-1.amazonaws.com` or `minio.local:9000`
    /// (no scheme means https).
    ///
    /// - Throws: `.invalidArgument` for an endpoint that is not an http(s) URL.
    public init(parsing text: String) throws {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var scheme = "https"
        if let r = rest.range(of: "://") {
            scheme = rest[..<r.lowerBound].lowercased()
            rest = rest[r.upperBound...]
        }
        guard scheme == "http" || scheme == "https" else {
            throw VFSError.invalid("the S3 endpoint must be an http:// or https:// URL", path: text,
                                   remedy: "write it as https://HOST[:PORT]")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<slash]
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host = String(authority)
        var port: Int?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw VFSError.invalid("unterminated [ in the S3 endpoint's IPv6 address", path: text)
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw VFSError.invalid("bad port in the S3 endpoint", path: text, remedy: "use a number from 1 to 65535")
            }
            port = p
        }
        guard !host.isEmpty else {
            throw VFSError.invalid("the S3 endpoint has no host", path: text, remedy: "write it as https://HOST[:PORT]")
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = (port == (scheme == "https" ? 443 : 80)) ? nil : port
        self.basePath = path
    }

    /// `host[:port]` as sent in the `Host` header (IPv6 in brackets).
    public var authority: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(h):\($0)" } ?? h
    }

    /// True for an IP address or `localhost`, where bucket names cannot become host names.
    public var isAddressOrLocalhost: Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in UInt8(p) != nil }
    }

    public var description: String { "\(scheme)://\(authority)\(basePath)" }
}

/// Everything an `S3FileSystem` needs to know: where, as whom, and how to tune transfers.
public struct S3Configuration: Sendable {
    public var endpoint: S3Endpoint
    /// The signing region (`us-east-1` unless told otherwise).
    public var region: String
    /// Path-style addressing (`http://host/bucket/key`) instead of virtual-hosted
    /// (`https://bucket.host/key`). Automatic for IP addresses and `localhost`.
    public var pathStyle: Bool
    /// Fixed keys; nil with no `credentialSource` sends unsigned requests (public buckets).
    public var credentials: S3Credentials?
    public var credentialsSource: S3Credentials.Source
    /// Credentials asked for when needed and refreshed before they expire (STS, web
    /// identity, `credential_process`, container, instance metadata); wins over `credentials`.
    public var credentialSource: AWSCredentialSource?
    /// What objects written get (Content-Type, metadata, storage class, encryption, ACL):
    /// the account's settings under the command line's.
    public var upload = UploadProperties()
    /// Guess the Content-Type from the name when none is given (as aws-cli does).
    public var guessContentType = true
    /// Transfers (connections) at once across the whole store.
    public var maxConnections = 8
    /// Objects larger than this (or of unknown size) are uploaded in parts.
    public var multipartThreshold: Int64 = 16 * 1024 * 1024
    /// The size of upload parts (S3's minimum, 5 MiB, like rclone's default); grown so that
    /// 10,000 parts cover the object. An upload holds `uploadConcurrency + 2` parts in memory.
    public var partSize = 5 * 1024 * 1024
    /// Parts uploaded at once for one object. Two keep a 1 GiB upload under 64 MiB of resident
    /// memory (20 MiB of part buffers) and saturate a loopback server; raise it (account
    /// setting `upload_concurrency`) for high-latency links.
    public var uploadConcurrency = 2
    /// Send `Content-MD5` with every part so the server verifies each one (a damaged part is
    /// rejected with `BadDigest` and sent again). On by default, as in rclone: the part MD5s
    /// are computed anyway to check the assembled object's ETag (account setting
    /// `part_checksums = false` only drops the header).
    public var partChecksums = true
    /// Continue an interrupted multipart upload of the same content to the same object
    /// instead of starting again (account setting `resume_uploads`, `--no-resume`).
    public var resumeUploads = true
    /// Ranged GETs in flight for one large read (1 reads with a single GET). Each holds
    /// `downloadChunkSize` bytes until the reader takes them.
    public var downloadConcurrency = 4
    /// Bytes per ranged GET of a parallel read.
    public var downloadChunkSize = 4 * 1024 * 1024
    /// Tries per request on retryable failures (5xx, SlowDown, 429, broken connections), with
    /// the shared `RetryPolicy` (full jitter, `Retry-After`, 60 s of waiting at most).
    public var maxAttempts = 11
    /// First backoff delay; doubled per attempt, with jitter.
    public var retryBaseDelay: Duration = .milliseconds(200)
    /// Entries per ListObjectsV2 page (`max-keys`, at most 1000).
    public var listPageSize = 1000
    /// Verify TLS certificates (off only with `--insecure` for test servers).
    public var verifyTLS = true
    /// The CA certificates to trust instead of the system's (`AWS_CA_BUNDLE`, profile `ca_bundle`).
    public var caBundle: String?
    /// Connection deadlines.
    public var connectTimeout: Duration = .seconds(30)
    /// How long a request may stall before it fails (`--timeout`, account `timeout`).
    public var stallTimeout: Duration = .seconds(60)

    /// A configuration for an endpoint.
    ///
    /// - Parameters:
    ///   - endpoint: the endpoint URL (`http://127.0.0.1:9000`).
    ///   - region: the signing region.
    ///   - credentials: the key pair, or nil for unsigned requests.
    ///   - pathStyle: forces the addressing style; nil chooses path style for IP addresses and
    ///     `localhost`, virtual-hosted otherwise.
    /// - Throws: `.invalidArgument` for a malformed endpoint.
    public init(endpoint: String, region: String = "us-east-1", credentials: S3Credentials?,
                pathStyle: Bool? = nil) throws {
        self.endpoint = try S3Endpoint(parsing: endpoint)
        self.region = region
        self.credentials = credentials
        self.credentialsSource = credentials == nil ? .none : .account("(given)")
        self.pathStyle = pathStyle ?? self.endpoint.isAddressOrLocalhost
    }

    /// Resolves the configuration of a store the way aws-cli does (`AWSCredentialChain`).
    ///
    /// - Credentials: the account's `access_key_id`/`secret_access_key`/`session_token`; else
    ///   aws-cli's chain for the profile (`--profile`, else the account's `profile`, else
    ///   `AWS_PROFILE`, else `default`); `--no-sign-request` or the account's `anonymous = true`
    ///   send unsigned requests.
    /// - Region: `--region`, the account's `region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the
    ///   profile's `region`, else `us-east-1`.
    /// - Endpoint: `--endpoint-url`, the account's `endpoint`, `AWS_ENDPOINT_URL_S3`,
    ///   `AWS_ENDPOINT_URL`, the profile's `s3 = endpoint_url`, its `endpoint_url`, else
    ///   `https://s3.REGION.amazonaws.com`.
    /// - Addressing: the account's `path_style`, else the profile's `s3 = addressing_style`,
    ///   else path style for IP addresses and `localhost`.
    /// - Uploads: the account's `content_type`, `cache_control`, `content_encoding`,
    ///   `storage_class`, `sse`, `sse_kms_key_id`, `acl`, `metadata` (`k=v,k2=v2`), under the
    ///   command line's (`options.upload`).
    /// - Tuning: the account's `max_connections` (or `--max-connections`), `upload_concurrency`,
    ///   `download_concurrency`, `chunk_size_mib` (part size, at least 5), `part_checksums` and
    ///   `list_page_size` (keys per listing request, 1 to 1000: for servers with a lower cap).
    ///
    /// Secrets are resolved here (a `*_command` runs now); they are never logged.
    ///
    /// - Parameters:
    ///   - account: the account, for `NAME:bucket/key` addresses.
    ///   - options: command-line options (`--profile`, `--region`, `--insecure`...).
    ///   - environment: the process environment.
    ///   - homeDirectory: where `~/.aws` is.
    /// - Throws: `.invalidArgument` for a malformed endpoint or an incomplete key pair;
    ///   `.notFound` for a chosen profile that does not exist; `.permissionDenied` for an
    ///   unreadable `~/.aws` file; `.authenticationFailed` when a secret cannot be resolved or
    ///   no credentials are found anywhere.
    public static func resolve(account: AccountSettings?, options: StoreOptions = StoreOptions(),
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               homeDirectory: String = Home.directory()) throws -> S3Configuration {
        typealias Option = S3Backend.Option
        func setting(_ option: BackendOption) -> String? {
            guard let v = account?.string(option)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func secret(_ option: BackendOption) throws -> String? {
            if let v = setting(option) { return v }
            guard let v = try account?.secret(option), !v.isEmpty else { return nil }
            return v
        }
        var credentials: S3Credentials?
        var source = S3Credentials.Source.none
        var dynamic: AWSCredentialSource?
        var accountKeys = false
        if let account {
            let id = try secret(Option.accessKeyID)
            let key = try secret(Option.secretAccessKey)
            if id != nil || key != nil {
                guard let id, let key else {
                    throw VFSError.invalid("account '\(account.name)' sets only one of access_key_id and secret_access_key",
                                           remedy: "set both, or neither to use the AWS environment variables or ~/.aws/credentials")
                }
                credentials = S3Credentials(accessKeyId: id, secretAccessKey: key, sessionToken: try secret(Option.sessionToken))
                source = .account(account.name)
                accountKeys = true
            }
        }
        // AWS_PROFILE naming a missing profile matters only when the profile is used for keys.
        let chain = try AWSCredentialChain(selection: options.aws, accountProfile: setting(Option.profile),
                                           environment: environment, homeDirectory: homeDirectory,
                                           requireEnvironmentProfile: !accountKeys && !options.aws.noSignRequest && account?.bool(Option.anonymous) != true)
        let region = options.aws.region ?? setting(Option.region) ?? chain.region
        if options.aws.noSignRequest {
            credentials = nil
            source = .anonymous("--no-sign-request")
        } else if account?.bool(Option.anonymous) == true && !accountKeys {
            source = .anonymous("anonymous = true in account '\(account?.name ?? "")'")
        } else if !accountKeys {
            switch try chain.credentialSource(region: region) {
            case .fixed(let c, let origin):
                credentials = c
                source = origin
            case let other:
                dynamic = other
                source = .provider(other.description)
            }
        }

        let endpointText = options.aws.endpointURL ?? setting(Option.endpoint) ?? chain.s3Endpoint
            ?? "https://s3.\(region).amazonaws.com"
        var config = try S3Configuration(endpoint: endpointText, region: region, credentials: credentials,
                                         pathStyle: account?.bool(Option.pathStyle) ?? chain.pathStyle)
        config.credentialsSource = source
        config.credentialSource = dynamic
        config.upload = try accountUploadProperties(account).overridden(by: options.upload)
        if let n = options.maxConnections ?? account?.int(Option.maxConnections) { config.maxConnections = max(1, n) }
        if let timeout = account?.seconds(.timeout) {
            config.connectTimeout = timeout
            config.stallTimeout = max(timeout, .seconds(1))
        }
        if let t = options.connectTimeout { config.connectTimeout = t }
        if let t = options.ioTimeout { config.stallTimeout = t }
        if let n = account?.int(Option.uploadConcurrency) { config.uploadConcurrency = max(1, n) }
        if let n = account?.int(Option.downloadConcurrency) { config.downloadConcurrency = max(1, n) }
        if let n = account?.int(Option.chunkSizeMiB) { config.partSize = max(5, n) * 1024 * 1024 }
        if let n = account?.int(Option.listPageSize) { config.listPageSize = min(1000, max(1, n)) }
        if let b = account?.bool(Option.partChecksums) { config.partChecksums = b }
        if let b = account?.bool(Option.resumeUploads) { config.resumeUploads = b }
        if options.noResume { config.resumeUploads = false }
        if options.insecureTLS || account?.bool(Option.insecureTLS) == true { config.verifyTLS = false }
        config.caBundle = chain.caBundle
        return config
    }

    /// The upload settings of an account (`content_type`, `storage_class`, `metadata`...).
    static func accountUploadProperties(_ account: AccountSettings?) throws -> UploadProperties {
        var p = UploadProperties()
        guard let account else { return p }
        func value(_ option: BackendOption) -> String? {
            guard let v = account.string(option)?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        typealias Option = S3Backend.Option
        p.contentType = value(Option.contentType)
        p.cacheControl = value(Option.cacheControl)
        p.contentEncoding = value(Option.contentEncoding)
        p.storageClass = value(Option.storageClass)
        p.serverSideEncryption = value(Option.sse)
        p.sseKMSKeyId = value(Option.sseKMSKeyID)
        p.acl = value(Option.acl)
        if let text = value(Option.metadata) {
            for pair in text.split(separator: ",") {
                let (k, v) = try UploadProperties.metadataPair(String(pair).trimmingCharacters(in: .whitespaces))
                p.metadata[k] = v
            }
        }
        return p
    }
}
