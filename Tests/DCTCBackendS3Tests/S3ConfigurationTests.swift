@testable import DCTCBackendS3
import DCTCCore
import Foundation
import Testing

@Suite("S3 configuration: credentials, region, endpoint, addressing")
struct S3ConfigurationTests {
    /// A home folder with `.aws/credentials` and `.aws/config`.
    func home(credentials: String, config: String = "") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-s3-home-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/.aws", withIntermediateDirectories: true)
        try credentials.write(toFile: dir + "/.aws/credentials", atomically: true, encoding: .utf8)
        try config.write(toFile: dir + "/.aws/config", atomically: true, encoding: .utf8)
        return dir
    }

    static let sharedFile = """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secretdefault

        [work]
        aws_access_key_id=AKIDWORK
        aws_secret_access_key=secret/work+key
        aws_session_token = tokenwork
        """

    @Test("account values win over the environment and the shared file")
    func accountCredentialsFirst() throws {
        let account = AccountSettings(name: "lab", type: "s3", values: ["endpoint": "http://127.0.0.1:9000", "region": "eu-west-3"]) { key in
            ["access_key_id": "AKIDACCOUNT", "secret_access_key": "secretaccount", "session_token": "tok"][key]
        }
        let c = try S3Configuration.resolve(account: account,
                                            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-west-2"],
                                            homeDirectory: try home(credentials: Self.sharedFile))
        #expect(c.credentials == S3Credentials(accessKeyId: "AKIDACCOUNT", secretAccessKey: "secretaccount", sessionToken: "tok"))
        #expect(c.credentialsSource == .account("lab"))
        #expect(c.region == "eu-west-3")
        #expect(c.endpoint.description == "http://127.0.0.1:9000")
        #expect(c.pathStyle, "an IP endpoint uses path style")
    }

    @Test("the AWS environment variables come next, with the session token and AWS_ENDPOINT_URL_S3")
    func environmentCredentials() throws {
        let c = try S3Configuration.resolve(
            account: nil,
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "tokenenv",
                          "AWS_DEFAULT_REGION": "ap-south-1", "AWS_ENDPOINT_URL": "https://other.example",
                          "AWS_ENDPOINT_URL_S3": "https://s3.example.com:8443/base/"],
            homeDirectory: try home(credentials: Self.sharedFile))
        #expect(c.credentials == S3Credentials(accessKeyId: "AKIDENV", secretAccessKey: "secretenv", sessionToken: "tokenenv"))
        #expect(c.region == "ap-south-1")
        #expect(c.endpoint == (try S3Endpoint(parsing: "https://s3.example.com:8443/base")))
        #expect(c.endpoint.basePath == "/base")
        #expect(!c.pathStyle, "a DNS endpoint uses virtual-hosted addressing")
    }

    @Test("~/.aws/credentials is read with AWS_PROFILE, and the region from ~/.aws/config")
    func sharedCredentialsFile() throws {
        let home = try home(credentials: Self.sharedFile, config: "[profile work]\nregion = eu-central-1\ns3 =\n    addressing_style = path\n")
        let c = try S3Configuration.resolve(account: nil, environment: ["AWS_PROFILE": "work"], homeDirectory: home)
        #expect(c.credentials == S3Credentials(accessKeyId: "AKIDWORK", secretAccessKey: "secret/work+key", sessionToken: "tokenwork"))
        #expect(c.credentialsSource == .sharedFile(path: home + "/.aws/credentials", profile: "work"))
        #expect(c.region == "eu-central-1")
        #expect(c.endpoint.description == "https://s3.eu-central-1.amazonaws.com")
        let d = try S3Configuration.resolve(account: nil, environment: [:], homeDirectory: home)
        #expect(d.credentials?.accessKeyId == "AKIDDEFAULT")
        #expect(d.region == "us-east-1")
    }

    @Test("account settings tune connections, part size, parallelism and part checksums")
    func tuning() throws {
        let account = AccountSettings(name: "t", type: "s3", values: [
            "endpoint": "http://127.0.0.1:9", "max_connections": "16", "upload_concurrency": "6",
            "download_concurrency": "1", "chunk_size_mib": "64", "part_checksums": "true", "insecure_tls": "true",
        ])
        let c = try S3Configuration.resolve(account: account, environment: [:], homeDirectory: "/nonexistent")
        #expect(c.maxConnections == 16)
        #expect(c.uploadConcurrency == 6)
        #expect(c.downloadConcurrency == 1)
        #expect(c.partSize == 64 * 1024 * 1024)
        #expect(c.partChecksums)
        #expect(!c.verifyTLS)
        var options = StoreOptions()
        options.maxConnections = 3
        #expect(try S3Configuration.resolve(account: account, options: options, environment: [:], homeDirectory: "/x").maxConnections == 3)
    }

    @Test("no keys anywhere leaves instance metadata as the last source, never silent unsigned requests")
    func anonymous() throws {
        let c = try S3Configuration.resolve(account: nil, environment: [:], homeDirectory: "/nonexistent-home")
        #expect(c.credentials == nil)
        guard case .instanceMetadata? = c.credentialSource else {
            Issue.record("expected instance metadata, got \(c.credentialsSource)")
            return
        }
    }

    @Test("half a key pair in an account is refused with a remedy")
    func halfKeyPair() throws {
        let account = AccountSettings(name: "half", type: "s3", values: [:]) { $0 == "access_key_id" ? "AKID" : nil }
        #expect(throws: VFSError.self) {
            _ = try S3Configuration.resolve(account: account, environment: [:], homeDirectory: "/nonexistent-home")
        }
    }

    @Test("path style: automatic for IP addresses and localhost, overridable per account")
    func addressingStyle() throws {
        #expect(try S3Configuration(endpoint: "http://localhost:9000", credentials: nil).pathStyle)
        #expect(try S3Configuration(endpoint: "http://[::1]:9000", credentials: nil).pathStyle)
        #expect(try !S3Configuration(endpoint: "https://s3.amazonaws.com", credentials: nil).pathStyle)
        let forced = AccountSettings(name: "m", type: "s3", values: ["endpoint": "https://minio.example", "path_style": "true"])
        #expect(try S3Configuration.resolve(account: forced, environment: [:], homeDirectory: "/nonexistent").pathStyle)
        let off = AccountSettings(name: "m", type: "s3", values: ["endpoint": "http://127.0.0.1:1", "path_style": "false"])
        #expect(try !S3Configuration.resolve(account: off, environment: [:], homeDirectory: "/nonexistent").pathStyle)
    }

    @Test("request URLs: path style, virtual-hosted, and keys with any characters")
    func targets() throws {
        let path = try S3Transport(configuration: S3Configuration(endpoint: "http://127.0.0.1:9000", credentials: nil))
        let t = path.target(bucket: "b", key: "dir/a b+c%/./..", query: [("uploads", nil), ("partNumber", "1")])
        #expect(t.url == "http://127.0.0.1:9000/b/dir/a%20b%2Bc%25/%2E/%2E%2E?uploads&partNumber=1")
        #expect(t.canonicalURI == "/b/dir/a%20b%2Bc%25/./..")
        #expect(t.host == "127.0.0.1:9000")
        let virtual = try S3Transport(configuration: S3Configuration(endpoint: "https://s3.eu-west-1.amazonaws.com", credentials: nil))
        let v = virtual.target(bucket: "my-bucket", key: "k", query: [])
        #expect(v.url == "https://my-bucket.s3.eu-west-1.amazonaws.com/k")
        #expect(v.host == "my-bucket.s3.eu-west-1.amazonaws.com")
        #expect(virtual.target(bucket: "Not_DNS", key: nil, query: []).url == "https://s3.eu-west-1.amazonaws.com/Not_DNS")
        #expect(virtual.target(bucket: nil, key: nil, query: []).url == "https://s3.eu-west-1.amazonaws.com/")
    }

    @Test("a bad endpoint is an invalid argument naming it")
    func badEndpoint() {
        #expect(throws: VFSError.self) { _ = try S3Endpoint(parsing: "ftp://host") }
        #expect(throws: VFSError.self) { _ = try S3Endpoint(parsing: "http://host:99999") }
    }

    @Test("the factory builds one S3 store for an account, named after it")
    func factory() async throws {
        let account = AccountSettings(name: "lab", type: "s3", values: ["endpoint": "http://127.0.0.1:9", "root": "bucket"]) { key in
            ["access_key_id": "A", "secret_access_key": "B"][key]
        }
        let request = StoreRequest(address: Address(scheme: .account, path: VPath("k"), account: "lab"), account: account, kind: .s3)
        let fs = try #require(try await S3Backend.makeStore(request) as? S3FileSystem)
        #expect(fs.kind == .s3)
        #expect(fs.configuration.credentials?.accessKeyId == "A")
        #expect(fs.configuration.pathStyle)
        #expect(fs.display(VPath("/bucket/dir/f.txt")) == "lab:dir/f.txt")
    }

    @Test("addresses are named as the user writes them: s3:// URLs, or NAME:path relative to the account's root")
    func displayNames() throws {
        let configuration = try S3Configuration(endpoint: "http://127.0.0.1:9", credentials: nil)
        let account = try S3FileSystem(configuration: configuration, display: .account(name: "lab", root: VPath("/bucket")))
        #expect(account.kind == .s3)
        #expect(S3Backend.kinds == [.s3])
        #expect(account.display(VPath("/bucket/dir/file.txt")) == "lab:dir/file.txt")
        let plain = try S3FileSystem(configuration: configuration)
        #expect(plain.display(VPath("/b/a b/c")) == "s3://b/a%20b/c")
    }
}

@Suite("S3 XML, dates and metadata")
struct S3FormatTests {
    @Test("listing values with encoding-type=url decode '+' as space and %2B as plus")
    func urlDecoding() {
        #expect(S3XML.urlDecoded("a+b%2Bc%25d%20e%E6%97%A5") == "a b+c%d e日")
        #expect(S3XML.urlDecoded("plain") == "plain")
    }

    @Test("ETags lose their quotes whether or not the server sent them")
    func etags() {
        #expect(S3XML.unquote("\"abc\"") == "abc")
        #expect(S3XML.unquote("abc") == "abc")
        #expect(S3XML.unquote("W/\"abc-2\"") == "abc-2")
    }

    @Test("XML parsing decodes entities and keeps nesting")
    func parsing() throws {
        let doc = try S3XML.parse(Array("<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>a &amp; b</Message></Error>".utf8),
                                  display: "s3://x")
        #expect(doc.name == "Error")
        #expect(doc["Code"] == "NoSuchBucket")
        #expect(doc["Message"] == "a & b")
        #expect(throws: VFSError.self) { _ = try S3XML.parse(Array("not xml".utf8), display: "s3://x") }
    }

    @Test("ISO 8601 and HTTP dates parse with any fraction")
    func dates() throws {
        let a = try #require(S3Time.parseISO8601("2026-11-21T06:35:19.29Z"))
        #expect(abs(a.timeIntervalSince1970 - 1_795_242_919.29) < 1e-6)
        #expect(S3Time.parseISO8601("2013-05-24T00:00:00.000Z")?.timeIntervalSince1970 == 1_369_353_600)
        #expect(S3Time.parseISO8601("2013-05-24T02:00:00+02:00")?.timeIntervalSince1970 == 1_369_353_600)
        #expect(S3Time.parseHTTPDate("Fri, 24 May 2013 00:00:00 GMT")?.timeIntervalSince1970 == 1_369_353_600)
    }

    @Test("x-amz-meta-mtime is decimal epoch seconds, as rclone writes it")
    func epochSeconds() {
        #expect(S3Time.formatEpoch(Date(timeIntervalSince1970: 1_500_000_000.25)) == "1500000000.25")
        #expect(S3Time.formatEpoch(Date(timeIntervalSince1970: 1_600_000_000)) == "1600000000")
        #expect(S3Time.parseEpoch("1500000000.25")?.timeIntervalSince1970 == 1_500_000_000.25)
        #expect(S3Time.parseEpoch("1700000000.123456789").map { abs($0.timeIntervalSince1970 - 1_700_000_000.123456789) < 1e-6 } == true)
        #expect(S3Time.parseEpoch("nonsense") == nil)
    }

    @Test("metadata values outside printable ASCII survive as RFC 2047 words")
    func metadataEncoding() throws {
        let headers = try S3Metadata.headers(["Owner": "Zoë", "plain": "x"], modificationTime: nil, md5Hex: nil, display: "s3://b/k")
        #expect(headers.contains { $0.0 == "x-amz-meta-owner" && $0.1.hasPrefix("=?UTF-8?B?") })
        let back = S3Metadata.decode(headers.map { (name: $0.0, value: $0.1) })
        #expect(back == ["owner": "Zoë", "plain": "x"])
        #expect(throws: VFSError.self) { _ = try S3Metadata.headers(["bad key": "v"], modificationTime: nil, md5Hex: nil, display: "s3://b/k") }
    }

    @Test("part sizes grow so that 10,000 parts cover the object")
    func partSizes() {
        let mib = 1024 * 1024
        #expect(S3MultipartUpload.basePartSize(configured: 8 * mib, expectedSize: 64 * Int64(mib)) == 8 * mib)
        let huge: Int64 = 1024 * 1024 * 1024 * 1024  // 1 TiB
        let base = S3MultipartUpload.basePartSize(configured: 8 * mib, expectedSize: huge)
        #expect(Int64(base) * 10_000 >= huge)
        #expect(S3MultipartUpload.basePartSize(configured: 1, expectedSize: nil) == 5 * mib)
        // Unknown size: from the smallest parts, the growth reaches S3's 5 TiB limit within 10,000 parts.
        let total = (1...10_000).reduce(Int64(0)) { $0 + Int64(S3MultipartUpload.partSize(number: $1, base: 5 * mib)) }
        #expect(total >= S3MultipartUpload.maxObjectSize)
        #expect(S3MultipartUpload.partSize(number: 10_000, base: 5 * mib) <= S3MultipartUpload.maxPartSize)
        #expect(S3MultipartUpload.partSize(number: 900, base: 5 * mib) == 5 * mib)
    }

    @Test("S3 error codes become the VFSError codes a user expects, with the code in the message")
    func errorMapping() {
        func map(_ status: Int, _ code: String?) -> VFSError {
            S3ServiceError(status: status, code: code, message: "m", bucket: "bkt", requestId: "r", serverDate: nil,
                           method: "GET", display: "s3://bkt/k", bucketDisplay: "s3://bkt").vfsError
        }
        let missing = map(404, "NoSuchBucket")
        #expect(missing.code == .notFound)
        #expect(missing.message.contains("bkt") && missing.message.contains("NoSuchBucket"))
        #expect(missing.remedy == "create it with `dctc mkdir s3://bkt`")
        #expect(map(404, "NoSuchKey").code == .notFound)
        #expect(map(403, "AccessDenied").code == .permissionDenied)
        let auth = map(403, "SignatureDoesNotMatch")
        #expect(auth.code == .authenticationFailed && auth.message.contains("SignatureDoesNotMatch"))
        #expect(auth.remedy?.contains("secret access key") == true)
        #expect(map(403, "InvalidAccessKeyId").code == .authenticationFailed)
        let slow = map(503, "SlowDown")
        #expect(slow.code == .unavailable && slow.isRetryable && slow.message.contains("SlowDown"))
        #expect(map(500, nil).isRetryable)
        #expect(map(409, "BucketNotEmpty").code == .notEmpty)
        #expect(map(400, "BadDigest").code == .checksumMismatch)
        #expect(map(403, nil).code == .permissionDenied)
    }
}
