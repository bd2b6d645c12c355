import DCTCBackendMemory
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

@Suite("Cross-store copy and move (Transfer)")
struct CrossStoreCopyTests {
    func location(_ fs: MemoryFileSystem, _ path: String) -> Location {
        Location(fs: fs, path: VPath(path), address: Address(scheme: .memory, path: VPath(path), host: fs.name))
    }

    @Test("copy between two stores keeps bytes and modification time")
    func copyKeepsBytesAndTime() async throws {
        let a = MemoryFileSystem(name: "a"), b = MemoryFileSystem(name: "b")
        let data = TestData.bytes(1_000_000)
        let when = Date(timeIntervalSince1970: 1_400_000_000)
        try await a.write(VPath("/src.bin"), bytes: data, attributes: WriteAttributes(modificationTime: when))
        let info = try await Transfer.copyFile(from: location(a, "/src.bin"), to: location(b, "/dir/dst.bin"))
        #expect(info.size == 1_000_000)
        #expect(try await b.readAll(VPath("/dir/dst.bin")) == data)
        #expect(try await b.info(VPath("/dir/dst.bin")).modificationTime == when)
    }

    @Test("a source whose known hash disagrees with its bytes is never committed at the destination")
    func verificationCatchesCorruption() async throws {
        let a = MemoryFileSystem(name: "a"), b = MemoryFileSystem(name: "b")
        try await a.write(VPath("/x"), bytes: Array("real content".utf8))
        var info = try await a.info(VPath("/x"))
        info.hashes[.md5] = try Digest.hash(Array("other content".utf8), kind: .md5)
        await #expect(throws: VFSError.self) {
            try await Transfer.copyFile(from: location(a, "/x"), to: location(b, "/x"), sourceInfo: info)
        }
        #expect(try await !b.exists(VPath("/x")))
    }

    @Test("move within a store renames; across stores it copies then removes the source")
    func moves() async throws {
        let a = MemoryFileSystem(name: "a"), b = MemoryFileSystem(name: "b")
        try await a.write(VPath("/m"), bytes: [1, 2])
        try await Transfer.moveFile(from: location(a, "/m"), to: location(a, "/n"))
        let movedAway = try await !a.exists(VPath("/m"))
        let renamed = try await a.readAll(VPath("/n"))
        #expect(movedAway && renamed == [1, 2])
        try await Transfer.moveFile(from: location(a, "/n"), to: location(b, "/o"))
        let sourceGone = try await !a.exists(VPath("/n"))
        let arrived = try await b.readAll(VPath("/o"))
        #expect(sourceGone && arrived == [1, 2])
    }

    @Test("copying a directory as a file is refused with a hint")
    func directoryRefused() async throws {
        let a = MemoryFileSystem(name: "a")
        try await a.makeDirectory(VPath("/d"))
        do {
            try await Transfer.copyFile(from: location(a, "/d"), to: location(a, "/e"))
            Issue.record("expected an error")
        } catch let e as VFSError {
            #expect(e.code == .isADirectory)
            #expect(e.remedy?.contains("-r") == true)
        }
    }
}
