import CDCTCBZip2
import DCTCCore

/// Decodes bzip2 data with libbz2's `BZ2_bzDecompress`, every stream of it.
///
/// Concatenated streams (what `pbzip2` writes, or `cat a.bz2 b.bz2`) decode to all their
/// contents, as with `bzip2 -d`. Anything after the last stream that is not another stream is
/// an error, as are damaged and truncated streams: this decoder never passes raw bytes
/// through. Empty input decodes to empty output.
///
/// The `bz_stream` and the output buffer are allocated once (libbz2 keeps a pointer back to
/// the stream, so it must never move) and freed in `deinit`. Output comes out in pieces of at
/// most `codecOutputChunkSize` bytes (see `ChunkedByteTransform`).
public final class Bzip2Decoder: ChunkedByteTransform {
    /// The file being decoded, as the user named it (for error messages).
    public let displayPath: String

    private enum State { case stream, betweenStreams, finished }

    private let stream: UnsafeMutablePointer<bz_stream>
    private let output = OutputBuffer()
    private var input = PendingInput()
    private var state = State.stream
    private var outputPending = false
    private var streamsCompleted = 0
    private var streamBytesIn = 0
    /// False after a failed re-initialisation, when there is nothing for `deinit` to end.
    private var live = true

    /// Creates a decoder (`BZ2_bzDecompressInit`, normal memory use).
    ///
    /// - Parameter displayPath: the file name errors will show.
    /// - Throws: `VFSError(.io)` when libbz2 cannot initialise (`BZ_MEM_ERROR`, `BZ_CONFIG_ERROR`).
    public init(displayPath: String) throws {
        let stream = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        let rc = BZ2_bzDecompressInit(stream, 0, 0)
        guard rc == BZ_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw BZip2Error(code: rc).toVFSError(path: displayPath)
        }
        self.displayPath = displayPath
        self.stream = stream
    }

    deinit {
        if live { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func push(_ input: [UInt8]) {
        self.input.replace(with: input)
    }

    public func pushEnd() {
        input.ended = true
    }

    /// Decompresses until there is output, more input is needed, or the data ends.
    ///
    /// - Throws: `VFSError(.corruptData)` naming `displayPath` for damaged, truncated or
    ///   non-bzip2 data and for trailing bytes that do not start another stream.
    public func pull() throws -> TransformStep {
        while true {
            switch state {
            case .finished:
                return .finished

            case .betweenStreams:
                if input.remaining == 0 {
                    guard input.ended else { return .needsInput }
                    state = .finished
                } else {
                    try startNextStream()
                }

            case .stream:
                let hadInput = input.remaining > 0
                if !hadInput && !outputPending {
                    guard input.ended else { return .needsInput }
                    if streamsCompleted == 0 && streamBytesIn == 0 {
                        state = .finished  // empty input: an empty file
                        continue
                    }
                }
                let (rc, produced) = decompressOnce()
                switch rc {
                case BZ_OK:
                    // With no input left and none given, no output means the stream was cut short.
                    if produced == 0 && !hadInput && input.ended { throw fail(.truncated) }
                case BZ_STREAM_END:
                    streamsCompleted += 1
                    outputPending = false
                    state = .betweenStreams
                case BZ_DATA_ERROR_MAGIC:
                    throw fail(streamsCompleted == 0 ? .notBzip2 : .trailingGarbage)
                default:
                    throw fail(BZip2Error(code: rc))
                }
                if produced > 0 { return .output(output.bytes(produced)) }
                if state == .stream && input.remaining == 0 && !outputPending && !input.ended {
                    return .needsInput
                }
            }
        }
    }

    private func decompressOnce() -> (rc: Int32, produced: Int) {
        let stream = self.stream
        let output = self.output
        var rc = BZ_OK
        var consumed = 0
        input.consume { pointer, count in
            stream.pointee.next_in = pointer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            stream.pointee.avail_in = count
            stream.pointee.next_out = UnsafeMutableRawPointer(output.pointer).assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(output.capacity)
            rc = BZ2_bzDecompress(stream)
            consumed = Int(count - stream.pointee.avail_in)
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            return consumed
        }
        streamBytesIn += consumed
        let produced = output.capacity - Int(stream.pointee.avail_out)
        outputPending = stream.pointee.avail_out == 0
        stream.pointee.next_out = nil
        stream.pointee.avail_out = 0
        return (rc, produced)
    }

    /// Ends the finished stream and starts decoding the next one in place.
    private func startNextStream() throws {
        BZ2_bzDecompressEnd(stream)
        stream.pointee = bz_stream()
        let rc = BZ2_bzDecompressInit(stream, 0, 0)
        guard rc == BZ_OK else {
            live = false
            throw fail(BZip2Error(code: rc))
        }
        streamBytesIn = 0
        outputPending = false
        state = .stream
    }

    private func fail(_ error: BZip2Error) -> VFSError {
        state = .finished
        return error.toVFSError(path: displayPath)
    }
}
