import DCTCBackendMemory
import DCTCCore
import DCTCTestSupport
import Testing

@Suite("Memory store conformance")
struct MemoryConformanceTests {
    @Test("memory store passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        // A small page size makes the paging case cross several pages cheaply.
        try await Conformance.run(c, fs: MemoryFileSystem(listPageSize: 50), root: VPath("/suite"))
    }
}

@Suite("Memory store conformance, object-store mode")
struct MemoryObjectStoreConformanceTests {
    /// Raw keys go in with `putObject`, byte for byte, as S3's PutObject takes them.
    static let planter = HostilePlanter(
        putKey: { fs, root, key, bytes in
            guard let memory = fs as? MemoryFileSystem else { return false }
            await memory.putObject(key: root.components.joined(separator: "/") + "/" + key, bytes: bytes)
            return true
        },
        removeKey: { fs, root, key in
            try await fs.remove(VPath(components: root.components + [key]))
        })

    @Test("the memory store in object-store mode passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await Conformance.run(c, fs: MemoryFileSystem(listPageSize: 50, objectStore: true), root: VPath("/suite"))
    }

    @Test("the memory store in object-store mode passes the hostile-listing case",
          arguments: HostileListingConformance.cases(planter: planter))
    func hostileListing(_ c: ConformanceCase) async throws {
        try await Conformance.run(c, fs: MemoryFileSystem(listPageSize: 3, objectStore: true), root: VPath("/suite"))
    }

    @Test("object-store mode has no directories, lists whole trees and removes in batches")
    func objectStoreShape() async throws {
        let fs = MemoryFileSystem(objectStore: true)
        try await fs.write(VPath("/a/b/c.txt"), bytes: [1])
        try await fs.write(VPath("/a/d.txt"), bytes: [2])
        #expect(fs.capabilities.hasDirectories == false)
        #expect(try await fs.info(VPath("/a/b")).isDirectory)
        var listed: [VPath] = []
        for try await page in fs.listRecursive(VPath("/a")) { listed += page.map(\.path) }
        #expect(listed == [VPath("/a/b/c.txt"), VPath("/a/d.txt")])
        #expect(try await fs.removeMany([VPath("/a/b/c.txt"), VPath("/a/d.txt"), VPath("/a/none")]) == 2)
        #expect(await fs.objectKeys().isEmpty)
        await #expect(throws: VFSError.self) { _ = try await fs.listAll(VPath("/a")) }
    }

    @Test("a key with an empty segment is reported once and never listed")
    func emptySegmentReported() async throws {
        let fs = MemoryFileSystem(objectStore: true)
        await fs.putObject(key: "b/a//x.txt", bytes: [1])
        await fs.putObject(key: "b/ok.txt", bytes: [2])
        let skipped = SkippedEntries()
        let names = try await SkippedEntries.$current.withValue(skipped) {
            var names: [String] = []
            for try await e in fs.walk(VPath("/b")) { names.append(e.path.string) }
            return names
        }
        #expect(names == ["/b/a", "/b/ok.txt"])
        #expect(skipped.entries.map(\.address) == ["mem://test/b/a//x.txt"])
    }
}

@Suite("Memory store fault hook")
struct MemoryFaultHookTests {
    @Test("the Nth call of an operation fails with the injected error, the others succeed")
    func nthCallFails() async throws {
        let fs = MemoryFileSystem()
        fs.injectFault(VFSError(.unavailable, "injected"), into: .write, onCall: 2)
        try await fs.write(VPath("/1"), bytes: [1])
        let error = await #expect(throws: VFSError.self) { try await fs.write(VPath("/2"), bytes: [2]) }
        #expect(error?.code == .unavailable)
        try await fs.write(VPath("/3"), bytes: [3])
        #expect(fs.calls(of: .write) == 3)
        #expect(try await !fs.exists(VPath("/2")))
    }

    @Test("a fault on a path fails only calls on that path, as many times as asked")
    func pathFault() async throws {
        let fs = MemoryFileSystem(objectStore: true)
        try await fs.write(VPath("/d/x"), bytes: [1])
        try await fs.write(VPath("/d/y"), bytes: [1])
        fs.injectFault(VFSError(.permissionDenied, "injected"), into: .read, path: VPath("/d/y"), times: 2)
        _ = try await fs.readAll(VPath("/d/x"))
        for _ in 0..<2 {
            await #expect(throws: VFSError.self) { _ = try await fs.readAll(VPath("/d/y")) }
        }
        #expect(try await fs.readAll(VPath("/d/y")) == [1])
        fs.injectFault(VFSError(.unavailable, "injected"), into: .list, onCall: 1)
        await #expect(throws: VFSError.self) { _ = try await fs.listAll(VPath("/d")) }
    }
}
