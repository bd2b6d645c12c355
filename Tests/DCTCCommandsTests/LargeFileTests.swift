import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// The two loopback S3 servers, as `dctc` accounts.
enum LargeFileServer: String, CaseIterable, Sendable, CustomStringConvertible {
    case moto
    case rclone = "rclone-s3"

    var description: String { rawValue }
    var port: Int { self == .moto ? 17090 : 17091 }
    var prefix: String { self == .moto ? "DCTC_TEST_MOTO_" : "DCTC_TEST_RCLONE_S3_" }
}

/// `Scripts/test-servers/byte-proxy.py` on a free loopback port in front of a server: counts the
/// bytes going through, and damages one byte where told.
final class ByteProxy: @unchecked Sendable {
    let port: Int
    private let process: Process
    /// Holds `port`, `stats` and `requests.log`.
    let folder: String

    init(upstream: Int, arguments: [String] = []) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-byte-proxy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = TestServers.packageRoot.appendingPathComponent("Scripts/test-servers/byte-proxy.py").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, String(upstream), folder] + arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        var found: Int?
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: folder + "/port", encoding: .utf8), let n = Int(text) { found = n; break }
            usleep(50_000)
        }
        guard let found else {
            kill(p.processIdentifier, SIGKILL)
            throw VFSError(.unavailable, "the byte proxy did not start")
        }
        port = found
    }

    /// The counters the proxy saved after its last request.
    func stats() -> [String: Int] {
        guard let data = FileManager.default.contents(atPath: folder + "/stats"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int] else { return [:] }
        return object
    }

    /// The requests forwarded so far, a line each: method, path with query, body size, `->`,
    /// status, answer body size.
    func requests() -> [String] {
        guard let text = try? String(contentsOfFile: folder + "/requests.log", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    func stop() {
        // SIGKILL: a child of a test thread inherits its blocked signals (SIGTERM among them).
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// A scratch folder with a config naming the server twice: `direct:` and, through a proxy,
/// `proxied:`.
struct LargeFileBench {
    let s: Scratch
    let env: [String: String]
    let bucket: String
    let server: LargeFileServer

    static func make(_ server: LargeFileServer, proxyPort: Int?) throws -> LargeFileBench? {
        if !TestServers.inHarness, !TestServers.isListening(server.port) {
            print("skipping: \(server) is not running")
            return nil
        }
        let s = try Scratch("dctc-large")
        let e = try TestServers.environment(of: server == .moto ? "moto" : "rclone-s3")
        let endpoint = e[server.prefix + "ENDPOINT"] ?? "http://127.0.0.1:\(server.port)"
        func account(_ name: String, _ url: String) -> String {
            """
            [accounts.\(name)]
            type = "s3"
            endpoint = "\(url)"
            region = "us-east-1"
            access_key_id = "\(e[server.prefix + "ACCESS_KEY_ID"] ?? "")"
            secret_access_key_env = "LARGE_TEST_SECRET"

            """
        }
        var text = account("direct", endpoint)
        if let proxyPort { text += account("proxied", "http://127.0.0.1:\(proxyPort)") }
        let config = try s.write("config.toml", text)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        try FileManager.default.createDirectory(atPath: s.url("tmp"), withIntermediateDirectories: true)
        let env = ["DCTC_CONFIG": config, "LARGE_TEST_SECRET": e[server.prefix + "SECRET_ACCESS_KEY"] ?? "",
                   "XDG_STATE_HOME": s.url("state"), "TMPDIR": s.url("tmp")]
        let bucket = "dctc-large-" + String(UUID().uuidString.prefix(8)).lowercased()
        let made = try CLI.run(["mkdir", "direct:" + bucket], environment: env)
        #expect(made.status == 0, "mkdir: \(made)")
        return LargeFileBench(s: s, env: env, bucket: bucket, server: server)
    }

    /// Runs dctc on a thread of its own: a copy of 256 MiB held one of the cooperative pool's
    /// two threads (on a 2-core machine) for minutes, and every other test waited.
    func dctc(_ args: [String]) async throws -> CLIResult {
        let env = self.env
        return try await IOThread.detached(name: "dctc-test-cli") { try CLI.run(args, environment: env) }
    }

    /// `size` pseudo-random bytes in `name` (seeded, so a failure can be reproduced).
    func file(_ name: String, size: Int, seed: UInt64) throws -> [UInt8] {
        var state = seed | 1
        var bytes = [UInt8](repeating: 0, count: size)
        for i in 0..<size {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            bytes[i] = UInt8(truncatingIfNeeded: state)
        }
        _ = try s.write(name, bytes: bytes)
        return bytes
    }

    func cleanup() {
        _ = try? CLI.run(["rm", "-r", "--force", "direct:" + bucket], environment: env)
        _ = try? CLI.run(["rmdir", "direct:" + bucket], environment: env)
        s.cleanup()
    }

    /// pip's rclone, configured for the server through the environment.
    func rclone(_ args: [String]) async throws -> ToolResult {
        let scripts = try await runTool(["python3", "-c", "import sysconfig;print(sysconfig.get_path('scripts'))"])
        let binary = scripts.stdout.trimmingCharacters(in: .whitespacesAndNewlines) + "/rclone"
        let e = try TestServers.environment(of: server == .moto ? "moto" : "rclone-s3")
        return try await runTool(["env", "RCLONE_CONFIG=/nonexistent", "RCLONE_CONFIG_SRV_TYPE=s3", "RCLONE_CONFIG_SRV_PROVIDER=Other",
                                  "RCLONE_CONFIG_SRV_ENDPOINT=" + (e[server.prefix + "ENDPOINT"] ?? ""),
                                  "RCLONE_CONFIG_SRV_ACCESS_KEY_ID=" + (e[server.prefix + "ACCESS_KEY_ID"] ?? ""),
                                  "RCLONE_CONFIG_SRV_SECRET_ACCESS_KEY=" + (e[server.prefix + "SECRET_ACCESS_KEY"] ?? ""),
                                  "RCLONE_CONFIG_SRV_REGION=us-east-1", binary] + args)
    }
}

@Suite("Large files: verified uploads and downloads")
struct LargeFileTests {
    static let size = 23 * 1024 * 1024 + 12345  // five 5 MiB parts, the last one short

    @Test("rclone check (without --download) finds a multipart upload by dctc matching by hash", arguments: LargeFileServer.allCases)
    func multipartUploadMatchesByHashInRcloneCheck(server: LargeFileServer) async throws {
        guard let bench = try LargeFileBench.make(server, proxyPort: nil) else { return }
        defer { bench.cleanup() }
        try FileManager.default.createDirectory(atPath: bench.s.url("src"), withIntermediateDirectories: true)
        _ = try bench.file("src/big.bin", size: Self.size, seed: 7)
        let cp = try await bench.dctc(["cp", bench.s.url("src/big.bin"), "direct:\(bench.bucket)/big.bin"])
        #expect(cp.status == 0, "\(cp)")
        let check = try await bench.rclone(["check", bench.s.url("src"), "srv:" + bench.bucket])
        #expect(check.status == 0, "rclone check: \(check.stderr)")
        #expect(check.stderr.contains("1 matching files"), "\(check.stderr)")
        #expect(!check.stderr.contains("could not be checked"), "\(check.stderr)")
    }

    /// moto rejects the damaged part (`BadDigest`) and dctc sends it again within the same
    /// upload. rclone serve s3 drops the whole upload when a part fails its digest, so there the
    /// copy fails without storing anything, and running it again stores the right bytes.
    @Test("a part damaged on the way to the server is caught and sent again", arguments: LargeFileServer.allCases)
    func damagedPartIsResent(server: LargeFileServer) async throws {
        let proxy = try ByteProxy(upstream: server.port, arguments: ["--flip-part", "2"])
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(server, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        let bytes = try bench.file("big.bin", size: Self.size, seed: 11)
        var cp = try await bench.dctc(["cp", bench.s.url("big.bin"), "proxied:\(bench.bucket)/big.bin"])
        #expect(proxy.stats()["flips"] == 1, "the proxy damaged part 2 once: \(proxy.stats())")
        if server == .moto {
            #expect(cp.status == 0, "\(cp)")
        } else if cp.status != 0 {
            let stored = try await bench.dctc(["stat", "direct:\(bench.bucket)/big.bin"])
            #expect(stored.status != 0, "a failed upload stores nothing: \(stored)")
            cp = try await bench.dctc(["cp", bench.s.url("big.bin"), "proxied:\(bench.bucket)/big.bin"])
            #expect(cp.status == 0, "the second run stores it: \(cp)")
        }
        let back = try await bench.dctc(["cp", "direct:\(bench.bucket)/big.bin", bench.s.url("back.bin")])
        #expect(back.status == 0, "\(back)")
        #expect(try bench.s.read("back.bin") == bytes, "the stored object is the file")
    }

    @Test("a download whose bytes do not match the object's known MD5 fails and leaves nothing",
          arguments: LargeFileServer.allCases, [Self.size, 100_000])
    func damagedDownloadLeavesNothing(server: LargeFileServer, size: Int) async throws {
        let proxy = try ByteProxy(upstream: server.port, arguments: ["--flip-get", "obj.bin"])
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(server, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        _ = try bench.file("obj.bin", size: size, seed: 13)
        let up = try await bench.dctc(["cp", bench.s.url("obj.bin"), "direct:\(bench.bucket)/obj.bin"])
        #expect(up.status == 0, "\(up)")
        try FileManager.default.createDirectory(atPath: bench.s.url("out"), withIntermediateDirectories: true)
        let down = try await bench.dctc(["cp", "proxied:\(bench.bucket)/obj.bin", bench.s.url("out/obj.bin")])
        #expect(down.status != 0, "the damaged download must fail: \(down)")
        #expect((proxy.stats()["flips"] ?? 0) >= 1)
        #expect(down.stderr.contains("MD5"), "\(down.stderr)")
        let left = try bench.s.list("out")
        #expect(left.isEmpty, "nothing is left behind: \(left)")
    }
}

@Suite("Large files: an interrupted upload is resumed", .serialized)
struct ResumedUploadTests {
    static let size = 256 * 1024 * 1024

    /// Starts `dctc cp` in the background, waits until the proxy has received about half of
    /// `size` bytes, and kills it with SIGKILL (on a thread of its own: it polls and waits).
    static func killHalfWay(_ bench: LargeFileBench, proxy: ByteProxy, source: String, destination: String) async throws {
        let env = bench.env
        let sent = try await IOThread.detached(name: "dctc-test-kill") { () -> Int? in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["cp", source, destination]
            var all = ProcessInfo.processInfo.environment
            for (k, v) in env { all[k] = v }
            p.environment = all
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            let before = proxy.stats()["sent_up"] ?? 0
            try p.run()
            var reached = false
            for _ in 0..<6000 {
                guard p.isRunning else { break }
                if (proxy.stats()["sent_up"] ?? 0) - before >= size / 2 { reached = true; break }
                usleep(20_000)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitForExit()
            return reached ? nil : (proxy.stats()["sent_up"] ?? 0) - before
        }
        #expect(sent == nil, "the copy was killed half way (it sent \(sent ?? 0) bytes)")
    }

    static func random(_ count: Int) throws -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: "/dev/urandom") else { throw VFSError(.io, "no /dev/urandom") }
        defer { try? h.close() }
        return [UInt8](h.readData(ofLength: count))
    }

    @Test("kill -9 half way through a 256 MiB upload: the next cp sends at most 60 % and stores the file", arguments: LargeFileServer.allCases)
    func killedUploadResumes(server: LargeFileServer) async throws {
        let proxy = try ByteProxy(upstream: server.port)
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(server, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        let bytes = try Self.random(Self.size)
        let source = try bench.s.write("big.bin", bytes: bytes)
        let destination = "proxied:\(bench.bucket)/big.bin"
        try await Self.killHalfWay(bench, proxy: proxy, source: source, destination: destination)
        let before = proxy.stats()["sent_up"] ?? 0
        let again = try await bench.dctc(["cp", "-v", source, destination])
        #expect(again.status == 0, "\(again)")
        let sent = (proxy.stats()["sent_up"] ?? 0) - before
        if server == .rclone && again.stderr.contains("the interrupted upload is gone from the server") {
            // rclone serve s3 keeps uploads in progress in memory. One CI run under load re-sent
            // the whole file (before -v said why); if the server lost the upload, dctc must say
            // so and upload afresh, which it did. Any other full re-send still fails here.
            print("note: rclone serve s3 lost the interrupted upload; dctc said so and sent \(sent) bytes")
        } else {
            #expect(again.stderr.contains("resuming the interrupted upload"), "-v says it resumes: \(again.stderr)")
            #expect(sent <= Self.size * 6 / 10, "the re-run sent \(sent) of \(Self.size) bytes; it said: \(again.stderr)")
        }
        let back = try await bench.dctc(["cp", "direct:\(bench.bucket)/big.bin", bench.s.url("back.bin")])
        #expect(back.status == 0, "\(back)")
        #expect(try bench.s.read("back.bin") == bytes, "the object is the file")
        let left = try await bench.dctc(["cleanup", "--dry-run", "--max-age", "0", "direct:" + bench.bucket])
        #expect(left.status == 0 && left.stdout.isEmpty, "no upload is left in progress: \(left)")
    }

    @Test("a file changed after an interrupted upload is uploaded afresh, and the old upload is aborted", arguments: LargeFileServer.allCases)
    func changedSourceRestarts(server: LargeFileServer) async throws {
        let proxy = try ByteProxy(upstream: server.port)
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(server, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        var bytes = try Self.random(Self.size)
        let source = try bench.s.write("big.bin", bytes: bytes)
        let destination = "proxied:\(bench.bucket)/big.bin"
        try await Self.killHalfWay(bench, proxy: proxy, source: source, destination: destination)
        let pending = try await bench.dctc(["cleanup", "--dry-run", "--max-age", "0", "direct:" + bench.bucket])
        if server == .rclone && pending.status == 0 && pending.stdout.isEmpty {
            // rclone serve s3 keeps uploads in progress in memory and has lost one under load
            // (see the kill -9 upload test); dctc's record still says the source changed, checked below.
            print("note: rclone serve s3 lists no upload in progress after the kill")
        } else {
            #expect(pending.stdout.contains("would abort"), "the interrupted upload is in progress: \(pending)")
        }
        bytes[1000] ^= 0xFF
        _ = try bench.s.write("big.bin", bytes: bytes)
        let again = try await bench.dctc(["cp", "-v", source, destination])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.contains("the source changed since the interrupted upload"), "\(again.stderr)")
        let back = try await bench.dctc(["cp", "direct:\(bench.bucket)/big.bin", bench.s.url("back.bin")])
        #expect(back.status == 0, "\(back)")
        #expect(try bench.s.read("back.bin") == bytes, "the object is the changed file")
        let left = try await bench.dctc(["cleanup", "--dry-run", "--max-age", "0", "direct:" + bench.bucket])
        #expect(left.status == 0 && left.stdout.isEmpty, "the old upload was aborted: \(left)")
    }

    /// On rclone serve s3: moto reports every upload as started in 2010.
    @Test("dctc cleanup aborts uploads in progress older than --max-age; --dry-run only lists them")
    func cleanupAbortsAbandonedUploads() async throws {
        let proxy = try ByteProxy(upstream: LargeFileServer.rclone.port)
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(.rclone, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        let source = try bench.s.write("big.bin", bytes: try Self.random(Self.size))
        try await Self.killHalfWay(bench, proxy: proxy, source: source, destination: "proxied:\(bench.bucket)/big.bin")
        let young = try await bench.dctc(["cleanup", "--dry-run", "direct:" + bench.bucket])
        #expect(young.status == 0 && young.stdout.isEmpty, "younger than the default 24h: kept \(young)")
        let dry = try await bench.dctc(["cleanup", "--dry-run", "--max-age", "0", "direct:" + bench.bucket])
        #expect(dry.stdout.contains("would abort") && dry.stdout.contains("big.bin"), "\(dry)")
        let real = try await bench.dctc(["cleanup", "--max-age", "0", "direct:" + bench.bucket])
        #expect(real.status == 0 && real.stdout.contains("aborted"), "\(real)")
        let after = try await bench.dctc(["cleanup", "--dry-run", "--max-age", "0", "direct:" + bench.bucket])
        #expect(after.stdout.isEmpty, "nothing is left: \(after)")
    }
}
