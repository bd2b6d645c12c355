import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

@Suite("Concurrency")
struct CurlConcurrencyTests {
    @Test("eight transfers run at once on a pool of eight while the cooperative pool stays free",
          .timeLimit(.minutes(5)))
    func eightAtOnce() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 8)
        let control = try CurlClient(maxConnections: 1)
        let finished = Counter()

        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let (response, _) = try await client.performCollecting(.get(server.url("wait?key=eight")))
                    _ = finished.increment()
                    return response.status
                }
            }
            // All eight are held by the server at the same time: none waits for another.
            try await eventually { try await server.waiting("eight", using: control).now == 8 }
            // Blocked transfers do not block Swift's cooperative pool: a trivial task runs.
            let ran = await Task { 42 }.value
            #expect(ran == 42)
            #expect(finished.current == 0)

            try await server.release("eight", using: control)
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            #expect(statuses == Array(repeating: 200, count: 8))
        }
    }

    @Test("a pool of two never runs more than two transfers at once; the others queue and complete",
          .timeLimit(.minutes(5)))
    func poolBoundsConcurrency() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 2)
        let control = try CurlClient(maxConnections: 1)

        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await client.performCollecting(.get(server.url("wait?key=two"))).0.status
                }
            }
            try await eventually { try await server.waiting("two", using: control).now == 2 }
            try await eventually { client.queuedRequests == 3 }
            try await server.release("two", using: control)
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            #expect(statuses == Array(repeating: 200, count: 5))
        }
        #expect(try await server.waiting("two", using: control).max == 2)
        #expect(client.queuedRequests == 0)
    }

    @Test("consecutive requests on one worker reuse its connection and return the right bodies")
    func sequentialRequests() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let client = try CurlClient(maxConnections: 1)
        var peers: Set<String> = []
        for _ in 0..<5 {
            let (_, body) = try await client.performCollecting(.get(server.url("peer")))
            peers.insert(String(decoding: body, as: UTF8.self))
        }
        #expect(peers.count == 1)
        for i in 0..<20 {
            let content = testBytes(1000 + i, seed: UInt64(i + 1))
            try server.write(content, to: "f\(i).bin")
            let (response, body) = try await client.performCollecting(.get(server.url("f\(i).bin")))
            #expect(response.status == 200)
            #expect(body == content)
        }
    }
}
