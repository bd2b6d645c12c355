import DCTCCore

/// A seeded mutation fuzzer for the parsers' tests: the same seed gives the same cases, so a
/// failure is repeatable. Cases are mutations of a corpus of valid inputs: bit flips, bytes
/// replaced by hostile ones (NUL, newline, quotes, brackets, high bytes), slices deleted,
/// duplicated or swapped between inputs, truncation, and long runs.
public struct Fuzzer {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }

    private static let hostile: [UInt8] = Array("\u{0}\n\r\t\"'\\[]{}<>&;:=#/.%-_ ,@?*|`$".utf8) + [0x80, 0xC3, 0xFF, 0xE2, 0x7F]

    /// `count` cases derived from `corpus`, each at most `maxLength` bytes.
    public mutating func cases(from corpus: [String], count: Int, maxLength: Int = 4096) -> [[UInt8]] {
        let seeds = corpus.map { Array($0.utf8) }
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            var bytes = seeds.isEmpty ? [] : seeds[below(seeds.count)]
            let rounds = 1 + below(6)
            for _ in 0..<rounds { mutate(&bytes, seeds: seeds) }
            if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
            out.append(bytes)
        }
        return out
    }

    private mutating func mutate(_ bytes: inout [UInt8], seeds: [[UInt8]]) {
        let at = below(bytes.count + 1)
        switch below(9) {
        case 0 where !bytes.isEmpty:
            bytes[below(bytes.count)] ^= UInt8(1 << below(8))
        case 1 where !bytes.isEmpty:
            bytes[below(bytes.count)] = Fuzzer.hostile[below(Fuzzer.hostile.count)]
        case 2:
            bytes.insert(Fuzzer.hostile[below(Fuzzer.hostile.count)], at: at)
        case 3 where !bytes.isEmpty:
            let end = min(bytes.count, at + 1 + below(32))
            if at < end { bytes.removeSubrange(at..<end) }
        case 4 where !bytes.isEmpty:
            let start = below(bytes.count)
            let end = min(bytes.count, start + 1 + below(64))
            bytes.insert(contentsOf: Array(bytes[start..<end]), at: at)
        case 5:
            bytes.removeLast(bytes.count - at)
        case 6 where !seeds.isEmpty:
            let other = seeds[below(seeds.count)]
            let start = below(other.count + 1)
            let end = min(other.count, start + below(128))
            bytes.insert(contentsOf: other[start..<end], at: at)
        case 7:
            bytes.insert(contentsOf: [UInt8](repeating: Fuzzer.hostile[below(Fuzzer.hostile.count)], count: 1 + below(300)), at: at)
        default:
            bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
        }
    }

    /// Nil when `error` is fine for a user (one line: no line break in the message), else what is wrong.
    /// (Control characters are escaped where messages are printed.)
    public static func problem(with error: any Error) -> String? {
        let text = String(describing: error)
        if text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\u{2028}" || $0 == "\u{85}" }) {
            return "the message has a line break: \(text.debugDescription)"
        }
        return nil
    }
}
