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
