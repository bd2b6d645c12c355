import DCTCCore

/// What a `ChunkedByteTransform` has to say after one step.
public enum TransformStep: Sendable, Equatable {
    /// A piece of output, never empty and never longer than the transform's output chunk size.
    case output([UInt8])
    /// All input given so far is consumed and all its output handed out: supply more input
    /// (or signal the end of it).
    case needsInput
    /// The end of the input was signalled and every byte of output has been handed out.
    case finished
}

/// A `ByteTransform` whose output is drawn in pieces of bounded size.
///
/// `ByteTransform.process` returns all the output one input chunk produces, and a 256 KiB chunk
/// of a highly compressible file inflates to hundreds of megabytes. A chunked transform is
/// instead driven by its consumer: `push` one input chunk, then `pull` until it answers
/// `.needsInput`; at the end `pushEnd` and `pull` until `.finished`. Each `.output` is at most
/// one output buffer (256 KiB for the codecs here), so memory stays constant whatever the ratio.
/// `ByteStream.transformed(chunkedBy:)` drives it this way.
///
/// The `ByteTransform` conformance (derived) still works for small inputs and callers that
/// need the plain protocol.
public protocol ChunkedByteTransform: ByteTransform {
    /// Hands over the next input chunk. Call only after `pull` answered `.needsInput`.
    func push(_ input: [UInt8])
    /// Signals that no more input will come. Call only after `pull` answered `.needsInput`.
    func pushEnd()
    /// Runs the transform until it has a piece of output, needs input, or is finished.
    ///
    /// - Throws: the codec's error (`VFSError(.corruptData, ...)` for damaged input).
    func pull() throws -> TransformStep
}

extension ChunkedByteTransform {
    /// Pushes `input` and collects all the output it yields (unbounded: prefer
    /// `ByteStream.transformed(chunkedBy:)` for streams).
    public func process(_ input: [UInt8]) throws -> [UInt8] {
        push(input)
        return try drainAll()
    }

    /// Signals the end of input and collects the remaining output.
    public func finish() throws -> [UInt8] {
        pushEnd()
        return try drainAll()
    }

    private func drainAll() throws -> [UInt8] {
        var out: [UInt8] = []
        while true {
            switch try pull() {
            case .output(let piece): out.append(contentsOf: piece)
            case .needsInput, .finished: return out
            }
        }
    }
}

extension ByteStream {
    /// This stream passed through a chunked transform (a codec), with output in bounded pieces.
    ///
    /// Unlike `transformed(by:)`, one input chunk that expands enormously is handed out piece by
    /// piece as the consumer pulls, so memory stays bounded by the transform's output buffer.
    /// On an error the upstream producer is cancelled and the error is thrown again on every
    /// later read.
    /// - Parameter transform: a fresh transform; the stream owns it from now on.
    public func transformed(chunkedBy transform: sending any ChunkedByteTransform) -> ByteStream {
        ByteStream(ChunkedTransformSource(upstream: self, transform: transform))
    }

    /// This stream with `head` served before its remaining chunks (used to put back bytes that
    /// were read to sniff the content).
    public func prepending(_ head: [UInt8]) -> ByteStream {
        ByteStream(PrependedSource(head: head, upstream: self))
    }
}

/// Drives a `ChunkedByteTransform` from a pulled upstream.
actor ChunkedTransformSource: ByteSource {
    private let upstream: ByteStream
    private let transform: any ChunkedByteTransform
    private var failure: (any Error)?
    private var inputEnded = false
    private var done = false

    init(upstream: ByteStream, transform: sending any ChunkedByteTransform) {
        self.upstream = upstream
        self.transform = transform
    }

    func next() async throws -> [UInt8]? {
        if let failure { throw failure }
        do {
            while !done {
                switch try transform.pull() {
                case .output(let piece):
                    return piece
                case .finished:
                    done = true
                case .needsInput:
                    if inputEnded {
                        done = true  // a transform that wants input after the end has nothing more
                    } else if let chunk = try await upstream.source.next() {
                        transform.push(chunk)
                    } else {
                        inputEnded = true
                        transform.pushEnd()
                    }
                }
            }
            return nil
        } catch {
            failure = error
            done = true
            await upstream.cancel()
            throw error
        }
    }

    func cancel() async {
        done = true
        await upstream.cancel()
    }
}

/// Serves some bytes already taken from a stream, then the rest of that stream.
actor PrependedSource: ByteSource {
    private var head: [UInt8]?
    private let upstream: ByteStream

    init(head: [UInt8], upstream: ByteStream) {
        self.head = head.isEmpty ? nil : head
        self.upstream = upstream
    }

    func next() async throws -> [UInt8]? {
        if let head {
            self.head = nil
            return head
        }
        return try await upstream.source.next()
    }

    func cancel() async {
        head = nil
        await upstream.cancel()
    }
}
