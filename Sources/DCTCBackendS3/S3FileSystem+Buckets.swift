import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation

extension S3FileSystem {
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

}
