import DCTCBackendLocal
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@Suite("Local store conformance")
struct LocalConformanceTests {
    static let root = VPath(try! TestData.temporaryDirectory("dctc-local-conformance"))

    @Test("local store passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await Conformance.run(c, fs: LocalFileSystem(), root: Self.root)
    }
}
