import DCTCCore
import Foundation
import Testing

@Suite("Listings never hand on unsafe names; errors stay on one line")
struct SkippedEntriesTests {
    static let entries = ["ok", ".", "..", "also-ok"].map { FileInfo(path: VPath(components: ["d", $0]), kind: .directory) }

    @Test("a listing leaves out '.', '..' and names with '/', reporting each once to the task's sink")
    func listingFiltersUnsafeNames() async throws {
        let sink = SkippedEntries()
        var names: [String] = []
        let slash = FileInfo(path: VPath(components: ["d", "a/b"]), kind: .file)
        try await SkippedEntries.$current.withValue(sink) {
            for _ in 0..<2 {
                for try await page in Listing.entries(Self.entries + [slash], pageSize: 2) { names += page.map(\.name) }
            }
        }
        #expect(names == ["ok", "also-ok", "ok", "also-ok"])
        #expect(sink.entries.map(\.address) == ["/d/.", "/d/..", "/d/a/b"], "each reported once")
        #expect(sink.counted == 3)
    }

    @Test("a walk never descends into an unsafe name")
    func walkSkipsUnsafeDirectories() async throws {
        final class Tree: VirtualFileSystem, @unchecked Sendable {
            let kind = StoreKind.memory
            let capabilities = Capabilities()
            func display(_ path: VPath) -> String { "t:" + path.string }
            func info(_ path: VPath) async throws -> FileInfo { FileInfo(path: path, kind: .directory) }
            // Every folder lists a '..' that would lead back up forever.
            func list(_ directory: VPath) -> Listing {
                .entries([FileInfo(path: directory.appending(".."), kind: .directory),
                          FileInfo(path: directory.appending("f"), kind: .file)], pageSize: 10, display: display)
            }
            func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream { .bytes([]) }
            func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
                throw VFSError.unsupported("write")
            }
            func remove(_ path: VPath) async throws {}
            func makeDirectory(_ path: VPath) async throws {}
            func removeDirectory(_ path: VPath) async throws {}
        }
        let sink = SkippedEntries()
        var seen: [String] = []
        try await SkippedEntries.$current.withValue(sink) {
            for try await e in Tree().walk(VPath("/r")) { seen.append(e.path.string) }
        }
        #expect(seen == ["/r/f"])
        #expect(sink.entries.map(\.description) == ["t:/r/..: skipped, '..' is not a name but a path step"])
    }

    @Test("an error naming a path with control characters is one line, the characters escaped")
    func errorsAreOneLine() {
        let e = VFSError(.notFound, "no such file\nor directory", path: "/tmp/a\nb\u{0}c", remedy: "check\tit")
        #expect(e.description == "/tmp/a\\nb\\x00c: no such file\\nor directory (check\\tit)")
        let report = SkippedEntries.Entry(address: "s3://b/x\ny", reason: "'..' is not a name")
        #expect(!report.description.contains("\n"))
    }
}
