import DCTCBackendLocal
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Local store: symbolic links, modes, leftovers")
struct LocalHostileTests {
    static let root = VPath(try! TestData.temporaryDirectory("dctc-local-hostile"))

    @Test("the local store passes the symbolic-link case", arguments: SymlinkConformance.cases)
    func symlinks(_ c: ConformanceCase) async throws {
        try await Conformance.run(c, fs: LocalFileSystem(), root: Self.root)
    }

    @Test("a write keeps the permission bits it is given: 0600 stays 0600, the exec bit is kept, setuid is dropped",
          arguments: [(UInt32(0o600), UInt32(0o600)), (0o755, 0o755), (0o4755, 0o755), (0o640, 0o640)])
    func modesAreNeverWidened(_ given: UInt32, _ expected: UInt32) async throws {
        let fs = LocalFileSystem()
        let p = Self.root.appending("mode-\(String(given, radix: 8))")
        _ = try await fs.write(p, from: .bytes([1]), attributes: WriteAttributes(mode: given))
        #expect(try await fs.info(p).mode == expected)
        try await fs.remove(p)
    }

    @Test("a local to local copy keeps a 0600 file private and an executable executable")
    func copyKeepsSourceMode() async throws {
        let fs = LocalFileSystem()
        let dir = Self.root.appending("copy-mode")
        for (name, mode) in [("secret", 0o600), ("tool", 0o755)] {
            let src = dir.appending(name)
            try await fs.write(src, bytes: [1])
            chmod(src.string, mode_t(mode))
            let address = Address.local(dir.appending(name + ".copy").string)
            try await Transfer.copyFile(from: Location(fs: fs, path: src, address: .local(src.string)),
                                        to: Location(fs: fs, path: address.path, address: address))
            #expect(try await fs.info(address.path).mode == UInt32(mode))
        }
        _ = try await fs.removeTree(dir)
    }

    @Test("a write into a folder removes .dctc-*.tmp files older than an hour, and keeps fresh ones")
    func staleTemporariesAreSwept() async throws {
        let fs = LocalFileSystem()
        let dir = Self.root.appending("sweep")
        try await fs.makeDirectories(dir)
        let stale = dir.appending(".dctc-0123456789ab.tmp"), fresh = dir.appending(".dctc-ba9876543210.tmp")
        try await fs.write(stale, bytes: [1])
        try await fs.write(fresh, bytes: [1])
        try await fs.setModificationTime(stale, to: Date().addingTimeInterval(-2 * 3600))
        try await LocalFileSystem().write(dir.appending("new.txt"), bytes: [2])
        #expect(try await !fs.exists(stale))
        #expect(try await fs.exists(fresh))
        _ = try await fs.removeTree(dir)
    }

    @Test("rm -r of a tree holding a link to a folder elsewhere removes the link, never what it points to (links followed or not)",
          arguments: [false, true])
    func removeTreeNeverDeletesThroughLinks(_ follow: Bool) async throws {
        let fs = LocalFileSystem(followLinks: follow)
        let outside = Self.root.appending("outside-\(follow)"), tree = Self.root.appending("tree-\(follow)")
        try await fs.write(outside.appending("keep.txt"), bytes: [1])
        try await fs.write(tree.appending("own.txt"), bytes: [2])
        try await fs.makeLink(tree.appending("elsewhere"), target: outside.string)
        _ = try await fs.removeTree(tree)
        #expect(try await !fs.exists(tree))
        #expect(try await fs.readAll(outside.appending("keep.txt")) == [1])
        _ = try await fs.removeTree(outside)
    }
}

@Suite("Local store hostile listings")
struct LocalHostileListingTests {
    static let root = VPath(try! TestData.temporaryDirectory("dctc-local-hostile-listing"))
    /// A disk cannot hold keys with '.', '..' or empty segments: declared, so only the safe
    /// keys of the case are planted and must come out (walk, glob, removeTree).
    static let planter = HostilePlanter(putKey: { _, _, _, _ in false })

    @Test("the local store passes the hostile-listing case (safe keys only: a disk cannot hold the others)",
          arguments: HostileListingConformance.cases(planter: planter))
    func hostileListing(_ c: ConformanceCase) async throws {
        try await Conformance.run(c, fs: LocalFileSystem(), root: Self.root)
    }
}
