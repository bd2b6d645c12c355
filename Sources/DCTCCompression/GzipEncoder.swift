import CDCTCZlib
import DCTCCore

/// Encodes data as one gzip member with zlib's `deflate`.
///
/// The output is what `gzip -c` writes (without a file name or time in the header). The
/// `z_stream` and output buffer are allocated once and freed in `deinit`; output comes out in
/// pieces of at most `codecOutputChunkSize` bytes (see `ChunkedByteTransform`).
public final class GzipEncoder: ChunkedByteTransform {
    /// The compression levels gzip accepts: 1 is fastest, 9 smallest.
    public static let levels = 1...9
    /// gzip's default level.
    public static let defaultLevel = 6

    public let level: Int

    private let stream: UnsafeMutablePointer<z_stream>
    private let output = OutputBuffer()
    private var input = PendingInput()
    private var outputPending = false
    private var done = false

    /// Creates an encoder (`deflateInit2` with gzip window bits and memory level 8).
    ///
    /// - Parameter level: 1 (fastest) to 9 (smallest); 6 is gzip's default.
    /// - Throws: `VFSError(.invalidArgument)` for a level outside 1...9; `VFSError(.io)` when
    ///   zlib cannot initialise.
    public init(level: Int = GzipEncoder.defaultLevel) throws {
        guard Self.levels.contains(level) else {
            throw VFSError.invalid("gzip compression level \(level) is out of range",
                                   remedy: "use a level from 1 (fastest) to 9 (smallest)")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 window bits + 16: write the gzip wrapper.
        let rc = CDCTCZlib_deflateInit2(stream, Int32(level), 15 + 16, 8)
        guard rc == Z_OK else {
            let error = ZlibError(code: rc, message: zlibMessage(stream))
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw error.toVFSError(path: nil)
        }
        self.level = level
        self.stream = stream
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func push(_ input: [UInt8]) {
        self.input.replace(with: input)
    }

    public func pushEnd() {
        input.ended = true
    }

    /// Deflates until there is output, more input is needed, or the member is complete.
    ///
    /// - Throws: `VFSError(.io)` when zlib reports an inconsistent stream (`Z_STREAM_ERROR`).
    public func pull() throws -> TransformStep {
        while !done {
            if input.remaining == 0 && !outputPending && !input.ended { return .needsInput }
            let flush = input.ended ? Z_FINISH : Z_NO_FLUSH
            let (rc, produced) = deflateOnce(flush: flush)
            switch rc {
            case Z_OK, Z_BUF_ERROR:  // Z_BUF_ERROR: nothing to do until more input
                break
            case Z_STREAM_END:
                done = true
            default:
                done = true
                throw ZlibError(code: rc, message: zlibMessage(stream)).toVFSError(path: nil)
            }
            if produced > 0 { return .output(output.bytes(produced)) }
            if !input.ended && input.remaining == 0 && !outputPending { return .needsInput }
        }
        return .finished
    }

    private func deflateOnce(flush: Int32) -> (rc: Int32, produced: Int) {
        let stream = self.stream
        let output = self.output
        var rc = Z_OK
        input.consume { pointer, count in
            stream.pointee.next_in = pointer
            stream.pointee.avail_in = count
            stream.pointee.next_out = output.pointer
            stream.pointee.avail_out = UInt32(output.capacity)
            rc = deflate(stream, flush)
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
