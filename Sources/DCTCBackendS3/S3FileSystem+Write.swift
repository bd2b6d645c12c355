import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension S3FileSystem {
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
            let reader = try S3PartReader(content, hashing: attributes.computeHashes.union(attributes.expectedHashes.keys))
            let first = try await reader.read(upTo: S3MultipartUpload.partSize(number: 1, base: base))
            if reader.ended {
                // It all fits in one part: one PUT whose Content-MD5 the server checks.
                var hashes = reader.results()
                if hashes[.md5] == nil { hashes[.md5] = try Digest.hash(first, kind: .md5) }
                try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: reader.byteCount,
                                  expected: attributes.expectedHashes, actual: hashes)
                return try await putBuffered(path: path, bucket: bucket, key: key, bytes: first, md5: hashes[.md5] ?? "",
                                             hashes: hashes, attributes: attributes, metadata: metadata, display: shown)
            }
            // Multipart: the MD5 metadata must be given at creation, so only a known one is sent.
            let createHeaders = try S3Metadata.headers(objectAttributes.attributes.metadata, modificationTime: attributes.modificationTime,
                                                       md5Hex: expectedMD5, display: shown) + objectAttributes.headers
            let upload = S3MultipartUpload(transport: transport, bucket: bucket, key: key, display: shown)
            let result = try await upload.upload(
                reader: reader, firstPart: consume first, basePartSize: base,
                concurrency: min(configuration.uploadConcurrency, configuration.maxConnections),
                partChecksums: configuration.partChecksums, headers: createHeaders
            ) {
                try verifyContent(path: shown, expectedSize: attributes.expectedSize, actualSize: reader.byteCount,
                                  expected: attributes.expectedHashes, actual: reader.results())
            }
            var hashes = reader.results()
            if let expectedMD5 { hashes[.md5] = expectedMD5 }
            var meta = attributes.metadata
            if let t = attributes.modificationTime { meta[S3Metadata.mtimeKey] = S3Time.formatEpoch(t) }
            if let expectedMD5 { meta[S3Metadata.md5Key] = S3Crypto.base64(fromHex: expectedMD5) }
            return FileInfo(path: path, kind: .file, size: reader.byteCount,
                            modificationTime: attributes.modificationTime ?? Date(), etag: result.etag,
                            version: result.versionId, hashes: hashes, metadata: meta)
        } catch {
            await content.cancel()  // the producer stops too (no-op when it was read to the end)
            throw s3VFSError(error, display: shown)
        }
    }

    // MARK: - Writing

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
        let source = try S3HashingSource(content, kinds: kinds)
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
