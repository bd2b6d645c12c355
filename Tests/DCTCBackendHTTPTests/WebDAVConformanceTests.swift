import DCTCBackendHTTP
import DCTCCore
import DCTCTestSupport
import Testing

/// The full conformance suite against two WebDAV servers.
@Suite("WebDAV conformance")
struct WebDAVConformanceTests {
    @Test("nginx WebDAV passes the conformance case", arguments: Conformance.cases)
    func nginx(_ c: ConformanceCase) async throws {
        let nginx = try await HTTPTestServers.nginx()
        var options = ConformanceOptions()
        options.largeFileSize = 64 * 1024 * 1024
        // nginx's dav-ext module leaves names starting with `.` out of PROPFIND answers.
        options.unsupportedNames = [".hidden"]
        try await Conformance.run(c, fs: try await nginx.davStore(), root: VPath("/conformance-webdav"), options: options)
    }

    @Test("rclone serve webdav passes the conformance case", arguments: Conformance.cases)
    func rclone(_ c: ConformanceCase) async throws {
        let rclone = try await HTTPTestServers.rclone()
        var options = ConformanceOptions()
        options.largeFileSize = 64 * 1024 * 1024
        try await Conformance.run(c, fs: try await rclone.store(), root: VPath("/conformance"), options: options)
    }
}
