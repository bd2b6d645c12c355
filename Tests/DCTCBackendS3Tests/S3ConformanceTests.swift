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

    static func run(_ c: ConformanceCase, on server: S3TestServer) async throws {
        let fs = try await server.storeWithBucket(bucket)
        try await Conformance.run(c, fs: fs, root: VPath(components: [bucket]), options: options)
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

/// Keys that are not paths (`k/./x.txt`, `a//b.txt`, `../up.txt`…) put into a bucket as S3
/// allows: listings must report them and never yield them, and walks must end.
@Suite("S3 store hostile listings")
struct S3HostileListingTests {
    /// moto keeps any key byte for byte; a component holding `/` joins into the raw key.
    static let moto = HostilePlanter.joinedComponents
    /// rclone serve s3 keeps objects as files on a disk, which cannot hold these keys: declared.
    static let rclone = HostilePlanter(putKey: { _, _, _, _ in false })

    @Test("the S3 store passes the hostile-listing case on moto",
          .enabled("moto is running or can be started") { await S3TestServer.moto.shouldRun() },
          arguments: HostileListingConformance.cases(planter: moto))
    func onMoto(_ c: ConformanceCase) async throws {
        try await S3Conformance.run(c, on: .moto)
    }

    @Test("the S3 store passes the hostile-listing case on rclone serve s3 (safe keys only: its disk cannot hold the others)",
          .enabled("rclone serve s3 is running or can be started") { await S3TestServer.rclone.shouldRun() },
          arguments: HostileListingConformance.cases(planter: rclone))
    func onRclone(_ c: ConformanceCase) async throws {
        try await S3Conformance.run(c, on: .rclone)
    }
}
