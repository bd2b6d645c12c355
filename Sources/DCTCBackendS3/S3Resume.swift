import DCTCCore
import DCTCDigest
import Foundation

/// What dctc remembers of a multipart upload it started, so that the next upload of the same
/// content to the same object continues it instead of starting again (after kill -9, a lost
/// network or Ctrl-C).
///
/// Kept as one small JSON file per destination object in
/// `$XDG_STATE_HOME/dctc/uploads/` (else `~/.local/state/dctc/uploads/`), named by the SHA-256
/// of the endpoint, bucket and key, written atomically (temporary file + rename), mode 0600.
/// The content is identified by its size and whole MD5 (computed up front for local files,
/// see `UpfrontHashWanting`): a file changed between the runs has another MD5, and its old
/// upload is aborted and a fresh one started.
struct S3ResumeRecord: Codable, Sendable, Equatable {
    var endpoint: String
    var bucket: String
    var key: String
    var uploadId: String
    var size: Int64
    var md5: String
    var partSize: Int
    /// Seconds since the epoch.
    var created: Double

    /// True when an upload of `size` bytes with this MD5 in parts of `partSize` can continue it.
    func fits(size: Int64, md5: String, partSize: Int) -> Bool {
        self.size == size && self.md5.lowercased() == md5.lowercased() && self.partSize == partSize
    }
}

enum S3ResumeRecords {
    /// The folder of the records.
    static func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return (xdg.hasSuffix("/") ? xdg : xdg + "/") + "dctc/uploads"
        }
        let home = Home.directory(environment)
        return (home.hasSuffix("/") ? home : home + "/") + ".local/state/dctc/uploads"
    }

    static func file(endpoint: String, bucket: String, key: String) throws -> String {
        let name = try Digest.hash(Array("\(endpoint)\n\(bucket)\n\(key)".utf8), kind: .sha256)
        return directory() + "/" + name + ".json"
    }

    /// The record for an object, or nil (none, or unreadable: then it is ignored).
    static func load(endpoint: String, bucket: String, key: String) async -> S3ResumeRecord? {
        guard let path = try? file(endpoint: endpoint, bucket: bucket, key: key) else { return nil }
        return try? await IOThread.detached(name: "dctc-resume") { () -> S3ResumeRecord? in
            guard let data = FileManager.default.contents(atPath: path), data.count < 64 * 1024 else { return nil }
            guard let record = try? JSONDecoder().decode(S3ResumeRecord.self, from: data),
                  record.bucket == bucket, record.key == key, record.endpoint == endpoint else { return nil }
            return record
        }
    }

    /// Writes the record (failures are ignored: the upload then cannot be resumed, that is all).
    static func save(_ record: S3ResumeRecord) async {
        guard let path = try? file(endpoint: record.endpoint, bucket: record.bucket, key: record.key),
              let data = try? JSONEncoder().encode(record) else { return }
        _ = try? await IOThread.detached(name: "dctc-resume") {
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let temporary = path + ".\(getpid()).tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
            if rename(temporary, path) != 0 { unlink(temporary) }
        }
    }

    static func remove(endpoint: String, bucket: String, key: String) async {
        guard let path = try? file(endpoint: endpoint, bucket: bucket, key: key) else { return }
        _ = try? await IOThread.detached(name: "dctc-resume") { _ = unlink(path) }
    }
}

/// A part already stored, as `ListParts` shows it.
struct S3StoredPart: Sendable, Equatable {
    var etag: String
    var size: Int64
}

extension S3MultipartUpload {
    /// `GET /BUCKET/KEY?uploadId=ID`: the parts stored so far, by number (every page, at most
    /// 11 pages of 1,000: S3 has at most 10,000 parts).
    /// - Throws: `S3ServiceError` `NoSuchUpload` when the upload is gone.
    func listParts(uploadId: String) async throws -> [Int: S3StoredPart] {
        var parts: [Int: S3StoredPart] = [:]
        var marker: String?
        for _ in 0..<11 {
            var query: [(String, String?)] = [("uploadId", uploadId)]
            if let marker { query.append(("part-number-marker", marker)) }
            let (_, body) = try await transport.sendCollecting(S3Operation("GET", bucket: bucket, key: key, query: query,
                                                                         idempotent: true, display: display))
            let root = try S3XML.parse(body, display: display)
            for part in root.children("Part") {
                guard let n = part["PartNumber"].flatMap({ Int($0) }), (1...S3MultipartUpload.maxParts).contains(n),
                      let etag = part["ETag"], let size = part["Size"].flatMap({ Int64($0) }) else { continue }
                parts[n] = S3StoredPart(etag: S3XML.unquote(etag), size: size)
            }
            guard root["IsTruncated"] == "true", let next = root["NextPartNumberMarker"], next != marker else { break }
            marker = next
        }
        return parts
    }
}

extension S3FileSystem: PendingUploadCleaning {
    /// The multipart uploads in progress in a bucket, under the key prefix `path` names.
    public func uploadsInProgress(under path: VPath) async throws -> [PendingUpload] {
        let shown = display(path)
        guard path.depth >= 1 else {
            throw VFSError.invalid("name a bucket", path: shown, remedy: "e.g. dctc cleanup s3://BUCKET")
        }
        let bucket = path.components[0]
        do {
            let uploads = try await pendingUploads(below: path)
            return uploads.compactMap { u in
                // A key whose segments are not safe names cannot be addressed: it is left alone.
                let segments = u.key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard segments.allSatisfy(SafeName.isSafe) else { return nil }
                return PendingUpload(path: VPath(components: [bucket] + segments), id: u.uploadId, initiated: u.initiated)
            }
        } catch {
            throw s3VFSError(error, display: shown)
        }
    }

    /// `AbortMultipartUpload`; its resume record (if dctc kept one) is removed too.
    public func abortUploadInProgress(_ upload: PendingUpload) async throws {
        let shown = display(upload.path)
        let (bucket, key) = location(upload.path)
        do {
            _ = try await transport.sendCollecting(S3Operation(
                "DELETE", bucket: bucket, key: key, query: [("uploadId", upload.id)], idempotent: true, display: shown))
        } catch let e as S3ServiceError where e.code == "NoSuchUpload" {
            // Gone already.
        } catch {
            throw s3VFSError(error, display: shown)
        }
        let endpoint = configuration.endpoint.authority + configuration.endpoint.basePath
        if let record = await S3ResumeRecords.load(endpoint: endpoint, bucket: bucket, key: key), record.uploadId == upload.id {
            await S3ResumeRecords.remove(endpoint: endpoint, bucket: bucket, key: key)
        }
    }
}
