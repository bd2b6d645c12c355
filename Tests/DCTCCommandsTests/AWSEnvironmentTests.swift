import DCTCTestSupport
import Foundation
import Testing

/// The CLI with a private HOME (never the passwd home) holding `.aws/config` and
/// `.aws/credentials`, and every AWS variable of the test process cleared.
struct AWSHome {
    let scratch: Scratch
    let moto: [String: String]
    var home: String { scratch.path + "/home" }

    static func make(config: String? = nil, credentials: String? = nil) throws -> AWSHome {
        if let why = TestServers.ensure("moto", port: 17090) { throw TestSkip(why) }
        let moto = try TestServers.environment(of: "moto")
        let s = try Scratch("dctc-aws-home")
        let h = AWSHome(scratch: s, moto: moto)
        let endpoint = moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:17090"
        _ = try s.write("home/.aws/config", config ?? """
            [default]
            region = us-east-1
            s3 =
              endpoint_url = \(endpoint)
              addressing_style = path
            sts =
              endpoint_url = \(endpoint)
            """)
        _ = try s.write("home/.aws/credentials", credentials ?? """
            [default]
            aws_access_key_id = \(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "AKIDMOTOTEST")
            aws_secret_access_key = \(moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "SECRETMOTOTEST")
            """)
        return h
    }

    var endpoint: String { moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:17090" }

    /// Runs dctc with HOME here and no AWS variable but `extra`.
    func run(_ args: [String], _ extra: [String: String] = [:]) throws -> CLIResult {
        var env: [String: String] = ["HOME": home, "AWS_EC2_METADATA_DISABLED": "true"]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("AWS_") { env[name] = "" }
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
                     "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CONFIG_FILE",
                     "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] where env[name] == nil {
            env[name] = ""
        }
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        for (k, v) in extra { env[k] = v }
        return try CLI.run(args, cwd: scratch.path, environment: env)
    }

    /// Removes a bucket a test made, with its objects.
    func removeBucket(_ bucket: String) {
        _ = try? run(["rm", "-r", "-f", "s3://\(bucket)"])
        _ = try? run(["rmdir", "s3://\(bucket)"])
    }

    /// `stat --json` of an object, as a dictionary.
    func stat(_ address: String) throws -> [String: Any] {
        let r = try run(["stat", "--json", address])
        #expect(r.status == 0, "\(r)")
        return (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }
}

@Suite("AWS as aws-cli reads it, from a private HOME: endpoint_url, profiles, credentials, object properties, buckets")
struct AWSEnvironmentTests {
    @Test("~/.aws of $HOME gives the endpoint, region and keys; uploads get Content-Type from the name")
    func homeConfigAndContentType() throws {
        let h = try AWSHome.make()
        defer { h.scratch.cleanup() }
        let bucket = "dctc-haws-\(UUID().uuidString.prefix(8).lowercased())"
        defer { h.removeBucket(bucket) }
        _ = try h.scratch.write("index.html", "<html></html>\n")
        var r = try h.run(["mkdir", "s3://\(bucket)"])
        #expect(r.status == 0, "endpoint_url of the s3 block in ~/.aws/config: \(r)")
        r = try h.run(["cp", "index.html", "s3://\(bucket)/"])
        #expect(r.status == 0, "\(r)")
        let properties = try h.stat("s3://\(bucket)/index.html")["properties"] as? [String: String]
        #expect(properties?["Content-Type"] == "text/html")
        r = try h.run(["ls", "s3://"])
        #expect(r.stdout.split(separator: "\n").contains { $0 == "\(bucket)/" }, "ls s3:// lists the buckets: \(r)")
        r = try h.run(["ls", "--json", "s3://"])
        #expect(r.stdout.contains("\"path\":\"s3:\\/\\/\(bucket)\"") || r.stdout.contains("\"path\":\"s3://\(bucket)\""), "\(r)")
        r = try h.run(["du", "-s", "s3://\(bucket)"])
        #expect(r.status == 0, "\(r)")

        // An S3 account with no path lists the buckets too.
        let config = try h.scratch.write("dctc.toml", """
            [accounts.lab]
            type = "s3"
            endpoint = "\(h.endpoint)"
            access_key_id = "\(h.moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "AKIDMOTOTEST")"
            secret_access_key = "\(h.moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "SECRETMOTOTEST")"
            """)
        chmod(config, 0o600)
        r = try h.run(["ls", "--config", config, "lab:"])
        #expect(r.stdout.split(separator: "\n").contains { $0 == "\(bucket)/" }, "ls ACCOUNT: lists the buckets: \(r)")
    }

    @Test("an unreadable ~/.aws/credentials stops with a clear error (exit 6), never unsigned uploads")
    func unreadableCredentialsFile() throws {
        let h = try AWSHome.make()
        defer { h.scratch.cleanup() }
        try FileManager.default.removeItem(atPath: h.home + "/.aws/credentials")
        // A folder in its place: unreadable as a file even for root (chmod 000 is not).
        try FileManager.default.createDirectory(atPath: h.home + "/.aws/credentials", withIntermediateDirectories: true)
        _ = try h.scratch.write("f.txt", "x")
        let r = try h.run(["cp", "f.txt", "s3://dctc-haws-unreadable/f.txt"])
        #expect(r.status == 6, "\(r)")
        #expect(r.stderr.contains("cannot read the AWS credentials file"), "\(r)")
        #expect(r.stderr.contains(h.home + "/.aws/credentials"), "\(r)")
    }

    @Test("--metadata, --storage-class STANDARD_IA, --sse AES256, --cache-control reach the object and survive a server-side move")
    func uploadProperties() throws {
        let h = try AWSHome.make()
        defer { h.scratch.cleanup() }
        let bucket = "dctc-haws-\(UUID().uuidString.prefix(8).lowercased())"
        defer { h.removeBucket(bucket) }
        _ = try h.scratch.write("data.csv", "a,b\n1,2\n")
        #expect(try h.run(["mkdir", "s3://\(bucket)"]).status == 0)
        var r = try h.run(["cp", "--content-type", "application/x-dctc-test", "--metadata", "owner=data-team", "--metadata", "Stage=raw", "--storage-class", "STANDARD_IA",
                           "--sse", "AES256", "--cache-control", "max-age=60", "data.csv", "s3://\(bucket)/in/data.csv"])
        #expect(r.status == 0, "\(r)")
        for address in ["s3://\(bucket)/in/data.csv", "s3://\(bucket)/moved/data.renamed"] {
            if address.contains("moved") {
                r = try h.run(["mv", "s3://\(bucket)/in/data.csv", address])
                #expect(r.status == 0, "\(r)")
            }
            let info = try h.stat(address)
            let properties = info["properties"] as? [String: String] ?? [:]
            let metadata = info["metadata"] as? [String: String] ?? [:]
            #expect(properties["Content-Type"] == "application/x-dctc-test", "kept by the server-side move, not guessed again: \(address)")
            #expect(properties["Storage-Class"] == "STANDARD_IA", "\(address)")
            #expect(properties["Server-Side-Encryption"] == "AES256", "\(address)")
            #expect(properties["Cache-Control"] == "max-age=60", "\(address)")
            #expect(metadata["owner"] == "data-team" && metadata["stage"] == "raw", "\(address)")
        }
        r = try h.run(["cp", "--sse", "bogus", "data.csv", "s3://\(bucket)/x"])
        #expect(r.status == 2, "\(r)")
    }

    @Test("--profile, --region and --endpoint-url win over the files and the environment")
    func flagsWin() throws {
        let h = try AWSHome.make(config: "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n[profile other]\nregion = us-east-1\n",
                                 credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n[other]\naws_access_key_id = C\naws_secret_access_key = D\n")
        defer { h.scratch.cleanup() }
        var r = try h.run(["ls", "s3://"])
        #expect(r.status == 5, "the config's endpoint_url (a closed port) is used: \(r)")
        r = try h.run(["ls", "--endpoint-url", h.endpoint, "--profile", "other", "--region", "us-east-1", "s3://"],
                      ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        #expect(r.status == 0, "\(r)")
        r = try h.run(["ls", "--no-sign-request", "--endpoint-url", h.endpoint, "s3://"], ["AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"])
        #expect(r.status == 0, "unsigned when asked: \(r)")
    }

    @Test("AWS_PROFILE=nosuch names the profile (exit 3); no credentials anywhere says where dctc looked (exit 6)")
    func missingProfileAndCredentials() throws {
        let h = try AWSHome.make(credentials: "# no keys\n")
        defer { h.scratch.cleanup() }
        var r = try h.run(["ls", "s3://"], ["AWS_PROFILE": "nosuch"])
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.contains("'nosuch'"), "\(r)")
        #expect(r.stderr.contains(h.home + "/.aws/config"), "the private HOME's files: \(r)")
        r = try h.run(["cp", "/etc/hostname", "s3://dctc-haws-nocreds/x"])
        #expect(r.status == 6, "\(r)")
        #expect(r.stderr.contains("no AWS credentials found (looked in: environment"), "\(r)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r)")
    }

    @Test("web identity from the environment (how pods get credentials): the token file under $HOME, STS on moto")
    func webIdentityCLI() throws {
        let h = try AWSHome.make(credentials: "# none\n")
        defer { h.scratch.cleanup() }
        _ = try h.scratch.write("home/token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
        let r = try h.run(["ls", "s3://"], ["AWS_WEB_IDENTITY_TOKEN_FILE": "~/token",
                                            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/dctc-pod"])
        #expect(r.status == 0, "\(r)")
    }
}
