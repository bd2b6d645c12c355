import DCTCBackendHTTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@Suite("HTTP and WebDAV errors")
struct HTTPErrorTests {
    /// Runs `body` and returns the `VFSError` it throws.
    func vfsError(_ body: () async throws -> Void) async throws -> VFSError {
        do {
            try await body()
        } catch let e as VFSError {
            return e
        }
        throw VFSError(.io, "expected a VFSError, the call succeeded")
    }

    @Test("a 404 is notFound naming the full URL of the missing file")
    func missingFileNamesTheURL() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let fs = try await nginx.jsonStore()
        let path = VPath(components: ["errors", "no such file?.txt"])
        let e = try await vfsError { _ = try await fs.read(path, range: nil) }
        #expect(e.code == .notFound)
        #expect(e.path == nginx.jsonURL + "/errors/no%20such%20file%3F.txt")
        let i = try await vfsError { _ = try await fs.info(path) }
        #expect(i.code == .notFound)
        #expect(i.path == e.path)
    }

    @Test("a refused connection is unavailable and retryable, naming the address")
    func refusedConnection() async throws {
        // A port of the test range where nothing listens.
        let port = 17_999
        #expect(!HTTPTestServers.portIsOpen(port))
        let config = try HTTPStoreConfiguration(url: "http://127.0.0.1:\(port)/")
        let e = try await vfsError { _ = try await HTTPFileSystem.connect(config) }
        #expect(e.code == .unavailable)
        #expect(e.isRetryable)
        #expect(e.path?.hasPrefix("http://127.0.0.1:\(port)/") == true)
        #expect(!(e.remedy ?? "").isEmpty)
        // A store built without probing fails the same way on first use.
        let fs = try HTTPFileSystem(configuration: config, profile: .readOnly)
        let r = try await vfsError { _ = try await fs.info(VPath("/x")) }
        #expect(r.code == .unavailable)
        #expect(r.path == "http://127.0.0.1:\(port)/x")
    }

    @Test("rclone webdav without credentials is authenticationFailed with a remedy about logging in")
    func missingCredentials() async throws {
        let rclone = try await HTTPTestServers.rclone()
        let config = try HTTPStoreConfiguration(url: rclone.url)
        let e = try await vfsError { _ = try await HTTPFileSystem.connect(config) }
        #expect(e.code == .authenticationFailed)
        #expect(e.remedy?.contains("user and password") == true)
        #expect(e.remedy?.contains("netrc") == true)
        #expect(e.path?.hasPrefix(rclone.url) == true)
    }

    @Test("rclone webdav with a wrong password is authenticationFailed, and the password is never shown")
    func wrongPassword() async throws {
        let rclone = try await HTTPTestServers.rclone()
        let config = try rclone.configuration(password: "wrong-secret-123")
        let e = try await vfsError { _ = try await HTTPFileSystem.connect(config) }
        #expect(e.code == .authenticationFailed)
        #expect(e.remedy?.contains("check the user name and password") == true)
        #expect(!"\(e) \(e.cause ?? "")".contains("wrong-secret-123"))
    }

    @Test("a write to a read-only HTTP store is refused with a remedy pointing at WebDAV")
    func readOnlyWriteRefused() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let fs = try await nginx.jsonStore()
        #expect(fs.kind == .http)
        #expect(!fs.capabilities.writable)
        let e = try await vfsError { try await fs.write(VPath("/errors/new.txt"), bytes: Array("x".utf8)) }
        #expect(e.code == .unsupported)
        #expect(e.message.contains("read-only"))
        #expect(e.remedy?.contains("WebDAV") == true)
        #expect(e.path == nginx.jsonURL + "/errors/new.txt")
        #expect(!FileManager.default.fileExists(atPath: nginx.root + "/errors/new.txt"))
    }

    @Test("a failed upload leaves no temporary file on the server")
    func failedUploadLeavesNoTemporaryFile() async throws {
        let rclone = try await HTTPTestServers.rclone()
        let fs = try await rclone.store()
        let dir = VPath("/errors-upload")
        _ = try? await fs.removeTree(dir)
        try await fs.makeDirectory(dir)
        let e = try await vfsError {
            try await fs.write(dir.appending("f.bin"), from: TestData.failingStream(after: 300_000), attributes: .none)
        }
        #expect(e.code == .io)
        #expect(try await fs.listAll(dir).isEmpty)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: rclone.root + dir.string)
        #expect(onDisk.isEmpty, "left on disk: \(onDisk)")
        try await fs.removeDirectory(dir)
    }

    @Test("a cancelled upload leaves nothing behind, neither under the final name nor as a temporary file")
    func cancelledUploadLeavesNothing() async throws {
        let rclone = try await HTTPTestServers.rclone()
        let fs = try await rclone.store()
        let dir = VPath("/errors-cancel")
        _ = try? await fs.removeTree(dir)
        try await fs.makeDirectory(dir)
        let sent = SentCounter()
        // An endless source: the upload can only end by cancellation.
        let endless = ByteStream.pulling {
            await sent.add(65_536)
            try await Task.sleep(for: .milliseconds(2))
            return [UInt8](repeating: 0x5A, count: 65_536)
        }
        let upload = Task { try await fs.write(dir.appending("f.bin"), from: endless, attributes: .none) }
        // Bounded wait: 2 MB sent, or 30 s (then the upload is cancelled all the same).
        let deadline = ContinuousClock.now + .seconds(30)
        while await sent.total < 2_000_000, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        upload.cancel()
        let result = await upload.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(try await fs.listAll(dir).isEmpty)
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: rclone.root + dir.string)
        #expect(onDisk.isEmpty, "left on disk: \(onDisk)")
        try await fs.removeDirectory(dir)
    }
}

actor SentCounter {
    private(set) var total = 0
    func add(_ n: Int) { total += n }
}
