import DCTCCore
import Foundation
import Testing

@testable import DCTCBackendHTTP

@Suite("Index pages")
struct IndexPageTests {
    /// A handcrafted page with every kind of link an index may hold.
    static let handcrafted = """
        <html><head><title>Index of /pub/data/</title></head><body>
        <a href="?C=N;O=D">Name</a> <a href="?C=M;O=A">Last modified</a>
        <a href="../">Parent Directory</a>
        <a href="/pub/">Up two</a>
        <a href="/elsewhere/">Elsewhere</a>
        <a href="/elsewhere/file.txt">Elsewhere file</a>
        <a href="http://other.example.com/pub/data/x.txt">Other host</a>
        <a href="https://127.0.0.1:17083/pub/data/tls.txt">Same host, other scheme</a>
        <a href="//other.example.com/pub/data/y.txt">Scheme-relative other host</a>
        <a href="mailto:admin@example.com">Mail</a>
        <a href="#top">Top</a>
        <a href="sub/deeper/z.txt">Into a subfolder</a>
        <a href="sub/">sub/</a>
        <a href="report%20%232.csv">report #2.csv</a>
        <a href="./dot-slash.txt">dot-slash</a>
        <a href="http://127.0.0.1:17083/pub/data/absolute.txt">Absolute, same server</a>
        <a href="/pub/data/rooted.txt">Rooted, inside</a>
        <a href="a&amp;b.txt">a&amp;b.txt</a>
        <a href="sub/../back.txt">back</a>
        <a href="file.txt?download=1">Query</a>
        <A HREF='upper.txt'>Upper</A>
        </body></html>
        """

    @Test("links that leave the listed directory are ignored")
    func linksLeavingTheDirectoryAreIgnored() {
        let entries = IndexPage.parseHTML(Self.handcrafted, directoryURL: "http://127.0.0.1:17083/pub/data/")
        #expect(entries.map(\.name) == ["sub", "report #2.csv", "dot-slash.txt", "absolute.txt", "rooted.txt",
                                        "a&b.txt", "back.txt", "upper.txt"])
        #expect(entries.first?.isDirectory == true)
        #expect(entries.dropFirst().allSatisfy { !$0.isDirectory })
    }

    @Test("nginx HTML autoindex rows give names, exact sizes and times")
    func nginxHTMLRows() throws {
        let page = """
            <html>
            <head><title>Index of /d/</title></head>
            <body>
            <h1>Index of /d/</h1><hr><pre><a href="../">../</a>
            <a href="sub/">sub/</a>                                               21-Nov-2026 06:33                   -
            <a href="q%3Fm%23h%09tab%5Cbs%22dq">q?m#h\ttab\\bs&quot;dq</a>                                    14-Jul-2017 02:40                   6
            <a href="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.txt">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..&gt;</a> 14-Jul-2017 02:40             1048576
            </pre><hr></body>
            </html>
            """
        let entries = IndexPage.parseHTML(page, directoryURL: "http://h/d/")
        try #require(entries.count == 3)
        #expect(entries[0] == IndexEntry(name: "sub", isDirectory: true, size: nil,
                                         modificationTime: Date(timeIntervalSince1970: 1_795_242_780)))
        #expect(entries[1].name == "q?m#h\ttab\\bs\"dq")
        #expect(entries[1].size == 6)
        #expect(entries[1].modificationTime == Date(timeIntervalSince1970: 1_500_000_000))
        #expect(entries[2].name == String(repeating: "a", count: 68) + ".txt")
        #expect(entries[2].size == 1_048_576)
    }

    @Test("Apache-style table rows give times; rounded sizes are left out")
    func apacheRows() throws {
        let page = """
            <table>
            <tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th></tr>
            <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/pub/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td></tr>
            <tr><td valign="top"><a href="notes.txt"><img src="/icons/text.gif" alt="[TXT]"></a></td><td><a href="notes.txt">notes.txt</a></td><td align="right">2024-01-31 12:00  </td><td align="right">1.2K</td></tr>
            <tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="photos/">photos/</a></td><td align="right">2024-02-01 08:30  </td><td align="right">  - </td></tr>
            <tr><td><a href="exact.bin">exact.bin</a></td><td align="right">2024-02-01 08:30:15</td><td align="right">123456</td></tr>
            </table>
            """
        let entries = IndexPage.parseHTML(page, directoryURL: "http://h/pub/data/")
        #expect(entries.map(\.name) == ["notes.txt", "photos", "exact.bin"])
        #expect(entries[0].size == nil)
        #expect(entries[0].modificationTime == Date(timeIntervalSince1970: 1_706_702_400))
        #expect(entries[1].isDirectory)
        #expect(entries[2].size == 123_456)
        #expect(entries[2].modificationTime == Date(timeIntervalSince1970: 1_706_776_215))
    }

    @Test("nginx JSON autoindex decodes names, kinds, sizes and times")
    func nginxJSON() throws {
        let body = """
            [
            { "name":"q?m#h\\ttab\\\\bs\\"dq", "type":"file", "mtime":"Fri, 14 Jul 2017 02:40:00 GMT", "size":6 },
            { "name":"sub", "type":"directory", "mtime":"Sat, 21 Nov 2026 06:33:00 GMT" },
            { "name":"fifo", "type":"other", "mtime":"Sat, 21 Nov 2026 06:33:00 GMT" }
            ]
            """
        let entries = try IndexPage.parse(Array(body.utf8), contentType: "application/json", directoryURL: "http://h/",
                                          display: "http://h/")
        #expect(entries == [
            IndexEntry(name: "q?m#h\ttab\\bs\"dq", isDirectory: false, size: 6,
                       modificationTime: Date(timeIntervalSince1970: 1_500_000_000)),
            IndexEntry(name: "sub", isDirectory: true, size: nil, modificationTime: Date(timeIntervalSince1970: 1_795_242_780)),
            IndexEntry(name: "fifo", isDirectory: false, size: nil,
                       modificationTime: Date(timeIntervalSince1970: 1_795_242_780), isOther: true),
        ])
    }

    @Test("a JSON listing that does not decode is reported as corrupt data")
    func brokenJSON() {
        #expect(throws: VFSError.self) {
            try IndexPage.parse(Array("[{\"nam".utf8), contentType: "application/json", directoryURL: "http://h/", display: "http://h/")
        }
    }

    @Test("an index.html page served for a folder lists only the links inside it")
    func servedIndexPage() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let dav = try await nginx.davStore()
        let folder = VPath("/index-page/pub/data")
        _ = try? await dav.removeTree(VPath("/index-page"))
        let page = Self.handcrafted.replacingOccurrences(of: "/pub/data/", with: "/index-page/pub/data/")
            .replacingOccurrences(of: "/pub/\"", with: "/index-page/pub/\"")
        try await dav.write(folder.appending("index.html"), bytes: Array(page.utf8))
        let html = try await nginx.htmlStore()
        let names = try await html.listAll(folder).map(\.name)
        #expect(names.sorted() == ["a&b.txt", "absolute.txt", "back.txt", "dot-slash.txt", "report #2.csv", "rooted.txt",
                                   "sub", "upper.txt"])
        _ = try? await dav.removeTree(VPath("/index-page"))
    }
}
