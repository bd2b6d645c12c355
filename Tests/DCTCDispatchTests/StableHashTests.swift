import DCTCDispatch
import Testing

@Suite("Stable hash of --by hash")
struct StableHashTests {
    @Test("FNV-1a 64 gives the published test vectors")
    func publishedVectors() {
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    /// Pinned from an independent implementation (Python, see `StableHash`'s documentation):
    /// if these change, every bucketed dataset written so far would be misread.
    @Test("bucket numbers are pinned for fixed values, UTF-8 bytes included")
    func pinnedBuckets() {
        let pinned: [(String, UInt64, Int, Int)] = [
            ("FR", 0x0905_6e07_b59e_c8d1, 1, 9),
            ("DE", 0x08fe_3307_b598_45e2, 2, 8),
            ("user-42", 0x32c6_d7a5_4d35_dacb, 11, 9),
            ("été", 0x009a_8f0e_88b5_1857, 7, 9),
        ]
        for (value, hash, mod16, mod10) in pinned {
            #expect(StableHash.fnv1a64(value) == hash, "\(value)")
            #expect(StableHash.bucket(of: Array(value.utf8), buckets: 16) == mod16, "\(value)")
            #expect(StableHash.bucket(of: Array(value.utf8), buckets: 10) == mod10, "\(value)")
        }
    }

    @Test("bucket keys are zero-padded to the width of the largest bucket")
    func bucketKeys() {
        #expect(StableHash.bucketKey(3, buckets: 16) == "03")
        #expect(StableHash.bucketKey(15, buckets: 16) == "15")
        #expect(StableHash.bucketKey(7, buckets: 10) == "7")
        #expect(StableHash.bucketKey(0, buckets: 1) == "0")
        #expect(StableHash.bucketKey(42, buckets: 1000) == "042")
    }
}
