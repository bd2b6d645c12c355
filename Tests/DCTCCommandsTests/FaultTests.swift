import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// Accounts that reach the test servers through a fault proxy (`FaultProxy`), and directly.
struct FaultAccounts {
    let scratch: Scratch
    let config: String
    var env: [String: String]

    /// - Parameters:
    ///   - s3Port: the port for account `m` (moto, or a proxy in front of it); `mdirect` is moto itself.
    ///   - sshPort: the port for account `box` (sshd, or a proxy in front of it).
    ///   - ftpPort, davPort: the same for `ftpbox` (vsftpd) and `dav` (nginx WebDAV).
    static func make(_ s: Scratch, s3Port: Int = 17090, sshPort: Int = 17022, ftpPort: Int = 17021,
                     davPort: Int = 17084, uploadConcurrency: Int = 2) throws -> FaultAccounts {
        for (server, port) in [("moto", 17090), ("sshd", 17022), ("vsftpd", 17021), ("nginx", 17084)] {
            if let why = TestServers.ensure(server, port: port) { throw TestSkip(why) }
        }
        let moto = try TestServers.environment(of: "moto")
        let ssh = try TestServers.environment(of: "sshd")
        let ftp = try TestServers.environment(of: "vsftpd")
        // The server's host key, under the proxy's port too.
        let knownHosts = try String(contentsOfFile: ssh["DCTC_TEST_SSH_KNOWN_HOSTS"] ?? "", encoding: .utf8)
        var hosts = knownHosts
        for line in knownHosts.split(separator: "\n") where line.hasPrefix("[127.0.0.1]:17022 ") {
            hosts += "\n" + line.replacingOccurrences(of: "[127.0.0.1]:17022 ", with: "[127.0.0.1]:\(sshPort) ")
        }
        let hostsFile = try s.write("known_hosts", hosts + "\n")
        let text = """
        [accounts.mproxy]
        type = "s3"
        endpoint = "http://127.0.0.1:\(s3Port)"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_MOTO_SECRET"
        upload_concurrency = \(uploadConcurrency)

        [accounts.mdirect]
        type = "s3"
        endpoint = "http://127.0.0.1:17090"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_MOTO_SECRET"

        [accounts.box]
        type = "sftp"
        host = "127.0.0.1"
        port = \(sshPort)
        user = "\(ssh["DCTC_TEST_SSH_USER"] ?? "")"
        key_file = "\(ssh["DCTC_TEST_SSH_KEY"] ?? "")"
        known_hosts_file = "\(hostsFile)"

        [accounts.ftpbox]
        type = "ftp"
        host = "127.0.0.1"
        port = \(ftpPort)
        user = "\(ftp["DCTC_TEST_FTP_USER"] ?? "")"
        password_command = "cat '\(ftp["DCTC_TEST_FTP_PASSWORD_FILE"] ?? "")'"
        root = "\(ftp["DCTC_TEST_FTP_HOME"] ?? "")"
        timeout = 5

        [accounts.dav]
        type = "webdav"
        url = "http://127.0.0.1:\(davPort)"
        """
        let path = try s.write("config.toml", text)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return FaultAccounts(scratch: s, config: path, env: [
            "DCTC_CONFIG": path, "TEST_MOTO_SECRET": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "",
            // Short waits: the tests count retries, not seconds.
            "DCTC_RETRY_BASE_DELAY": "0.02",
        ])
    }

    /// Runs dctc on a thread of its own (the CLI helper blocks).
    func run(_ args: [String]) async throws -> CLIResult {
        let env = self.env
        return try await IOThread.detached(name: "dctc-test-cli") { try CLI.run(args, environment: env) }
    }

    /// Runs a command; when it fails (a cut can outlast the retries), runs it once more.
    func runConverging(_ args: [String]) async throws -> (first: CLIResult, last: CLIResult) {
        let first = try await run(args)
        if first.status == 0 { return (first, first) }
        return (first, try await run(args))
    }
}

/// Deterministic file contents (a seeded generator), so a failing run can be repeated.
func faultTestTree(_ s: Scratch, _ folder: String, files: Int, seed: UInt64) throws {
    var state = seed
    for i in 0..<files {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let size = 1024 + Int(state >> 52)
        var bytes = [UInt8](repeating: 0, count: size)
        for j in 0..<size { state = state &* 6364136223846793005 &+ 1; bytes[j] = UInt8(truncatingIfNeeded: state >> 33) }
        try s.write("\(folder)/d\(i % 7)/f\(i).bin", bytes: bytes)
    }
}

/// A file of `size` seeded bytes.
func faultTestFile(_ s: Scratch, _ name: String, size: Int, seed: UInt64) throws -> String {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: size)
    for j in 0..<size { state = state &* 6364136223846793005 &+ 1442695040888963407; bytes[j] = UInt8(truncatingIfNeeded: state >> 33) }
    return try s.write(name, bytes: bytes)
}

/// Every file under `root` (relative paths, sorted) with its bytes.
func treeContents(_ root: String) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
    while let rel = walker.nextObject() as? String {
        var isDir: ObjCBool = false
        let full = root + "/" + rel
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue,
           let data = FileManager.default.contents(atPath: full) {
            out[rel] = [UInt8](data)
        }
    }
    return out
}

/// Names of temporary files (`.dctc-*`) left under `root`.
func leftovers(_ root: String) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var found: [String] = []
    while let rel = walker.nextObject() as? String {
        if (rel as NSString).lastPathComponent.hasPrefix(".dctc-") { found.append(rel) }
    }
    return found
}

func uniqueFaultName(_ label: String) -> String { "\(label)-\(UUID().uuidString.lowercased().prefix(8))" }

@Suite("faults: cut connections, throttling, classification", .serialized)
struct FaultTests {
    // MARK: - SFTP: handshake and login

    @Test("SFTP: a first connection cut during the SSH handshake is retried by ls, cp and sync")
    func sftpFirstConnectionCutDuringHandshakeIsRetried() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let remote = "/tmp/" + uniqueFaultName("dctc-fault-hs")
        defer { try? FileManager.default.removeItem(atPath: remote) }
        _ = try s.write("src/a.txt", "hello")
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: remote)
        for args in [["ls", "box:\(remote)"], ["cp", s.url("src/a.txt"), "box:\(remote)/a.txt"],
                     ["sync", "--retries", "3", s.url("src"), "box:\(remote)/synced"]] {
            let proxy = try await FaultProxy(.tcp(cutAfter: 100, fraction: 0, firstOnly: true, rst: false), targetPort: 17022)
            defer { proxy.stop() }
            let accounts = try FaultAccounts.make(s, sshPort: proxy.port)
            let r = try await accounts.run(args)
            #expect(r.status == 0, "\(args[0]): \(r)")
            #expect(proxy.stats.faults == 1, "the first connection was cut")
        }
        #expect(FileManager.default.contents(atPath: remote + "/a.txt") == Data("hello".utf8))
        #expect(FileManager.default.contents(atPath: remote + "/synced/a.txt") == Data("hello".utf8))
    }

    // MARK: - SFTP: 30 % cuts

    @Test("SFTP: a 200-file sync and a 20 MiB copy under 30 % connection cuts converge with no temporary file left")
    func sftpSyncUnderCutsConvergesWithoutLeftovers() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let remote = "/tmp/" + uniqueFaultName("dctc-fault-sftp")
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: remote)
        defer { try? FileManager.default.removeItem(atPath: remote) }
        try faultTestTree(s, "src", files: 200, seed: 11)
        _ = try faultTestFile(s, "big/big.bin", size: 20 * 1024 * 1024, seed: 12)
        let proxy = try await FaultProxy(.tcp(cutAfter: 96 * 1024, fraction: 0.3, firstOnly: false, rst: true), targetPort: 17022, seed: 4)
        // Seed 4 cuts the first two connections (draws 0.24, 0.10), then draws as 30 % does.
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, sshPort: proxy.port)
        let sync = try await accounts.runConverging(["sync", "--retries", "5", s.url("src"), "box:\(remote)/tree"])
        #expect(sync.last.status == 0, "\(sync.first)\n\(sync.last)")
        let copy = try await accounts.runConverging(["cp", s.url("big/big.bin"), "box:\(remote)/big.bin"])
        #expect(copy.last.status == 0, "\(copy.first)\n\(copy.last)")
        #expect(proxy.stats.faults > 0, "connections were cut")
        #expect(treeContents(remote + "/tree") == treeContents(s.url("src")))
        #expect(FileManager.default.contents(atPath: remote + "/big.bin") == FileManager.default.contents(atPath: s.url("big/big.bin")))
        #expect(leftovers(remote) == [])
    }

    // MARK: - S3: throttling of single requests

    @Test("S3: a 503 SlowDown on CreateMultipartUpload is retried and cp succeeds")
    func s3SlowDownOnCreateMultipartUploadIsRetried() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let proxy = try await FaultProxy(.httpMatching("?uploads", times: 1, status: 503, retryAfter: nil), targetPort: 17090)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, s3Port: proxy.port)
        let bucket = uniqueFaultName("fault-cmu")
        #expect(try await accounts.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        let file = try faultTestFile(s, "big.bin", size: 20 * 1024 * 1024, seed: 3)
        let r = try await accounts.run(["cp", file, "mproxy:\(bucket)/big.bin"])
        #expect(r.status == 0, "\(r)")
        #expect(proxy.stats.faults == 1)
        let back = try await accounts.run(["cp", "mdirect:\(bucket)/big.bin", s.url("back.bin")])
        #expect(back.status == 0, "\(back)")
        #expect(FileManager.default.contents(atPath: s.url("back.bin")) == FileManager.default.contents(atPath: file))
        _ = try await accounts.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    @Test("S3: a part that gets four 503 SlowDown answers in a row is retried and the upload completes")
    func s3PartWithFourSlowDownsInARowIsRetried() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let proxy = try await FaultProxy(.httpMatching("partNumber=", times: 4, status: 503, retryAfter: nil), targetPort: 17090)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, s3Port: proxy.port, uploadConcurrency: 1)
        let bucket = uniqueFaultName("fault-part")
        #expect(try await accounts.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        let file = try faultTestFile(s, "big.bin", size: 20 * 1024 * 1024, seed: 4)
        let r = try await accounts.run(["cp", file, "mproxy:\(bucket)/big.bin"])
        #expect(r.status == 0, "\(r)")
        #expect(proxy.stats.faults == 4)
        let back = try await accounts.run(["cp", "mdirect:\(bucket)/big.bin", s.url("back.bin")])
        #expect(FileManager.default.contents(atPath: s.url("back.bin")) == FileManager.default.contents(atPath: file), "\(back)")
        _ = try await accounts.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    @Test("S3: throttled HEAD and GET requests (503, and 429 with Retry-After) of an S3-to-local sync are retried")
    func s3ToLocalSyncRetriesThrottledRequests() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let bucket = uniqueFaultName("fault-head")
        try faultTestTree(s, "src", files: 20, seed: 5)
        let direct = try FaultAccounts.make(s)
        #expect(try await direct.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        #expect(try await direct.run(["sync", s.url("src"), "mdirect:\(bucket)/t"]).status == 0)
        for (match, status, after) in [("HEAD ", 503, nil as Int?), ("GET ", 503, nil), ("GET ", 429, 1)] {
            let proxy = try await FaultProxy(.httpMatching(match, times: 5, status: status, retryAfter: after), targetPort: 17090)
            defer { proxy.stop() }
            let accounts = try FaultAccounts.make(s, s3Port: proxy.port)
            let dest = s.url(uniqueFaultName("dest"))
            let r = try await accounts.run(["sync", "--retries", "0", "mproxy:\(bucket)/t", dest])
            #expect(r.status == 0, "\(match)\(status): \(r)")
            #expect(treeContents(dest) == treeContents(s.url("src")))
            // A store that sent no such request would make this test prove nothing.
            if match == "GET " { #expect(proxy.stats.faults == 5) }
        }
        _ = try await direct.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    // MARK: - S3: 30 % faults

    @Test("S3: a 200-file sync both ways and a 20 MiB multipart upload under 30 % 503 SlowDown converge in one run")
    func s3UnderThirtyPercentSlowDownConverges() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        try faultTestTree(s, "src", files: 200, seed: 6)
        let file = try faultTestFile(s, "big.bin", size: 20 * 1024 * 1024, seed: 7)
        let proxy = try await FaultProxy(.http(status: 503, fraction: 0.3, retryAfter: nil), targetPort: 17090, seed: 6)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, s3Port: proxy.port)
        let bucket = uniqueFaultName("fault-503")
        #expect(try await accounts.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        let up = try await accounts.run(["sync", "--retries", "0", s.url("src"), "mproxy:\(bucket)/t"])
        #expect(up.status == 0, "\(up)")
        let down = try await accounts.run(["sync", "--retries", "0", "mproxy:\(bucket)/t", s.url("back")])
        #expect(down.status == 0, "\(down)")
        #expect(treeContents(s.url("back")) == treeContents(s.url("src")))
        let big = try await accounts.run(["cp", file, "mproxy:\(bucket)/big.bin"])
        #expect(big.status == 0, "\(big)")
        #expect(try await accounts.run(["cp", "mproxy:\(bucket)/big.bin", s.url("big-back.bin")]).status == 0)
        #expect(FileManager.default.contents(atPath: s.url("big-back.bin")) == FileManager.default.contents(atPath: file))
        #expect(proxy.stats.faults > 0)
        #expect(leftovers(s.url("back")) == [])
        let uploads = try await accounts.run(["ls", "mdirect:\(bucket)"])
        #expect(!uploads.stdout.contains(".dctc-"), "\(uploads)")
        _ = try await accounts.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    @Test("S3: a 200-file sync and a 20 MiB multipart upload under 30 % connection cuts converge in at most two runs")
    func s3UnderThirtyPercentCutsConverges() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        try faultTestTree(s, "src", files: 200, seed: 8)
        let file = try faultTestFile(s, "big.bin", size: 20 * 1024 * 1024, seed: 9)
        let proxy = try await FaultProxy(.tcp(cutAfter: 48 * 1024, fraction: 0.3, firstOnly: false, rst: false), targetPort: 17090, seed: 8)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, s3Port: proxy.port)
        let bucket = uniqueFaultName("fault-cut")
        #expect(try await accounts.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        let up = try await accounts.runConverging(["sync", "--retries", "5", s.url("src"), "mproxy:\(bucket)/t"])
        #expect(up.last.status == 0, "\(up.first)\n\(up.last)")
        let down = try await accounts.runConverging(["sync", "--retries", "5", "mproxy:\(bucket)/t", s.url("back")])
        #expect(down.last.status == 0, "\(down.first)\n\(down.last)")
        #expect(treeContents(s.url("back")) == treeContents(s.url("src")))
        let big = try await accounts.runConverging(["cp", file, "mproxy:\(bucket)/big.bin"])
        #expect(big.last.status == 0, "\(big.first)\n\(big.last)")
        #expect(try await accounts.run(["cp", "mdirect:\(bucket)/big.bin", s.url("big-back.bin")]).status == 0)
        #expect(FileManager.default.contents(atPath: s.url("big-back.bin")) == FileManager.default.contents(atPath: file))
        #expect(proxy.stats.faults > 0)
        #expect(leftovers(s.url("back")) == [])
        _ = try await accounts.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    // MARK: - Downloads cut mid-body

    @Test("a download cut once mid-body resumes, and one cut on every connection exits 5 (transient)")
    func downloadCutMidBodyIsTransient() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let http = try TestServers.environment(of: "nginx")
        guard let root = http["DCTC_TEST_HTTP_ROOT"], FileManager.default.fileExists(atPath: root) else {
            throw TestSkip("nginx's data folder is missing")
        }
        let name = uniqueFaultName("fault-cut") + ".bin"
        let file = try faultTestFile(s, name, size: 4 * 1024 * 1024, seed: 10)
        try FileManager.default.copyItem(atPath: file, toPath: root + "/" + name)
        defer { try? FileManager.default.removeItem(atPath: root + "/" + name) }
        let accounts = try FaultAccounts.make(s)

        let once = try await FaultProxy(.tcp(cutAfter: 256 * 1024, fraction: 0, firstOnly: true, rst: true), targetPort: 17080)
        defer { once.stop() }
        let resumed = try await accounts.run(["cp", "http://127.0.0.1:\(once.port)/\(name)", s.url("once.bin")])
        #expect(resumed.status == 0, "\(resumed)")
        #expect(FileManager.default.contents(atPath: s.url("once.bin")) == FileManager.default.contents(atPath: file))

        let always = try await FaultProxy(.tcp(cutAfter: 64 * 1024, fraction: 1, firstOnly: false, rst: false), targetPort: 17080)
        defer { always.stop() }
        let failed = try await accounts.run(["cp", "http://127.0.0.1:\(always.port)/\(name)", s.url("always.bin")])
        #expect(failed.status == 5, "\(failed)")
        #expect(!failed.stderr.contains("dctc retries this"))
        // One error line, then the summary line.
        #expect(failed.stderr.split(separator: "\n").filter { $0.hasPrefix("dctc: ") }.count == 1, "one line: \(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: s.url("always.bin")))
        #expect(leftovers(s.path) == [])

        // The same on S3 (moto): cut once, the read resumes.
        let bucket = uniqueFaultName("fault-get")
        #expect(try await accounts.run(["mkdir", "mdirect:\(bucket)"]).status == 0)
        #expect(try await accounts.run(["cp", file, "mdirect:\(bucket)/f.bin"]).status == 0)
        let s3once = try await FaultProxy(.tcp(cutAfter: 256 * 1024, fraction: 0, firstOnly: true, rst: true), targetPort: 17090)
        defer { s3once.stop() }
        let s3accounts = try FaultAccounts.make(s, s3Port: s3once.port)
        let got = try await s3accounts.run(["cp", "mproxy:\(bucket)/f.bin", s.url("s3once.bin")])
        #expect(got.status == 0, "\(got)")
        #expect(FileManager.default.contents(atPath: s.url("s3once.bin")) == FileManager.default.contents(atPath: file))
        _ = try await accounts.run(["rm", "-r", "--force", "mdirect:\(bucket)"])
    }

    @Test("a host name that does not resolve exits 5 (transient) on every store")
    func dnsFailureIsTransientEverywhere() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let accounts = try FaultAccounts.make(s)
        let config = try s.write("dns.toml", """
        [accounts.nos3]
        type = "s3"
        endpoint = "http://no-such-host.invalid:9000"
        region = "us-east-1"
        access_key_id = "AKIDNONE"
        secret_access_key_env = "TEST_MOTO_SECRET"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        var env = accounts.env
        env["DCTC_CONFIG"] = config
        let dns = FaultAccounts(scratch: s, config: config, env: env)
        for address in ["sftp://someone@no-such-host.invalid/x", "ftp://no-such-host.invalid/x",
                        "http://no-such-host.invalid/x", "nos3:bucket/x"] {
            let r = try await dns.run(["ls", address])
            #expect(r.status == 5, "\(address): \(r)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(address): \(r.stderr)")
        }
    }

    // MARK: - FTP and WebDAV

    @Test("FTP: a sync through 30 % cut control connections converges in at most two runs with no temporary file left")
    func ftpSyncUnderCutsConverges() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let ftp = try TestServers.environment(of: "vsftpd")
        guard let home = ftp["DCTC_TEST_FTP_HOME"] else { throw TestSkip("vsftpd's home is unknown") }
        try faultTestTree(s, "src", files: 60, seed: 13)
        let proxy = try await FaultProxy(.tcp(cutAfter: 600, fraction: 0.3, firstOnly: false, rst: true), targetPort: 17021, seed: 13)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, ftpPort: proxy.port)
        let folder = uniqueFaultName("fault-ftp")
        defer { try? FileManager.default.removeItem(atPath: home + "/" + folder) }
        let r = try await accounts.runConverging(["sync", "--retries", "5", s.url("src"), "ftpbox:/\(folder)"])
        #expect(r.last.status == 0, "\(r.first)\n\(r.last)")
        #expect(proxy.stats.faults > 0)
        #expect(treeContents(home + "/" + folder) == treeContents(s.url("src")))
        #expect(leftovers(home + "/" + folder) == [])
    }

    @Test("WebDAV: a sync both ways through 30 % 503 answers converges in one run")
    func webdavSyncUnderThrottlingConverges() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let http = try TestServers.environment(of: "nginx")
        guard let root = http["DCTC_TEST_HTTP_ROOT"] else { throw TestSkip("nginx's data folder is unknown") }
        try faultTestTree(s, "src", files: 60, seed: 14)
        let proxy = try await FaultProxy(.http(status: 503, fraction: 0.3, retryAfter: nil), targetPort: 17084, seed: 14)
        defer { proxy.stop() }
        let accounts = try FaultAccounts.make(s, davPort: proxy.port)
        let folder = uniqueFaultName("fault-dav")
        defer { try? FileManager.default.removeItem(atPath: root + "/" + folder) }
        let up = try await accounts.runConverging(["sync", "--retries", "5", s.url("src"), "dav:/\(folder)"])
        #expect(up.first.status == 0, "\(up.first)")
        let down = try await accounts.run(["sync", "--retries", "5", "dav:/\(folder)", s.url("back")])
        #expect(down.status == 0, "\(down)")
        #expect(treeContents(s.url("back")) == treeContents(s.url("src")))
        #expect(proxy.stats.faults > 0)
        #expect(leftovers(s.url("back")) == [])
    }
}
