import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// A minimal store for the derived operations, built on the memory backend's behaviour but
/// living here so DCTCCore's tests need no backend target: a read-only view of another store.
@Suite("Derived operations and cross-store copy")
struct TransferTests {
    @Test("ExitStatus maps error codes to the documented table")
    func exitStatus() {
        #expect(ExitStatus(for: VFSError(.notFound, "x")) == .notFound)
        #expect(ExitStatus(for: VFSError(.invalidArgument, "x")) == .usage)
        #expect(ExitStatus(for: VFSError(.unavailable, "x")) == .transient)
        #expect(ExitStatus(for: VFSError(.io, "x", retryable: true)) == .transient)
        #expect(ExitStatus(for: VFSError(.permissionDenied, "x")) == .fatal)
        #expect(ExitStatus(for: VFSError(.cancelled, "x")) == .interrupted)
        let missing = [VFSError(.notFound, "a"), VFSError(.notFound, "b")]
        #expect(ExitStatus.forBatch(errors: missing, succeeded: 0) == .notFound)
        #expect(ExitStatus.forBatch(errors: missing, succeeded: 3) == .partial)
        #expect(ExitStatus.forBatch(errors: missing + [VFSError(.io, "c")], succeeded: 0) == .partial)
        #expect(ExitStatus.forBatch(errors: [], succeeded: 0) == .success)
    }

    @Test("VFSError prints one line: path, message, remedy")
    func errorText() {
        let e = VFSError(.notFound, "no such file", path: "s3://b/k", remedy: "check it")
        #expect(e.description == "s3://b/k: no such file (check it)")
        #expect(!e.description.contains("\n"))
        #expect(VFSError(.timedOut, "slow").isRetryable && !VFSError(.io, "x").isRetryable)
    }
}
