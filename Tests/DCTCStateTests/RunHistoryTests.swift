import DCTCState
import Foundation
import Testing

@Suite("Run history")
struct RunHistoryTests {
    func run(_ id: String, startedAt: Double, exitCode: Int32 = 0) -> RunRecord {
        RunRecord(id: id, command: "sync", source: "/src/café", destination: "s3://b/p",
                  startedAt: Date(timeIntervalSinceReferenceDate: startedAt),
                  finishedAt: Date(timeIntervalSinceReferenceDate: startedAt + 1.25),
                  filesTransferred: 10, bytesTransferred: 1 << 40, filesDeleted: 2, errors: 1, exitCode: exitCode)
    }

    @Test("runs round trip field by field, most recent start first")
    func roundTripAndOrder() async throws {
        let store = try makeStore()
        let older = run("a", startedAt: 100.123_456_7)
        let newer = run("b", startedAt: 200.5, exitCode: 9)
        try await store.recordRun(newer)
        try await store.recordRun(older)
        #expect(try await store.recentRuns(limit: 10) == [newer, older])
        #expect(try await store.recentRuns(limit: 1) == [newer])
        #expect(try await store.recentRuns(limit: 0).isEmpty)
    }

    @Test("recording a run id again replaces that run")
    func sameIDReplaces() async throws {
        let store = try makeStore()
        try await store.recordRun(run("a", startedAt: 1))
        let updated = run("a", startedAt: 1, exitCode: 3)
        try await store.recordRun(updated)
        #expect(try await store.recentRuns(limit: 10) == [updated])
    }
}
