import CDCTCXattr
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

/// The servers a large download is read from with parallel ranged streams.
enum StreamsServer: String, CaseIterable, Sendable, CustomStringConvertible {
    case moto
    case rclone = "rclone-s3"
    case nginx

    var description: String { rawValue }
}

/// `--multi-thread-streams`, `--multi-thread-cutoff`: one large download read as several ranged
/// reads written in place, checked whole, and resumed from its contiguous prefix.
@Suite("Large files: parallel ranged streams for one download", .serialized)
struct ParallelStreamsTests {
    static let size = 40 * 1024 * 1024
    static let flags = ["--multi-thread-streams", "4", "--multi-thread-cutoff", "8M"]

    /// A place to download `big.bin` from through a `ByteProxy`, with the bytes it holds.
    struct Source {
        let address: String
        let bytes: [UInt8]
        let env: [String: String]
        let scratch: Scratch
        let cleanup: @Sendable () -> Void
    }

    /// Puts `size` random bytes on `server` and answers the address to read them through `proxy`.
    static func source(_ server: StreamsServer, proxy: ByteProxy, size: Int = ParallelStreamsTests.size) async throws -> Source? {
        let bytes = try ResumedUploadTests.random(size)
        switch server {
        case .moto, .rclone:
            let large: LargeFileServer = server == .moto ? .moto : .rclone
            guard let bench = try LargeFileBench.make(large, proxyPort: proxy.port) else { return nil }
            let up = try await bench.dctc(["cp", try bench.s.write("big.bin", bytes: bytes), "direct:\(bench.bucket)/big.bin"])
            #expect(up.status == 0, "\(up)")
            return Source(address: "proxied:\(bench.bucket)/big.bin", bytes: bytes, env: bench.env, scratch: bench.s,
                          cleanup: { bench.cleanup() })
        case .nginx:
            let http = try TestServers.environment(of: "nginx")
            guard let root = http["DCTC_TEST_HTTP_ROOT"], FileManager.default.fileExists(atPath: root) else {
                throw TestSkip("nginx's data folder is missing")
            }
            let name = uniqueFaultName("streams") + ".bin"
            try Data(bytes).write(to: URL(fileURLWithPath: root + "/" + name))
            chmod(root + "/" + name, 0o644)
            let s = try Scratch("dctc-streams")
            try FileManager.default.createDirectory(atPath: s.url("tmp"), withIntermediateDirectories: true)
            let env = ["XDG_STATE_HOME": s.url("state"), "TMPDIR": s.url("tmp"), "DCTC_CONFIG": s.url("none.toml")]
            return Source(address: "http://127.0.0.1:\(proxy.port)/\(name)", bytes: bytes, env: env, scratch: s,
                          cleanup: { try? FileManager.default.removeItem(atPath: root + "/" + name); s.cleanup() })
        }
    }

    /// Runs dctc on a thread of its own (a long copy must not hold a cooperative thread).
    static func dctc(_ args: [String], env: [String: String]) async throws -> CLIResult {
        try await IOThread.detached(name: "dctc-test-cli") { try CLI.run(args, environment: env) }
    }

    /// The ranged GETs the proxy forwarded (`range=` in its request log).
    static func rangedGets(_ proxy: ByteProxy) -> [String] {
        let text = (try? String(contentsOfFile: proxy.folder + "/requests.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("GET ") && $0.contains(" range=bytes=") }
    }

    static func sha256(_ bytes: [UInt8]) throws -> String { try Digest.hash(bytes, kind: .sha256) }

    @Test("a 40 MiB download with --multi-thread-streams 4 is byte-identical and read in several ranged GETs",
          arguments: StreamsServer.allCases)
    func parallelDownloadIsIdentical(server: StreamsServer) async throws {
        let proxy = try ByteProxy(upstream: server == .nginx ? 17080 : (server == .moto ? 17090 : 17091))
        defer { proxy.stop() }
        guard let source = try await Self.source(server, proxy: proxy) else { return }
        defer { source.cleanup() }
        let out = source.scratch.url("out.bin")
        let down = try await Self.dctc(["cp", "-v"] + Self.flags + [source.address, out], env: source.env)
        #expect(down.status == 0, "\(down)")
        #expect(down.stderr.contains("reading with 4 parallel streams"), "-v says it: \(down.stderr)")
        let got = [UInt8](FileManager.default.contents(atPath: out) ?? Data())
        #expect(try Self.sha256(got) == Self.sha256(source.bytes), "the file is the source (\(got.count) bytes)")
        let ranged = Self.rangedGets(proxy)
        #expect(ranged.count >= 4, "several ranged GETs: \(ranged)")
        #expect(ResumedDownloadTests.partials(in: source.scratch.path).isEmpty)
    }

    @Test("copy and sync read a large file with parallel streams too")
    func copyAndSyncUseStreams() async throws {
        let proxy = try ByteProxy(upstream: 17090)
        defer { proxy.stop() }
        guard let source = try await Self.source(.moto, proxy: proxy) else { return }
        defer { source.cleanup() }
        let folder = String(source.address.dropLast("/big.bin".count)) + "/"
        let copied = try await Self.dctc(["copy"] + Self.flags + [folder, source.scratch.url("copied")], env: source.env)
        #expect(copied.status == 0, "\(copied)")
        #expect(try Self.sha256([UInt8](FileManager.default.contents(atPath: source.scratch.url("copied/big.bin")) ?? Data()))
            == Self.sha256(source.bytes))
        let afterCopy = Self.rangedGets(proxy).count
        #expect(afterCopy >= 4, "copy made ranged GETs: \(afterCopy)")

        let synced = try await Self.dctc(["sync"] + Self.flags + [folder, source.scratch.url("synced")], env: source.env)
        #expect(synced.status == 0, "\(synced)")
        #expect(Self.rangedGets(proxy).count >= afterCopy + 4, "sync made ranged GETs")
        #expect(FileManager.default.contents(atPath: source.scratch.url("synced/big.bin")) == Data(source.bytes))
    }

    @Test("--multi-thread-streams 1 (and a file under the cutoff) reads an HTTP file in one GET without a range")
    func oneStreamIsOneGet() async throws {
        let proxy = try ByteProxy(upstream: 17080)
        defer { proxy.stop() }
        guard let source = try await Self.source(.nginx, proxy: proxy, size: 12 * 1024 * 1024) else { return }
        defer { source.cleanup() }
        let one = try await Self.dctc(["cp", "--multi-thread-streams", "1", "--multi-thread-cutoff", "8M", source.address,
                                       source.scratch.url("one.bin")], env: source.env)
        #expect(one.status == 0, "\(one)")
        let under = try await Self.dctc(["cp", "--multi-thread-cutoff", "16M", source.address, source.scratch.url("under.bin")],
                                        env: source.env)
        #expect(under.status == 0, "\(under)")
        #expect(Self.rangedGets(proxy).isEmpty, "no ranged GET: \(Self.rangedGets(proxy))")
        #expect(FileManager.default.contents(atPath: source.scratch.url("one.bin")) == Data(source.bytes))
        #expect(FileManager.default.contents(atPath: source.scratch.url("under.bin")) == Data(source.bytes))
        let four = try await Self.dctc(["cp"] + Self.flags + [source.address, source.scratch.url("four.bin")], env: source.env)
        #expect(four.status == 0, "\(four)")
        #expect(Self.rangedGets(proxy).count >= 3, "12 MiB in 4 MiB ranges: \(Self.rangedGets(proxy))")
        #expect(FileManager.default.contents(atPath: source.scratch.url("four.bin")) == Data(source.bytes))
    }

    @Test("the flags refuse a negative stream count and a size that does not parse")
    func badFlagsAreRefused() throws {
        let negative = try CLI.run(["cp", "--multi-thread-streams", "-1", "/dev/null", "/tmp/x"])
        #expect(negative.status != 0)
        #expect(negative.stderr.contains("--multi-thread-streams"), "\(negative.stderr)")
        let size = try CLI.run(["sync", "--multi-thread-cutoff", "lots", "/tmp/a", "/tmp/b"])
        #expect(size.status != 0)
        #expect(size.stderr.contains("--multi-thread-cutoff"), "\(size.stderr)")
    }

    @Test("a parallel download whose bytes do not match the object's MD5 fails and leaves nothing", arguments: [StreamsServer.moto, .rclone])
    func damagedParallelDownloadLeavesNothing(server: StreamsServer) async throws {
        let proxy = try ByteProxy(upstream: server == .moto ? 17090 : 17091, arguments: ["--flip-get", "big.bin"])
        defer { proxy.stop() }
        guard let source = try await Self.source(server, proxy: proxy) else { return }
        defer { source.cleanup() }
        let out = source.scratch.url("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let down = try await Self.dctc(["cp"] + Self.flags + [source.address, out + "/big.bin"], env: source.env)
        #expect(down.status != 0, "the damaged download must fail: \(down)")
        #expect((proxy.stats()["flips"] ?? 0) >= 2, "several ranges were damaged")
        #expect(down.stderr.lowercased().contains("md5 mismatch"), "\(down.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(left.isEmpty, "nothing under the final name, no partial file: \(left)")
    }

    @Test("a ranged read cut once mid-body continues from its last byte and the file is whole")
    func cutRangeResumes() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let http = try TestServers.environment(of: "nginx")
        guard let root = http["DCTC_TEST_HTTP_ROOT"], FileManager.default.fileExists(atPath: root) else {
            throw TestSkip("nginx's data folder is missing")
        }
        let name = uniqueFaultName("streams-cut") + ".bin"
        let file = try faultTestFile(s, name, size: 16 * 1024 * 1024, seed: 12)
        try FileManager.default.copyItem(atPath: file, toPath: root + "/" + name)
        defer { try? FileManager.default.removeItem(atPath: root + "/" + name) }
        let once = try await FaultProxy(.tcp(cutAfter: 256 * 1024, fraction: 0, firstOnly: true, rst: true), targetPort: 17080)
        defer { once.stop() }
        let env = ["XDG_STATE_HOME": s.url("state"), "DCTC_CONFIG": s.url("none.toml"), "DCTC_RETRY_BASE_DELAY": "0.05"]
        // --timeout 5s: a body cut with a reset sometimes waits for the stall timeout before
        // the retry (one stream too); the outcome, not the time, is what is checked here.
        let down = try await Self.dctc(["cp", "-v", "--timeout", "5s"] + Self.flags
                                       + ["http://127.0.0.1:\(once.port)/\(name)", s.url("out.bin")], env: env)
        #expect(down.status == 0, "\(down)")
        #expect(down.stderr.contains("parallel streams"), "\(down.stderr)")
        #expect(FileManager.default.contents(atPath: s.url("out.bin")) == FileManager.default.contents(atPath: file))
    }

    /// The contiguous prefix of the partial file in `folder` a resume would keep: the recorded
    /// `user.dctc.prefix`, else (a file system without extended attributes: written in order)
    /// its size; 0 when there is none yet.
    static func recordedPrefix(in folder: String) -> Int64 {
        guard let (name, size) = ResumedDownloadTests.partials(in: folder).first else { return 0 }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { getxattr(folder + "/" + name, "user.dctc.prefix", $0.baseAddress, $0.count) }
        guard n > 0 else { return size }
        return Int64(String(decoding: buffer[0..<n], as: UTF8.self)) ?? 0
    }

    @Test("kill -9 half way through a parallel download: the re-run reads at most 60 % and the file is the object")
    func killedParallelDownloadResumes() async throws {
        let proxy = try ByteProxy(upstream: 17090)
        defer { proxy.stop() }
        guard let source = try await Self.source(.moto, proxy: proxy) else { return }
        defer { source.cleanup() }
        let out = source.scratch.url("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let size = Self.size
        let (env, address) = (source.env, source.address)
        // Killed once the partial file's recorded contiguous prefix (what a resume keeps) holds
        // half the bytes; --bwlimit makes that take seconds. (The proxy's count is no guide: it
        // counts a whole answer once written to a socket whose buffers hold megabytes.)
        let killed = try await IOThread.detached(name: "dctc-test-kill") { () -> Bool in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["cp", "--bwlimit", "8M"] + Self.flags + [address, out + "/big.bin"]
            var all = ProcessInfo.processInfo.environment
            for (k, v) in env { all[k] = v }
            p.environment = all
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            var reached = false
            for _ in 0..<3000 {
                guard p.isRunning else { break }
                if Self.recordedPrefix(in: out) >= Int64(size / 2) { reached = true; break }
                usleep(20_000)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitForExit()
            return reached
        }
        #expect(killed, "the copy was killed half way")
        #expect(!FileManager.default.fileExists(atPath: out + "/big.bin"), "nothing under the final name")
        #expect(ResumedDownloadTests.partials(in: out).count == 1, "the partial file is kept")

        let before = proxy.stats()["sent_down"] ?? 0
        let again = try await Self.dctc(["cp", "-v"] + Self.flags + [address, out + "/big.bin"], env: env)
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.contains("resuming the partial download"), "-v says it resumes: \(again.stderr)")
        let received = (proxy.stats()["sent_down"] ?? 0) - before
        #expect(received <= size * 6 / 10, "the re-run received \(received) of \(size) bytes")
        let got = [UInt8](FileManager.default.contents(atPath: out + "/big.bin") ?? Data())
        #expect(try Self.sha256(got) == Self.sha256(source.bytes), "the file is the object")
        #expect(ResumedDownloadTests.partials(in: out).isEmpty, "no partial file is left")
    }
}
