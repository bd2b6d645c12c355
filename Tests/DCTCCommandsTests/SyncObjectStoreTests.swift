import DCTCTestSupport
import Foundation
import Testing

@Suite("sync to an object store")
struct SyncObjectStoreTests {
    @Test("an empty source directory is not planned again and again on S3, and check finds no difference")
    func emptyDirectoryOnS3() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let accounts = try StoreAccounts.make(s)
        try FileManager.default.createDirectory(atPath: s.url("src/empty"), withIntermediateDirectories: true)
        _ = try s.write("src/a.txt", "a")
        let dest = "lake:empty-dir-\(UUID().uuidString.lowercased().prefix(8))/x"
        #expect(try accounts.run(["sync", s.url("src"), dest]).status == 0)
        let plan = try accounts.run(["sync", "--dry-run", s.url("src"), dest])
        #expect(plan.status == 0)
        #expect(plan.stdout.isEmpty, "\(plan.stdout)")
        let check = try accounts.run(["check", s.url("src"), dest])
        #expect(check.status == 0, "\(check)")
        _ = try accounts.run(["rm", "-r", "--force", String(dest.dropLast(2))])
    }
}
