@testable import DCTCBackendS3
import DCTCCore
import Foundation
import Testing

/// A private home folder (never the passwd home) with `.aws/config` and `.aws/credentials`.
func awsHome(config: String = "", credentials: String = "") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-aws-home-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir + "/.aws", withIntermediateDirectories: true)
    if !config.isEmpty { try config.write(toFile: dir + "/.aws/config", atomically: true, encoding: .utf8) }
    if !credentials.isEmpty { try credentials.write(toFile: dir + "/.aws/credentials", atomically: true, encoding: .utf8) }
    return dir
}

@Suite("AWS configuration as aws-cli reads it: profiles, region, endpoint, credential sources")
struct AWSConfigurationResolutionTests {
    static let config = """
        [default]
        region = eu-west-1

        [profile work]   ; the profile of the tests
        region = eu-central-1
        endpoint_url = http://global.example:9000
        s3 =
          endpoint_url = http://s3.example:9000
          addressing_style = virtual
        # a comment
        [profile keysinconfig]
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = secretconfig
        """
    static let credentials = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secretdefault
        [work]
        aws_access_key_id = AKIDWORK
        aws_secret_access_key = secretwork
        """

    func resolve(_ env: [String: String], home: String, account: AccountSettings? = nil,
                 aws: AWSSelection = AWSSelection()) throws -> S3Configuration {
        var options = StoreOptions()
        options.aws = aws
        return try S3Configuration.resolve(account: account, options: options, environment: env, homeDirectory: home)
    }

    @Test("the config file's nested s3 block, comments and [profile NAME] sections are read")
    func nestedSectionsParse() {
        let ini = AWSConfigFile(text: Self.config)
        #expect(ini.sections["profile work"]?["s3.endpoint_url"] == "http://s3.example:9000")
        #expect(ini.sections["profile work"]?["s3.addressing_style"] == "virtual")
        #expect(ini.sections["profile work"]?["endpoint_url"] == "http://global.example:9000")
        #expect(ini.sections["profile work"]?["region"] == "eu-central-1")
        #expect(ini.sections["default"]?["region"] == "eu-west-1")
    }

    @Test("region and endpoint: flags, then the account, then the environment, then the profile (s3 block before global)")
    func precedence() throws {
        let home = try awsHome(config: Self.config, credentials: Self.credentials)
        let fromProfile = try resolve(["AWS_PROFILE": "work"], home: home)
        #expect(fromProfile.region == "eu-central-1")
        #expect(fromProfile.endpoint.description == "http://s3.example:9000")
        #expect(!fromProfile.pathStyle, "addressing_style = virtual")
        #expect(fromProfile.credentials?.accessKeyId == "AKIDWORK")

        let fromEnv = try resolve(["AWS_PROFILE": "work", "AWS_REGION": "ap-south-1", "AWS_ENDPOINT_URL": "http://env.example"], home: home)
        #expect(fromEnv.region == "ap-south-1")
        #expect(fromEnv.endpoint.description == "http://env.example")
        let s3Env = try resolve(["AWS_PROFILE": "work", "AWS_ENDPOINT_URL": "http://env.example",
                                 "AWS_ENDPOINT_URL_S3": "http://s3env.example"], home: home)
        #expect(s3Env.endpoint.description == "http://s3env.example")

        let account = AccountSettings(name: "acct", type: "s3", values: ["region": "us-west-2", "endpoint": "http://acct.example", "profile": "work"])
        let fromAccount = try resolve(["AWS_REGION": "ap-south-1", "AWS_ENDPOINT_URL_S3": "http://s3env.example"], home: home, account: account)
        #expect(fromAccount.region == "us-west-2")
        #expect(fromAccount.endpoint.description == "http://acct.example")
        #expect(fromAccount.credentials?.accessKeyId == "AKIDWORK", "the account's profile")

        let fromFlags = try resolve(["AWS_REGION": "ap-south-1"], home: home, account: account,
                                    aws: AWSSelection(profile: "default", region: "sa-east-1", endpointURL: "http://flag.example:1"))
        #expect(fromFlags.region == "sa-east-1")
        #expect(fromFlags.endpoint.description == "http://flag.example:1")
        #expect(fromFlags.credentials?.accessKeyId == "AKIDDEFAULT", "--profile beats the account's profile")

        let defaults = try resolve([:], home: home)
        #expect(defaults.region == "eu-west-1")
        #expect(defaults.endpoint.description == "https://s3.eu-west-1.amazonaws.com")
        let keysInConfig = try resolve([:], home: home, aws: AWSSelection(profile: "keysinconfig"))
        #expect(keysInConfig.credentials?.accessKeyId == "AKIDCONFIG")
        #expect(keysInConfig.credentialsSource == .configFile(path: home + "/.aws/config", profile: "keysinconfig"))
    }

    @Test("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE move the files")
    func fileVariables() throws {
        let home = try awsHome()
        let other = try awsHome(config: "[profile x]\nregion = ca-central-1\n", credentials: "[x]\naws_access_key_id = AKIDX\naws_secret_access_key = s\n")
        let c = try resolve(["AWS_PROFILE": "x", "AWS_CONFIG_FILE": other + "/.aws/config",
                             "AWS_SHARED_CREDENTIALS_FILE": other + "/.aws/credentials"], home: home)
        #expect(c.region == "ca-central-1")
        #expect(c.credentials?.accessKeyId == "AKIDX")
    }

    @Test("environment keys come first, except when --profile chose a profile (as botocore)")
    func explicitProfileSkipsEnvironment() throws {
        let home = try awsHome(config: Self.config, credentials: Self.credentials)
        let env = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_PROFILE": "work"]
        #expect(try resolve(env, home: home).credentials?.accessKeyId == "AKIDENV")
        #expect(try resolve(env, home: home, aws: AWSSelection(profile: "work")).credentials?.accessKeyId == "AKIDWORK")
    }

    @Test("a chosen profile that does not exist is an error naming it, from AWS_PROFILE, --profile or the account")
    func missingProfile() throws {
        let home = try awsHome(config: Self.config, credentials: Self.credentials)
        for (env, aws, account) in [(["AWS_PROFILE": "nosuch"], AWSSelection(), nil as AccountSettings?),
                                    ([:], AWSSelection(profile: "nosuch"), nil),
                                    ([:], AWSSelection(), AccountSettings(name: "a", type: "s3", values: ["profile": "nosuch"]))] {
            let error = try #require(throws: VFSError.self) { try resolve(env, home: home, account: account, aws: aws) }
            #expect(error.code == .notFound)
            #expect(error.message.contains("'nosuch'"))
            #expect(error.remedy?.contains("work") == true, "the known profiles are listed")
        }
    }

    @Test("no credentials anywhere is an error saying where dctc looked, exit 6; never unsigned requests")
    func noCredentials() throws {
        let home = try awsHome()
        let error = try #require(throws: VFSError.self) { try resolve(["AWS_EC2_METADATA_DISABLED": "true"], home: home) }
        #expect(error.code == .authenticationFailed)
        #expect(error.message.contains("no AWS credentials found (looked in: environment"))
        #expect(error.message.contains("~/.aws/credentials [default]"))
        #expect(ExitStatus(for: error) == .fatal)
        // With instance metadata as the last resort, its failure says the same.
        let c = try resolve(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], home: home)
        guard case .instanceMetadata(_, let looked)? = c.credentialSource else {
            Issue.record("expected instance metadata as the last resort, got \(String(describing: c.credentialSource))")
            return
        }
        #expect(looked.contains("environment"))
    }

    @Test("an SSO profile is named as unsupported, with the aws-cli command that bridges it")
    func ssoProfile() throws {
        let home = try awsHome(config: "[profile sso]\nsso_session = corp\nsso_account_id = 1\nregion = eu-west-1\n")
        let error = try #require(throws: VFSError.self) { try resolve([:], home: home, aws: AWSSelection(profile: "sso")) }
        #expect(error.message.contains("IAM Identity Center"))
        #expect(error.remedy?.contains("export-credentials --profile sso") == true)
    }

    @Test("an unreadable ~/.aws/credentials is a clear error naming the file")
    func unreadableCredentials() throws {
        let home = try awsHome()
        try FileManager.default.createDirectory(atPath: home + "/.aws/credentials", withIntermediateDirectories: true)
        let error = try #require(throws: VFSError.self) { try resolve([:], home: home) }
        #expect(error.message.contains("cannot read the AWS credentials file"))
        #expect(error.path == home + "/.aws/credentials")
    }

    @Test("--no-sign-request and anonymous = true send unsigned requests without looking for credentials")
    func unsigned() throws {
        let home = try awsHome()
        let flag = try resolve(["AWS_EC2_METADATA_DISABLED": "true"], home: home, aws: AWSSelection(noSignRequest: true))
        #expect(flag.credentials == nil && flag.credentialSource == nil)
        let account = AccountSettings(name: "pub", type: "s3", values: ["anonymous": "true"])
        let anon = try resolve(["AWS_EC2_METADATA_DISABLED": "true"], home: home, account: account)
        #expect(anon.credentials == nil && anon.credentialSource == nil)
    }

    @Test("role_arn with source_profile becomes STS AssumeRole with that profile's keys; loops are refused")
    func assumeRoleShape() throws {
        let home = try awsHome(config: """
            [profile r]
            role_arn = arn:aws:iam::123456789012:role/reader
            source_profile = base
            external_id = ext
            [profile loop1]
            role_arn = arn:aws:iam::123456789012:role/a
            source_profile = loop2
            [profile loop2]
            role_arn = arn:aws:iam::123456789012:role/b
            source_profile = loop1
            """, credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n")
        let c = try resolve(["AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9"], home: home, aws: AWSSelection(profile: "r"))
        guard case .assumeRole(let role, .fixed(let base, _))? = c.credentialSource else {
            Issue.record("expected AssumeRole, got \(String(describing: c.credentialSource))")
            return
        }
        #expect(role.roleArn == "arn:aws:iam::123456789012:role/reader")
        #expect(role.externalId == "ext")
        #expect(role.stsEndpoint == "http://127.0.0.1:9")
        #expect(base.accessKeyId == "AKIDBASE")
        #expect(throws: VFSError.self) { try resolve([:], home: home, aws: AWSSelection(profile: "loop1")) }
    }

    @Test("an account's upload keys are defaults the command line overrides")
    func accountUploadKeys() throws {
        let account = AccountSettings(name: "u", type: "s3", values: [
            "endpoint": "http://127.0.0.1:9", "storage_class": "GLACIER", "sse": "AES256", "metadata": "team=data, stage=raw",
            "access_key_id": "A", "secret_access_key": "B",
        ])
        var options = StoreOptions()
        options.upload.storageClass = "STANDARD_IA"
        options.upload.metadata = ["stage": "clean"]
        let c = try S3Configuration.resolve(account: account, options: options, environment: [:], homeDirectory: try awsHome())
        #expect(c.upload.storageClass == "STANDARD_IA")
        #expect(c.upload.serverSideEncryption == "AES256")
        #expect(c.upload.metadata == ["team": "data", "stage": "clean"])
        let p = S3ObjectProperties.properties(for: "dir/page.html", upload: c.upload, guessContentType: true, explicit: [:])
        #expect(p["Content-Type"] == "text/html")
        #expect(try S3ObjectProperties.headers(p, display: "x").contains { $0 == ("x-amz-storage-class", "STANDARD_IA") })
    }

    @Test("Content-Type is guessed from /etc/mime.types, with a built-in table as fallback")
    func contentTypes() {
        #expect(MIMETypes.type(forName: "index.html") == "text/html")
        #expect(MIMETypes.type(forName: "DATA.CSV") == "text/csv")
        #expect(MIMETypes.type(forName: "noextension") == nil)
        #expect(MIMETypes.type(forName: "x.json") == "application/json")
    }
}

/// The stand-in container credentials / IMDSv2 server (Scripts/test-servers/aws-credentials-standin.py),
/// started once per test process on a free port of 127.0.0.1:17600-17649.
actor CredentialsStandIn {
    static let shared = CredentialsStandIn()
    private var starting: Task<Int, any Error>?

    /// The server's port (one start, however many tests ask at once).
    func start() async throws -> Int {
        if let starting { return try await starting.value }
        let task = Task { try await CredentialsStandIn.launch() }
        starting = task
        return try await task.value
    }

    private static func launch() async throws -> Int {
        let script = S3TestServer.repositoryRoot + "/Scripts/test-servers/aws-credentials-standin.py"
        let rclone = S3TestServer.rclone.credentials
        for candidate in 17600...17649 where !S3TestServer.portOpen(candidate) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, String(candidate), rclone.accessKeyId, rclone.secretAccessKey]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                if !process.isRunning || S3TestServer.portOpen(candidate) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning && S3TestServer.portOpen(candidate) { return candidate }
        }
        throw VFSError(.unavailable, "cannot start the credentials stand-in on 127.0.0.1:17600-17649")
    }

    /// How many credentials the server handed out for `tenant`.
    func count(_ tenant: String) async throws -> Int {
        let port = try await start()
        let r = try await runTool(["python3", "-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
                                   "http://127.0.0.1:\(port)/count/\(tenant)"])
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

@Suite("AWS credential sources against real servers: STS on moto, signatures on rclone serve s3, a container/IMDS stand-in")
struct AWSCredentialSourceTests {
    func store(_ env: [String: String], home: String, endpoint: String, aws: AWSSelection = AWSSelection()) throws -> S3FileSystem {
        var options = StoreOptions()
        options.aws = aws
        var env = env
        env["AWS_ENDPOINT_URL_S3"] = endpoint
        var c = try S3Configuration.resolve(account: nil, options: options, environment: env, homeDirectory: home)
        c.retryBaseDelay = .milliseconds(50)
        return try S3FileSystem(configuration: c)
    }

    /// Creates a bucket, writes, lists and reads one object: every request signed.
    func roundTrip(_ fs: S3FileSystem, bucket: String) async throws {
        do { try await fs.makeDirectory(VPath(components: [bucket])) } catch let e as VFSError where e.code == .alreadyExists {}
        let key = VPath(components: [bucket, uniqueName("cred"), "f.txt"])
        try await fs.write(key, from: .bytes(Array("signed".utf8)), attributes: .none)
        #expect(try await fs.readAll(key) == Array("signed".utf8))
        try await fs.remove(key)
    }

    @Test("role_arn + source_profile: STS AssumeRole on moto gives session credentials that sign requests")
    func assumeRole() async throws {
        guard await S3TestServer.moto.shouldRun() else { return }
        let moto = S3TestServer.moto
        let home = try awsHome(config: "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/dctc-reader\nsource_profile = base\n",
                               credentials: "[base]\naws_access_key_id = \(moto.credentials.accessKeyId)\naws_secret_access_key = \(moto.credentials.secretAccessKey)\n")
        let fs = try store(["AWS_ENDPOINT_URL_STS": moto.endpoint], home: home, endpoint: moto.endpoint, aws: AWSSelection(profile: "r"))
        guard case .assumeRole? = fs.configuration.credentialSource else {
            Issue.record("expected AssumeRole, got \(fs.configuration.credentialsSource)")
            return
        }
        let provider = try S3CredentialProvider(source: try #require(fs.configuration.credentialSource))
        let temporary = try await provider.credentials()
        #expect(temporary.sessionToken?.isEmpty == false)
        #expect(temporary.accessKeyId != moto.credentials.accessKeyId)
        try await roundTrip(fs, bucket: "dctc-haws-sts")
    }

    @Test("AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: STS AssumeRoleWithWebIdentity on moto")
    func webIdentity() async throws {
        guard await S3TestServer.moto.shouldRun() else { return }
        let moto = S3TestServer.moto
        let home = try awsHome()
        try "eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n".write(toFile: home + "/token", atomically: true, encoding: .utf8)
        let env = ["AWS_WEB_IDENTITY_TOKEN_FILE": "~/token", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/dctc-pod",
                   "AWS_ROLE_SESSION_NAME": "dctc-test", "AWS_ENDPOINT_URL_STS": moto.endpoint]
        let fs = try store(env, home: home, endpoint: moto.endpoint)
        guard case .webIdentity(let w)? = fs.configuration.credentialSource else {
            Issue.record("expected web identity, got \(fs.configuration.credentialsSource)")
            return
        }
        #expect(w.tokenFile == home + "/token", "~ is the private HOME")
        let temporary = try await S3CredentialProvider(source: .webIdentity(w)).credentials()
        #expect(temporary.sessionToken?.isEmpty == false)
        try await roundTrip(fs, bucket: "dctc-haws-sts")
    }

    @Test("credential_process with a session token: requests signed right (rclone serve s3 checks signatures)")
    func credentialProcess() async throws {
        guard await S3TestServer.rclone.shouldRun() else { return }
        let rclone = S3TestServer.rclone
        let home = try awsHome()
        let json = #"{"Version": 1, "AccessKeyId": "\#(rclone.credentials.accessKeyId)", "SecretAccessKey": "\#(rclone.credentials.secretAccessKey)", "SessionToken": "process-token", "Expiration": "2099-01-01T00:00:00Z"}"#
        try "#!/bin/sh\ncat <<'EOF'\n\(json)\nEOF\n".write(toFile: home + "/creds.sh", atomically: true, encoding: .utf8)
        chmod(home + "/creds.sh", 0o755)
        try "[default]\ncredential_process = \"\(home)/creds.sh\" --ignored-argument\n".write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        let fs = try store(["AWS_EC2_METADATA_DISABLED": "true"], home: home, endpoint: rclone.endpoint)
        guard case .process? = fs.configuration.credentialSource else {
            Issue.record("expected credential_process, got \(fs.configuration.credentialsSource)")
            return
        }
        try await roundTrip(fs, bucket: "dctc-haws-proc")
    }

    @Test("container credentials: the token is sent, and credentials near expiry are fetched again")
    func container() async throws {
        guard await S3TestServer.rclone.shouldRun() else { return }
        let port = try await CredentialsStandIn.shared.start()
        let home = try awsHome()
        let tenant = uniqueName("ctr")
        try "token-\(tenant)".write(toFile: home + "/ctoken", atomically: true, encoding: .utf8)
        for (suffix, env) in [("", ["AWS_CONTAINER_AUTHORIZATION_TOKEN": "token-\(tenant)"]),
                              ("-long", ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": home + "/ctoken"])] {
            var env = env
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:\(port)/container/\(tenant)\(suffix)"
            let fs = try store(env, home: home, endpoint: S3TestServer.rclone.endpoint)
            try await roundTrip(fs, bucket: "dctc-haws-ctr")
        }
        // Five-minute credentials are inside the refresh window: every request asks again.
        #expect(try await CredentialsStandIn.shared.count(tenant) >= 3)
        #expect(try await CredentialsStandIn.shared.count(tenant + "-long") == 1, "hour-long credentials are reused")
    }

    @Test("a failed refresh keeps credentials that are not yet near expiry, and fails for those that are (botocore's two windows)")
    func refreshWindows() async throws {
        let port = try await CredentialsStandIn.shared.start()
        let home = try awsHome()
        let tenant = uniqueName("win")
        let tokenFile = home + "/token"
        try "token-\(tenant)".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let source = AWSCredentialSource.container(.init(url: "http://127.0.0.1:\(port)/container/\(tenant)-long",
                                                         authorizationToken: nil, authorizationTokenFile: tokenFile))
        // Hour-long credentials, with windows that make every use try a refresh.
        let lenient = try S3CredentialProvider(source: source, advisoryRefresh: 7200, mandatoryRefresh: 60)
        let strict = try S3CredentialProvider(source: source, advisoryRefresh: 7200, mandatoryRefresh: 7000)
        let first = try await lenient.credentials()
        _ = try await strict.credentials()
        try "wrong-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(try await lenient.credentials() == first, "the refresh failed; the old credentials still have an hour")
        await #expect(throws: VFSError.self, "inside the mandatory window a failed refresh is an error") {
            _ = try await strict.credentials()
        }
        try "token-\(tenant)".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(try await lenient.credentials().sessionToken != first.sessionToken, "a refresh that works replaces them")
    }

    @Test("instance metadata: IMDSv2 session token first, then the role's credentials (AWS_EC2_METADATA_SERVICE_ENDPOINT)")
    func instanceMetadata() async throws {
        guard await S3TestServer.rclone.shouldRun() else { return }
        let port = try await CredentialsStandIn.shared.start()
        let home = try awsHome()
        let tenant = uniqueName("imds") + "-long"
        let fs = try store(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)/imds/\(tenant)"],
                           home: home, endpoint: S3TestServer.rclone.endpoint)
        try await roundTrip(fs, bucket: "dctc-haws-imds")
        #expect(try await CredentialsStandIn.shared.count(tenant) == 1)
    }

    @Test("instance metadata that does not answer ends in 'no AWS credentials found', exit 6")
    func instanceMetadataUnreachable() async throws {
        let home = try awsHome()
        let fs = try store(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"], home: home, endpoint: "http://127.0.0.1:9")
        let error = try await #require(throws: VFSError.self) { _ = try await fs.info(VPath("/b/k")) }
        #expect(error.message.contains("no AWS credentials found"))
        #expect(ExitStatus(for: error) == .fatal)
    }
}
