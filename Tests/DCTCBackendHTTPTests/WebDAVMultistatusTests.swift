import DCTCCore
import Foundation
import Testing

@testable import DCTCBackendHTTP

@Suite("WebDAV multistatus documents")
struct WebDAVMultistatusTests {
    @Test("responses give decoded hrefs, kinds, sizes, times and unquoted ETags")
    func parsesResponses() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <multistatus xmlns="DAV:" xmlns:z="urn:other">
              <response>
                <href>http://127.0.0.1:17081/dav/dir/</href>
                <propstat><prop><resourcetype><collection/></resourcetype>
                  <getlastmodified>Sat, 21 Nov 2026 06:33:56 GMT</getlastmodified></prop>
                  <status>HTTP/1.1 200 OK</status></propstat>
              </response>
              <response>
                <href>/dav/dir/q%3Fm%23h%09tab%5Cbs%22dq</href>
                <propstat><prop><resourcetype/><getcontentlength>6</getcontentlength>
                  <getetag>"18e9fbd9103010f26"</getetag>
                  <getlastmodified>Fri, 14 Jul 2017 02:40:00 GMT</getlastmodified><z:resourcetype><collection/></z:resourcetype></prop>
                  <status>HTTP/1.1 200 OK</status></propstat>
                <propstat><prop><getcontentlength>999</getcontentlength></prop><status>HTTP/1.1 404 Not Found</status></propstat>
              </response>
              <response><href>/dav/dir/gone</href><status>HTTP/1.1 404 Not Found</status></response>
              <response><href>/dav/dir/bad%2Fslash</href><propstat><prop/><status>HTTP/1.1 200 OK</status></propstat></response>
              <response><href>/dav/dir/weak&amp;amp</href><propstat><prop><getetag>W/"abc"</getetag></prop>
                <status>HTTP/1.1 200 OK</status></propstat></response>
            </multistatus>
            """
        let entries = try WebDAVMultistatus.parse(Array(xml.utf8), display: "x")
        try #require(entries.count == 3)
        #expect(entries[0] == WebDAVEntry(components: ["dav", "dir"], isCollection: true, size: nil,
                                          modificationTime: Date(timeIntervalSince1970: 1_795_242_836)))
        #expect(entries[1] == WebDAVEntry(components: ["dav", "dir", "q?m#h\ttab\\bs\"dq"], isCollection: false, size: 6,
                                          modificationTime: Date(timeIntervalSince1970: 1_500_000_000),
                                          etag: "18e9fbd9103010f26"))
        #expect(entries[2].components == ["dav", "dir", "weak&amp"])
        #expect(entries[2].etag == "W/abc")
    }

    @Test("XML that does not parse is reported as corrupt data")
    func malformed() {
        do {
            _ = try WebDAVMultistatus.parse(Array("<multistatus xmlns=\"DAV:\"><response>".utf8), display: "http://h/d")
            Issue.record("malformed XML was accepted")
        } catch let e as VFSError {
            #expect(e.code == .corruptData)
            #expect(e.path == "http://h/d")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}

@Suite("URLs, dates and netrc")
struct HTTPURLTests {
    @Test("request URLs percent-encode every reserved character of a name")
    func requestURLs() throws {
        let c = try HTTPStoreConfiguration(url: "https://user@example.com:8443/dav/my%20files/")
        #expect(c.basePath == ["dav", "my files"])
        #expect(c.url(VPath(components: ["q?m#h", "a b+c;d%"])) == "https://example.com:8443/dav/my%20files/q%3Fm%23h/a%20b%2Bc%3Bd%25")
        #expect(c.url(VPath(components: ["sub"]), directory: true) == "https://example.com:8443/dav/my%20files/sub/")
        #expect(c.url(.root, directory: true) == "https://example.com:8443/dav/my%20files/")
        #expect(c.storePath(["dav", "my files", "x"]) == VPath(components: ["x"]))
        #expect(c.storePath(["other", "x"]) == nil)
    }

    @Test("display shows the URL like an address, with the user and never a password")
    func display() throws {
        var c = try HTTPStoreConfiguration(url: "http://bob@127.0.0.1:17080/")
        c.password = "secret"
        let fs = try HTTPFileSystem(configuration: c, profile: .readOnly)
        let shown = fs.display(VPath(components: ["a b", "q?m#", "caf\u{e9}", "x:y@z"]))
        #expect(shown == "http://bob@127.0.0.1:17080/a%20b/q%3Fm%23/caf%C3%A9/x:y@z")
        #expect(!shown.contains("secret"))
        #expect(try Address.parse(shown).path == VPath(components: ["a b", "q?m#", "caf\u{e9}", "x:y@z"]))
    }

    @Test("HTTP dates in the three RFC forms parse, and formatting round-trips")
    func dates() {
        let expected = Date(timeIntervalSince1970: 784_111_777)
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.parse("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.format(expected) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 1_500_000_000.75)) == "Fri, 14 Jul 2017 02:40:00 GMT")
        #expect(HTTPDate.parse("not a date") == nil)
    }

    @Test("Content-Range headers are read, and odd ones rejected")
    func contentRange() {
        #expect(ContentRange("bytes 10-19/100")?.first == 10)
        #expect(ContentRange("bytes 10-19/100")?.length == 10)
        #expect(ContentRange("bytes 10-19/100")?.total == 100)
        #expect(ContentRange("bytes 10-19/*")?.total == nil)
        #expect(ContentRange("bytes */100") == nil)
        #expect(ContentRange(nil) == nil)
    }

    @Test("a window over a stream skips and trims to exactly the asked bytes")
    func byteWindow() async throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let cases: [(Int64, Int64?)] = [(0, 10), (5, nil), (65_536, 70_000), (99_999, 10), (100_000, nil), (0, nil)]
        for (skip, take) in cases {
            let stream = ByteStream(ByteWindowSource(upstream: .bytes(data, chunkSize: 65_536), skip: skip, take: take))
            let start = Int(min(skip, 100_000))
            let end = take.map { min(100_000, start + Int($0)) } ?? 100_000
            #expect(try await stream.collect() == Array(data[start..<end]), "skip \(skip) take \(String(describing: take))")
        }
    }
}

@Suite("Secrets")
struct HTTPSecretTests {
    @Test("printing or dumping a configuration never shows the password or token")
    func configurationHidesSecrets() throws {
        var c = try HTTPStoreConfiguration(url: "https://example.com/dav/")
        c.user = "alice"
        c.password = "pw-secret-1"
        c.bearerToken = "token-secret-2"
        var dumped = ""
        dump(c, to: &dumped)
        for text in [String(describing: c), String(reflecting: c), dumped] {
            #expect(!text.contains("pw-secret-1") && !text.contains("token-secret-2"), "\(text)")
            #expect(text.contains("alice"))
        }
    }
}
