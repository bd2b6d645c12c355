import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension S3FileSystem: UpfrontHashWanting {
    @discardableResult
    public func write(_ path: VPath, from content: ByteStream, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(path)
        guard path.depth >= 2 else {
            await content.cancel()
            throw VFSError(.isADirectory, "a bucket cannot be written as a file", path: shown,
                           remedy: "write to a key inside the bucket: \(shown)/NAME", backend: "s3")
        }
        let (bucket, key) = location(path)
        let declared = attributes.expectedSize ?? attributes.sizeHint
        let expectedMD5 = attributes.expectedHashes[.md5].map { $0.lowercased() }.flatMap { S3Crypto.isMD5Hex($0) ? $0 : nil }
        do {
            let objectAttributes = try uploadAttributes(attributes, key: key, display: shown)  // metadata, Content-Type, storage class...
            let metadata = try S3Metadata.headers(objectAttributes.attributes.metadata, modificationTime: attributes.modificationTime,
                                                  md5Hex: nil, display: shown) + objectAttributes.headers
            let buffered = min(Int64(configuration.partSize), configuration.multipartThreshold)
            if let declared, declared > buffered, declared <= configuration.multipartThreshold {
                return try await putStreamed(path: path, bucket: bucket, key: key, content: content, size: declared,
                                             attributes: attributes, metadata: metadata, display: shown)
            }
            let base = S3MultipartUpload.basePartSize(configured: configuration.partSize, expectedSize: declared)
            // The part MD5s computed with the whole MD5 before the upload (local sources): each
            // part is sent with its MD5 and checked against it, so nothing is hashed while sending.
            let partMD5s = knownPartMD5s(attributes, expectedMD5: expectedMD5, basePartSize: base)
            // MD5 otherwise always: it checks the assembled object's ETag and is recorded as metadata.
            var streamed = attributes.computeHashes.union(attributes.expectedHashes.keys).union([.md5])
            if partMD5s != nil { streamed.remove(.md5) }
            let reader = try S3PartReader(content, hashing: streamed)
            let first = try await reader.read(upTo: S3MultipartUpload.partSize(number: 1, base: base))
            if reader.ended {
                // It all fits in one part: one PUT whose Content-MD5 the server checks.
                var hashes = await reader.results()
                if hashes[.md5] == nil { hashes[.md5] = try Digest.hash(first, kind: .md5) }
                try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: reader.byteCount,
                                  expected: attributes.expectedHashes, actual: hashes)
                return try await putBuffered(path: path, bucket: bucket, key: key, bytes: first, md5: hashes[.md5] ?? "",
                                             hashes: hashes, attributes: attributes, metadata: metadata, display: shown)
            }
            // Multipart: the MD5 metadata must be given at creation, so only a known one is sent.
            return try await putMultipart(path: path, bucket: bucket, key: key, reader: reader, firstPart: first, basePartSize: base,
                                          expectedMD5: expectedMD5, partMD5s: partMD5s, attributes: objectAttributes.attributes,
                                          objectHeaders: objectAttributes.headers, display: shown)
        } catch {
            await content.cancel()  // the producer stops too (no-op when it was read to the end)
            throw s3VFSError(error, display: shown)
        }
    }

    // MARK: - Writing

    /// How a multipart upload begins: a fresh upload, or the interrupted one of the same content.
    struct MultipartStart {
        var uploadId: String
        var existing: [Int: S3StoredPart] = [:]
        /// The resume record written for it (nil: not resumable).
        var record: S3ResumeRecord?
    }

    /// Resumes the interrupted upload of the same content (size and MD5 known, resuming on)
    /// when dctc recorded one and the server still has it; otherwise aborts a recorded upload
    /// of other content (the source changed), creates a fresh one and records it.
    func startOrResume(_ upload: S3MultipartUpload, headers: [(String, String)], expectedMD5: String?,
                       size: Int64?, basePartSize: Int) async throws -> MultipartStart {
        guard configuration.resumeUploads, let md5 = expectedMD5, let size else {
            return MultipartStart(uploadId: try await upload.create(headers: headers))
        }
        let endpoint = configuration.endpoint.authority + configuration.endpoint.basePath
        let shown = upload.display
        if let old = await S3ResumeRecords.load(endpoint: endpoint, bucket: upload.bucket, key: upload.key) {
            if old.fits(size: size, md5: md5, partSize: basePartSize) {
                do {
                    let parts = try await upload.listParts(uploadId: old.uploadId)
                    let total = S3MultipartUpload.partCount(size: size, base: basePartSize)
                    Detail.info("\(shown): resuming the interrupted upload: \(parts.count) of \(total) parts are on the server already")
                    return MultipartStart(uploadId: old.uploadId, existing: parts, record: old)
                } catch let e as S3ServiceError where e.code == "NoSuchUpload" || e.status == 404 {
                    // Completed or aborted meanwhile: start again.
                    Detail.info("\(shown): the interrupted upload is gone from the server (\(e.code ?? "HTTP \(e.status)")); uploading afresh")
                }
            } else {
                Detail.info("\(shown): the source changed since the interrupted upload; aborting it and uploading afresh")
                await upload.abort(uploadId: old.uploadId)
            }
            await S3ResumeRecords.remove(endpoint: endpoint, bucket: upload.bucket, key: upload.key)
        }
        let id = try await upload.create(headers: headers)
        let record = S3ResumeRecord(endpoint: endpoint, bucket: upload.bucket, key: upload.key, uploadId: id, size: size,
                                    md5: md5, partSize: basePartSize, created: Date().timeIntervalSince1970)
        await S3ResumeRecords.save(record)
        return MultipartStart(uploadId: id, record: record)
    }

    /// The MD5 wanted before a write (`UpfrontHashWanting`): multipart uploads record it as
    /// `x-amz-meta-md5chksum` when they are created.
    public func hashWantedUpfront(for path: VPath, size: Int64?) -> HashKind? {
        guard let size else { return .md5 }
        return size > configuration.multipartThreshold ? .md5 : nil
    }

    /// The part sizes of a multipart upload of `size` bytes, whose MD5s (`Content-MD5`) are
    /// then computed in the same read as the whole MD5 (`UpfrontHashWanting`).
    public func partSizesWantedUpfront(for path: VPath, size: Int64) -> [Int64]? {
        guard size > configuration.multipartThreshold else { return nil }
        return S3MultipartUpload.partSizes(size: size, base: S3MultipartUpload.basePartSize(configured: configuration.partSize,
                                                                                             expectedSize: size))
    }

    /// The part MD5s given with the whole MD5 (`WriteAttributes.expectedPartHashes`), when they
    /// are for the parts this upload will send, and the parts carry `Content-MD5`
    /// (`part_checksums`): the server then checks every part against them, whatever its ETags
    /// look like (without it, an encrypted object's opaque part ETags would check nothing, and
    /// the parts are hashed while they are sent instead).
    func knownPartMD5s(_ attributes: WriteAttributes, expectedMD5: String?, basePartSize: Int) -> [String]? {
        guard configuration.partChecksums, expectedMD5 != nil, let parts = attributes.expectedPartHashes, parts.kind == .md5,
              let size = attributes.expectedSize, parts.sizes == S3MultipartUpload.partSizes(size: size, base: basePartSize),
              parts.digests.count == parts.sizes.count, parts.digests.allSatisfy(S3Crypto.isMD5Hex) else { return nil }
        return parts.digests.map { $0.lowercased() }
    }

    /// A multipart upload: every part carries `Content-MD5` (`partChecksums`) and is checked
    /// against its returned ETag, the assembled object's ETag is checked against the part MD5s,
    /// and the whole-object MD5 is recorded as `x-amz-meta-md5chksum` (rclone's key).
    ///
    /// The MD5 metadata must be given when the upload is created. When the caller knows the
    /// MD5 (`expectedHashes`, filled by the copy engine for local sources, see
    /// `UpfrontHashWanting`) it is set then, and the streamed bytes are verified against it
    /// before the upload completes. Otherwise (a stream of unknown content, another store
    /// without MD5) it is computed while streaming and set afterwards by copying the object
    /// onto itself with replaced metadata (a server-side copy: no bytes travel again).
    func putMultipart(path: VPath, bucket: String, key: String, reader: S3PartReader, firstPart: consuming [UInt8],
                      basePartSize: Int, expectedMD5: String?, partMD5s: [String]? = nil, attributes: WriteAttributes,
                      objectHeaders: [(String, String)], display shown: String) async throws -> FileInfo {
        let createHeaders = try S3Metadata.headers(attributes.metadata, modificationTime: attributes.modificationTime,
                                                   md5Hex: expectedMD5, display: shown) + objectHeaders
        let upload = S3MultipartUpload(transport: transport, bucket: bucket, key: key, display: shown)
        let start = try await startOrResume(upload, headers: createHeaders, expectedMD5: expectedMD5,
                                            size: attributes.expectedSize, basePartSize: basePartSize)
        let result: S3WriteResult
        do {
            result = try await upload.upload(
                uploadId: start.uploadId, existing: start.existing, keepOnInterruption: start.record != nil,
                reader: reader, firstPart: consume firstPart, basePartSize: basePartSize,
                concurrency: min(configuration.uploadConcurrency, configuration.maxConnections),
                partChecksums: configuration.partChecksums, knownPartMD5s: partMD5s
            ) {
                let actual = await reader.results()
                try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: reader.byteCount,
                                  expected: attributes.expectedHashes, actual: actual)
                // Every part matched its MD5 from the same read as the whole MD5: that is the content's.
                return actual[.md5] ?? (partMD5s != nil ? expectedMD5 : nil)
            }
        } catch {
            // An interrupted upload stays recorded (the next run resumes it); one that failed
            // its checks was aborted, and its record goes too.
            if let record = start.record, !S3MultipartUpload.isInterruption(error) {
                await S3ResumeRecords.remove(endpoint: record.endpoint, bucket: bucket, key: key)
            }
            throw error
        }
        if let record = start.record {
            await S3ResumeRecords.remove(endpoint: record.endpoint, bucket: bucket, key: key)
        }
        var hashes = await reader.results()
        if let expectedMD5 { hashes[.md5] = expectedMD5 }
        var meta = attributes.metadata
        if let t = attributes.modificationTime { meta[S3Metadata.mtimeKey] = S3Time.formatEpoch(t) }
        var etag = result.etag
        var version = result.versionId
        if let md5 = hashes[.md5] {
            meta[S3Metadata.md5Key] = S3Crypto.base64(fromHex: md5)
            if expectedMD5 == nil {
                // The copy replaces the metadata: the object's own properties go with it again.
                var again = WriteAttributes(modificationTime: attributes.modificationTime,
                                            metadata: attributes.metadata.merging([S3Metadata.md5Key: S3Crypto.base64(fromHex: md5)]) { _, new in new })
                again.properties = attributes.properties
                let copied = try await copy(from: path, to: path, attributes: again)
                etag = copied.etag
                version = copied.version
            }
        }
        return FileInfo(path: path, kind: .file, size: reader.byteCount,
                        modificationTime: attributes.modificationTime ?? Date(), etag: etag,
                        version: version, hashes: hashes, metadata: meta)
    }

    /// One PUT of content held in memory, with `Content-MD5` so the server verifies it
    /// (retried, since the body can be sent again).
    func putBuffered(path: VPath, bucket: String, key: String, bytes: [UInt8], md5: String,
                             hashes: [HashKind: String], attributes: WriteAttributes,
                             metadata: [(String, String)], display shown: String) async throws -> FileInfo {
        let headers = metadata + [("Content-MD5", S3Crypto.base64(fromHex: md5))]
        let response = try await transport.send(S3Operation("PUT", bucket: bucket, key: key, headers: headers,
                                                            body: .bytes(bytes, hashed: false), idempotent: true, display: shown))
        await response.body.cancel()
        return try writtenInfo(path: path, response: response.headers, size: Int64(bytes.count), hashes: hashes,
                               attributes: attributes, display: shown)
    }

    /// One PUT streaming `size` bytes straight from the source; the MD5 computed on the way
    /// must equal the returned ETag. A mismatch deletes the object again.
    func putStreamed(path: VPath, bucket: String, key: String, content: ByteStream, size: Int64,
                             attributes: WriteAttributes, metadata: [(String, String)], display shown: String) async throws -> FileInfo {
        var headers = metadata
        if let md5 = attributes.expectedHashes[.md5]?.lowercased(), S3Crypto.isMD5Hex(md5) {
            headers.append(("Content-MD5", S3Crypto.base64(fromHex: md5)))  // the server rejects other content
        }
        let kinds = attributes.computeHashes.union(attributes.expectedHashes.keys).union([.md5])
        let source = try HashingSource(content, kinds: kinds)
        let response = try await transport.send(S3Operation("PUT", bucket: bucket, key: key, headers: headers,
                                                            body: .stream(ByteStream(source), size: size),
                                                            idempotent: false, display: shown))
        await response.body.cancel()
        let (hashes, count) = await source.results()
        do {
            try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: count,
                              expected: attributes.expectedHashes, actual: hashes)
            return try writtenInfo(path: path, response: response.headers, size: count, hashes: hashes,
                                   attributes: attributes, display: shown)
        } catch {
            // The server stored content that is not what was meant: take it away again.
            let transport = self.transport
            let cleanup = Task {
                let r = try? await transport.send(S3Operation("DELETE", bucket: bucket, key: key, idempotent: true, display: shown))
                await r?.body.cancel()
            }
            await cleanup.value
            throw error
        }
    }

    /// The info of a freshly written object; checks a single-part ETag against the MD5.
    func writtenInfo(path: VPath, response headers: CurlHeaders, size: Int64, hashes: [HashKind: String],
                             attributes: WriteAttributes, display shown: String) throws -> FileInfo {
        let etag = headers["ETag"].map(S3XML.unquote)
        let encryption = headers["x-amz-server-side-encryption"]?.lowercased() ?? ""
        let opaque = encryption.hasPrefix("aws:kms") || headers["x-amz-server-side-encryption-customer-algorithm"] != nil
        if let etag, let md5 = hashes[.md5], S3Crypto.isMD5Hex(etag), !opaque, etag.lowercased() != md5 {
            throw VFSError(.checksumMismatch, "the server stored different content: its ETag \(etag) is not the MD5 \(md5) of what was sent",
                           path: shown, remedy: "run the command again; check the network path to the server", backend: "s3")
        }
        var metadata = attributes.metadata
        if let t = attributes.modificationTime { metadata[S3Metadata.mtimeKey] = S3Time.formatEpoch(t) }
        return FileInfo(path: path, kind: .file, size: size, modificationTime: attributes.modificationTime ?? Date(),
                        etag: etag, version: headers["x-amz-version-id"], hashes: hashes, metadata: metadata)
    }

}
