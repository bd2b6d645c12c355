import DCTCBackendHTTP
import DCTCCore
import DCTCTestSupport
import Testing

/// The read-only suite against nginx's two index formats, seeded through nginx's WebDAV view
/// of the same folder.
@Suite("HTTP read-only conformance")
struct ReadOnlyConformanceTests {
    /// nginx's autoindex (JSON and HTML alike) leaves out names starting with `.`.
    static func options(html: Bool) -> ReadOnlyOptions {
        var o = ReadOnlyOptions()
        o.largeFileSize = 64 * 1024 * 1024
        o.unsupportedNames = [".hidden"]
        // HTML pages print times to the minute.
        o.listingTimePrecision = html ? 60 : 1
        return o
    }

    @Test("nginx JSON autoindex passes the read-only case", arguments: ReadOnlyConformance.cases)
    func json(_ c: ReadOnlyCase) async throws {
        let nginx = try await HTTPTestServers.nginx()
        try await ReadOnlyConformance.run(c, fs: try await nginx.jsonStore(), root: VPath("/readonly-json"),
                                          seed: try await nginx.davStore(), seedRoot: VPath("/readonly-json"),
                                          options: Self.options(html: false))
    }

    @Test("nginx HTML autoindex passes the read-only case", arguments: ReadOnlyConformance.cases)
    func html(_ c: ReadOnlyCase) async throws {
        let nginx = try await HTTPTestServers.nginx()
        try await ReadOnlyConformance.run(c, fs: try await nginx.htmlStore(), root: VPath("/readonly-html"),
                                          seed: try await nginx.davStore(), seedRoot: VPath("/readonly-html"),
                                          options: Self.options(html: true))
    }
}
