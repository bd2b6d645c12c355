/// The size of each piece of output the codecs hand out, and of their C output buffers.
public let codecOutputChunkSize = 256 * 1024

/// The input chunk a codec is working through, and how far it got.
///
/// The C libraries get a pointer into the chunk only for the duration of one call, so the
/// array may be an ordinary Swift value and no copy is made.
struct PendingInput {
    private(set) var bytes: [UInt8] = []
    private(set) var offset = 0
    /// True once the producer said no more input will come.
    var ended = false

    var remaining: Int { bytes.count - offset }

    mutating func replace(with chunk: [UInt8]) {
        bytes = chunk
        offset = 0
    }

    /// The next unconsumed byte, if any.
    var first: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    mutating func skip(_ count: Int) { offset = min(bytes.count, offset + count) }

    /// True when every unconsumed byte is zero.
    var unconsumedAreZero: Bool { !bytes[offset...].contains { $0 != 0 } }

    /// Lends the unconsumed bytes to `body` (a nil pointer when there are none, and at most
    /// `UInt32.max` of them, the C libraries' limit) and advances past the count it returns.
    mutating func consume(_ body: (UnsafeMutablePointer<UInt8>?, UInt32) throws -> Int) rethrows {
        let start = offset
        let used = try bytes.withUnsafeBufferPointer { buffer -> Int in
            let count = UInt32(clamping: buffer.count - start)
            // The C APIs take non-const pointers but never write through next_in.
            let pointer = buffer.baseAddress.map { UnsafeMutablePointer(mutating: $0 + start) }
            return try body(count == 0 ? nil : pointer, count)
        }
        offset = start + used
    }
}

/// A fixed C-side output buffer, allocated once and freed with its owner.
final class OutputBuffer {
    let pointer: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int = codecOutputChunkSize) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    /// The first `count` bytes as an array (one bulk copy).
    func bytes(_ count: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: pointer, count: count))
    }
}
