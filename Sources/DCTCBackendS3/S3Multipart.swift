import DCTCCore
import DCTCDigest
import Foundation

/// A part stored by the server: its number, the ETag it returned, and the MD5 of the bytes sent.
struct S3UploadedPart: Sendable, Equatable {
    var number: Int
    var etag: String
    var md5: String
}

/// The result of creating an object (PUT, multipart upload or copy).
struct S3WriteResult: Sendable {
    var etag: String?
    var versionId: String?
}

/// Multipart uploads and copies of one object: `CreateMultipartUpload`, `UploadPart` (parts
/// sent in parallel, a bounded number at once), `UploadPartCopy`, `CompleteMultipartUpload`,
/// and `AbortMultipartUpload` on any failure, so no orphan parts stay behind (and keep costing
/// storage) after an error or a cancellation.
///
/// Part sizes: S3 allows 10,000 parts of 5 MiB to 5 GiB. The first part size is the
/// configured one, raised so that 10,000 parts cover the expected size; then it doubles every
/// 900 parts, so that content of unknown size (or larger than announced) still fits: from
/// 5 MiB parts, 10,000 parts hold more than 5 TiB, S3's object limit.
struct S3MultipartUpload: Sendable {
    let transport: S3Transport
    let bucket: String
    let key: String
    let display: String

    static let minPartSize = 5 * 1024 * 1024
    static let maxPartSize = 5 * 1024 * 1024 * 1024
    static let maxParts = 10_000
    static let maxObjectSize: Int64 = 5 * 1024 * 1024 * 1024 * 1024

    /// The size of the first parts: the configured size, at least 5 MiB, and large enough that
    /// 10,000 parts hold `expectedSize` (rounded up to a whole MiB).
    static func basePartSize(configured: Int, expectedSize: Int64?) -> Int {
        var size = max(minPartSize, configured)
        if let expectedSize {
            let needed = (expectedSize + Int64(maxParts) - 1) / Int64(maxParts)
            let mib: Int64 = 1024 * 1024
            size = max(size, Int((needed + mib - 1) / mib * mib))
        }
        return min(size, maxPartSize)
    }

    /// The size of part `number` (1-based): the base size doubled every 900 parts.
    static func partSize(number: Int, base: Int) -> Int {
        let doublings = min(20, (number - 1) / 900)
        return min(maxPartSize, base << doublings)
    }

    /// How many parts `size` bytes take from a base part size (bounded: at most `maxParts`).
    static func partCount(size: Int64, base: Int) -> Int {
        var left = size, count = 0
        while left > 0, count < maxParts {
            count += 1
            left -= Int64(partSize(number: count, base: base))
        }
        return max(count, 1)
    }

    /// The lengths of the parts `size` bytes are sent in (nil when more than `maxParts`).
    static func partSizes(size: Int64, base: Int) -> [Int64]? {
        var sizes: [Int64] = []
        var left = size
        while left > 0 {
            guard sizes.count < maxParts else { return nil }
            let n = min(left, Int64(partSize(number: sizes.count + 1, base: base)))
            sizes.append(n)
            left -= n
        }
        return sizes
    }

    // MARK: - Upload

    /// Uploads the content `reader` delivers (the first part already read) in parts of the
    /// upload `uploadId` (created by the caller, or an interrupted one being resumed), then
    /// completes it, or aborts it when anything fails, including `verify`.
    ///
    /// - Parameters:
    ///   - uploadId: from `create(headers:)`, or a resumed upload's.
    ///   - existing: parts already stored (resuming): a part whose size and MD5 equal the
    ///     local part's is not sent again.
    ///   - keepOnInterruption: leave the upload in place (for a later resume) when the failure
    ///     is an interruption (cancellation, network, server), not a verification failure.
    ///   - reader: the content source; parts are read from it in order.
    ///   - firstPart: bytes already read for part 1.
    ///   - basePartSize: from `basePartSize(configured:expectedSize:)`.
    ///   - concurrency: parts in flight at once.
    ///   - partChecksums: send each part's `Content-MD5`.
    ///   - knownPartMD5s: the parts' MD5s, computed before the upload from the same read as the
    ///     whole MD5: the parts are not hashed again, and a part that does not match fails
    ///     the upload (the source changed meanwhile).
    ///   - verify: called once the content has ended, before completing; throwing aborts. It
    ///     returns the whole content's MD5 when known (to check a plain-MD5 ETag).
    /// - Returns: the new object's ETag and version.
    /// - Throws: the first failure (the upload is aborted by then, unless kept).
    func upload(uploadId: String, existing: [Int: S3StoredPart] = [:], keepOnInterruption: Bool = false,
                reader: S3PartReader, firstPart: consuming [UInt8], basePartSize: Int, concurrency: Int, partChecksums: Bool,
                knownPartMD5s: [String]? = nil, verify: () async throws -> String?) async throws -> S3WriteResult {
        let parts: [S3UploadedPart]
        let wholeMD5: String?
        do {
            parts = try await uploadParts(uploadId: uploadId, reader: reader, firstPart: consume firstPart,
                                          basePartSize: basePartSize, concurrency: concurrency,
                                          partChecksums: partChecksums, existing: existing, known: knownPartMD5s)
            wholeMD5 = try await verify()
        } catch {
            await reader.cancel()
            if !(keepOnInterruption && S3MultipartUpload.isInterruption(error)) { await abort(uploadId: uploadId) }
            throw error
        }
        let result: S3WriteResult
        do {
            result = try await complete(uploadId: uploadId, parts: parts.map { ($0.number, $0.etag) })
        } catch {
            if !(keepOnInterruption && S3MultipartUpload.isInterruption(error)) { await abort(uploadId: uploadId) }
            throw error
        }
        do {
            try S3MultipartUpload.checkCompletedETag(result.etag, parts: parts, wholeMD5: wholeMD5, display: display)
        } catch {
            // The server assembled something else than what was sent: take it away again.
            await deleteObject()
            throw error
        }
        return result
    }

    /// True for failures after which an upload is worth resuming: cancellation (Ctrl-C),
    /// broken connections and server trouble; false for content that did not verify.
    static func isInterruption(_ error: any Error) -> Bool {
        if error is CancellationError { return true }
        if let e = error as? VFSError {
            return e.code != .checksumMismatch && e.code != .invalidArgument && e.code != .corruptData
        }
        if let e = error as? S3ServiceError { return e.status >= 500 || e.status == 0 }
        return true
    }

    /// The ETag S3 gives a multipart object: the MD5 of the parts' binary MD5s, `-`, the
    /// number of parts (for objects without SSE-KMS/SSE-C).
    static func multipartETag(partMD5s: [String]) throws -> String {
        let digest = try Digest(.md5)
        for hex in partMD5s { digest.update(S3Crypto.bytes(fromHex: hex)) }
        return digest.finalize() + "-\(partMD5s.count)"
    }

    /// Checks a completed upload's ETag: `MD5-of-part-MD5s-N` (AWS, moto, MinIO) against the
    /// parts sent, or a plain MD5 (rclone serve s3, some gateways) against the whole
    /// content's MD5 when it is known. Other shapes (encrypted objects) are not checked.
    ///
    /// - Throws: `.checksumMismatch` when the ETag shows other content.
    static func checkCompletedETag(_ etag: String?, parts: [S3UploadedPart], wholeMD5: String?, display: String) throws {
        guard let etag = etag.map({ S3XML.unquote($0).lowercased() }) else { return }
        let pieces = etag.split(separator: "-", omittingEmptySubsequences: false)
        let expected: String
        if pieces.count == 2, S3Crypto.isMD5Hex(String(pieces[0])), Int(pieces[1]) != nil,
           parts.allSatisfy({ S3Crypto.isMD5Hex($0.md5) }) {
            expected = try multipartETag(partMD5s: parts.map(\.md5))
        } else if S3Crypto.isMD5Hex(etag), let wholeMD5, S3Crypto.isMD5Hex(wholeMD5) {
            expected = wholeMD5.lowercased()
        } else {
            return
        }
        guard etag == expected else {
            throw VFSError(.checksumMismatch,
                           "the server assembled different content: its ETag \(etag) is not \(expected), computed from the \(parts.count) parts sent",
                           path: display, remedy: "run the command again; check the network path to the server", backend: "s3")
        }
    }

    /// Reads parts and uploads them, at most `concurrency` at once (each holds its bytes).
    ///
    /// Memory: `concurrency` parts in flight, the one being filled, and one finished part's
    /// buffer waiting to be refilled. Buffers are refilled rather than freed, so the allocator
    /// is not asked for (and does not keep around) a fresh multi-megabyte block per part.
    private func uploadParts(uploadId: String, reader: S3PartReader, firstPart: consuming [UInt8], basePartSize: Int,
                             concurrency: Int, partChecksums: Bool, existing: [Int: S3StoredPart],
                             known: [String]?) async throws -> [S3UploadedPart] {
        var first = consume firstPart
        return try await withThrowingTaskGroup(of: (S3UploadedPart, [UInt8]).self) { group in
            var etags: [S3UploadedPart] = []
            var spare: [[UInt8]] = []
            var inFlight = 0
            var number = 1
            var part: [UInt8] = []
            swap(&part, &first)
            while true {
                let size = S3MultipartUpload.partSize(number: number, base: basePartSize)
                if part.count < size && !reader.ended {
                    try await reader.fill(&part, upTo: size)
                }
                if part.isEmpty && number > 1 { break }
                guard number <= S3MultipartUpload.maxParts else {
                    throw VFSError(.invalidArgument, "the content is too large for one S3 object (more than 10,000 parts)",
                                   path: display, remedy: "S3 objects are at most 5 TiB", backend: "s3")
                }
                if let known, number > known.count {
                    throw S3MultipartUpload.changedWhileSent(display: display, what: "it has grown past the \(known.count) parts hashed before the upload")
                }
                if inFlight >= max(1, concurrency), let (done, buffer) = try await group.next() {
                    etags.append(done)
                    spare.append(buffer)
                    inFlight -= 1
                }
                let bytes = part
                let n = number
                let knownMD5 = known?[n - 1]
                group.addTask {
                    let done = try await self.uploadPart(uploadId: uploadId, number: n, bytes: bytes, checksum: partChecksums,
                                                         stored: existing[n], known: knownMD5)
                    return (done, bytes)
                }
                inFlight += 1
                number += 1
                if reader.ended { break }
                // A buffer is refilled only when a newer one came back since: by then the
                // transfer that sent it has surely let go of it, so it is refilled in place
                // (no copy on write). Hence `concurrency + 2` buffers at most.
                if spare.count >= 2 {
                    part = spare.removeFirst()
                    part.removeAll(keepingCapacity: true)
                } else {
                    part = []
                }
            }
            for try await (done, _) in group { etags.append(done) }
            return etags.sorted { $0.number < $1.number }
        }
    }

    /// `POST /BUCKET/KEY?uploads`.
    /// - Returns: the upload id.
    func create(headers: [(String, String)]) async throws -> String {
        var h = headers
        if !h.contains(where: { $0.0.lowercased() == "content-type" }) { h.append(("Content-Type", "application/octet-stream")) }
        let (_, body) = try await transport.sendCollecting(
            S3Operation("POST", bucket: bucket, key: key, query: [("uploads", nil)], headers: h, idempotent: false, display: display))
        let root = try S3XML.parse(body, display: display)
        guard root.name != "Error" else {
            throw S3ServiceError(status: 200, body: body, headers: .init(), method: "POST", bucket: bucket, display: display)
        }
        guard let id = root["UploadId"], !id.isEmpty else {
            throw VFSError(.io, "the server did not return a multipart upload id", path: display,
                           remedy: "check that the endpoint is an S3 server", backend: "s3")
        }
        return id
    }

    /// Times a part is sent again when the server shows it received other bytes (`BadDigest`,
    /// or a part ETag that is not the part's MD5).
    static let corruptPartAttempts = 3

    /// `PUT /BUCKET/KEY?partNumber=N&uploadId=ID` with the part's bytes (retried on failure).
    ///
    /// The part's MD5 is always computed (in this part's task, so it overlaps the sending of
    /// the parts before it): it is sent as `Content-MD5` when `checksum` is set, so the server
    /// rejects damaged bytes with `BadDigest`, and it is compared with the part ETag the
    /// server returns (S3's part ETag is the part's MD5), which catches damage on servers that
    /// do not check `Content-MD5`. Either way the part is sent again, up to
    /// `corruptPartAttempts` times.
    /// - Returns: the part's number, ETag (as the server sent it) and MD5.
    ///
    /// With `known` (the part's MD5 from the read before the upload) the part is not hashed;
    /// when the server shows other bytes, the part is hashed once to tell damage on the way
    /// (sent again) from a source that changed since it was hashed (the upload fails).
    func uploadPart(uploadId: String, number: Int, bytes: [UInt8], checksum: Bool,
                    stored: S3StoredPart? = nil, known: String? = nil) async throws -> S3UploadedPart {
        let md5 = try known ?? Digest.hash(bytes, kind: .md5)
        var checkedLocally = known == nil
        /// Fails when the part's bytes are not those hashed before the upload.
        func checkUnchanged() throws {
            guard !checkedLocally else { return }
            checkedLocally = true
            if try Digest.hash(bytes, kind: .md5) != md5 {
                throw S3MultipartUpload.changedWhileSent(display: display, what: "part \(number) is not what was hashed before the upload")
            }
        }
        if let stored, stored.size == Int64(bytes.count), stored.etag.lowercased() == md5 {
            // Resuming: the server already holds exactly these bytes for this part.
            return S3UploadedPart(number: number, etag: "\"\(md5)\"", md5: md5)
        }
        var headers: [(String, String)] = []
        if checksum { headers.append(("Content-MD5", S3Crypto.base64(fromHex: md5))) }
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let etag: String
            do {
                let response = try await transport.send(S3Operation(
                    "PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadId)],
                    headers: headers, body: .bytes(bytes, hashed: false), idempotent: true, display: display))
                // Read the (empty) answer to its end: the transfer is then over and lets go of `bytes`.
                _ = await S3Transport.prefix(of: response.body, limit: 64 * 1024)
                guard let e = response.headers["ETag"], !e.isEmpty else {
                    throw VFSError(.io, "the server did not return an ETag for part \(number)", path: display,
                                   remedy: "retry; check that the endpoint is an S3 server", backend: "s3")
                }
                etag = e
            } catch let e as S3ServiceError where (e.code == "BadDigest" || e.code == "InvalidDigest") && attempt < S3MultipartUpload.corruptPartAttempts {
                try checkUnchanged()
                attempt += 1
                continue
            }
            let plain = S3XML.unquote(etag).lowercased()
            if S3Crypto.isMD5Hex(plain), plain != md5 {
                try checkUnchanged()
                guard attempt < S3MultipartUpload.corruptPartAttempts else {
                    throw VFSError(.checksumMismatch,
                                   "the server stored other bytes for part \(number): its ETag \(plain) is not the part's MD5 \(md5)",
                                   path: display, remedy: "run the command again; check the network path to the server", backend: "s3")
                }
                attempt += 1
                continue
            }
            return S3UploadedPart(number: number, etag: etag, md5: md5)
        }
    }

    /// The failure of an upload whose source is not the content hashed before it began.
    static func changedWhileSent(display: String, what: String) -> VFSError {
        VFSError(.checksumMismatch, "the source changed while it was uploaded: \(what)", path: display,
                 remedy: "run the command again once nothing writes the source file", backend: "s3")
    }

    /// `DELETE /BUCKET/KEY` (after a completed upload turned out wrong), in a task of its own.
    func deleteObject() async {
        let op = S3Operation("DELETE", bucket: bucket, key: key, idempotent: true, display: display)
        let transport = self.transport
        let task = Task {
            if let response = try? await transport.send(op) { await response.body.cancel() }
        }
        await task.value
    }

    /// `PUT …?partNumber=N&uploadId=ID` with `x-amz-copy-source-range`: a part copied on the
    /// server from `source`.
    /// - Returns: the part's ETag.
    func copyPart(uploadId: String, number: Int, source: String, range: ClosedRange<Int64>) async throws -> String {
        let (_, body) = try await transport.sendCollecting(S3Operation(
            "PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadId)],
            headers: [("x-amz-copy-source", source), ("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound)")],
            idempotent: true, display: display))
        let root = try S3XML.parse(body, display: display)
        guard root.name != "Error" else {
            throw S3ServiceError(status: 200, body: body, headers: .init(), method: "PUT", bucket: bucket, display: display)
        }
        guard let etag = root["ETag"] else {
            throw VFSError(.io, "the server did not return an ETag for copied part \(number)", path: display,
                           remedy: "retry", backend: "s3")
        }
        return etag
    }

    /// Copies `size` bytes of `source` (`/bucket/encoded-key`) into this object in parts of
    /// at least 512 MiB, at most `concurrency` at once; aborts on failure.
    func copy(source: String, size: Int64, concurrency: Int, headers: [(String, String)]) async throws -> S3WriteResult {
        let uploadId = try await create(headers: headers)
        do {
            let partSize = Int64(max(512 * 1024 * 1024, S3MultipartUpload.basePartSize(configured: 0, expectedSize: size)))
            let ranges = stride(from: Int64(0), to: size, by: Int(partSize)).map { $0...(min(size, $0 + partSize) - 1) }
            let parts = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var etags: [(Int, String)] = []
                var inFlight = 0
                for (i, range) in ranges.enumerated() {
                    if inFlight >= max(1, concurrency), let done = try await group.next() {
                        etags.append(done)
                        inFlight -= 1
                    }
                    group.addTask { (i + 1, try await self.copyPart(uploadId: uploadId, number: i + 1, source: source, range: range)) }
                    inFlight += 1
                }
                for try await done in group { etags.append(done) }
                return etags.sorted { $0.0 < $1.0 }
            }
            return try await complete(uploadId: uploadId, parts: parts)
        } catch {
            await abort(uploadId: uploadId)
            throw error
        }
    }

    /// `POST /BUCKET/KEY?uploadId=ID` with the part list. A `200 OK` whose body is an
    /// `<Error>` (S3 sends those when completing takes long) is a failure.
    func complete(uploadId: String, parts: [(Int, String)]) async throws -> S3WriteResult {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (number, etag) in parts {
            xml += "<Part><PartNumber>\(number)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let (response, body) = try await transport.sendCollecting(S3Operation(
            "POST", bucket: bucket, key: key, query: [("uploadId", uploadId)],
            headers: [("Content-Type", "application/xml")], body: .bytes(Array(xml.utf8), hashed: true),
            idempotent: true, display: display))
        let root = try S3XML.parse(body, display: display)
        guard root.name != "Error" else {
            throw S3ServiceError(status: 200, body: body, headers: response.headers, method: "POST", bucket: bucket, display: display)
        }
        return S3WriteResult(etag: (root["ETag"] ?? response.headers["ETag"]).map(S3XML.unquote),
                             versionId: response.headers["x-amz-version-id"])
    }

    /// `DELETE /BUCKET/KEY?uploadId=ID`, retried, in a task of its own so that it still runs
    /// when the writing task was cancelled. Failures are ignored: the error that caused the
    /// abort is the one to report (a lifecycle rule cleans up what an abort could not).
    func abort(uploadId: String) async {
        let op = S3Operation("DELETE", bucket: bucket, key: key, query: [("uploadId", uploadId)], idempotent: true, display: display)
        let transport = self.transport
        let task = Task {
            if let response = try? await transport.send(op) { await response.body.cancel() }
        }
        await task.value
    }
}
