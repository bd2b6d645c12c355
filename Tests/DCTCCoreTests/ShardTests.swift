import DCTCCore
import Testing

@Suite("Shards")
struct ShardTests {
    static let valid: [(String, Int, Int)] = [("1/1", 1, 1), ("3/7", 3, 7), ("7/7", 7, 7), (" 2/4 ", 2, 4), ("10/12", 10, 12)]

    @Test("K/N parses into part K of N", arguments: valid)
    func parsesValidShards(_ c: (String, Int, Int)) throws {
        let shard = try Shard(parse: c.0)
        #expect(shard.index == c.1)
        #expect(shard.count == c.2)
        #expect(shard.description == "\(c.1)/\(c.2)")
        #expect(shard == (try Shard(index: c.1, count: c.2)))
    }

    static let invalid = ["0/4", "5/4", "1/0", "0/0", "a/b", "1", "1/2/3", "-1/4", "1/-4", "", "1/", "/4", "+1/4", "1.0/4"]

    @Test("anything but K/N with 1 <= K <= N is refused with a message naming the text", arguments: invalid)
    func refusesInvalidShards(_ text: String) {
        let error = #expect(throws: VFSError.self) { try Shard(parse: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("'\(text)'") == true)
        #expect(error?.remedy?.isEmpty == false)
    }

    /// FNV-1a 64 values computed independently (the first three are the published test vectors). A change
    /// of hash would silently move files between shards of running workers, so these must never change.
    static let pinnedHashes: [(String, UInt64)] = [
        ("", 0xcbf2_9ce4_8422_2325),
        ("a", 0xaf63_dc4c_8601_ec8c),
        ("foobar", 0x8594_4171_f739_67e8),
        ("photos/2024/img_0001.jpg", 0xc6ce_31db_d75c_dd34),
        ("caf\u{E9}.txt", 0xda4c_d690_a14e_4c8f),
        ("cafe\u{301}.txt", 0x325c_4670_adea_6d31),
        ("dir/file.txt", 0xd6e3_e36a_87b1_70a1),
    ]

    @Test("the path hash is FNV-1a 64 of the UTF-8 bytes", arguments: pinnedHashes)
    func pathHashIsPinned(_ c: (String, UInt64)) {
        #expect(Shard.pathHash(c.0) == c.1)
    }

    @Test("a path belongs to the part its pinned hash selects")
    func membershipFollowsThePinnedHash() throws {
        // 0x85944171f73967e8 % 7 == 6, so "foobar" is in 7/7; "photos/2024/img_0001.jpg" % 7 == 3, so 4/7.
        #expect(try Shard(parse: "7/7").contains("foobar"))
        #expect(try !Shard(parse: "6/7").contains("foobar"))
        #expect(try Shard(parse: "4/7").contains("photos/2024/img_0001.jpg"))
        // NFC and NFD spellings hash differently: 0xda4c... % 3 == 0, 0x325c... % 3 == 1.
        #expect(try Shard(parse: "1/3").contains("caf\u{E9}.txt"))
        #expect(try Shard(parse: "2/3").contains("cafe\u{301}.txt"))
    }

    @Test("1/1 holds every path")
    func singleShardHoldsEverything() throws {
        let all = try Shard(parse: "1/1")
        for path in ["", "a", "a/b/c", "caf\u{E9}"] { #expect(all.contains(path)) }
    }

    @Test("10,000 names over 7 shards: each name in exactly one shard, every shard used")
    func shardsPartitionTheNames() throws {
        let shards = try (1...7).map { try Shard(index: $0, count: 7) }
        var sizes = [Int](repeating: 0, count: 7)
        for n in 0..<10_000 {
            let path = "dir\(n % 13)/file-\(n).dat"
            let owners = shards.filter { $0.contains(path) }
            #expect(owners.count == 1, "\(path) is in \(owners.count) shards")
            if let owner = owners.first { sizes[owner.index - 1] += 1 }
        }
        #expect(sizes.reduce(0, +) == 10_000)
        // Deterministic (the hash is fixed), so this cannot flake: each shard is within 25% of 10,000 / 7.
        for size in sizes { #expect((1071...1786).contains(size), "shard sizes \(sizes)") }
    }
}
