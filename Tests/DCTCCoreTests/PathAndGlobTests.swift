import DCTCCore
import Testing

@Suite("VPath and Glob")
struct PathAndGlobTests {
    @Test("paths normalise . and .. without climbing above the root")
    func normalise() {
        #expect(VPath("/a/./b/../c").components == ["a", "c"])
        #expect(VPath("/../../x").components == ["x"])
        #expect(VPath("a//b/").components == ["a", "b"])
        #expect(VPath.root.parent == .root)
        #expect(VPath("/a/b").relative(to: VPath("/a")) == "b")
        #expect(VPath("/ab").relative(to: VPath("/a")) == nil)
    }

    @Test("NFC and NFD spellings of a name are different paths")
    func normalisationForms() {
        let nfd = VPath(components: ["cafe\u{301}"]), nfc = VPath(components: ["caf\u{e9}"])
        #expect(nfd != nfc)
        #expect(Set([nfd, nfc]).count == 2)
        #expect(nfd < nfc || nfc < nfd)
    }

    @Test("paths sort by UTF-8 bytes, component by component")
    func ordering() {
        let sorted = [VPath("/b"), VPath("/a/z"), VPath("/a"), VPath("/B"), VPath("/a b")].sorted()
        #expect(sorted.map(\.string) == ["/B", "/a", "/a/z", "/a b", "/b"])
    }

    @Test("glob: *, ?, sets, ranges, negation, escapes")
    func nameGlobs() throws {
        let g = try Glob(name: "*.csv")
        #expect(g.matches(name: "a.csv") && !g.matches(name: "a.csv.gz"))
        #expect(try Glob(name: "f?.txt").matches(name: "f1.txt"))
        #expect(try Glob(name: "[a-c]x").matches(name: "bx"))
        #expect(!(try Glob(name: "[!a-c]x").matches(name: "bx")))
        #expect(try Glob(name: "a\\*b").matches(name: "a*b"))
        #expect(!(try Glob(name: "a\\*b").matches(name: "axb")))
        #expect(try Glob(name: "caf?").matches(name: "cafe\u{301}"), "? matches one visible character")
    }

    @Test("glob: ** spans directories, * does not")
    func pathGlobs() throws {
        let g = try Glob(VPath("/d/**/*.csv"))
        #expect(g.matches(VPath("/d/x.csv")) && g.matches(VPath("/d/a/b/x.csv")))
        #expect(!(try Glob(VPath("/d/*.csv")).matches(VPath("/d/a/x.csv"))))
    }

    @Test("an unterminated [ is an error naming the pattern")
    func badPattern() {
        #expect(throws: VFSError.self) { try Glob(name: "a[b") }
        #expect(Glob.hasMagic("a*") && !Glob.hasMagic("a\\*b") && !Glob.hasMagic("plain"))
    }
}
