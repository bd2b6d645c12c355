import DCTCCore
import Foundation

/// Response header fields in arrival order, looked up without regard to case.
public struct CurlHeaders: Sendable, Sequence, CustomStringConvertible {
    public typealias Element = (name: String, value: String)
    public private(set) var fields: [Element] = []

    public init(_ fields: [Element] = []) { self.fields = fields }

    /// The first value of `name` (`headers["content-length"]`), or nil.
    public subscript(name: String) -> String? {
        let key = name.lowercased()
        return fields.first(where: { $0.name.lowercased() == key })?.value
    }

    /// Every value of `name`, in order (`Set-Cookie`, repeated `x-amz-meta-*` lines).
    public func values(for name: String) -> [String] {
        let key = name.lowercased()
        return fields.filter { $0.name.lowercased() == key }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }

    mutating func append(name: String, value: String) { fields.append((name, value)) }

    /// Appends an obsolete folded continuation line to the last field's value.
    mutating func continueLast(_ more: String) {
        guard let last = fields.popLast() else { return }
        fields.append((last.name, last.value + " " + more))
    }
}

/// The answer to a `CurlRequest`: status and headers as soon as they arrive, and the body as a
/// stream that the transfer fills while the caller reads it.
///
/// The body is bounded: the transfer waits while the caller does not read, so a response
/// holds about a megabyte whatever the file size. Read the body to the end, or cancel it
/// (`await response.body.cancel()`); a response that is simply dropped cancels its transfer
/// too, and the worker becomes free again.
public struct CurlResponse: Sendable {
    /// The HTTP status (`200`), or the last FTP reply code, or 0 for `file://`.
    public let status: Int
    public let headers: CurlHeaders
    /// Every line of the final header block as received, status line included. For FTP these
    /// are the server's control-connection replies (`213 20240101120000`), which is how the
    /// results of `ftpCommands` are read.
    public let serverLines: [String]
    /// The URL of the final response (after redirects), without credentials.
    public let effectiveURL: String
    /// The announced body size (`Content-Length`, FTP `SIZE`, file size), if known.
    public let contentLength: Int64?
    /// The modification time, when `CurlRequest.fetchFileTime` was set and the server told.
    public let fileTime: Date?
    /// The body, streamed from the transfer. Single consumer.
    public let body: ByteStream

    public init(status: Int, headers: CurlHeaders, serverLines: [String] = [], effectiveURL: String,
                contentLength: Int64? = nil, fileTime: Date? = nil, body: ByteStream) {
        self.status = status
        self.headers = headers
        self.serverLines = serverLines
        self.effectiveURL = effectiveURL
        self.contentLength = contentLength
        self.fileTime = fileTime
        self.body = body
    }

    public var httpStatus: HTTPStatus { HTTPStatus(status) }

    /// Returns the response when its status is 2xx; otherwise reads up to 4 KiB of the body
    /// (kept as the error's cause, e.g. an S3 XML error), cancels the rest and throws.
    ///
    /// - Parameter path: the address to name in the error, as the user would type it.
    /// - Throws: the `VFSError` from `HTTPStatus.toVFSError(path:serverMessage:)`.
    public func requireSuccess(path: String) async throws -> CurlResponse {
        if httpStatus.isSuccess { return self }
        var snippet: [UInt8] = []
        do {
            for try await chunk in body {
                snippet.append(contentsOf: chunk.prefix(4096 - snippet.count))
                if snippet.count >= 4096 { break }
            }
        } catch {
            // The status is what matters; a broken error body changes nothing.
        }
        await body.cancel()
        let text = String(decoding: snippet, as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
        var error = httpStatus.toVFSError(path: path, serverMessage: text.isEmpty ? nil : String(text.prefix(500)))
        if error.isRetryable { error.retryAfter = HTTPStatus.retryAfter(headers["Retry-After"]) }
        throw error
    }
}
