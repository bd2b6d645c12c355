/// The hash `--by hash` buckets records with: 64-bit FNV-1a of the value's UTF-8 bytes.
///
/// Chosen because it is fully specified by two constants (offset basis
/// 0xcbf29ce484222325, prime 0x100000001b3; see the FNV reference by Fowler, Noll and Vo),
/// needs no library, and gives the same number on every run, machine, byte order and dctc
/// version — unlike Swift's `Hasher`, which is seeded per process. A record's bucket is
/// `fnv1a64(value) % buckets`, so another tool can compute the same bucket:
/// in Python, `h = 0xcbf29ce484222325; for b in v.encode(): h = ((h ^ b) * 0x100000001b3) % 2**64`.
public enum StableHash {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a, 64 bits, of `bytes`.
    public static func fnv1a64<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return hash
    }

    /// FNV-1a, 64 bits, of a string's UTF-8 bytes.
    public static func fnv1a64(_ string: String) -> UInt64 { fnv1a64(string.utf8) }

    /// The bucket (0 ..< `buckets`) of a value.
    public static func bucket<S: Sequence>(of bytes: S, buckets: Int) -> Int where S.Element == UInt8 {
        Int(fnv1a64(bytes) % UInt64(max(1, buckets)))
    }

    /// The key of a bucket: its number from 0, zero-padded to the width of the largest one
    /// (`buckets` 16 gives `00` ... `15`), so keys sort in bucket order.
    public static func bucketKey(_ bucket: Int, buckets: Int) -> String {
        let width = String(max(0, buckets - 1)).count
        let digits = String(bucket)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
