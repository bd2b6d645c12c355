import DCTCBackendLocal
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

@Suite("Local store: the whole and part hashes of an upload in one read")
struct LocalPartHashingTests {
    @Test("each part's MD5 is the MD5 of its bytes and the whole MD5 is the file's, parts of any lengths")
    func partsAndWhole() async throws {
        let scratch = try Scratch("dctc-part-hash"); defer { scratch.cleanup() }
        let data = TestData.bytes(5 * 1024 * 1024 + 123, seed: 3)
        let file = VPath(try scratch.write("f.bin", bytes: data))
        // Parts that do not line up with the 1 MiB reads, one of them smaller than a read.
        let sizes: [Int64] = [1_500_000, 700_000, 2_000_000, Int64(data.count) - 4_200_000]
        let (whole, parts) = try await LocalFileSystem().hash(file, kind: .md5, partSizes: sizes)
        #expect(whole == (try Digest.hash(data, kind: .md5)))
        var start = 0
        var expected: [String] = []
        for size in sizes {
            expected.append(try Digest.hash(Array(data[start..<(start + Int(size))]), kind: .md5))
            start += Int(size)
        }
        #expect(parts == expected)
    }

    @Test("a file longer or shorter than its parts fails as changed, naming the file")
    func lengthChanged() async throws {
        let scratch = try Scratch("dctc-part-hash"); defer { scratch.cleanup() }
        let file = VPath(try scratch.write("f.bin", bytes: TestData.bytes(3 * 1024 * 1024, seed: 4)))
        for sizes: [Int64] in [[1 << 20, 1 << 20], [2 << 20, 2 << 20]] {
            let error = await #expect(throws: VFSError.self) {
                _ = try await LocalFileSystem().hash(file, kind: .md5, partSizes: sizes)
            }
            #expect(error?.code == .checksumMismatch)
            #expect(error?.path == file.string)
            #expect(error?.message.contains("than the") == true || error?.message.contains("longer") == true, "\(String(describing: error))")
        }
    }
}
