import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

@Suite("Uploads")
struct CurlUploadTests {
    @Test("PUT uploads a 6 MiB stream of announced size intact")
    func putKnownSize() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let content = testBytes(6 << 20, seed: 3)
        let client = try CurlClient()

        let request = CurlRequest.put(server.url("up/known.bin"),
                                      body: .stream(.bytes(content, chunkSize: 100_000), size: Int64(content.count)))
        let (response, _) = try await client.performCollecting(request)
        #expect(response.status == 201)
        #expect(try server.read("up/known.bin") == content)
    }

    @Test("PUT of a stream of unknown size arrives intact (chunked encoding)")
    func putUnknownSize() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let content = testBytes(5 << 20 + 17, seed: 4)
        let client = try CurlClient()

        let request = CurlRequest.put(server.url("up/chunked.bin"), body: .stream(.bytes(content), size: nil))
        let (response, _) = try await client.performCollecting(request)
        #expect(response.status == 201)
        #expect(try server.read("up/chunked.bin") == content)
    }

    @Test("a source shorter than its announced size fails the upload with checksumMismatch")
    func shortSource() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)

        let request = CurlRequest.put(server.url("up/short.bin"), body: .stream(.bytes(testBytes(1000)), size: 5000))
        let error = await #expect(throws: VFSError.self) {
            _ = try await client.performCollecting(request)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(!FileManager.default.fileExists(atPath: server.root.appendingPathComponent("up/short.bin").path))
    }

    @Test("a source longer than its announced size fails the upload instead of truncating it")
    func longSource() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)

        let request = CurlRequest.put(server.url("up/long.bin"), body: .stream(.bytes(testBytes(9000)), size: 5000))
        let error = await #expect(throws: VFSError.self) {
            _ = try await client.performCollecting(request)
        }
        #expect(error?.code == .checksumMismatch)
    }

    @Test("a failing upload source fails the transfer with the source's own error")
    func failingSource() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        let counter = Counter()
        let source = ByteStream.pulling {
            if counter.increment() > 3 { throw VFSError(.io, "disk read failed", path: "src.bin") }
            return [UInt8](repeating: 1, count: 64 * 1024)
        }

        let request = CurlRequest.put(server.url("up/fail.bin"), body: .stream(source, size: nil))
        let error = await #expect(throws: VFSError.self) {
            _ = try await client.performCollecting(request)
        }
        #expect(error?.message == "disk read failed")
        // The worker is free again.
        let (response, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(response.status == 200)
    }

    @Test("POST sends an in-memory body and returns the server's answer")
    func postBytes() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient()

        let request = CurlRequest(method: "POST", url: server.url("echo"), body: .bytes(Array("<xml/>".utf8)))
        let (response, body) = try await client.performCollecting(request)
        #expect(response.headers["x-method"] == "POST")
        #expect(body == Array("<xml/>".utf8))
    }

    @Test("DELETE removes the file on the server")
    func delete() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        try server.write([1, 2, 3], to: "gone.bin")
        let client = try CurlClient()

        let (response, _) = try await client.performCollecting(.delete(server.url("gone.bin")))
        #expect(response.status == 204)
        #expect(!FileManager.default.fileExists(atPath: server.root.appendingPathComponent("gone.bin").path))
        let (again, _) = try await client.performCollecting(.get(server.url("gone.bin")))
        #expect(again.status == 404)
    }
}

/// A thread-safe counter for sources that run on arbitrary tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }

    var current: Int {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
