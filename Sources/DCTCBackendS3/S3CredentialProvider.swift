import DCTCConfig
import DCTCCore
import DCTCCurl
import Foundation

/// Where an S3 store's credentials come from, decided once per run by
/// `S3Configuration.resolve` in aws-cli's order (see `AWSCredentialChain`).
///
/// Fixed keys are known at once; the other sources are asked when the first request is
/// signed, and again before their temporary credentials expire.
public indirect enum AWSCredentialSource: Sendable, CustomStringConvertible {
    /// Keys known now (account, environment, a credentials or config file).
    case fixed(S3Credentials, origin: S3Credentials.Source)
    /// STS `AssumeRole` with the credentials of `source` (`role_arn` + `source_profile` or
    /// `credential_source`).
    case assumeRole(AssumeRole, source: AWSCredentialSource)
    /// STS `AssumeRoleWithWebIdentity` with the token in a file (unsigned request).
    case webIdentity(WebIdentity)
    /// `credential_process`: a program that prints the credentials as JSON.
    case process(command: String, profile: String)
    /// The container credentials endpoint (ECS, EKS Pod Identity).
    case container(Container)
    /// The EC2 instance metadata service, IMDSv2. `lastResort` says that nothing else was
    /// found: its failure then means "no credentials found".
    case instanceMetadata(InstanceMetadata, lastResort: [String])

    public struct AssumeRole: Sendable, Hashable {
        public var roleArn: String
        public var sessionName: String
        public var externalId: String?
        public var durationSeconds: Int?
        public var stsEndpoint: String
        public var region: String
        public var profile: String
    }

    public struct WebIdentity: Sendable, Hashable {
        public var roleArn: String
        public var tokenFile: String
        public var sessionName: String
        public var stsEndpoint: String
    }

    public struct Container: Sendable, Hashable {
        public var url: String
        public var authorizationToken: String?
        public var authorizationTokenFile: String?
    }

    public struct InstanceMetadata: Sendable, Hashable {
        public var endpoint: String
        public var timeout: Duration
        public var attempts: Int
    }

    /// A URL without its user part and query (which may carry secrets), for messages.
    static func redacted(_ url: String) -> String {
        var text = Substring(url)
        if let q = text.firstIndex(of: "?") { text = text[..<q] }
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            text = text[..<scheme.upperBound] + text[text.index(after: at)...]
        }
        return String(text)
    }

    public var description: String {
        switch self {
        case .fixed(_, let origin): origin.description
        case .assumeRole(let r, let source): "role \(r.roleArn) of profile [\(r.profile)] (STS AssumeRole, as \(source))"
        case .webIdentity(let w): "role \(w.roleArn) with the web identity token \(w.tokenFile) (STS AssumeRoleWithWebIdentity)"
        case .process(_, let profile): "the credential_process of profile [\(profile)]"
        case .container(let c): "the container credentials endpoint \(AWSCredentialSource.redacted(c.url))"
        case .instanceMetadata(let m, _): "the instance metadata service \(m.endpoint) (IMDSv2)"
        }
    }
}

/// Temporary credentials and when they stop working.
struct ExpiringCredentials: Sendable {
    var credentials: S3Credentials
    /// nil for keys that do not expire.
    var expiration: Date?
}

/// Hands out the credentials of an `AWSCredentialSource` to the signer, fetching them when
/// first needed and again before they expire, as botocore does: within 15 minutes of the
/// expiry a refresh is tried (the old credentials stay in use if it fails), within 10 minutes
/// it must succeed. One fetch at a time; concurrent requests wait for it.
public final class S3CredentialProvider: Sendable {
    public let source: AWSCredentialSource
    /// Seconds before expiry when a refresh is tried, and when it is required.
    let advisoryRefresh: TimeInterval
    let mandatoryRefresh: TimeInterval
    private let state = Locked<State>(State())
    private let client: CurlClient
    private let verifyTLS: Bool
    private let caBundle: String?

    private struct State {
        var current: ExpiringCredentials?
        var inFlight: Task<ExpiringCredentials, any Error>?
    }

    /// - Throws: `CurlError` when libcurl cannot be initialised.
    public init(source: AWSCredentialSource, verifyTLS: Bool = true, caBundle: String? = nil,
                advisoryRefresh: TimeInterval = 15 * 60, mandatoryRefresh: TimeInterval = 10 * 60) throws {
        self.source = source
        self.verifyTLS = verifyTLS
        self.caBundle = caBundle
        self.advisoryRefresh = advisoryRefresh
        self.mandatoryRefresh = mandatoryRefresh
        var configuration = CurlClient.Configuration(maxConnections: 2)
        configuration.protocols = "http,https"
        configuration.threadName = "dctc-aws-auth"
        client = try CurlClient(configuration: configuration)
        if case .fixed(let c, _) = source { state.withLock { $0.current = ExpiringCredentials(credentials: c, expiration: nil) } }
    }

    /// The credentials to sign the next request with.
    ///
    /// - Throws: `VFSError(.authenticationFailed)` when the source gives none ("no AWS
    ///   credentials found (looked in: …)", or the STS / endpoint answer), `.unavailable`
    ///   when an endpoint cannot be reached.
    public func credentials() async throws -> S3Credentials {
        let now = Date()
        let (cached, task): (ExpiringCredentials?, Task<ExpiringCredentials, any Error>?) = state.withLock { s in
            if let c = s.current, (c.expiration.map { $0.timeIntervalSince(now) > advisoryRefresh } ?? true) {
                return (c, nil)
            }
            if let t = s.inFlight { return (s.current, t) }
            let source = self.source
            let t = Task { try await self.fetch(source) }
            s.inFlight = t
            return (s.current, t)
        }
        if let cached, task == nil { return cached.credentials }
        guard let task else { throw VFSError(.authenticationFailed, "no AWS credentials") }
        do {
            let fresh = try await task.value
            state.withLock { s in
                s.current = fresh
                if s.inFlight == task { s.inFlight = nil }
            }
            return fresh.credentials
        } catch {
            state.withLock { s in if s.inFlight == task { s.inFlight = nil } }
            // The advisory window: keep what still works for a while.
            if let cached, let expiry = cached.expiration, expiry.timeIntervalSince(Date()) > mandatoryRefresh {
                return cached.credentials
            }
            throw error
        }
    }

    // MARK: - Sources

    func fetch(_ source: AWSCredentialSource) async throws -> ExpiringCredentials {
        switch source {
        case .fixed(let c, _):
            return ExpiringCredentials(credentials: c, expiration: nil)
        case .assumeRole(let role, let inner):
            let base = try await fetch(inner)
            return try await assumeRole(role, with: base.credentials)
        case .webIdentity(let w):
            return try await assumeRoleWithWebIdentity(w)
        case .process(let command, let profile):
            return try await runProcess(command, profile: profile)
        case .container(let c):
            return try await containerCredentials(c)
        case .instanceMetadata(let m, let lastResort):
            do {
                return try await instanceMetadata(m)
            } catch let e as VFSError where !lastResort.isEmpty {
                throw VFSError(.authenticationFailed,
                               "no AWS credentials found (looked in: \(lastResort.joined(separator: ", ")), instance metadata)",
                               remedy: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, run `aws configure`, choose a profile with --profile, or pass --no-sign-request for a public bucket",
                               backend: "s3", cause: e.description)
            }
        }
    }

    /// STS `AssumeRole`, signed with `base`.
    func assumeRole(_ role: AWSCredentialSource.AssumeRole, with base: S3Credentials) async throws -> ExpiringCredentials {
        var form = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", role.roleArn),
                    ("RoleSessionName", role.sessionName)]
        if let e = role.externalId { form.append(("ExternalId", e)) }
        if let d = role.durationSeconds { form.append(("DurationSeconds", String(d))) }
        let signer = S3Signer(credentials: base, region: role.region, service: "sts")
        return try await sts(form, endpoint: role.stsEndpoint, signer: signer, what: "STS AssumeRole for \(role.roleArn)")
    }

    /// STS `AssumeRoleWithWebIdentity` (unsigned; the token is the proof).
    func assumeRoleWithWebIdentity(_ w: AWSCredentialSource.WebIdentity) async throws -> ExpiringCredentials {
        let token = try await IOThread.detached(name: "dctc-aws-token") {
            try S3CredentialProvider.readSmallFile(w.tokenFile, what: "the web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE)")
        }.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw VFSError(.authenticationFailed, "the web identity token file is empty", path: w.tokenFile,
                           remedy: "check the service account token projection", backend: "s3")
        }
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", w.roleArn),
                    ("RoleSessionName", w.sessionName), ("WebIdentityToken", token)]
        return try await sts(form, endpoint: w.stsEndpoint, signer: nil,
                             what: "STS AssumeRoleWithWebIdentity for \(w.roleArn)")
    }

    /// One STS query-protocol call (form-encoded POST) and its `Credentials` element.
    private func sts(_ form: [(String, String)], endpoint: String, signer: S3Signer?, what: String) async throws -> ExpiringCredentials {
        let target = try S3Endpoint(parsing: endpoint)
        let body = Array(form.map { S3Signer.encode($0.0, keepSlash: false) + "=" + S3Signer.encode($0.1, keepSlash: false) }
            .joined(separator: "&").utf8)
        var headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        let path = target.basePath.isEmpty ? "/" : target.basePath + "/"
        if let signer {
            headers += try signer.signatureHeaders(method: "POST", canonicalURI: path, query: [],
                                                   headers: [("host", target.authority)] + headers,
                                                   payloadHash: try S3Crypto.sha256Hex(body), date: Date())
        }
        var request = CurlRequest(method: "POST", url: "\(target.scheme)://\(target.authority)\(path)", headers: headers, body: .bytes(body))
        request.removedHeaders = ["Expect"]
        request.verifyTLS = verifyTLS
        request.caBundlePath = caBundle
        request.timeouts.connect = .seconds(10)
        request.timeouts.total = .seconds(60)
        let (status, answer) = try await call(request, what: what, attempts: 3)
        let root = try S3XML.parse(answer, display: what)
        guard (200..<300).contains(status), let credentials = root.child(root.name.replacingOccurrences(of: "Response", with: "Result"))?.child("Credentials") else {
            let error = root.child("Error") ?? root
            let code = error["Code"] ?? "HTTP \(status)"
            throw VFSError(.authenticationFailed, "\(what) failed: \(code): \(SafeName.escaped(error["Message"] ?? "no message"))",
                           remedy: "check the role's trust policy and the credentials it is assumed with", backend: "s3",
                           retryable: status >= 500 || code == "Throttling" ? true : nil)
        }
        guard let id = credentials["AccessKeyId"], let secret = credentials["SecretAccessKey"] else {
            throw VFSError(.authenticationFailed, "\(what): the answer holds no AccessKeyId/SecretAccessKey", backend: "s3")
        }
        return ExpiringCredentials(credentials: S3Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: credentials["SessionToken"]),
                                   expiration: credentials["Expiration"].flatMap(S3Time.parseISO8601))
    }

    /// The container credentials endpoint: a GET with the authorization token, JSON answer.
    func containerCredentials(_ c: AWSCredentialSource.Container) async throws -> ExpiringCredentials {
        var headers: [(String, String)] = []
        var token = c.authorizationToken
        if let file = c.authorizationTokenFile {
            token = try await IOThread.detached(name: "dctc-aws-token") {
                try S3CredentialProvider.readSmallFile(file, what: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
            }.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let token {
            guard !token.contains("\r"), !token.contains("\n") else {
                throw VFSError(.authenticationFailed, "the container authorization token holds a line break", backend: "s3")
            }
            headers.append(("Authorization", token))
        }
        // http only to the loopback or the container endpoints, as botocore allows.
        let endpoint = try S3Endpoint(parsing: c.url)
        let allowedHosts = ["127.0.0.1", "localhost", "::1", "169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
        guard endpoint.scheme == "https" || allowedHosts.contains(endpoint.host) || endpoint.host.hasPrefix("127.") else {
            throw VFSError(.authenticationFailed, "the container credentials URL must be https, or http on the loopback or 169.254.170.2",
                           path: AWSCredentialSource.redacted(c.url), remedy: "check AWS_CONTAINER_CREDENTIALS_FULL_URI", backend: "s3")
        }
        var request = CurlRequest.get(c.url, headers: headers)
        request.timeouts.connect = .seconds(2)
        request.timeouts.total = .seconds(5)
        let what = "the container credentials endpoint \(AWSCredentialSource.redacted(c.url))"
        let (status, body) = try await call(request, what: what, attempts: 3)
        guard status == 200 else {
            throw VFSError(.authenticationFailed, "\(what) answered HTTP \(status)",
                           remedy: "check AWS_CONTAINER_CREDENTIALS_FULL_URI/RELATIVE_URI and the authorization token", backend: "s3",
                           retryable: status >= 500 ? true : nil)
        }
        return try Self.jsonCredentials(body, what: what, tokenKey: "Token")
    }

    /// IMDSv2: a session token first (`PUT /latest/api/token`), then the role name and its
    /// credentials. A server that refuses tokens (403/404/405) is asked without one (IMDSv1),
    /// as botocore does.
    func instanceMetadata(_ m: AWSCredentialSource.InstanceMetadata) async throws -> ExpiringCredentials {
        var base = m.endpoint
        while base.hasSuffix("/") { base.removeLast() }
        let what = "the instance metadata service \(base)"
        func request(_ method: String, _ path: String, _ headers: [(String, String)]) -> CurlRequest {
            var r = CurlRequest(method: method, url: base + path, headers: headers)
            if method == "PUT" { r.body = .bytes([]); r.removedHeaders = ["Expect"] }
            r.timeouts.connect = m.timeout
            r.timeouts.total = m.timeout + .seconds(1)
            return r
        }
        var tokenHeader: [(String, String)] = []
        let (tokenStatus, tokenBody) = try await call(request("PUT", "/latest/api/token", [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]),
                                                      what: what, attempts: m.attempts)
        if tokenStatus == 200 {
            tokenHeader = [("X-aws-ec2-metadata-token", String(decoding: tokenBody, as: UTF8.self))]
        } else if ![403, 404, 405].contains(tokenStatus) {
            throw VFSError(.authenticationFailed, "\(what) refused a session token (HTTP \(tokenStatus))", backend: "s3",
                           retryable: tokenStatus >= 500 ? true : nil)
        }
        let (roleStatus, roleBody) = try await call(request("GET", "/latest/meta-data/iam/security-credentials/", tokenHeader),
                                                    what: what, attempts: m.attempts)
        let role = String(decoding: roleBody, as: UTF8.self).split(whereSeparator: \.isNewline).first
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard roleStatus == 200, !role.isEmpty, SafeName.isSafe(role) else {
            throw VFSError(.authenticationFailed, "\(what) names no IAM role (HTTP \(roleStatus))",
                           remedy: "attach an instance profile to the instance", backend: "s3")
        }
        let (status, body) = try await call(request("GET", "/latest/meta-data/iam/security-credentials/" + S3Signer.encode(role, keepSlash: false), tokenHeader),
                                            what: what, attempts: m.attempts)
        guard status == 200 else {
            throw VFSError(.authenticationFailed, "\(what) gave no credentials for role \(role) (HTTP \(status))", backend: "s3")
        }
        return try Self.jsonCredentials(body, what: what, tokenKey: "Token")
    }

    /// `credential_process`: runs the program (split as a shell would, without a shell, like
    /// botocore) and reads `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
    /// "Expiration"}` from its standard output. Its standard error goes to ours.
    func runProcess(_ command: String, profile: String) async throws -> ExpiringCredentials {
        let what = "the credential_process of profile [\(profile)]"
        let words: [String]
        do { words = try ShellWords.split(command) } catch {
            throw VFSError.invalid("\(what) cannot be split into words", remedy: "check its quotes in ~/.aws/config")
        }
        guard !words.isEmpty else { throw VFSError.invalid("\(what) is empty", remedy: "name the program in ~/.aws/config") }
        let output: (Int32, Data) = try await IOThread.detached(name: "dctc-aws-process") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--"] + words
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch {
                throw VFSError(.authenticationFailed, "\(what) could not be started", remedy: "check the program name in ~/.aws/config",
                               backend: "s3", cause: String(describing: error))
            }
            let data = (try? pipe.fileHandleForReading.read(upToCount: 1024 * 1024)) ?? nil
            try? pipe.fileHandleForReading.close()
            let exited = process.waitForExit()
            return (exited.status, data ?? Data())
        }
        guard output.0 == 0 else {
            throw VFSError(.authenticationFailed, "\(what) failed with exit status \(output.0)",
                           remedy: "run it in a shell to see what is wrong", backend: "s3")
        }
        if let object = try? JSONSerialization.jsonObject(with: output.1) as? [String: Any], let version = object["Version"] as? Int, version != 1 {
            throw VFSError(.authenticationFailed, "\(what) printed Version \(version); only Version 1 is understood", backend: "s3")
        }
        return try Self.jsonCredentials([UInt8](output.1), what: what, tokenKey: "SessionToken")
    }

    // MARK: - Helpers

    /// Sends a request (retried on connection failures) and collects a small answer.
    private func call(_ request: CurlRequest, what: String, attempts: Int) async throws -> (Int, [UInt8]) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let (response, body) = try await client.performCollecting(request, limit: 1024 * 1024)
                if response.status >= 500, attempt < attempts {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                return (response.status, body)
            } catch let e as CurlError {
                if e.isRetryable, attempt < attempts {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                var v = e.toVFSError(path: what)
                v.backend = "s3"
                v.message = "cannot reach \(what): " + v.message
                throw v
            }
        }
    }

    /// `{"AccessKeyId", "SecretAccessKey", "Token"/"SessionToken", "Expiration"}`.
    static func jsonCredentials(_ body: [UInt8], what: String, tokenKey: String) throws -> ExpiringCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw VFSError(.authenticationFailed, "\(what) did not answer with a JSON object", backend: "s3")
        }
        if let code = object["Code"] as? String, code != "Success" {
            throw VFSError(.authenticationFailed, "\(what) answered \(SafeName.escaped(code))", backend: "s3")
        }
        guard let id = object["AccessKeyId"] as? String, !id.isEmpty,
              let secret = object["SecretAccessKey"] as? String, !secret.isEmpty else {
            throw VFSError(.authenticationFailed, "\(what) gave no AccessKeyId/SecretAccessKey", backend: "s3")
        }
        let token = (object[tokenKey] as? String) ?? (object["SessionToken"] as? String) ?? (object["Token"] as? String)
        let expiration = (object["Expiration"] as? String).flatMap(S3Time.parseISO8601)
        return ExpiringCredentials(credentials: S3Credentials(accessKeyId: id, secretAccessKey: secret,
                                                              sessionToken: token.flatMap { $0.isEmpty ? nil : $0 }),
                                   expiration: expiration)
    }

    /// Reads a token file of at most 1 MiB.
    static func readSmallFile(_ path: String, what: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw VFSError(.authenticationFailed, "cannot read \(what): \(String(cString: strerror(errno)))", path: path,
                           remedy: "check that the file exists and is readable", backend: "s3")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 1024 * 1024)) ?? nil
        return String(decoding: data ?? Data(), as: UTF8.self)
    }
}
