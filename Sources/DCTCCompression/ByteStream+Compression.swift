import DCTCCore

extension ByteStream {
    /// Sniffs the codec of this stream without losing any byte.
    ///
    /// Reads chunks until `Codec.magicLength` bytes are in hand (or the stream ends), detects
    /// the codec by magic bytes first and by the extension of `name` second, and returns a
    /// stream that serves the sniffed bytes again followed by the rest.
    /// - Parameter name: the file name the content came from.
    /// - Returns: the codec (nil for plain content) and the whole, intact stream.
    /// - Throws: whatever reading the first chunks throws.
    public func detectingCodec(name: String) async throws -> (codec: Codec?, stream: ByteStream) {
        var head: [UInt8] = []
        do {
            while head.count < Codec.magicLength, let chunk = try await source.next() {
                head.append(contentsOf: chunk)
            }
        } catch {
            await cancel()
            throw error
        }
        return (Codec.detect(magic: head, name: name), prepending(head))
    }

    /// This stream decompressed when it is gzip or bzip2, else unchanged.
    ///
    /// The codec is found as `detectingCodec(name:)` does (magic bytes first, name second). A
    /// zip archive is returned unchanged: callers that care check `Codec.detect` or
    /// `detectingCodec` and read it with `ZipArchiveReader`. Content named `.gz`/`.bz2` whose
    /// bytes are not of that format is not passed through: reading it fails with
    /// `VFSError(.corruptData)`, except that empty content decodes to empty content.
    /// - Parameters:
    ///   - displayPath: the file as the user named it, for error messages.
    ///   - name: the file name whose extension counts when the bytes say nothing.
    /// - Returns: a stream of the decoded bytes; decoding errors (`.corruptData`) surface
    ///   when it is read.
    /// - Throws: whatever reading the first chunk throws; `VFSError(.io)` when the decoder
    ///   cannot initialise.
    public func decompressed(displayPath: String, name: String) async throws -> ByteStream {
        let (codec, stream) = try await detectingCodec(name: name)
        guard let codec, codec.isStream else { return stream }
        do {
            return stream.transformed(chunkedBy: try codec.decoder(displayPath: displayPath))
        } catch {
            await stream.cancel()
            throw error
        }
    }

    /// This stream compressed with a stream codec.
    ///
    /// - Parameters:
    ///   - codec: `.gzip` or `.bzip2`.
    ///   - level: the gzip level or bzip2 block size (1...9); nil for the codec's default.
    /// - Returns: the compressed stream. An invalid level or `.zip` is reported by the first
    ///   read (`VFSError(.invalidArgument)` / `VFSError(.unsupported)`), and the upstream is
    ///   cancelled then.
    public func compressed(with codec: Codec, level: Int? = nil) -> ByteStream {
        do {
            return transformed(chunkedBy: try codec.encoder(level: level))
        } catch {
            return ByteStream(FailedSource(error: error, upstream: self))
        }
    }
}

/// A stream that fails on first read (for errors found while building a stream lazily).
actor FailedSource: ByteSource {
    private let error: any Error
    private let upstream: ByteStream
    private var cancelled = false

    init(error: any Error, upstream: ByteStream) {
        self.error = error
        self.upstream = upstream
    }

    func next() async throws -> [UInt8]? {
        if !cancelled {
            cancelled = true
            await upstream.cancel()
        }
        throw error
    }

    func cancel() async {
        if !cancelled {
            cancelled = true
            await upstream.cancel()
        }
    }
}
