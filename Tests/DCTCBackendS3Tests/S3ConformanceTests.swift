import DCTCBackendS3
import DCTCCore
import DCTCTestSupport
import Testing

/// The conformance suite against both loopback S3 servers, each in a bucket of its own, with
/// a 64 MiB large file (which takes the multipart path: the threshold is 16 MiB).
enum S3Conformance {
    static let bucket = "dctc-conformance"

    static var options: ConformanceOptions {
        var o = ConformanceOptions()
        o.largeFileSize = 64 * 1024 * 1024
        return o
    }

    /// Cases that end by listing their root after removing everything in it. On an object
    /// store an emptied prefix no longer exists, so that listing is `.notFound` (as for any
    /// missing prefix, which `listOfMissingOrFileFails` demands): a contradiction of the suite
    /// for stores without directories, reported to the lead. Only that exact error on the
    /// case's root is tolerated; every check before it still runs and must pass.
    static let emptiedRootCases: Set<String> = ["checksumMismatchAbortsTheWrite", "hostileNamesRoundTripExactly"]

    static func run(_ c: ConformanceCase, on server: S3TestServer) async throws {
        let fs = try await server.storeWithBucket(bucket)
        let root = VPath(components: [bucket])
        guard emptiedRootCases.contains(c.name) else {
            try await Conformance.run(c, fs: fs, root: root, options: options)
            return
        }
        let caseRoot = fs.display(root.appending(c.name))
        try await withKnownIssue("an emptied prefix lists as not found on an object store", isIntermittent: true) {
            try await Conformance.run(c, fs: fs, root: root, options: options)
        } matching: { issue in
            guard let e = issue.error as? VFSError else { return false }
            return e.code == .notFound && e.path == caseRoot
        }
    }
}

@Suite("S3 store conformance on moto")
struct MotoConformanceTests {
    @Test("the S3 store passes the conformance case on moto",
          .enabled("moto is running or can be started") { await S3TestServer.moto.shouldRun() },
          arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await S3Conformance.run(c, on: .moto)
    }
}

@Suite("S3 store conformance on rclone serve s3")
struct RcloneConformanceTests {
    @Test("the S3 store passes the conformance case on rclone serve s3",
          .enabled("rclone serve s3 is running or can be started") { await S3TestServer.rclone.shouldRun() },
          arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await S3Conformance.run(c, on: .rclone)
    }
}
