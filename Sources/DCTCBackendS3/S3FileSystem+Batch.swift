import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

/// The sync engine lists a whole S3 tree in one stream of pages (ten requests for 10,000
/// objects instead of one per directory) and deletes in batches of 1,000.
extension S3FileSystem: RecursiveListing, BatchRemoving {
    // MARK: - Extras beyond the protocol

    /// Every object below `prefix` (a bucket or a prefix in one), in one stream of pages
    /// without a delimiter: a whole tree costs one request per 1,000 objects. Entries are files
    /// with their full paths, in key byte order; a directory marker (`a/`, as the S3 console and
    /// rclone make for an empty folder) is a directory entry, the prefix's own marker and keys
    /// that are not valid paths (with `//`, or a leading `/`) are reported to `SkippedEntries` and left
    /// out, as are (by `Listing`'s rule) keys with `.` or `..` segments. Directories that hold
    /// objects are not entries of their own: they are implied by the paths below them.
    ///
    /// - Throws (from the listing): `.notFound` when nothing is below a prefix (or the bucket is
    ///   missing), `.notADirectory` when `prefix` is a file, `.invalidArgument` for the root.
    public func listRecursive(_ prefix: VPath) -> Listing {
        listRecursive(prefix, within: .everything)
    }

    /// The objects below `prefix` whose keys relative to it are in `range`: one run of keys,
    /// asked from its first key on (`StartAfter`) and ended at the first key past its end, so
    /// the shards of a fanned-out sync each list only their own part of the bucket. Directory
    /// markers outside the range are left out like the objects. An empty range is no error.
    public func listRecursive(_ prefix: VPath, within range: PathRange) -> Listing {
        let shown = display(prefix)
        guard !prefix.isRoot else {
            return .failing(VFSError.invalid("a recursive listing needs a bucket", path: shown,
                                             remedy: "list s3://BUCKET or a prefix in it"))
        }
        let raw = rawObjects(below: prefix, display: shown, range: range)
        let bucket = prefix.components[0]
        return Listing(display: { [self] in display($0) }) { [self] in
            while let page = try await raw() {
                let entries = page.compactMap { object -> FileInfo? in
                    if object.key.hasSuffix("/") {
                        let marker = String(object.key.dropLast())
                        guard let path = S3FileSystem.path(bucket: bucket, key: marker) else {
                            skipUnnamable(bucket: bucket, key: object.key)
                            return nil
                        }
                        guard path.depth > prefix.depth else { return nil }
                        return FileInfo(path: path, kind: .directory)
                    }
                    guard let path = S3FileSystem.path(bucket: bucket, key: object.key) else {
                        skipUnnamable(bucket: bucket, key: object.key)
                        return nil
                    }
                    return S3FileSystem.fileInfo(path: path, object: object)
                }
                if !entries.isEmpty { return entries }
            }
            return nil
        }
    }

    /// Reports a key with an empty segment (`a//b`, `/abs`): it has no path, so it is left out.
    private func skipUnnamable(bucket: String, key: String) {
        SkippedEntries.report(address: display(bucket: bucket, key: key), reason: SafeName.problem(with: "") ?? "an empty name")
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
            // Keys that are not paths (`a//b`, `k/../x`) are reported and kept, as every listing
            // does: what dctc cannot name it never enters, writes or removes.
            let keys = page.map(\.key).filter { key in
                let named = key.hasSuffix("/") ? String(key.dropLast()) : key
                guard let p = S3FileSystem.path(bucket: bucket, key: named) else {
                    skipUnnamable(bucket: bucket, key: key)
                    return false
                }
                if let problem = SkippedEntries.unsafeComponent(of: p) {
                    SkippedEntries.report(address: display(bucket: bucket, key: key), reason: problem)
                    return false
                }
                return true
            }
            guard !keys.isEmpty else { continue }
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

}
