import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension S3FileSystem {
    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        let shown = display(path)
        guard path.depth >= 2 else {
            throw VFSError(.isADirectory, "a bucket is a directory, not a file", path: shown,
                           remedy: "list it with `dctc ls`", backend: "s3")
        }
        let (bucket, key) = location(path)
        do {
            if let range, range.length == 0 {
                _ = try await info(path)
                return .empty
            }
            let start = range?.offset ?? 0
            let wantedEnd = range?.length.map { start + $0 }
            let chunk = Int64(max(1, configuration.downloadChunkSize))
            // A bounded range no larger than a chunk of parallel streams (`MultiThreadDownloads`,
            // which reads one file as several such ranges at once) is one GET: those streams
            // are the parallelism, and each would otherwise hold chunk buffers of its own.
            let oneStream = range?.length.map { $0 <= MultiThreadDownloads.maximumChunkSize } ?? false
            let parallel = configuration.downloadConcurrency > 1 && !oneStream
            var op = S3Operation("GET", bucket: bucket, key: key, idempotent: true, display: shown)
            // With parallel reads the first GET asks for the first chunk only; its
            // Content-Range tells how much follows.
            op.range = parallel ? ByteRange(offset: start, length: min(chunk, (wantedEnd ?? Int64.max) - start)) : range
            let r: CurlResponse
            do {
                r = try await transport.send(op)
            } catch let e as S3ServiceError where e.code == "InvalidRange" || e.status == 416 {
                return .empty  // the range starts at or after the end (or the object is empty)
            } catch let e as S3ServiceError where e.status == 404 && e.code != "NoSuchBucket" {
                if try await prefixExists(bucket: bucket, prefix: key + "/", display: shown) {
                    throw VFSError(.isADirectory, "is a directory", path: shown, remedy: "use -r for directories", backend: "s3")
                }
                throw e
            }
            // A whole object is checked against the MD5 its headers promise (md5chksum, or a
            // single-part ETag); a mismatch fails the read at its end.
            let promised = range == nil ? knownContentMD5(r.headers) : nil
            func checked(_ stream: ByteStream) throws -> ByteStream {
                guard let promised else { return stream }
                return ByteStream(try S3VerifyingBody(stream, md5: promised, display: shown))
            }
            // Some servers ignore Range (200, whole body) or answer 200 with Content-Range and
            // the partial body (rclone serve s3 1.75): trust Content-Range, not the status.
            let contentRange = r.headers["Content-Range"].flatMap(parseContentRange)
            // A body cut off midway resumes from the last byte received (S3DownloadResume.swift).
            guard r.status == 206 || contentRange != nil else {
                return try checked(resuming(ByteStream(S3BodySource(upstream: r.body, skip: start, limit: range?.length, display: shown)),
                                            bucket: bucket, key: key, etag: r.headers["ETag"], offset: start, end: wantedEnd, display: shown))
            }
            let body = resuming(ByteStream(S3BodySource(upstream: r.body, skip: 0, limit: nil, display: shown)),
                                bucket: bucket, key: key, etag: r.headers["ETag"], offset: start,
                                end: contentRange.map { $0.last + 1 } ?? wantedEnd, display: shown)
            guard parallel else { return try checked(body) }
            guard let cr = contentRange, let total = cr.total, cr.first == start else {
                // A partial answer that does not say what it holds: ask again for what was asked.
                await r.body.cancel()
                var plain = S3Operation("GET", bucket: bucket, key: key, idempotent: true, display: shown)
                plain.range = range
                let again = try await transport.send(plain)
                let partial = again.status == 206 || again.headers["Content-Range"] != nil
                return try checked(ByteStream(S3BodySource(upstream: again.body, skip: partial ? 0 : start,
                                                           limit: partial ? nil : range?.length, display: shown)))
            }
            let end = min(total, wantedEnd ?? total)
            guard cr.last + 1 < end else { return try checked(body) }
            let etag = r.headers["ETag"]
            let ifMatch: [(String, String)] = etag.map { [("If-Match", $0)] } ?? []
            let transport = self.transport
            return try checked(ByteStream(S3ParallelBody(
                first: body, from: cr.last + 1, end: end, chunkSize: chunk,
                concurrency: configuration.downloadConcurrency, display: shown
            ) { offset, length, buffer in
                var get = S3Operation("GET", bucket: bucket, key: key, headers: ifMatch, idempotent: true, display: shown)
                get.range = ByteRange(offset: offset, length: length)
                let response = try await transport.collect(get, into: buffer, limit: Int(length))
                // Servers that ignore If-Match (rclone serve s3) still say which version they sent.
                if let etag, let got = response.headers["ETag"], S3XML.unquote(got) != S3XML.unquote(etag) {
                    throw VFSError(.io, "the object changed while it was being read (ETag \(S3XML.unquote(etag)) became \(S3XML.unquote(got)))",
                                   path: shown, remedy: "run the command again", backend: "s3")
                }
                guard Int64(buffer.bytes.count) == length else {
                    throw VFSError(.unavailable, "the server sent \(buffer.bytes.count) of the \(length) bytes asked for at offset \(offset)",
                                   path: shown, remedy: "run the command again", backend: "s3", retryable: true)
                }
            }))
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

}
