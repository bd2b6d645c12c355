import DCTCCore
import DCTCCurl
import Foundation

extension S3FileSystem {
    /// `body` (the answer of a GET for `bucket`/`key` from object offset `offset`) made to resume
    /// from the last byte received after a cut, up to object offset `end`.
    func resuming(_ body: ByteStream, bucket: String, key: String, etag: String?, offset: Int64, end: Int64?,
                  display shown: String) -> ByteStream {
        let transport = self.transport
        let ifMatch: [(String, String)] = etag.map { [("If-Match", $0)] } ?? []
        return ByteStream(ResumingSource(first: body, offset: offset, end: end, policy: transport.retryPolicy,
                                         convert: { s3VFSError($0, display: shown) }) { from, length in
            var get = S3Operation("GET", bucket: bucket, key: key, headers: ifMatch, idempotent: true, display: shown)
            get.range = ByteRange(offset: from, length: length)
            let r = try await transport.send(get)
            let partial = r.status == 206 || r.headers["Content-Range"] != nil
            if partial, let cr = r.headers["Content-Range"].flatMap(parseContentRange), cr.first != from {
                await r.body.cancel()
                throw VFSError(.unavailable, "the server resumed the download at the wrong offset", path: shown,
                               remedy: "run the command again", backend: "s3", retryable: true)
            }
            return ByteStream(S3BodySource(upstream: r.body, skip: partial ? 0 : from, limit: partial ? nil : length,
                                           display: shown))
        })
    }
}
