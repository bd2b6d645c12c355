import DCTCCore
import Testing

@Suite("Address parsing and printing")
struct AddressTests {
    func parse(_ s: String) throws -> Address { try Address.parse(s, cwd: "/work", home: "/home/me") }

    @Test("local paths: absolute, relative, dot, tilde, file://")
    func localForms() throws {
        #expect(try parse("/a/b").path == VPath("/a/b"))
        #expect(try parse("rel/x").path == VPath("/work/rel/x"))
        #expect(try parse("./a:b").path == VPath("/work/a:b"))
        #expect(try parse("../up").path == VPath("/up"))
        #expect(try parse("~/docs").path == VPath("/home/me/docs"))
        #expect(try parse("file:///srv/a%20b").path == VPath("/srv/a b"))
        #expect(try parse("/a/b").scheme == .local)
        #expect(try parse("dir/").trailingSlash)
    }

    @Test("user@host:path is an SFTP address as scp reads it: relative to the login folder, or absolute")
    func scpForm() throws {
        let rel = try parse("me@example.org:data/x.csv")
        #expect(rel.scheme == .sftp && rel.user == "me" && rel.host == "example.org")
        #expect(rel.path.components == ["~", "data", "x.csv"])
        #expect(rel.description == "sftp://me@example.org/~/data/x.csv")
        let abs = try parse("me@Example.org:/tmp/x")
        #expect(abs.scheme == .sftp && abs.host == "example.org" && abs.path == VPath("/tmp/x"))
        #expect(try parse("me@host:").path.components == ["~"])
        #expect(try parse("me@[::1]:/x").host == "::1")
        #expect(try parse("./me@host:x").scheme == .local, "./ makes it local")
        #expect(try parse("dir/me@host:x").scheme == .local, "a '/' before the ':' makes it local")
        #expect(throws: VFSError.self) { _ = try parse("@host:x") }
    }

    @Test("NAME:/abs keeps its leading slash, so an SSH host alias reads it as absolute")
    func accountAbsolutePath() throws {
        let a = try parse("box:/srv/x")
        #expect(a.scheme == .account && a.accountPathIsAbsolute && a.description == "box:/srv/x")
        #expect(try parse(a.description) == a)
        #expect(try parse("box:srv/x").accountPathIsAbsolute == false)
    }

    @Test("URLs: user, host, port, percent-decoded path")
    func urlForms() throws {
        let a = try parse("sftp://me@Example.org:2222/home/me/a%20b%23c.txt")
        #expect(a.scheme == .sftp && a.user == "me" && a.host == "example.org" && a.port == 2222)
        #expect(a.path.components == ["home", "me", "a b#c.txt"])
        let f = try parse("ftps://h/x")
        #expect(f.scheme == .ftps && f.port == nil)
        let h = try parse("https://h/dl?id=3&x=y")
        #expect(h.scheme == .https && h.query == "id=3&x=y" && h.path.components == ["dl"])
        let v6 = try parse("sftp://[::1]:22/x")
        #expect(v6.host == "::1" && v6.port == 22)
    }

    @Test("s3://bucket/key puts the bucket first in the path; ? and # are literal there")
    func s3Form() throws {
        let a = try parse("s3://bkt/logs/a?b#c.gz")
        #expect(a.scheme == .s3 && a.host == nil)
        #expect(a.path.components == ["bkt", "logs", "a?b#c.gz"])
        #expect(try parse("s3://bkt").path.components == ["bkt"])
    }

    @Test("NAME:path is an account; single letters and reserved names are not")
    func accounts() throws {
        let a = try parse("backup:2024/x.csv")
        #expect(a.scheme == .account && a.account == "backup" && a.path.components == ["2024", "x.csv"])
        #expect(try parse("my-box.1:").path.isRoot)
        #expect(try parse("c:foo").scheme == .local)
        #expect(try parse("dir/x:y").scheme == .local)
        #expect(throws: VFSError.self) { try parse("sftp:host/x") }
    }

    @Test("a % not followed by two hex digits stays literal")
    func lonePercent() throws {
        #expect(try parse("sftp://h/100%").path.components == ["100%"])
        #expect(try parse("sftp://h/a%2").path.components == ["a%2"])
        #expect(try parse("sftp://h/%41").path.components == ["A"])
    }

    @Test("passwords in addresses are refused and redacted from the message")
    func passwordsRefused() throws {
        do {
            _ = try parse("ftp://user:hunter2@host/x")
            Issue.record("expected an error")
        } catch let e as VFSError {
            #expect(e.code == .invalidArgument)
            #expect(!e.description.contains("hunter2"))
            #expect(e.description.contains("user:***@host"))
        }
    }

    @Test("bad input gives one-line errors: empty, unknown scheme, bad port, escaped slash")
    func badInput() throws {
        for bad in ["", "gopher://h/x", "sftp://h:99999/x", "sftp://h:port/x", "sftp://h/a%2Fb", "s3:///key", "sftp:///x"] {
            #expect(throws: VFSError.self, "\(bad)") { try parse(bad) }
        }
    }

    @Test("printing then parsing gives the same address, hostile names included",
          arguments: ["/tmp/a b", "sftp://me@h:2222/x/a%20b%23c%3F%25", "s3://bkt/k%2Bey/%E6%97%A5", "ftp://h/x/", "acct:a/b", "https://h/a?q=1", "-", "mem://t/x"])
    func roundTrip(_ text: String) throws {
        let a = try parse(text)
        #expect(try parse(a.description) == a)
    }

    @Test("storeKey separates stores and joins paths of one store")
    func storeKeys() throws {
        #expect(try parse("sftp://a@h/x").storeKey == parse("sftp://a@h/y").storeKey)
        #expect(try parse("sftp://a@h/x").storeKey != parse("sftp://b@h/x").storeKey)
        #expect(try parse("/x").storeKey == parse("/y").storeKey)
    }

    @Test("ftp URLs: %2F first means from the server's root (RFC 1738), and prints back the same way")
    func ftpServerRoot() throws {
        let relative = try parse("ftp://u@h/dir/file")
        #expect(!relative.fromServerRoot)
        #expect(relative.path == VPath("/dir/file"))
        let absolute = try parse("ftp://u@h/%2Ftmp/x")
        #expect(absolute.fromServerRoot)
        #expect(absolute.path == VPath("/tmp/x"))
        #expect(absolute.description == "ftp://u@h/%2Ftmp/x")
        #expect(try parse(absolute.description) == absolute)
        #expect(try parse("ftps://h/%2f").fromServerRoot)
        // Elsewhere an escaped slash is still refused.
        #expect(throws: VFSError.self) { try parse("http://h/%2Ftmp") }
        #expect(throws: VFSError.self) { try parse("ftp://h/a/%2Fb") }
    }
}
