import CDCTCBZip2
import DCTCCore

/// Encodes data as one bzip2 stream with libbz2's `BZ2_bzCompress`.
///
/// The output is what `bzip2 -c -N` writes for block size N. The `bz_stream` and output
/// buffer are allocated once and freed in `deinit`; output comes out in pieces of at most
/// `codecOutputChunkSize` bytes (see `ChunkedByteTransform`).
public final class Bzip2Encoder: ChunkedByteTransform {
    /// Block sizes in units of 100 kB: 1 is fastest, 9 compresses best.
    public static let blockSizes = 1...9
    /// bzip2's default block size (900 kB).
    public static let defaultBlockSize = 9

    public let blockSize: Int

    private let stream: UnsafeMutablePointer<bz_stream>
    private let output = OutputBuffer()
    private var input = PendingInput()
    private var outputPending = false
    private var done = false

    /// Creates an encoder (`BZ2_bzCompressInit` with the default work factor).
    ///
    /// - Parameter blockSize: 1 to 9 (× 100 kB); 9 is bzip2's default.
    /// - Throws: `VFSError(.invalidArgument)` for a block size outside 1...9; `VFSError(.io)`
    ///   when libbz2 cannot initialise.
    public init(blockSize: Int = Bzip2Encoder.defaultBlockSize) throws {
        guard Self.blockSizes.contains(blockSize) else {
            throw VFSError.invalid("bzip2 block size \(blockSize) is out of range",
                                   remedy: "use a level from 1 (fastest) to 9 (smallest)")
        }
        let stream = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        let rc = BZ2_bzCompressInit(stream, Int32(blockSize), 0, 0)
        guard rc == BZ_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw BZip2Error(code: rc).toVFSError(path: nil)
        }
        self.blockSize = blockSize
        self.stream = stream
    }

    deinit {
        BZ2_bzCompressEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func push(_ input: [UInt8]) {
        self.input.replace(with: input)
    }

    public func pushEnd() {
        input.ended = true
    }

    /// Compresses until there is output, more input is needed, or the stream is complete.
    ///
    /// - Throws: `VFSError(.io)` when libbz2 reports a sequence or parameter error.
    public func pull() throws -> TransformStep {
        while !done {
            let hadInput = input.remaining > 0
            if !hadInput && !outputPending && !input.ended { return .needsInput }
            let action = input.ended ? BZ_FINISH : BZ_RUN
            let (rc, produced) = compressOnce(action: action)
            switch rc {
            case BZ_RUN_OK, BZ_FINISH_OK:
                break
            case BZ_STREAM_END:
                done = true
            case BZ_PARAM_ERROR where action == BZ_RUN && !hadInput:
                // libbz2 answers a BZ_RUN call that had nothing to do with BZ_PARAM_ERROR; it
                // happens when the previous call filled the output buffer exactly.
                outputPending = false
                return .needsInput
            default:
                done = true
                throw BZip2Error(code: rc).toVFSError(path: nil)
            }
            if produced > 0 { return .output(output.bytes(produced)) }
            if !input.ended && input.remaining == 0 && !outputPending { return .needsInput }
        }
        return .finished
    }

    private func compressOnce(action: Int32) -> (rc: Int32, produced: Int) {
        let stream = self.stream
        let output = self.output
        var rc = BZ_OK
        input.consume { pointer, count in
            stream.pointee.next_in = pointer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            stream.pointee.avail_in = count
            stream.pointee.next_out = UnsafeMutableRawPointer(output.pointer).assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(output.capacity)
            rc = BZ2_bzCompress(stream, action)
            let consumed = Int(count - stream.pointee.avail_in)
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            return consumed
        }
        let produced = output.capacity - Int(stream.pointee.avail_out)
        outputPending = stream.pointee.avail_out == 0
        stream.pointee.next_out = nil
        stream.pointee.avail_out = 0
        return (rc, produced)
    }
}
