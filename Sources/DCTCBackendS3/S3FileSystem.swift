import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

/// An S3-compatible object store (AWS S3, MinIO, rclone serve s3, moto…) seen as a file system.
///
/// The first path component is the bucket, the rest the object key: `/bucket/a/b.txt` is key
/// `a/b.txt`. Directories are key prefixes (`hasDirectories` is false): a "directory" exists
/// while objects exist below it, or while a directory-marker object (`a/`, zero bytes, as the
/// S3 console and rclone make) exists. An empty prefix lists as not found, except a bucket's
/// root.
///
/// Writes are atomic: small content (at most one part) is buffered, verified and sent with
/// `Content-MD5` in one PUT; content up to `multipartThreshold` of known size streams in one
/// PUT whose ETag must equal the MD5 computed on the way; anything larger, or of unknown size,
/// goes through a multipart upload that is completed only after the content was verified
/// (and aborted otherwise). The one window: a streamed single PUT whose expected hash does not
/// match is found out only after the server stored it; the object is then deleted at once, so
/// for a moment the damaged object (or, for an overwrite, nothing) is visible under the name.
///
/// Reads of more than one chunk (`downloadChunkSize`, 4 MiB) fetch the following ranges
/// `downloadConcurrency` at a time and deliver them in order; a range whose ETag differs from
/// the first one's fails the read (the object was replaced meanwhile). Ranged reads trust the
/// `Content-Range` header, not the status (rclone serve s3 answers 200 with a partial body),
/// and cut the content themselves when a server ignores `Range`.
///
/// Modification times travel in `x-amz-meta-mtime` (decimal epoch seconds), and multipart
/// uploads whose MD5 is known in advance (`expectedHashes[.md5]`) carry `x-amz-meta-md5chksum`
/// (base64): rclone's keys. Listings carry only the server's `LastModified`; `info` (a HEAD)
/// reads the metadata. An ETag is reported as an MD5 only when it is one (32 hex digits, no
/// `-N` multipart suffix, no KMS encryption).
public final class S3FileSystem: VirtualFileSystem, ServerSideCopying, Moving, ModificationTimeSetting {
    public let kind = "s3"
    public let capabilities: Capabilities
    public let configuration: S3Configuration

    /// How addresses are written in messages.
    public enum DisplayStyle: Sendable {
        /// `s3://bucket/key`.
        case url
        /// `NAME:bucket/key`, for an account whose `root` is the given path.
        case account(name: String, root: VPath)
    }

    let transport: S3Transport
    private let lister: S3Listing
    private let displayStyle: DisplayStyle

    /// Creates a store.
    ///
    /// - Parameters:
    ///   - configuration: endpoint, region, credentials, tuning (`S3Configuration.resolve` reads
    ///     them the way the AWS tools do).
    ///   - display: how addresses appear in messages.
    /// - Throws: `VFSError` when libcurl cannot be initialised.
    public init(configuration: S3Configuration, display: DisplayStyle = .url) throws {
        self.configuration = configuration
        self.displayStyle = display
        let style = display
        do {
            transport = try S3Transport(configuration: configuration) { bucket in
                S3FileSystem.display(VPath(components: [bucket]), style: style)
            }
        } catch {
            throw s3VFSError(error, display: configuration.endpoint.description)
        }
        lister = S3Listing(transport: transport)
        capabilities = Capabilities(
            writable: true, hasDirectories: false, rangedReads: true, preservesModificationTime: true,
            modificationTimePrecision: 1e-6, knownHashes: [.md5], remoteHashes: [],
            recursiveListing: true, caseInsensitive: false, maxNameBytes: 1024,
            listPageSize: min(1000, max(1, configuration.listPageSize)),
            // Listings give LastModified (the upload time); the kept time is x-amz-meta-mtime (HEAD).
            listingHasModificationTime: false)
    }

    public func display(_ path: VPath) -> String { S3FileSystem.display(path, style: displayStyle) }

    private static func display(_ path: VPath, style: DisplayStyle) -> String {
        switch style {
        case .url:
            return Address(scheme: .s3, path: path).description
        case .account(let name, let root):
            let relative = path.hasPrefix(root) ? VPath(components: Array(path.components.dropFirst(root.depth))) : path
            return Address(scheme: .account, path: relative, account: name).description
        }
    }

    /// Bucket and key of a path of depth ≥ 2.
    private func location(_ path: VPath) -> (bucket: String, key: String) {
        (path.components[0], path.components.dropFirst().joined(separator: "/"))
    }

    // MARK: - Primitives

    public func info(_ path: VPath) async throws -> FileInfo {
        if path.isRoot { return FileInfo(path: path, kind: .directory) }
        let shown = display(path)
        do {
            if path.depth == 1 {
                try await checkBucket(path.components[0], display: shown)
                return FileInfo(path: path, kind: .directory)
            }
            let (bucket, key) = location(path)
            if let found = try await head(bucket: bucket, key: key, path: path, display: shown) { return found.info }
            if try await prefixExists(bucket: bucket, prefix: key + "/", display: shown) {
                return FileInfo(path: path, kind: .directory)
            }
            throw VFSError.notFound(shown)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    public func list(_ directory: VPath) -> Listing {
        let shown = display(directory)
        if directory.isRoot {
            let lister = self.lister
            let done = LockedValue(false)
            return Listing {
                guard !done.update({ let was = $0; $0 = true; return was }) else { return nil }
                do {
                    return try await lister.buckets(display: shown).map {
                        FileInfo(path: VPath(components: [$0.name]), kind: .directory, modificationTime: $0.created)
                    }
                } catch {
                    throw s3VFSError(error, display: shown)
                }
            }
        }
        let bucket = directory.components[0]
        let prefix = directory.depth > 1 ? location(directory).key + "/" : ""
        let cursor = S3ListingCursor()
        let pageSize = capabilities.listPageSize
        return Listing { [self] in
            do {
                while let request = await cursor.nextRequest() {
                    let page = try await lister.page(bucket: bucket, prefix: prefix, delimiter: "/", token: request.token,
                                                     maxKeys: pageSize, display: shown)
                    await cursor.record(nextToken: page.nextToken, hadEntries: !page.objects.isEmpty || !page.prefixes.isEmpty)
                    let entries = S3FileSystem.entries(of: page, in: directory, prefix: prefix)
                    if !entries.isEmpty { return entries }
                }
                if directory.depth > 1, !(await cursor.hasSeenAnything) {
                    // Nothing below the prefix: a file by that name, or nothing at all.
                    let (b, key) = location(directory)
                    if try await head(bucket: b, key: key, path: directory, display: shown) != nil {
                        throw VFSError(.notADirectory, "is a file, not a directory", path: shown,
                                       remedy: "list its folder, or use `dctc stat` for the file", backend: "s3")
                    }
                    throw VFSError.notFound(shown)
                }
                return nil
            } catch {
                await cursor.finish()
                throw s3VFSError(error, display: shown)
            }
        }
    }

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
            let parallel = configuration.downloadConcurrency > 1
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
            // Some servers ignore Range (200, whole body) or answer 200 with Content-Range and
            // the partial body (rclone serve s3 1.75): trust Content-Range, not the status.
            let contentRange = r.headers["Content-Range"].flatMap(parseContentRange)
            guard r.status == 206 || contentRange != nil else {
                return ByteStream(S3BodySource(upstream: r.body, skip: start, limit: range?.length, display: shown))
            }
            let body = ByteStream(S3BodySource(upstream: r.body, skip: 0, limit: nil, display: shown))
            guard parallel else { return body }
            guard let cr = contentRange, let total = cr.total, cr.first == start else {
                // A partial answer that does not say what it holds: ask again for what was asked.
                await r.body.cancel()
                var plain = S3Operation("GET", bucket: bucket, key: key, idempotent: true, display: shown)
                plain.range = range
                let again = try await transport.send(plain)
                let partial = again.status == 206 || again.headers["Content-Range"] != nil
                return ByteStream(S3BodySource(upstream: again.body, skip: partial ? 0 : start,
                                               limit: partial ? nil : range?.length, display: shown))
            }
            let end = min(total, wantedEnd ?? total)
            guard cr.last + 1 < end else { return body }
            let etag = r.headers["ETag"]
            let ifMatch: [(String, String)] = etag.map { [("If-Match", $0)] } ?? []
            let transport = self.transport
            return ByteStream(S3ParallelBody(
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
                    throw VFSError(.io, "the server sent \(buffer.bytes.count) of the \(length) bytes asked for at offset \(offset)",
                                   path: shown, remedy: "run the command again", backend: "s3")
                }
            })
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

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
            let metadata = try S3Metadata.headers(attributes.metadata, modificationTime: attributes.modificationTime,
                                                  md5Hex: nil, display: shown)
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
            let createHeaders = try S3Metadata.headers(attributes.metadata, modificationTime: attributes.modificationTime,
                                                       md5Hex: expectedMD5, display: shown)
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

    public func remove(_ path: VPath) async throws {
        let shown = display(path)
        guard path.depth >= 2 else {
            throw VFSError(.isADirectory, "a bucket is a directory", path: shown,
                           remedy: "remove an empty bucket with `dctc rmdir`", backend: "s3")
        }
        let (bucket, key) = location(path)
        do {
            guard try await head(bucket: bucket, key: key, path: path, display: shown) != nil else {
                if try await prefixExists(bucket: bucket, prefix: key + "/", display: shown) {
                    throw VFSError(.isADirectory, "is a directory", path: shown,
                                   remedy: "use `dctc rm -r` to remove a directory and its content", backend: "s3")
                }
                throw VFSError.notFound(shown)
            }
            try await deleteObject(bucket: bucket, key: key, display: shown)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// Creates a bucket (a path of depth 1, with the region's `LocationConstraint` outside
    /// us-east-1). Deeper paths are prefixes, which need no creating: they succeed once the
    /// bucket is known to exist.
    ///
    /// - Throws: `.alreadyExists` for an existing bucket (or the root), `.notFound` naming the
    ///   bucket when creating a prefix in a missing one.
    public func makeDirectory(_ path: VPath) async throws {
        let shown = display(path)
        guard !path.isRoot else {
            throw VFSError(.alreadyExists, "the root of the endpoint always exists", path: shown, backend: "s3")
        }
        let bucket = path.components[0]
        do {
            if path.depth > 1 {
                try await checkBucket(bucket, display: shown)
                return
            }
            do {
                try await checkBucket(bucket, display: shown)
                throw VFSError(.alreadyExists, "the bucket already exists", path: shown, remedy: "use it as it is", backend: "s3")
            } catch let e as S3ServiceError where e.code == "NoSuchBucket" || e.status == 404 {
                // Missing: create it below.
            }
            var body: S3Operation.Body = .none
            var headers: [(String, String)] = []
            if configuration.region != "us-east-1" {
                let xml = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    + "<LocationConstraint>\(S3XML.escape(configuration.region))</LocationConstraint></CreateBucketConfiguration>"
                body = .bytes(Array(xml.utf8), hashed: true)
                headers.append(("Content-Type", "application/xml"))
            }
            let response = try await transport.send(S3Operation("PUT", bucket: bucket, headers: headers, body: body,
                                                                 idempotent: false, display: shown))
            await response.body.cancel()
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// Deletes an empty bucket (depth 1); for a deeper path, succeeds when no object lies
    /// below the prefix (removing a directory marker if there is one).
    ///
    /// - Throws: `.notEmpty`, `.notFound` for a missing bucket, `.notADirectory` for a file.
    public func removeDirectory(_ path: VPath) async throws {
        let shown = display(path)
        guard !path.isRoot else {
            throw VFSError.invalid("the root of an S3 endpoint cannot be removed", path: shown)
        }
        let bucket = path.components[0]
        do {
            if path.depth == 1 {
                let response = try await transport.send(S3Operation("DELETE", bucket: bucket, idempotent: false, display: shown))
                await response.body.cancel()
                return
            }
            let prefix = location(path).key + "/"
            let page = try await lister.page(bucket: bucket, prefix: prefix, delimiter: "/", token: nil, maxKeys: 2, display: shown)
            let marker = page.objects.contains { $0.key == prefix }
            if page.objects.count > (marker ? 1 : 0) || !page.prefixes.isEmpty {
                throw VFSError(.notEmpty, "the directory is not empty", path: shown,
                               remedy: "remove its content first, or use `dctc rm -r`", backend: "s3")
            }
            if marker {
                try await deleteObject(bucket: bucket, key: prefix, display: shown)
            } else if try await head(bucket: bucket, key: location(path).key, path: path, display: shown) != nil {
                throw VFSError(.notADirectory, "is a file, not a directory", path: shown,
                               remedy: "remove files with `dctc rm`", backend: "s3")
            }
        } catch let e as S3ServiceError where e.code == "BucketNotEmpty" {
            throw VFSError(.notEmpty, "the bucket is not empty (BucketNotEmpty)", path: shown,
                           remedy: "remove its objects first (`dctc rm -r \(shown)`)", backend: "s3", cause: e.vfsError.cause)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

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
            for (k, v) in attributes.metadata { metadata[k.lowercased()] = v }
            let mtime = attributes.modificationTime ?? src.info.modificationTime
            metadata.removeValue(forKey: S3Metadata.mtimeKey)
            var headers = S3Metadata.lenientHeaders(metadata, modificationTime: mtime)
            headers.append(("x-amz-metadata-directive", "REPLACE"))
            if let type = src.contentType { headers.append(("Content-Type", type)) }
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

    // MARK: - Extras beyond the protocol

    /// Every object below `prefix` (a bucket or a prefix in one), in one stream of pages
    /// without a delimiter: a whole tree costs one request per 1,000 objects. Entries are files
    /// with their full paths, in key byte order; a directory marker (`a/`, as the S3 console and
    /// rclone make for an empty folder) is a directory entry, the prefix's own marker and keys
    /// that are not valid paths (with `//`, or a leading `/`) are left out. Directories that hold
    /// objects are not entries of their own: they are implied by the paths below them.
    ///
    /// - Throws (from the listing): `.notFound` when nothing is below a prefix (or the bucket is
    ///   missing), `.notADirectory` when `prefix` is a file, `.invalidArgument` for the root.
    public func listRecursive(_ prefix: VPath) -> Listing {
        let shown = display(prefix)
        guard !prefix.isRoot else {
            return .failing(VFSError.invalid("a recursive listing needs a bucket", path: shown,
                                             remedy: "list s3://BUCKET or a prefix in it"))
        }
        let raw = rawObjects(below: prefix, display: shown)
        return Listing {
            while let page = try await raw() {
                let entries = page.compactMap { object -> FileInfo? in
                    if object.key.hasSuffix("/") {
                        guard let path = S3FileSystem.path(bucket: prefix.components[0], key: String(object.key.dropLast())),
                              path.depth > prefix.depth else { return nil }
                        return FileInfo(path: path, kind: .directory)
                    }
                    guard let path = S3FileSystem.path(bucket: prefix.components[0], key: object.key) else { return nil }
                    return S3FileSystem.fileInfo(path: path, object: object)
                }
                if !entries.isEmpty { return entries }
            }
            return nil
        }
    }

    /// Removes many objects with `DeleteObjects` (1,000 keys per request). Missing objects are
    /// not errors (S3 reports them deleted). Keys that XML 1.0 cannot carry are deleted one by one.
    ///
    /// - Parameter paths: files (depth ≥ 2), in any buckets.
    /// - Returns: the number of keys the server reported deleted.
    /// - Throws: the first per-key error the server reported (`.permissionDenied`…), after all
    ///   batches were sent.
    @discardableResult
    public func removeMany(_ paths: [VPath]) async throws -> Int {
        var byBucket: [String: [String]] = [:]
        for p in paths {
            guard p.depth >= 2 else {
                throw VFSError(.isADirectory, "a bucket cannot be removed as a file", path: display(p), backend: "s3")
            }
            let (b, k) = location(p)
            byBucket[b, default: []].append(k)
        }
        var deleted = 0
        var firstError: VFSError?
        for (bucket, keys) in byBucket.sorted(by: { $0.key < $1.key }) {
            let (n, e) = await deleteKeys(bucket: bucket, keys: keys)
            deleted += n
            if firstError == nil { firstError = e }
        }
        if let firstError { throw firstError }
        return deleted
    }

    /// Removes a file, or every object below a prefix or in a bucket (the bucket itself stays;
    /// remove it with `removeDirectory`). Lists without a delimiter and deletes in batches of
    /// 1,000: two requests per thousand objects instead of a listing per directory and a
    /// request per object (the protocol extension's generic `removeTree`).
    ///
    /// - Returns: the number of files removed (directory markers are not counted).
    /// - Throws: `.notFound` when nothing is there; `.invalidArgument` for the endpoint's root.
    @discardableResult
    public func removeTree(_ path: VPath) async throws -> Int {
        let shown = display(path)
        guard !path.isRoot else {
            throw VFSError.invalid("refusing to remove every bucket of the endpoint", path: shown,
                                   remedy: "remove one bucket at a time")
        }
        let top = try await info(path)
        guard top.isDirectory else {
            try await remove(path)
            return 1
        }
        let bucket = path.components[0]
        let raw = rawObjects(below: path, display: shown, allowEmpty: true)
        var removed = 0
        while let page = try await raw() {
            let keys = page.map(\.key)
            let (_, error) = await deleteKeys(bucket: bucket, keys: keys)
            if let error { throw error }
            removed += keys.filter { !$0.hasSuffix("/") }.count
        }
        return removed
    }

    /// Multipart uploads started below `prefix` (a bucket or a prefix in one) and neither
    /// completed nor aborted (`ListMultipartUploads`).
    ///
    /// - Throws: `.notFound` for a missing bucket, `.invalidArgument` for the root.
    public func pendingUploads(below prefix: VPath) async throws -> [S3PendingUpload] {
        let shown = display(prefix)
        guard !prefix.isRoot else { throw VFSError.invalid("pending uploads are listed per bucket", path: shown) }
        do {
            let p = prefix.depth > 1 ? location(prefix).key : ""
            return try await lister.pendingUploads(bucket: prefix.components[0], prefix: p, display: shown)
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// Aborts multipart uploads left over below `prefix` (by tools that crashed).
    /// - Returns: how many were aborted.
    @discardableResult
    public func abortPendingUploads(below prefix: VPath) async throws -> Int {
        let uploads = try await pendingUploads(below: prefix)
        for u in uploads {
            let upload = S3MultipartUpload(transport: transport, bucket: prefix.components[0], key: u.key,
                                           display: display(VPath(components: [prefix.components[0]] + u.key.split(separator: "/").map(String.init))))
            await upload.abort(uploadId: u.uploadId)
        }
        return uploads.count
    }

    // MARK: - Requests

    /// What a HEAD says about an object.
    struct HeadResult {
        var info: FileInfo
        var contentType: String?
    }

    /// `HEAD /BUCKET/KEY`: the object's info, or nil when there is no such object.
    ///
    /// A HEAD error carries no error document; for statuses other than 404 the same key is
    /// asked again with a one-byte GET, whose answer names the S3 code (SignatureDoesNotMatch…).
    func head(bucket: String, key: String, path: VPath, display shown: String) async throws -> HeadResult? {
        let op = S3Operation("HEAD", bucket: bucket, key: key, idempotent: true, display: shown)
        do {
            let response = try await transport.send(op)
            await response.body.cancel()
            let h = response.headers
            let metadata = S3Metadata.decode(h)
            let etag = h["ETag"].map(S3XML.unquote)
            var hashes: [HashKind: String] = [:]
            let encryption = h["x-amz-server-side-encryption"]?.lowercased() ?? ""
            let opaqueETag = encryption.hasPrefix("aws:kms") || h["x-amz-server-side-encryption-customer-algorithm"] != nil
            if let b64 = metadata[S3Metadata.md5Key], let hex = S3Crypto.hex(fromBase64: b64) {
                hashes[.md5] = hex
            } else if let etag, S3Crypto.isMD5Hex(etag), !opaqueETag {
                hashes[.md5] = etag.lowercased()
            }
            let mtime = metadata[S3Metadata.mtimeKey].flatMap(S3Time.parseEpoch) ?? h["Last-Modified"].flatMap(S3Time.parseHTTPDate)
            let info = FileInfo(path: path, kind: .file, size: h["Content-Length"].flatMap { Int64($0) } ?? response.contentLength,
                                modificationTime: mtime, etag: etag, version: h["x-amz-version-id"], hashes: hashes,
                                metadata: metadata)
            return HeadResult(info: info, contentType: h["Content-Type"])
        } catch let e as S3ServiceError where e.status == 404 {
            return nil
        } catch let e as S3ServiceError where e.code == nil {
            var get = S3Operation("GET", bucket: bucket, key: key, idempotent: true, display: shown)
            get.range = ByteRange(offset: 0, length: 1)
            do {
                let response = try await transport.send(get)
                await response.body.cancel()
            } catch let detailed as S3ServiceError where detailed.code != nil {
                if detailed.code == "NoSuchKey" { return nil }
                throw detailed
            } catch {
                // Fall back to what the HEAD said.
            }
            throw e
        }
    }

    /// True when at least one object (or a directory marker) lies below `prefix`.
    /// - Throws: `S3ServiceError` (`NoSuchBucket`…).
    func prefixExists(bucket: String, prefix: String, display shown: String) async throws -> Bool {
        let page = try await lister.page(bucket: bucket, prefix: prefix, delimiter: "/", token: nil, maxKeys: 1, display: shown)
        return !page.objects.isEmpty || !page.prefixes.isEmpty
    }

    /// Succeeds when the bucket exists (a one-key listing, whose errors name the S3 code).
    /// - Throws: `S3ServiceError` `NoSuchBucket`, `AccessDenied`, `SignatureDoesNotMatch`…
    func checkBucket(_ bucket: String, display shown: String) async throws {
        _ = try await lister.page(bucket: bucket, prefix: "", delimiter: "/", token: nil, maxKeys: 1, display: shown)
    }

    /// `DELETE /BUCKET/KEY` (retried; S3 answers 204 whether or not the key existed).
    func deleteObject(bucket: String, key: String, display shown: String) async throws {
        let response = try await transport.send(S3Operation("DELETE", bucket: bucket, key: key, idempotent: true, display: shown))
        await response.body.cancel()
    }

    /// Deletes keys of one bucket in `DeleteObjects` batches of 1,000 (quiet mode).
    /// - Returns: the number deleted and the first error (mapped), if any.
    private func deleteKeys(bucket: String, keys: [String]) async -> (Int, VFSError?) {
        var deleted = 0
        var firstError: VFSError?
        let bucketPath = VPath(components: [bucket])
        func keyDisplay(_ key: String) -> String {
            display(S3FileSystem.path(bucket: bucket, key: key) ?? bucketPath)
        }
        let (xmlSafe, other) = (keys.filter(S3XML.isRepresentable), keys.filter { !S3XML.isRepresentable($0) })
        for key in other {
            do {
                try await deleteObject(bucket: bucket, key: key, display: keyDisplay(key))
                deleted += 1
            } catch {
                if firstError == nil { firstError = s3VFSError(error, display: keyDisplay(key)) }
            }
        }
        for start in stride(from: 0, to: xmlSafe.count, by: 1000) {
            let batch = xmlSafe[start..<min(xmlSafe.count, start + 1000)]
            var xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            for key in batch { xml += "<Object><Key>\(S3XML.escape(key))</Key></Object>" }
            xml += "</Delete>"
            let body = Array(xml.utf8)
            let shown = display(bucketPath)
            do {
                let md5 = S3Crypto.base64(fromHex: try Digest.hash(body, kind: .md5))
                let (_, answer) = try await transport.sendCollecting(S3Operation(
                    "POST", bucket: bucket, query: [("delete", nil)],
                    headers: [("Content-MD5", md5), ("Content-Type", "application/xml")],
                    body: .bytes(body, hashed: true), idempotent: true, display: shown))
                let root = try S3XML.parse(answer, display: shown)
                if root.name == "Error" {
                    throw S3ServiceError(status: 200, body: answer, headers: .init(), method: "POST", bucket: bucket,
                                         display: shown, bucketDisplay: transport.bucketDisplay(bucket))
                }
                let errors = root.children("Error")
                deleted += batch.count - errors.count
                if let e = errors.first, firstError == nil {
                    let key = e["Key"] ?? ""
                    firstError = S3ServiceError(status: 200, code: e["Code"], message: e["Message"], bucket: bucket,
                                                requestId: nil, serverDate: nil, method: "POST", display: keyDisplay(key),
                                                bucketDisplay: transport.bucketDisplay(bucket)).vfsError
                }
            } catch {
                if firstError == nil { firstError = s3VFSError(error, display: shown) }
            }
        }
        return (deleted, firstError)
    }

    /// Pages of every raw object below a bucket or prefix (no delimiter), markers included.
    /// - Parameter allowEmpty: an empty prefix gives no pages instead of `.notFound`.
    private func rawObjects(below prefix: VPath, display shown: String,
                            allowEmpty: Bool = false) -> @Sendable () async throws -> [S3ListedObject]? {
        let bucket = prefix.components[0]
        let keyPrefix = prefix.depth > 1 ? location(prefix).key + "/" : ""
        let cursor = S3ListingCursor()
        let pageSize = capabilities.listPageSize
        return { [self] in
            do {
                while let request = await cursor.nextRequest() {
                    let page = try await lister.page(bucket: bucket, prefix: keyPrefix, delimiter: nil, token: request.token,
                                                     maxKeys: pageSize, display: shown)
                    await cursor.record(nextToken: page.nextToken, hadEntries: !page.objects.isEmpty)
                    if !page.objects.isEmpty { return page.objects }
                }
                if !allowEmpty, prefix.depth > 1, !(await cursor.hasSeenAnything) {
                    let (b, key) = location(prefix)
                    if try await head(bucket: b, key: key, path: prefix, display: shown) != nil {
                        throw VFSError(.notADirectory, "is a file, not a directory", path: shown, backend: "s3")
                    }
                    throw VFSError.notFound(shown)
                }
                return nil
            } catch {
                await cursor.finish()
                throw s3VFSError(error, display: shown)
            }
        }
    }

    // MARK: - Writing

    /// One PUT of content held in memory, with `Content-MD5` so the server verifies it
    /// (retried, since the body can be sent again).
    private func putBuffered(path: VPath, bucket: String, key: String, bytes: [UInt8], md5: String,
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
    private func putStreamed(path: VPath, bucket: String, key: String, content: ByteStream, size: Int64,
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
    private func writtenInfo(path: VPath, response headers: CurlHeaders, size: Int64, hashes: [HashKind: String],
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

    // MARK: - Listing helpers

    /// The children of `directory` in a delimited page: objects are files, common prefixes
    /// directories; the directory's own marker and names that cannot be path components are
    /// left out. Prefixes are compared byte for byte (Unicode equivalence must not merge keys).
    static func entries(of page: S3ListPage, in directory: VPath, prefix: String) -> [FileInfo] {
        var out: [FileInfo] = []
        out.reserveCapacity(page.objects.count + page.prefixes.count)
        let skip = prefix.utf8.count
        for object in page.objects where object.key.utf8.starts(with: prefix.utf8) {
            let name = String(decoding: object.key.utf8.dropFirst(skip), as: UTF8.self)
            guard !name.isEmpty, !name.contains("/") else { continue }
            out.append(fileInfo(path: directory.appending(name), object: object))
        }
        for p in page.prefixes where p.utf8.starts(with: prefix.utf8) {
            var name = String(decoding: p.utf8.dropFirst(skip), as: UTF8.self)
            if name.hasSuffix("/") { name.removeLast() }
            guard !name.isEmpty, !name.contains("/") else { continue }
            out.append(FileInfo(path: directory.appending(name), kind: .directory))
        }
        return out
    }

    static func fileInfo(path: VPath, object: S3ListedObject) -> FileInfo {
        var hashes: [HashKind: String] = [:]
        if let etag = object.etag, S3Crypto.isMD5Hex(etag) { hashes[.md5] = etag.lowercased() }
        return FileInfo(path: path, kind: .file, size: object.size, modificationTime: object.lastModified,
                        etag: object.etag, hashes: hashes)
    }

    /// The path of a key, or nil when the key is not a valid path (empty components).
    static func path(bucket: String, key: String) -> VPath? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        return VPath(components: [bucket] + parts.map(String.init))
    }
}


/// The sync engine lists a whole S3 tree in one stream of pages (ten requests for 10,000
/// objects instead of one per directory) and deletes in batches of 1,000.
extension S3FileSystem: RecursiveListing, BatchRemoving {}
