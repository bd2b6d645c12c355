import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@Suite("Byte streams and channels")
struct StreamTests {
    @Test("a channel bridges a blocking producer thread to an async consumer, in order")
    func blockingProducer() async throws {
        let channel = ByteChannel(capacity: 1024)
        let thread = IOThread(name: "test-producer")
        thread.submit {
            for i in 0..<200 { try? channel.sendBlocking([UInt8](repeating: UInt8(i), count: 100)) }
            channel.finish()
        }
        var received: [UInt8] = []
        for try await chunk in channel.stream { received += chunk }
        #expect(received.count == 20_000)
        #expect(received[0] == 0 && received[19_999] == 199)
        thread.shutdown()
    }

    @Test("a channel delivers the producer's error after its data")
    func producerError() async throws {
        let channel = ByteChannel()
        try await channel.send([1, 2, 3])
        channel.finish(throwing: VFSError(.io, "boom"))
        var got: [UInt8] = []
        await #expect(throws: VFSError.self) {
            for try await chunk in channel.stream { got += chunk }
        }
        #expect(got == [1, 2, 3])
    }

    @Test("a consumer that cancels unblocks a waiting producer, which sees cancellation")
    func cancellationUnblocksProducer() async throws {
        let channel = ByteChannel(capacity: 10)
        let thread = IOThread(name: "test-cancel")
        let outcome: String = try await withCheckedThrowingContinuation { c in
            thread.submit {
                do {
                    for _ in 0..<1000 { try channel.sendBlocking([UInt8](repeating: 1, count: 10)) }
                    c.resume(returning: "finished")
                } catch let e as VFSError {
                    c.resume(returning: e.code.rawValue)
                } catch {
                    c.resume(throwing: error)
                }
            }
            Task {
                _ = try await channel.next()
                await channel.cancel()
            }
        }
        #expect(outcome == "cancelled")
        thread.shutdown()
    }

    @Test("prefix(bytes:) stops early and collect refuses more than its limit")
    func prefixAndLimit() async throws {
        let data = TestData.bytes(10_000)
        #expect(try await ByteStream.bytes(data, chunkSize: 300).prefix(bytes: 1000).collect() == Array(data[0..<1000]))
        await #expect(throws: VFSError.self) { _ = try await ByteStream.bytes(data).collect(limit: 100) }
    }

    @Test("IOThread runs jobs off the cooperative pool and returns their results")
    func ioThread() async throws {
        let t = IOThread(name: "test-io")
        let onThread = try await t.run { t.isCurrent }
        #expect(onThread)
        await #expect(throws: VFSError.self) { try await t.run { throw VFSError(.io, "x") } }
        t.shutdown()
    }
}
