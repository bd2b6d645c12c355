import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension S3FileSystem: ServerSideCopying, Moving, ModificationTimeSetting {
    // MARK: - Optional powers

    /// Copies on the server (`CopyObject`; a multipart copy with `UploadPartCopy` above 5 GiB),
    /// keeping the source's metadata and content type, with the modification time and metadata
    /// of `attributes` applied.
    ///
    /// - Throws: `.notFound`, `.isADirectory`, `.checksumMismatch` when the source does not have
    ///   the expected size or MD5 (checked before anything is copied).
    @discardableResult
    public func copy(from source: VPath, to destination: VPath, attributes: WriteAttributes) async throws -> FileInfo {
        let shown = display(destination)
        let sourceShown = display(source)
        guard source.depth >= 2, destination.depth >= 2 else {
            throw VFSError(.isADirectory, "a bucket cannot be copied as a file",
                           path: source.depth < 2 ? sourceShown : shown, remedy: "copy the objects inside it", backend: "s3")
        }
        let (sb, sk) = location(source)
        let (db, dk) = location(destination)
        do {
            guard let src = try await head(bucket: sb, key: sk, path: source, display: sourceShown) else {
                if try await prefixExists(bucket: sb, prefix: sk + "/", display: sourceShown) {
                    throw VFSError(.isADirectory, "is a directory", path: sourceShown, remedy: "use -r for directories", backend: "s3")
                }
                throw VFSError.notFound(sourceShown)
            }
            let size = src.info.size ?? 0
            var known: [HashKind: String] = [:]
            if let md5 = src.info.hashes[.md5] { known[.md5] = md5 }
            try verifyContent(path: sourceShown, expectedSize: attributes.expectedSize, actualSize: size,
                              expected: attributes.expectedHashes.filter { $0.key == .md5 }, actual: known)
            var metadata = src.info.metadata
            for (k, v) in configuration.upload.metadata.merging(attributes.metadata, uniquingKeysWith: { $1 }) { metadata[k.lowercased()] = v }
            let mtime = attributes.modificationTime ?? src.info.modificationTime
            metadata.removeValue(forKey: S3Metadata.mtimeKey)
            var headers = S3Metadata.lenientHeaders(metadata, modificationTime: mtime)
            headers.append(("x-amz-metadata-directive", "REPLACE"))
            // REPLACE forgets Content-Type, Cache-Control, storage class, encryption: send them again,
            // under what the command line, the account or the writer ask for.
            var properties = src.info.properties.filter { S3ObjectProperties.kept.contains($0.key) }
            if properties["Content-Type"] == nil, let type = src.contentType { properties["Content-Type"] = type }
            properties.merge(S3ObjectProperties.properties(for: dk, upload: configuration.upload,
                                                           guessContentType: properties["Content-Type"] == nil,
                                                           explicit: attributes.properties)) { _, new in new }
            headers += try S3ObjectProperties.headers(properties, display: shown)
            let copySource = "/" + S3Signer.encode(sb, keepSlash: false) + "/" + S3Signer.encode(sk, keepSlash: true)
            let result: S3WriteResult
            if size > Int64(S3MultipartUpload.maxPartSize) {
                let upload = S3MultipartUpload(transport: transport, bucket: db, key: dk, display: shown)
                result = try await upload.copy(source: copySource, size: size, concurrency: configuration.uploadConcurrency,
                                               headers: headers.filter { $0.0.lowercased() != "x-amz-metadata-directive" })
            } else {
                let (response, body) = try await transport.sendCollecting(S3Operation(
                    "PUT", bucket: db, key: dk, headers: headers + [("x-amz-copy-source", copySource)],
                    idempotent: true, display: shown))
                let root = try S3XML.parse(body, display: shown)
                guard root.name != "Error" else {
                    throw S3ServiceError(status: 200, body: body, headers: response.headers, method: "PUT", bucket: db,
                                         display: shown, bucketDisplay: transport.bucketDisplay(db))
                }
                result = S3WriteResult(etag: root["ETag"].map(S3XML.unquote), versionId: response.headers["x-amz-version-id"])
            }
            var hashes: [HashKind: String] = [:]
            if let md5 = known[.md5] ?? result.etag.flatMap({ S3Crypto.isMD5Hex($0) ? $0.lowercased() : nil }) { hashes[.md5] = md5 }
            if let t = mtime { metadata[S3Metadata.mtimeKey] = S3Time.formatEpoch(t) }
            return FileInfo(path: destination, kind: .file, size: size, modificationTime: mtime ?? Date(),
                            etag: result.etag, version: result.versionId, hashes: hashes, metadata: metadata)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// Moves by copying on the server, then deleting the source (S3 has no rename).
    public func move(from source: VPath, to destination: VPath) async throws {
        guard source != destination else { return }
        _ = try await copy(from: source, to: destination, attributes: .none)
        let shown = display(source)
        let (bucket, key) = location(source)
        do {
            try await deleteObject(bucket: bucket, key: key, display: shown)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// Sets `x-amz-meta-mtime` by copying the object onto itself with replaced metadata.
    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        _ = try await copy(from: path, to: path, attributes: WriteAttributes(modificationTime: date))
    }

}
