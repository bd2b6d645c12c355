@testable import DCTCBackendS3
import DCTCCore
import Foundation
import Testing

/// A misbehaving S3 endpoint (a small Python HTTP server on a free loopback port): throttling
/// answers, and a body cut off in the middle.
final class FaultyS3Server: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let folder: String

    /// Bucket `slow` answers `503 SlowDown` to its first two requests, then an empty listing;
    /// bucket `busy` always answers `503 SlowDown`; `GET /cut/file` announces 1,000,000 bytes,
    /// sends 1,000 and closes the connection.
    static let script = #"""
    import http.server, sys, socketserver
    state = {"slow": 0}
    SLOW = b'<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>'
    EMPTY = b'<?xml version="1.0"?><ListBucketResult><Name>slow</Name><IsTruncated>false</IsTruncated><KeyCount>0</KeyCount></ListBucketResult>'
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *a): pass
        def answer(self, status, body, length=None):
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        def do_GET(self):
            if self.path.startswith("/slow"):
                state["slow"] += 1
                self.answer(503, SLOW) if state["slow"] <= 2 else self.answer(200, EMPTY)
            elif self.path.startswith("/busy"):
                self.answer(503, SLOW)
            elif self.path.startswith("/cut/"):
                self.answer(200, b"x" * 1000, length=1000000)
                self.close_connection = True
            else:
                self.answer(404, b"")
        def do_HEAD(self):
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
    s = S(("127.0.0.1", 0), H)
    open(sys.argv[1], "w").write(str(s.server_address[1]))
    s.serve_forever()
    """#

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("dctc-faulty-s3")).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FaultyS3Server.script.write(toFile: folder + "/server.py", atomically: true, encoding: .utf8)
        let portFile = folder + "/port"
        let arguments = ["python3", folder + "/server.py", portFile]
        // Started on a thread of our own with no blocked signals (a child inherits the mask).
        let p = try await IOThread.detached(name: "dctc-test-faulty") { () -> UncheckedProcess in
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return UncheckedProcess(p)
        }.process
        process = p
        var found: Int?
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let n = Int(text) { found = n; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            kill(p.processIdentifier, SIGKILL)
            throw VFSError(.unavailable, "the faulty test server did not start")
        }
        port = found
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    func store(attempts: Int) throws -> S3FileSystem {
        var c = try S3Configuration(endpoint: "http://127.0.0.1:\(port)", credentials: S3Credentials(accessKeyId: "a", secretAccessKey: "b"))
        c.maxAttempts = attempts
        c.retryBaseDelay = .milliseconds(20)
        return try S3FileSystem(configuration: c)
    }
}

@Suite("S3 store against a misbehaving server")
struct S3FaultTests {
    @Test("SlowDown answers are retried with backoff until the server recovers")
    func throttlingIsRetried() async throws {
        let server = try await FaultyS3Server()
        defer { server.stop() }
        let fs = try server.store(attempts: 4)
        #expect(try await fs.info(VPath("/slow")).isDirectory, "the third attempt succeeds")
    }

    @Test("persistent SlowDown ends in a retryable unavailable error naming the code")
    func persistentThrottling() async throws {
        let server = try await FaultyS3Server()
        defer { server.stop() }
        let fs = try server.store(attempts: 2)
        let error = await #expect(throws: VFSError.self) { _ = try await fs.info(VPath("/busy")) }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("SlowDown") == true)
        #expect(error?.path == "s3://busy")
    }

    @Test("a connection closed in the middle of a body is an unavailable error naming the S3 address")
    func bodyCutOff() async throws {
        let server = try await FaultyS3Server()
        defer { server.stop() }
        let fs = try server.store(attempts: 1)
        let error = await #expect(throws: VFSError.self) { _ = try await fs.readAll(VPath("/cut/file")) }
        #expect(error?.code == .unavailable)
        #expect(error?.path == "s3://cut/file")
    }
}

/// A `Process` handed from the thread that started it to the test.
struct UncheckedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
