import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@testable import DCTCBackendHTTP

@Suite("fuzz: index pages and WebDAV multistatus")
struct IndexFuzzTests {
    static let html = [
        IndexPageTests.handcrafted,
        "<html><body><pre><a href=\"a.txt\">a.txt</a>   01-Jan-2026 10:00   1234\n<a href=\"d/\">d/</a>  -</pre></body></html>",
        "<table><tr><td><a href='x%20y.bin'>x y.bin</a></td><td>2026-01-01 00:00</td><td>1.2K</td></tr></table>",
    ]
    static let json = [
        #"[{"name":"a.txt","type":"file","mtime":"Thu, 01 Jan 2026 00:00:00 GMT","size":12},{"name":"d","type":"directory","mtime":"Thu, 01 Jan 2026 00:00:00 GMT"}]"#,
        #"[{"name":"\u00e9t\u00e9.txt","type":"file","size":-1}, {"name":"../x","type":"file"}]"#,
    ]
    static let multistatus = [
        """
        <?xml version="1.0" encoding="utf-8"?>
        <D:multistatus xmlns:D="DAV:"><D:response><D:href>/dav/dir/</D:href><D:propstat><D:prop>
        <D:resourcetype><D:collection/></D:resourcetype><D:getlastmodified>Thu, 01 Jan 2026 00:00:00 GMT</D:getlastmodified>
        </D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
        <D:response><D:href>/dav/dir/a%20b.txt</D:href><D:propstat><D:prop><D:resourcetype/>
        <D:getcontentlength>42</D:getcontentlength><D:getetag>"abc"</D:getetag></D:prop>
        <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>
        """,
    ]

    @Test("3,000 mutated HTML and JSON index pages and 1,500 multistatus documents parse or fail with one line")
    func mutatedIndexPagesNeverCrash() {
        var fuzzer = Fuzzer(seed: 15)
        var problems: [String] = []
        for bytes in fuzzer.cases(from: Self.html, count: 1500) {
            do {
                _ = try IndexPage.parse(bytes, contentType: "text/html", directoryURL: "http://127.0.0.1:17083/pub/data/", display: "http://h/pub/data/")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        for bytes in fuzzer.cases(from: Self.json, count: 1500) {
            do {
                _ = try IndexPage.parse(bytes, contentType: "application/json", directoryURL: "http://127.0.0.1:17080/d/", display: "http://h/d/")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        for bytes in fuzzer.cases(from: Self.multistatus, count: 1500) {
            do {
                _ = try WebDAVMultistatus.parse(bytes, display: "dav:/dir")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.first ?? "")")
    }
}
