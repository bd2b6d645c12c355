import DCTCCore
import Foundation

/// One part of a sync split across workers: `--shard K/N` handles only the files whose path hash falls
/// in part K of N, so N workers each given a different K cover every file exactly once.
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
        guard count >= 1 else {
            throw VFSError.invalid("'\(text)' is not a shard: N must be at least 1",
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

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }
}
