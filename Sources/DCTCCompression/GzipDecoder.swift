import CDCTCZlib
import DCTCCore

/// Decodes gzip data with zlib's `inflate`, every member of it.
///
/// `cat a.gz b.gz > c.gz` decodes to both contents, as with `gzip -d`. Zero bytes after the
/// last member (tape or block padding) are accepted; anything else after it is an error, as
/// are damaged and truncated members: this decoder never passes raw bytes through. Empty
/// input decodes to empty output (an empty `.gz` file is an empty file).
///
/// The `z_stream` and the output buffer are allocated once (zlib keeps pointers into its
/// stream state, so it must never move) and freed in `deinit`. Output comes out in pieces of
/// at most `codecOutputChunkSize` bytes (see `ChunkedByteTransform`).
public final class GzipDecoder: ChunkedByteTransform {
    /// The file being decoded, as the user named it (for error messages).
    public let displayPath: String

    private enum State { case member, betweenMembers, padding, finished }

    private let stream: UnsafeMutablePointer<z_stream>
    /// Filled by zlib while it reads a member header; `done == 1` once the header is complete.
    private let header: UnsafeMutablePointer<gz_header>
    private let output = OutputBuffer()
    private var input = PendingInput()
    private var state = State.member
    /// The last call filled the output buffer, so zlib may have more without new input.
    private var outputPending = false
    private var membersCompleted = 0
    private var memberBytesIn = 0

    /// Creates a decoder (`inflateInit2` with gzip-only window bits).
    ///
    /// - Parameter displayPath: the file name errors will show.
    /// - Throws: `VFSError(.io)` when zlib cannot initialise (`Z_MEM_ERROR`, `Z_VERSION_ERROR`).
    public init(displayPath: String) throws {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let header = UnsafeMutablePointer<gz_header>.allocate(capacity: 1)
        header.initialize(to: gz_header())
        // 15 window bits + 16: accept only the gzip wrapper.
        let rc = CDCTCZlib_inflateInit2(stream, 15 + 16)
        guard rc == Z_OK else {
            let error = ZlibError(code: rc, message: zlibMessage(stream))
            stream.deinitialize(count: 1)
            stream.deallocate()
            header.deinitialize(count: 1)
            header.deallocate()
            throw error.toVFSError(path: displayPath)
        }
        inflateGetHeader(stream, header)
        self.displayPath = displayPath
        self.stream = stream
        self.header = header
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        header.deinitialize(count: 1)
        header.deallocate()
    }

    public func push(_ input: [UInt8]) {
        self.input.replace(with: input)
    }

    public func pushEnd() {
        input.ended = true
    }

    /// Inflates until there is output, more input is needed, or the data ends.
    ///
    /// - Throws: `VFSError(.corruptData)` naming `displayPath` for damaged, truncated or
    ///   non-gzip data and for trailing bytes that are not zero padding.
    public func pull() throws -> TransformStep {
        while true {
            switch state {
            case .finished:
                return .finished

            case .padding:
                if input.remaining > 0 {
                    guard input.unconsumedAreZero else { throw fail(.trailingGarbage) }
                    input.skip(input.remaining)
                }
                guard input.ended else { return .needsInput }
                state = .finished

            case .betweenMembers:
                guard let byte = input.first else {
                    guard input.ended else { return .needsInput }
                    state = .finished
                    continue
                }
                switch byte {
                case 0x1f: try startNextMember()
                case 0: state = .padding
                default: throw fail(.trailingGarbage)
                }

            case .member:
                if input.remaining == 0 && !outputPending {
                    guard input.ended else { return .needsInput }
                    if membersCompleted == 0 && memberBytesIn == 0 {
                        state = .finished  // empty input: an empty file
                        continue
                    }
                }
                let (rc, produced) = inflateOnce()
                switch rc {
                case Z_OK:
                    break
                case Z_STREAM_END:
                    membersCompleted += 1
                    outputPending = false
                    state = .betweenMembers
                case Z_BUF_ERROR:
                    // No progress was possible: fine while more input may come.
                    if input.ended && input.remaining == 0 { throw fail(.truncated) }
                case Z_DATA_ERROR, Z_NEED_DICT:
                    let message = zlibMessage(stream)
                    if header.pointee.done != 1 {
                        throw fail(membersCompleted == 0 ? .notGzip(message) : .trailingGarbage)
                    }
                    throw fail(.dataError(message))
                default:
                    throw fail(ZlibError(code: rc, message: zlibMessage(stream)))
                }
                if produced > 0 { return .output(output.bytes(produced)) }
                if state == .member && input.remaining == 0 && !outputPending && !input.ended {
                    return .needsInput
                }
            }
        }
    }

    /// One `inflate` call over the unconsumed input into the whole output buffer.
    private func inflateOnce() -> (rc: Int32, produced: Int) {
        let stream = self.stream
        let output = self.output
        var rc = Z_OK
        var consumed = 0
        input.consume { pointer, count in
            stream.pointee.next_in = pointer
            stream.pointee.avail_in = count
            stream.pointee.next_out = output.pointer
            stream.pointee.avail_out = UInt32(output.capacity)
            rc = inflate(stream, Z_NO_FLUSH)
            consumed = Int(count - stream.pointee.avail_in)
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
            return consumed
        }
        memberBytesIn += consumed
        let produced = output.capacity - Int(stream.pointee.avail_out)
        outputPending = stream.pointee.avail_out == 0
        stream.pointee.next_out = nil
        stream.pointee.avail_out = 0
        return (rc, produced)
    }

    /// Prepares for another member after the end of one (`inflateReset`).
    private func startNextMember() throws {
        let rc = inflateReset(stream)
        guard rc == Z_OK else { throw fail(ZlibError(code: rc, message: zlibMessage(stream))) }
        inflateGetHeader(stream, header)  // inflateReset forgets the header record
        memberBytesIn = 0
        outputPending = false
        state = .member
    }

    private func fail(_ error: ZlibError) -> VFSError {
        state = .finished
        return error.toVFSError(path: displayPath)
    }
}
