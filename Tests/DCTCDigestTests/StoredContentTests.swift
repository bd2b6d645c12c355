import DCTCCore
import DCTCDigest
import Testing

/// The comparison of what a server stored with what was sent (`StoredContent`,
/// `StoredContentCheck`), which every store's upload check goes through.
@Suite struct StoredContentTests {
    static let sent = Array("the bytes that were sent".utf8)

    @Test("bytes read back equal to the sent ones pass")
    func equalBytesPass() async throws {
        let md5 = try Digest.hash(Self.sent, kind: .md5)
        try await StoredContent.verify(readBack: .bytes(Self.sent, chunkSize: 5), sent: [.md5: md5],
                                       size: Int64(Self.sent.count), path: "box:/f", backend: .sftp)
    }

    @Test("one byte changed is a checksum mismatch naming the path, the algorithm and both digests")
    func changedByteFails() async throws {
        let md5 = try Digest.hash(Self.sent, kind: .md5)
        var stored = Self.sent
        stored[3] ^= 0xFF
        let error = await #expect(throws: VFSError.self) {
            try await StoredContent.verify(readBack: .bytes(stored), sent: [.md5: md5],
                                           size: Int64(Self.sent.count), path: "dav:/f", backend: .webdav)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.path == "dav:/f")
        #expect(error?.message.contains(md5) == true)
        #expect(error?.message.contains(try Digest.hash(stored, kind: .md5)) == true)
        #expect(error?.isRetryable == false)
    }

    @Test("a stored file of another size fails on its size")
    func shorterFails() async throws {
        let md5 = try Digest.hash(Self.sent, kind: .md5)
        let error = await #expect(throws: VFSError.self) {
            try await StoredContent.verify(readBack: .bytes(Array(Self.sent.dropLast())), sent: [.md5: md5],
                                           size: Int64(Self.sent.count), path: "ftp:/f", backend: .ftp)
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.message.contains("stored \(Self.sent.count - 1) bytes of the \(Self.sent.count) sent") == true)
    }

    @Test("a server's digest is compared without regard to case; MD5 is preferred when several were computed")
    func serverDigest() throws {
        try StoredContent.compare(stored: "ABCDEF", sent: "abcdef", kind: .md5, how: "computed by the server",
                                  path: "box:/f", backend: .sftp)
        #expect(throws: VFSError.self) {
            try StoredContent.compare(stored: "abcdee", sent: "abcdef", kind: .md5, how: "computed by the server",
                                      path: "box:/f", backend: .sftp)
        }
        #expect(StoredContent.kind(in: [.sha256: "x", .md5: "y"]) == .md5)
        #expect(StoredContent.kind(in: [.sha256: "x"]) == .sha256)
        #expect(StoredContent.kind(in: [:]) == nil)
    }

    @Test("the server's hash checks large files by default and every file with --verify")
    func thresholds() {
        let limit = StoredContentCheck.remoteHashMinimumSize
        #expect(!StoredContentCheck.standard.remoteHashApplies(to: limit - 1))
        #expect(StoredContentCheck.standard.remoteHashApplies(to: limit))
        #expect(StoredContentCheck.readBack.remoteHashApplies(to: 0))
    }
}
