import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// Large downloads keep their partial file when killed and the next copy reads only the rest
/// (`ResumableWriting`, `PartialDownload`). The first copy runs under `--bwlimit` so that it can
/// be killed half way on any machine; it is killed when the partial file holds half the bytes.
@Suite("Large files: an interrupted download is resumed", .serialized)
struct ResumedDownloadTests {
    static let size = 64 * 1024 * 1024

    /// The `.dctc-*.partial` files in `folder`, with their sizes.
    static func partials(in folder: String) -> [String: Int64] {
        var found: [String: Int64] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".partial") {
            let size = (try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int64) ?? nil
            found[name] = size ?? 0
        }
        return found
    }

    /// Runs `dctc cp --bwlimit 16M SOURCE FOLDER/NAME` and kills it (SIGKILL) once the partial
    /// file in `folder` holds half of `size` bytes (on a thread of its own: it polls and waits).
    static func killHalfWay(env: [String: String], source: String, folder: String, name: String) async throws {
        let reached = try await IOThread.detached(name: "dctc-test-kill") { () -> Bool in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary)
            p.arguments = ["cp", "--bwlimit", "16M", source, folder + "/" + name]
            var all = ProcessInfo.processInfo.environment
            for (k, v) in env { all[k] = v }
            p.environment = all
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            var reached = false
            for _ in 0..<3000 {
                guard p.isRunning else { break }
                if partials(in: folder).values.contains(where: { $0 >= Int64(size / 2) }) { reached = true; break }
                usleep(20_000)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitForExit()
            return reached
        }
        #expect(reached, "the copy was killed half way: \(partials(in: folder))")
        #expect(!FileManager.default.fileExists(atPath: folder + "/" + name), "nothing under the final name")
    }

    @Test("kill -9 half way through a 64 MiB S3 download: the next cp receives at most 60 % and the file is the object",
          arguments: LargeFileServer.allCases)
    func killedDownloadResumes(server: LargeFileServer) async throws {
        let proxy = try ByteProxy(upstream: server.port)
        defer { proxy.stop() }
        guard let bench = try LargeFileBench.make(server, proxyPort: proxy.port) else { return }
        defer { bench.cleanup() }
        let bytes = try ResumedUploadTests.random(Self.size)
        let up = try await bench.dctc(["cp", try bench.s.write("big.bin", bytes: bytes), "direct:\(bench.bucket)/big.bin"])
        #expect(up.status == 0, "\(up)")
        let out = bench.s.url("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try await Self.killHalfWay(env: bench.env, source: "proxied:\(bench.bucket)/big.bin", folder: out, name: "big.bin")
        let before = proxy.stats()["sent_down"] ?? 0
        let again = try await bench.dctc(["cp", "-v", "proxied:\(bench.bucket)/big.bin", out + "/big.bin"])
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.contains("resuming the partial download"), "-v says it resumes: \(again.stderr)")
        let received = (proxy.stats()["sent_down"] ?? 0) - before
        #expect(received <= Self.size * 6 / 10, "the re-run received \(received) of \(Self.size) bytes")
        #expect(try bench.s.read("out/big.bin") == bytes, "the file is the object")
        #expect(Self.partials(in: out).isEmpty, "no partial file is left: \(Self.partials(in: out))")
    }

    @Test("an object changed after an interrupted download is downloaded afresh; --no-resume starts again; sync leaves work files alone")
    func changedObjectRestarts() async throws {
        guard let bench = try LargeFileBench.make(.moto, proxyPort: nil) else { return }
        defer { bench.cleanup() }
        var bytes = try ResumedUploadTests.random(Self.size)
        let source = try bench.s.write("big.bin", bytes: bytes)
        #expect(try await bench.dctc(["cp", source, "direct:\(bench.bucket)/big.bin"]).status == 0)
        let out = bench.s.url("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try await Self.killHalfWay(env: bench.env, source: "direct:\(bench.bucket)/big.bin", folder: out, name: "big.bin")
        let kept = Self.partials(in: out)
        #expect(kept.count == 1, "\(kept)")

        // A sync of the folder to elsewhere neither copies nor deletes the work file.
        let mirror = bench.s.url("mirror")
        let sync = try await bench.dctc(["sync", out, mirror])
        #expect(sync.status == 0, "\(sync)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: mirror)) ?? []).isEmpty, "the partial file is not synced")
        let back = try await bench.dctc(["sync", mirror, out])
        #expect(back.status == 0, "\(back)")
        #expect(Self.partials(in: out) == kept, "sync into the folder leaves the partial file alone")

        // The object changes (same size): the old partial file is not used, and it goes.
        bytes[7] ^= 0xFF
        _ = try bench.s.write("big.bin", bytes: bytes)
        #expect(try await bench.dctc(["cp", source, "direct:\(bench.bucket)/big.bin"]).status == 0)
        let again = try await bench.dctc(["cp", "-v", "direct:\(bench.bucket)/big.bin", out + "/big.bin"])
        #expect(again.status == 0, "\(again)")
        #expect(!again.stderr.contains("resuming the partial download"), "\(again.stderr)")
        #expect(try bench.s.read("out/big.bin") == bytes, "the file is the changed object")
        #expect(Self.partials(in: out).isEmpty, "the old partial file is gone: \(Self.partials(in: out))")

        // --no-resume: a kept partial file is started again from its first byte.
        try FileManager.default.removeItem(atPath: out + "/big.bin")
        try await Self.killHalfWay(env: bench.env, source: "direct:\(bench.bucket)/big.bin", folder: out, name: "big.bin")
        let fresh = try await bench.dctc(["cp", "-v", "--no-resume", "direct:\(bench.bucket)/big.bin", out + "/big.bin"])
        #expect(fresh.status == 0, "\(fresh)")
        #expect(!fresh.stderr.contains("resuming the partial download"), "\(fresh.stderr)")
        #expect(try bench.s.read("out/big.bin") == bytes)
        #expect(Self.partials(in: out).isEmpty)
    }

    @Test("kill -9 half way through an SFTP download: the next cp continues the partial file")
    func killedSFTPDownloadResumes() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let accounts = try FaultAccounts.make(s)
        let remote = "/tmp/" + uniqueFaultName("dctc-resume-sftp")
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: remote) }
        let bytes = try ResumedUploadTests.random(Self.size)
        try Data(bytes).write(to: URL(fileURLWithPath: remote + "/big.bin"))
        chmod(remote + "/big.bin", 0o644)
        chmod(remote, 0o755)
        let out = s.url("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try await Self.killHalfWay(env: accounts.env, source: "box:\(remote)/big.bin", folder: out, name: "big.bin")
        let again = try await accounts.run(["cp", "-v", "box:\(remote)/big.bin", out + "/big.bin"])
        #expect(again.status == 0, "\(again)")
        // The offset it continues from is at least half the file.
        let line = again.stderr.split(separator: "\n").first { $0.contains("resuming the partial download") }
        #expect(line != nil, "-v says it resumes: \(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/big.bin")) == Data(bytes), "the file is the remote file")
        #expect(Self.partials(in: out).isEmpty)
    }
}
