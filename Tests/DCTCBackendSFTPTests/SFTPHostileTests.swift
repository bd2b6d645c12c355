import DCTCBackendSFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Modes, links and leftovers on the SFTP store (OpenSSH's sftp-server writes as the test
/// user into its home on this machine, so results are checked on the disk as well).
@Suite("SFTP store: modes, links, leftovers", serverTrait)
struct SFTPHostileTests {
    static func scratch(_ label: String) async throws -> (SFTPFileSystem, VPath) {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        let dir = VPath(server.home).appending("dctc-sftp-hostile-\(label)-\(getpid())")
        if try await fs.exists(dir) { _ = try await fs.removeTree(dir) }
        try await fs.makeDirectories(dir)
        return (fs, dir)
    }

    static func mode(_ path: VPath) -> UInt32? {
        var st = stat()
        guard lstat(path.string, &st) == 0 else { return nil }
        return UInt32(st.st_mode & 0o7777)
    }

    @Test("a write keeps the permission bits it is given: 0600 stays 0600, the exec bit is kept, setuid is dropped")
    func modesAreNeverWidened() async throws {
        let (fs, dir) = try await Self.scratch("modes")
        for (given, expected) in [(UInt32(0o600), UInt32(0o600)), (0o755, 0o755), (0o4750, 0o750)] {
            let p = dir.appending("m\(String(given, radix: 8))")
            _ = try await fs.write(p, from: .bytes([1]), attributes: WriteAttributes(mode: given))
            #expect(try await fs.info(p).mode == expected)
            #expect(Self.mode(p) == expected)
        }
        _ = try await fs.removeTree(dir)
    }

    @Test("makeLink creates a link pointing to its target, and linkTarget reads it back")
    func linksAreCreatedAndRead() async throws {
        let (fs, dir) = try await Self.scratch("links")
        try await fs.write(dir.appending("target.txt"), bytes: [1])
        try await fs.makeLink(dir.appending("link"), target: "target.txt")
        #expect(try await fs.linkTarget(dir.appending("link")) == "target.txt")
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(dir.appending("link").string, &buffer, 255)
        #expect(n > 0 && String(decoding: buffer[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self) == "target.txt")
        try await fs.remove(dir.appending("link"))
        _ = try await fs.removeTree(dir)
    }

    @Test("a write into a folder removes .dctc-*.tmp files older than an hour, and keeps fresh ones")
    func staleTemporariesAreSwept() async throws {
        let (fs, dir) = try await Self.scratch("sweep")
        let stale = dir.appending(".dctc-0123456789ab.tmp"), fresh = dir.appending(".dctc-ba9876543210.tmp")
        try await fs.write(stale, bytes: [1])
        try await fs.write(fresh, bytes: [1])
        try await fs.setModificationTime(stale, to: Date().addingTimeInterval(-2 * 3600))
        let server = try await SFTPTestServer.shared()
        let other = try await server.store()  // a new run: it has not swept this folder yet
        try await other.write(dir.appending("new.txt"), bytes: [2])
        #expect(try await !fs.exists(stale))
        #expect(try await fs.exists(fresh))
        _ = try await fs.removeTree(dir)
    }

    @Test("a cancelled upload names the user's path, never the temporary file, and leaves nothing")
    func cancelledUploadNamesTheTarget() async throws {
        let (fs, dir) = try await Self.scratch("cancel")
        let target = dir.appending("big.bin")
        let task = Task {
            // An endless source that waits between chunks, as a slow network would.
            let chunk = [UInt8](repeating: 7, count: 64 * 1024)
            return try await fs.write(target, from: .pulling {
                try await Task.sleep(for: .milliseconds(10))
                return chunk
            }, attributes: .none)
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("the upload was expected to be cancelled")
        } catch let e as VFSError {
            #expect(e.path == fs.display(target), "\(e)")
            #expect(!e.description.contains(".dctc-"), "\(e)")
        }
        #expect(try await fs.listAll(dir).isEmpty)
        _ = try await fs.removeTree(dir)
    }

    @Test("a walk through links to a parent and a two-link loop ends, reporting each loop (the SFTP store follows links)")
    func linkLoopsEnd() async throws {
        let (fs, dir) = try await Self.scratch("loops")
        try await fs.write(dir.appending(relative: "src/d/f.txt"), bytes: [1])
        try await fs.makeLink(dir.appending(relative: "src/d/up"), target: "..")
        try await fs.write(dir.appending(relative: "loop/a/f.txt"), bytes: [2])
        try await fs.write(dir.appending(relative: "loop/b/g.txt"), bytes: [3])
        try await fs.makeLink(dir.appending(relative: "loop/a/to-b"), target: "../b")
        try await fs.makeLink(dir.appending(relative: "loop/b/to-a"), target: "../a")
        let sink = SkippedEntries()
        var seen: [String] = []
        try await SkippedEntries.$current.withValue(sink) {
            for try await e in fs.walk(dir) {
                seen.append(e.path.relative(to: dir) ?? "?")
                if seen.count > 100 { break }
            }
        }
        #expect(seen.count <= 100, "the walk ends: \(seen.suffix(5))")
        #expect(!seen.contains { $0.hasPrefix("src/d/up/") }, "the loop is not entered")
        #expect(seen.contains("loop/a/to-b/g.txt"))
        let reports = sink.entries.map(\.description)
        #expect(reports.contains { $0.contains("src/d/up") && $0.contains("filesystem loop") }, "\(reports)")
        #expect(reports.contains { $0.contains("loop/a/to-b/to-a") && $0.contains("filesystem loop") }, "\(reports)")
        _ = try await fs.removeTree(dir)
    }

    @Test("removeTree of a folder holding a link to a folder elsewhere removes the link, never what it points to")
    func removeTreeNeverDeletesThroughLinks() async throws {
        let (fs, dir) = try await Self.scratch("rmlinks")
        let outside = dir.appending("outside"), tree = dir.appending("tree")
        try await fs.write(outside.appending("keep.txt"), bytes: [1])
        try await fs.write(tree.appending("own.txt"), bytes: [2])
        try await fs.makeLink(tree.appending("elsewhere"), target: "../outside")
        _ = try await fs.removeTree(tree)
        #expect(try await !fs.exists(tree))
        #expect(try await fs.readAll(outside.appending("keep.txt")) == [1])
        _ = try await fs.removeTree(dir)
    }
}
