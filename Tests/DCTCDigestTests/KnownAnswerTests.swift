import DCTCCore
import DCTCDigest
import Testing

/// Known-answer vectors: RFC 1321 appendix A.5 (MD5), FIPS 180-2 appendices A and B and
/// RFC 3174 (SHA-1, SHA-256). A digest that passes these is the algorithm, not something like it.
@Suite struct DigestKnownAnswerTests {
    static let md5Vectors: [(String, String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
    ]

    static let sha1Vectors: [(String, String)] = [
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
    ]

    static let sha256Vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ]

    @Test("MD5 matches RFC 1321", arguments: md5Vectors)
    func md5MatchesRFC1321(input: String, expected: String) throws {
        #expect(try Digest.hash(Array(input.utf8), kind: .md5) == expected)
    }

    @Test("SHA-1 matches FIPS 180", arguments: sha1Vectors)
    func sha1MatchesFIPS180(input: String, expected: String) throws {
        #expect(try Digest.hash(Array(input.utf8), kind: .sha1) == expected)
    }

    @Test("SHA-256 matches FIPS 180", arguments: sha256Vectors)
    func sha256MatchesFIPS180(input: String, expected: String) throws {
        #expect(try Digest.hash(Array(input.utf8), kind: .sha256) == expected)
    }

    /// A million 'a's fed in uneven pieces: the streaming update gives the standard answers.
    @Test func millionAsFedInPiecesMatchTheStandardVectors() throws {
        let expected: [HashKind: String] = [
            .md5: "7707d6ae4e027c70eea2a935c2296f21",
            .sha1: "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
            .sha256: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        ]
        for (kind, hex) in expected {
            let digest = try Digest(kind)
            var left = 1_000_000
            var piece = 1
            while left > 0 {
                let n = min(piece, left)
                digest.update([UInt8](repeating: UInt8(ascii: "a"), count: n))
                left -= n
                piece = piece * 3 % 65_537 + 1
            }
            #expect(digest.finalize() == hex, "\(kind)")
        }
    }

    @Test func hashingTransformGivesTheOneShotDigests() throws {
        let data = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let transform = try HashingTransform(kinds: [.md5, .sha1, .sha256])
        var i = 0
        while i < data.count {
            let end = min(data.count, i + 65_536 + i % 777)
            _ = try transform.process(Array(data[i..<end]))
            i = end
        }
        _ = try transform.finish()
        let results = transform.results()
        for kind in HashKind.allCases {
            #expect(results[kind] == (try Digest.hash(data, kind: kind)))
        }
        #expect(transform.byteCount == Int64(data.count))
    }
}
