import DCTCCore
import Foundation

/// Deterministic test content, cheap to generate and to check.
public enum TestData {
    /// `count` pseudo-random bytes from a seed (xorshift), the same on every run and machine.
    public static func bytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var x = seed | 1
        out.withUnsafeMutableBytes { buf in
            var i = 0
            while i < count {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                var v = x
                for _ in 0..<8 where i < count {
                    buf[i] = UInt8(truncatingIfNeeded: v)
                    v >>= 8
                    i += 1
                }
            }
        }
        return out
    }

    /// A stream of those bytes delivered in chunks of `chunkSize`, without holding them all.
    public static func stream(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15, chunkSize: Int = 1 << 20) -> ByteStream {
        let all = bytes(count, seed: seed)
        return .bytes(all, chunkSize: chunkSize)
    }

    /// A stream that yields `good` bytes and then fails, to test that failed writes leave nothing.
    public static func failingStream(after good: Int) -> ByteStream {
        let state = FailingState(remaining: good)
        return .pulling { try await state.next() }
    }

    /// A fresh, empty temporary directory.
    public static func temporaryDirectory(_ label: String = "dctc-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

actor FailingState {
    var remaining: Int
    init(remaining: Int) { self.remaining = remaining }
    func next() throws -> [UInt8]? {
        guard remaining > 0 else {
            throw VFSError(.io, "simulated failure in the middle of the content")
        }
        let n = min(remaining, 64 * 1024)
        remaining -= n
        return [UInt8](repeating: 0x41, count: n)
    }
}
