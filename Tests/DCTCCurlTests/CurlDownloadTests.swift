import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

@Suite("Downloads")
struct CurlDownloadTests {
    @Test("GET streams a 20 MiB file in several bounded chunks with exactly the served bytes")
    func getStreamsLargeFile() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let content = testBytes(20 << 20)
        try server.write(content, to: "big.bin")
        let client = try CurlClient()

        let response = try await client.perform(.get(server.url("big.bin")))
        #expect(response.status == 200)
        #expect(response.contentLength == Int64(content.count))
        var received: [UInt8] = []
        received.reserveCapacity(content.count)
        var chunks = 0
        var largest = 0
        for try await chunk in response.body {
            chunks += 1
            largest = max(largest, chunk.count)
            received.append(contentsOf: chunk)
        }
        #expect(received.count == content.count)
        #expect(received == content)
        #expect(chunks > 1)
        #expect(largest <= 512 * 1024)
    }

    @Test("a Range request over HTTP answers 206 with exactly the requested slice")
    func httpRange() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let content = testBytes(1 << 20)
        try server.write(content, to: "r.bin")
        let client = try CurlClient()

        var request = CurlRequest.get(server.url("r.bin"))
        request.range = ByteRange(offset: 1000, length: 5000)
        let (response, body) = try await client.performCollecting(request)
        #expect(response.status == 206)
        #expect(response.headers["content-range"] == "bytes 1000-5999/\(content.count)")
        #expect(body == Array(content[1000..<6000]))

        var tail = CurlRequest.get(server.url("r.bin"))
        tail.range = ByteRange(offset: Int64(content.count - 10))
        let (_, tailBody) = try await client.performCollecting(tail)
        #expect(tailBody == Array(content.suffix(10)))
    }

    @Test("a Range request on a file:// URL returns exactly the requested slice")
    func fileRange() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let content = testBytes(3 << 20, seed: 7)
        let file = dir.appendingPathComponent("slice me.bin")
        try Data(content).write(to: file)
        let client = try CurlClient()

        var request = CurlRequest.get(file.absoluteString)
        request.range = ByteRange(offset: 2_000_000, length: 123_456)
        let (_, body) = try await client.performCollecting(request)
        #expect(body == Array(content[2_000_000..<2_123_456]))
    }

    @Test("HEAD reports the size and headers, looked up without regard to case, and no body")
    func head() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        try server.write(testBytes(12345), to: "h.bin")
        let client = try CurlClient()

        let (response, body) = try await client.performCollecting(.head(server.url("h.bin")))
        #expect(response.status == 200)
        #expect(response.contentLength == 12345)
        #expect(response.headers["content-length"] == "12345")
        #expect(response.headers["ACCEPT-RANGES"] == "bytes")
        #expect(response.headers.contains("Last-Modified"))
        #expect(response.serverLines.first?.hasPrefix("HTTP/1.1 200") == true)
        #expect(body.isEmpty)
    }

    @Test("repeated response header lines are all kept, in order")
    func repeatedHeaders() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient()

        let (response, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(response.headers.values(for: "x-multi") == ["a", "b"])
        #expect(response.headers["X-MULTI"] == "a")
    }

    @Test("fetchFileTime reports a file:// file's modification time and HEAD its size")
    func fileTimeAndSize() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.bin")
        try Data(testBytes(4321)).write(to: file)
        let mtime = Date(timeIntervalSince1970: 1_600_000_000)
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: file.path)
        let client = try CurlClient()

        var request = CurlRequest.head(file.absoluteString)
        request.fetchFileTime = true
        let (response, body) = try await client.performCollecting(request)
        #expect(response.fileTime == mtime)
        #expect(response.contentLength == 4321)
        #expect(body.isEmpty)
    }

    @Test("performCollecting refuses a body larger than its limit")
    func collectingLimit() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        try server.write(testBytes(2 << 20), to: "big.bin")
        let client = try CurlClient(maxConnections: 1)

        let error = await #expect(throws: VFSError.self) {
            _ = try await client.performCollecting(.get(server.url("big.bin")), limit: 100_000)
        }
        #expect(error?.code == .invalidArgument)
        // The refused transfer released the only worker.
        let (response, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(response.status == 200)
    }
}
