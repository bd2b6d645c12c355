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
public final class S3FileSystem: VirtualFileSystem {
    public let kind = StoreKind.s3
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
    let lister: S3Listing
    let displayStyle: DisplayStyle

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
            listingHasModificationTime: false,
            serverSideCopy: true, serverSideMove: true, batchRemoval: true)
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
    func location(_ path: VPath) -> (bucket: String, key: String) {
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
        return Listing(display: { [self] in display($0) }) { [self] in
            do {
                while let request = await cursor.nextRequest() {
                    let page = try await lister.page(bucket: bucket, prefix: prefix, delimiter: "/", token: request.token,
                                                     maxKeys: pageSize, display: shown)
                    await cursor.record(nextToken: page.nextToken, hadEntries: !page.objects.isEmpty || !page.prefixes.isEmpty)
                    let entries = S3FileSystem.entries(of: page, in: directory, prefix: prefix) { key, reason in
                        SkippedEntries.report(address: display(bucket: bucket, key: key), reason: reason)
                    }
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
            var info = FileInfo(path: path, kind: .file, size: h["Content-Length"].flatMap { Int64($0) } ?? response.contentLength,
                                modificationTime: mtime, etag: etag, version: h["x-amz-version-id"], hashes: hashes,
                                metadata: metadata)
            info.properties = S3ObjectProperties.decode(h)
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
    func deleteKeys(bucket: String, keys: [String]) async -> (Int, VFSError?) {
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
    func rawObjects(below prefix: VPath, display shown: String, allowEmpty: Bool = false,
                    range: PathRange = .everything) -> @Sendable () async throws -> [S3ListedObject]? {
        let bucket = prefix.components[0]
        let keyPrefix = prefix.depth > 1 ? location(prefix).key + "/" : ""
        let cursor = S3ListingCursor()
        let pageSize = capabilities.listPageSize
        // A range is one run of keys: the server starts after its first key, and the listing
        // stops at the first key past its end. An empty run is no error.
        let startAfter = range.after.map { keyPrefix + $0 }
        let endAt = range.through.map { keyPrefix + $0 }
        let mayBeEmpty = allowEmpty || !range.isEverything
        return { [self] in
            do {
                while let request = await cursor.nextRequest() {
                    let page = try await lister.page(bucket: bucket, prefix: keyPrefix, delimiter: nil, token: request.token,
                                                     maxKeys: pageSize, startAfter: startAfter, display: shown)
                    var objects = page.objects
                    var next = page.nextToken
                    if let endAt, let past = objects.firstIndex(where: { ShardPlan.precedes(endAt, $0.key) }) {
                        objects.removeSubrange(past...)
                        next = nil
                    }
                    await cursor.record(nextToken: next, hadEntries: !objects.isEmpty)
                    if !objects.isEmpty { return objects }
                }
                if !mayBeEmpty, prefix.depth > 1, !(await cursor.hasSeenAnything) {
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

    // MARK: - Listing helpers

    /// The children of `directory` in a delimited page: objects are files, common prefixes
    /// directories; the directory's own marker is left out. A name that cannot be a path
    /// component (empty: a key with `//` or a leading `/`; with `/`) is passed to `skipped`
    /// with the raw key and why, and left out; `.` and `..` are left to `Listing`'s rule, which
    /// reports them. Prefixes are compared byte for byte (Unicode equivalence must not merge keys).
    static func entries(of page: S3ListPage, in directory: VPath, prefix: String,
                        skipped: (_ key: String, _ reason: String) -> Void = { _, _ in }) -> [FileInfo] {
        var out: [FileInfo] = []
        out.reserveCapacity(page.objects.count + page.prefixes.count)
        let skip = prefix.utf8.count
        for object in page.objects where object.key.utf8.starts(with: prefix.utf8) {
            let name = String(decoding: object.key.utf8.dropFirst(skip), as: UTF8.self)
            if name.isEmpty { continue }  // the folder's own marker
            if let problem = SafeName.problem(with: name), name != ".", name != ".." {
                skipped(object.key, problem)
                continue
            }
            out.append(fileInfo(path: directory.appending(name), object: object))
        }
        for p in page.prefixes where p.utf8.starts(with: prefix.utf8) {
            var name = String(decoding: p.utf8.dropFirst(skip), as: UTF8.self)
            if name.hasSuffix("/") { name.removeLast() }
            if let problem = SafeName.problem(with: name), name != ".", name != ".." {
                skipped(p, problem)
                continue
            }
            out.append(FileInfo(path: directory.appending(name), kind: .directory))
        }
        return out
    }

    /// The address of a raw key as it is, for reports of keys that are not paths.
    func display(bucket: String, key: String) -> String {
        display(VPath(components: [bucket])) + "/" + key
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
