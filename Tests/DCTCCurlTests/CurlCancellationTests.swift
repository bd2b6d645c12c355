import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

@Suite("Cancellation")
struct CurlCancellationTests {
    @Test("cancelling the body mid-download frees the only worker for the next request",
          .timeLimit(.minutes(5)))
    func cancelBodyFreesWorker() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        try server.write(testBytes(20 << 20), to: "big.bin")
        try server.write(Array("small".utf8), to: "small.txt")
        let client = try CurlClient(maxConnections: 1)

        let response = try await client.perform(.get(server.url("big.bin")))
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first?.isEmpty == false)
        await response.body.cancel()

        let (next, body) = try await client.performCollecting(.get(server.url("small.txt")))
        #expect(next.status == 200)
        #expect(body == Array("small".utf8))
    }

    @Test("a response dropped without reading its body frees the only worker",
          .timeLimit(.minutes(5)))
    func droppedResponseFreesWorker() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        try server.write(testBytes(20 << 20), to: "big.bin")
        let client = try CurlClient(maxConnections: 1)

        _ = try await client.perform(.get(server.url("big.bin")))

        let (next, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(next.status == 200)
    }

    @Test("a reader that gives up while the server stalls frees the worker",
          .timeLimit(.minutes(5)))
    func cancelDuringStall() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        let control = try CurlClient(maxConnections: 1)

        let response = try await client.perform(.get(server.url("stall?key=stall")))
        #expect(response.contentLength == 10 << 20)
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first?.count == 1024)
        try await eventually { try await server.waiting("stall", using: control).now == 1 }
        await response.body.cancel()

        let (next, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(next.status == 200)
        try await server.release("stall", using: control)
    }

    @Test("a connection that breaks mid-body makes the body stream throw a retryable error",
          .timeLimit(.minutes(5)))
    func brokenConnection() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        let control = try CurlClient(maxConnections: 1)

        let response = try await client.perform(.get(server.url("stall?key=broken")))
        #expect(response.status == 200)
        try await eventually { try await server.waiting("broken", using: control).now == 1 }
        try await server.release("broken", using: control)
        let error = await #expect(throws: VFSError.self) {
            _ = try await response.body.collect()
        }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
    }

    @Test("cancelling the calling task before the response throws CancellationError and frees the worker",
          .timeLimit(.minutes(5)))
    func cancelCaller() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        let control = try CurlClient(maxConnections: 1)

        let waiter = Task { try await client.perform(.get(server.url("wait?key=caller"))) }
        try await eventually { try await server.waiting("caller", using: control).now == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }

        let (next, _) = try await client.performCollecting(.get(server.url("headers")))
        #expect(next.status == 200)
        try await server.release("caller", using: control)
    }

    @Test("cancelling a queued request fails it at once, without waiting for a worker",
          .timeLimit(.minutes(5)))
    func cancelQueued() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        let control = try CurlClient(maxConnections: 1)

        let busy = Task { try await client.performCollecting(.get(server.url("wait?key=queue"))).0.status }
        try await eventually { try await server.waiting("queue", using: control).now == 1 }
        let queued = Task { try await client.perform(.get(server.url("headers"))) }
        try await eventually { client.queuedRequests == 1 }
        queued.cancel()
        await #expect(throws: CancellationError.self) { _ = try await queued.value }
        #expect(client.queuedRequests == 0)

        try await server.release("queue", using: control)
        #expect(try await busy.value == 200)
    }
}
