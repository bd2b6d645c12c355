/// A native error that knows its `VFSError` (libcurl's `CurlError`, libssh2's `SSH2Error`):
/// `VFSError.wrap` converts it with its own table instead of calling it a generic I/O error.
public protocol VFSErrorConvertible: Error {
    /// The error as a user sees it, naming `path` when given.
    func vfsError(path: String?) -> VFSError
}

/// A download that survives a cut connection: when the body breaks with a transient error
/// (reset, cut, timeout), `reopen` asks again from the last byte received, under the shared
/// `RetryPolicy`. Used by the S3 and HTTP stores for GETs.
public actor ResumingSource: ByteSource {
    /// Opens the rest: the bytes from `offset` (absolute) on, `length` of them (nil: to the end).
    public typealias Reopen = @Sendable (_ offset: Int64, _ length: Int64?) async throws -> ByteStream
    private var current: ByteStream
    private var offset: Int64
    private let end: Int64?
    private var attempts: RetryPolicy.Attempts
    private let convert: @Sendable (any Error) -> VFSError
    private let reopen: Reopen
    private var finished = false

    /// - Parameters:
    ///   - first: the body of the first answer, starting at `offset`.
    ///   - offset: the absolute offset of `first`'s first byte.
    ///   - end: the absolute offset where the wanted bytes end (nil: the end of the file).
    ///   - policy: how often and how long to retry.
    ///   - convert: turns a failure into the `VFSError` the user sees (naming their path).
    ///   - reopen: asks for the rest.
    public init(first: ByteStream, offset: Int64, end: Int64?, policy: RetryPolicy,
                convert: @escaping @Sendable (any Error) -> VFSError, reopen: @escaping Reopen) {
        current = first
        self.offset = offset
        self.end = end
        attempts = RetryPolicy.Attempts(policy)
        self.convert = convert
        self.reopen = reopen
    }

    public func next() async throws -> [UInt8]? {
        while true {
            if finished { return nil }
            if let end, offset >= end {
                finished = true
                await current.cancel()
                return nil
            }
            do {
                guard let chunk = try await current.source.next() else {
                    finished = true
                    return nil
                }
                offset += Int64(chunk.count)
                return chunk
            } catch {
                let e = convert(error)
                guard let wait = attempts.next(after: e) else { throw e }
                await current.cancel()
                try await RetryPolicy.sleep(wait)
                do {
                    current = try await reopen(offset, end.map { $0 - offset })
                } catch let again {
                    // The next pass decides whether this failure is retried too.
                    current = ByteStream(FailingSource(convert(again)))
                }
            }
        }
    }

    public func cancel() async {
        finished = true
        await current.cancel()
    }
}

/// A source that fails with one error.
final class FailingSource: ByteSource {
    let error: VFSError
    init(_ error: VFSError) { self.error = error }
    func next() async throws -> [UInt8]? { throw error }
}
