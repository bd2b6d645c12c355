import Foundation

/// One part of a job split across workers, `K/N` (1 ≤ K ≤ N ≤ `maximumCount`). Two placements use it:
/// `dctc sync --shard K/N` handles only the files whose path hash falls in part K of N (`contains(_:)`),
/// so N workers each given a different K cover every file exactly once; a fanned-out listing gives each
/// part a contiguous key range instead (`ShardPlan`).
///
/// A file's part is `FNV-1a-64(UTF-8 bytes of its relative path) mod N`, plus one. The hash is spelled
/// out here rather than taken from `Hasher`, which is seeded per process: the same path lands in the same
/// part on every run, machine and Swift version. Paths are hashed byte for byte, without Unicode
/// normalisation or case folding (rclone's `--hash-filter` normalises and uses MD5, so its parts differ).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// Which part this is, from 1 to `count`.
    public let index: Int
    /// How many parts there are, at least 1.
    public let count: Int

    /// Parses `K/N`.
    ///
    /// - Parameter text: Such as "1/4": two decimal numbers with `1 <= K <= N`.
    /// - Throws: `VFSError(.invalidArgument)` naming the text when it is not of that form or out of range.
    public init(parse text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }),
              let index = Int(parts[0]), let count = Int(parts[1])
        else {
            throw VFSError.invalid("'\(text)' is not a shard: expected K/N",
                                   remedy: "give this worker's part and the number of parts, like 1/4")
        }
        try self.init(index: index, count: count, text: text)
    }

    /// Makes part `index` of `count`.
    ///
    /// - Parameters:
    ///   - index: From 1 to `count`.
    ///   - count: At least 1.
    /// - Throws: `VFSError(.invalidArgument)` when `count < 1` or `index` is outside `1...count`.
    public init(index: Int, count: Int) throws {
        try self.init(index: index, count: count, text: "\(index)/\(count)")
    }

    private init(index: Int, count: Int, text: String) throws {
        guard count >= 1, count <= Shard.maximumCount else {
            throw VFSError.invalid("'\(text)' is not a shard: N must be between 1 and \(Shard.maximumCount)",
                                   remedy: "give the number of parts after the slash, like 1/4")
        }
        guard (1...count).contains(index) else {
            throw VFSError.invalid("'\(text)' is not a shard: K must be between 1 and \(count)",
                                   remedy: "number the parts from 1 to N, like 1/\(count) ... \(count)/\(count)")
        }
        self.index = index
        self.count = count
    }

    /// Whether a file belongs to this part.
    ///
    /// - Parameter relativePath: The path relative to the sync root, "/"-separated, no leading "/".
    /// - Returns: True when `pathHash(relativePath) % count == index - 1`.
    public func contains(_ relativePath: String) -> Bool {
        Shard.pathHash(relativePath) % UInt64(count) == UInt64(index - 1)
    }

    /// FNV-1a, 64 bits, of the path's UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func pathHash(_ relativePath: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in relativePath.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The most parts of one job.
    public static let maximumCount = 10_000

    /// `K/N`.
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

/// The files of a tree whose relative paths sort after `after` and at or before `through`, in
/// bytewise UTF-8 order: S3's key order, so a shard of a bucket is one contiguous run of keys
/// that `ListObjectsV2` gives from `StartAfter` on. `dctc sync --start-after A --end-at B`; the
/// fan-out gives each shard one range of a `ShardPlan` (`dctc shard-plan`).
///
/// Paths are compared whole ("a/b" against "a-b": `-` is 0x2D and `/` 0x2F, so "a-b" comes
/// first), which is why a directory is not simply in or out: `mayHold(directory:)` says whether
/// any path below it can be in the range.
public struct PathRange: Sendable, Hashable, CustomStringConvertible {
    /// Paths must sort after this one (exclusive); nil: from the start.
    public let after: String?
    /// Paths must sort at or before this one (inclusive); nil: to the end.
    public let through: String?

    /// - Throws: `VFSError(.invalidArgument)` when `through` sorts before `after` (almost
    ///   certainly two arguments swapped). Equal ends make an empty range: a shard of a plan
    ///   made from fewer files than shards.
    public init(after: String?, through: String?) throws {
        let a = after.flatMap { $0.isEmpty ? nil : $0 }, t = through.flatMap { $0.isEmpty ? nil : $0 }
        if let a, let t, ShardPlan.precedes(t, a) {
            throw VFSError.invalid("the range after '\(SafeName.escaped(a))' through '\(SafeName.escaped(t))' is empty",
                                   remedy: "give --start-after a path that sorts before the --end-at path")
        }
        self.init(checkedAfter: a, through: t)
    }

    private init(checkedAfter after: String?, through: String?) {
        self.after = after
        self.through = through
    }

    /// The whole tree.
    public static let everything = PathRange(checkedAfter: nil, through: nil)

    public var isEverything: Bool { after == nil && through == nil }

    /// Whether the file at `relativePath` is in the range.
    public func contains(_ relativePath: String) -> Bool {
        if let after, !ShardPlan.precedes(after, relativePath) { return false }
        if let through, ShardPlan.precedes(through, relativePath) { return false }
        return true
    }

    /// Whether some path below `directory` (relative, no trailing `/`) can be in the range.
    /// Every such path starts with `directory + "/"`: the block is out when `through` sorts before
    /// the block, or `after` sorts after every path of the block.
    public func mayHold(directory: String) -> Bool {
        guard !directory.isEmpty else { return true }
        let block = directory + "/"
        if let through, ShardPlan.precedes(through, block) { return false }
        if let after, ShardPlan.precedes(block, after), !after.utf8.starts(with: block.utf8) { return false }
        return true
    }

    /// "after A through B", for messages.
    public var description: String {
        switch (after, through) {
        case (nil, nil): return "every path"
        case (let a?, nil): return "paths after '\(SafeName.escaped(a))'"
        case (nil, let t?): return "paths through '\(SafeName.escaped(t))'"
        case (let a?, let t?): return "paths after '\(SafeName.escaped(a))' through '\(SafeName.escaped(t))'"
        }
    }
}
