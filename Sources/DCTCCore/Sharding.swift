import Foundation

/// One shard of a fanned-out listing or sync: `K/N` (1 ≤ K ≤ N), as `dctc sync --shard K/N`.
///
/// Shards are contiguous ranges of the key order (bytewise UTF-8, as S3 lists), so each shard
/// can list only its range: from its lower boundary (S3 `StartAfter`, exclusive) through its
/// upper boundary (inclusive), and N shards together request each key about once. The
/// boundaries come from a sorted sample of the keys (the first-level names under the prefix,
/// from one delimiter listing, are a good one); `ShardPlan` computes them and places keys.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, count <= Shard.maximumCount, index >= 1, index <= count else {
            throw VFSError(.invalidArgument, "shard \(index)/\(count) does not exist", path: "\(index)/\(count)",
                           remedy: "write K/N with 1 ≤ K ≤ N ≤ \(Shard.maximumCount), e.g. 2/4")
        }
        self.index = index
        self.count = count
    }

    /// The most shards of one plan.
    public static let maximumCount = 10_000

    /// Parses `K/N`.
    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw VFSError(.invalidArgument, "'\(text)' is not a shard", path: text, remedy: "write K/N, e.g. --shard 2/4")
        }
        return try Shard(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }
}

/// Where the shards of a key space begin and end.
public struct ShardPlan: Sendable, Hashable {
    /// N-1 boundaries in ascending bytewise order: shard 1 holds keys ≤ boundaries[0], shard K
    /// keys in (boundaries[K-2], boundaries[K-1]], shard N keys > boundaries[N-2]. A boundary
    /// may repeat when the sample is smaller than N; the shards between are then empty.
    public let boundaries: [String]

    public var count: Int { boundaries.count + 1 }

    public init(boundaries: [String]) { self.boundaries = boundaries }

    /// Boundaries at the quantiles of a sample of keys (sorted here; duplicates ignored), so each
    /// shard gets about as many sample keys. With an empty sample every boundary is empty and
    /// shard N holds every key: callers without a sample use `uniform(prefix:count:)`.
    public static func quantiles(of sample: [String], count: Int) throws -> ShardPlan {
        _ = try Shard(index: 1, count: count)
        let sorted = Array(Set(sample)).sorted(by: ShardPlan.precedes)
        guard !sorted.isEmpty else { return ShardPlan(boundaries: Array(repeating: "", count: count - 1)) }
        var out: [String] = []
        out.reserveCapacity(count - 1)
        for j in 1..<count {
            // The last sample key of the j-th equal part.
            let position = max(0, (j * sorted.count) / count - 1)
            out.append(sorted[min(position, sorted.count - 1)])
        }
        return ShardPlan(boundaries: out)
    }

    /// Boundaries without a sample: the byte after `prefix` split evenly over the printable
    /// ASCII range (space … `~`); keys with other first bytes go to the first or last shard.
    public static func uniform(prefix: String, count: Int) throws -> ShardPlan {
        _ = try Shard(index: 1, count: count)
        let low = 0x20, high = 0x7E
        let span = high - low + 1
        var out: [String] = []
        for j in 1..<count {
            let byte = low + (j * span) / count - 1
            // Every key starting with prefix + that byte (or an earlier one) is ≤ this boundary.
            out.append(prefix + String(UnicodeScalar(UInt8(max(low, min(high, byte))))) + "\u{10FFFF}")
        }
        return ShardPlan(boundaries: out)
    }

    /// The shard holding `key`.
    public func shard(of key: String) -> Int {
        // The first boundary ≥ key (binary search; boundaries are ascending).
        var lo = 0, hi = boundaries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ShardPlan.precedes(boundaries[mid], key) { lo = mid + 1 } else { hi = mid }
        }
        return lo + 1
    }

    /// What shard K lists: after `startAfter` (exclusive; nil from the start) through
    /// `endInclusive` (nil to the end). On S3: `StartAfter=startAfter`, then stop at the first
    /// key past `endInclusive`.
    /// - Throws: `VFSError(.invalidArgument)` when the shard is of a plan with another count.
    public func range(of shard: Shard) throws -> (startAfter: String?, endInclusive: String?) {
        guard shard.count == count else {
            throw VFSError(.invalidArgument, "shard \(shard) is not one of this plan's \(count) shards", path: shard.description,
                           remedy: "give every shard task the same N")
        }
        let start = shard.index >= 2 ? boundaries[shard.index - 2] : nil
        let end = shard.index <= boundaries.count ? boundaries[shard.index - 1] : nil
        return (start.flatMap { $0.isEmpty ? nil : $0 }, end)
    }

    /// Whether shard `shard` holds `key` (`range(of:)` as a predicate).
    public func contains(_ key: String, in shard: Shard) -> Bool { self.shard(of: key) == shard.index }

    /// Bytewise UTF-8 order, the order S3 lists keys in.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
