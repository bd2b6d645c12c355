import DCTCCore
import Foundation

/// One object of a listing page.
struct S3ListedObject: Sendable {
    var key: String
    var size: Int64
    var lastModified: Date?
    /// Unquoted.
    var etag: String?
}

/// One page of `ListObjectsV2`.
struct S3ListPage: Sendable {
    var objects: [S3ListedObject] = []
    /// Common prefixes (the "directories"), each ending with the delimiter.
    var prefixes: [String] = []
    /// The token of the next page; nil on the last one.
    var nextToken: String?
}

/// A multipart upload that was started and neither completed nor aborted.
public struct S3PendingUpload: Sendable, Hashable {
    public var key: String
    public var uploadId: String
    public var initiated: Date?
}

/// The listing calls of the S3 API: `ListObjectsV2` (with pagination, delimiter and
/// `encoding-type=url`, so keys with any characters survive the XML), `ListBuckets` and
/// `ListMultipartUploads`.
struct S3Listing: Sendable {
    let transport: S3Transport

    /// One page of `GET /BUCKET?list-type=2`.
    ///
    /// Keys and prefixes come back URL-encoded (`encoding-type=url`) and are decoded here:
    /// XML 1.0 cannot carry every character a key may hold, and `+`/space must not be confused.
    ///
    /// - Parameters:
    ///   - bucket: the bucket.
    ///   - prefix: keys must start with this (empty for all).
    ///   - delimiter: `/` to roll deeper keys up into common prefixes; nil for a recursive listing.
    ///   - token: the previous page's `nextToken`.
    ///   - maxKeys: entries per page (S3 caps it at 1,000).
    ///   - startAfter: list only keys after this one (`StartAfter`; the first page only, a
    ///     continuation token carries it on).
    ///   - display: the address to name in errors.
    /// - Throws: `S3ServiceError` (`NoSuchBucket`…), `CurlError`, `VFSError(.io)` for a bad document.
    func page(bucket: String, prefix: String, delimiter: String?, token: String?, maxKeys: Int,
              startAfter: String? = nil, display: String) async throws -> S3ListPage {
        var query: [(String, String?)] = [("list-type", "2"), ("encoding-type", "url"), ("max-keys", String(maxKeys))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let startAfter, token == nil { query.append(("start-after", startAfter)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let token { query.append(("continuation-token", token)) }
        let (_, body) = try await transport.sendCollecting(
            S3Operation("GET", bucket: bucket, query: query, idempotent: true, display: display))
        let root = try S3XML.parse(body, display: display)
        if root.name == "Error" {
            throw S3ServiceError(status: 200, body: body, headers: .init(), method: "GET", bucket: bucket, display: display)
        }
        let encoded = root["EncodingType"]?.lowercased() == "url"
        func decode(_ s: String) -> String { encoded ? S3XML.urlDecoded(s) : s }
        var page = S3ListPage()
        for node in root.children {
            switch node.name {
            case "Contents":
                guard let key = node["Key"] else { continue }
                page.objects.append(S3ListedObject(
                    key: decode(key), size: Int64(node["Size"] ?? "") ?? 0,
                    lastModified: node["LastModified"].flatMap(S3Time.parseISO8601),
                    etag: node["ETag"].map(S3XML.unquote)))
            case "CommonPrefixes":
                if let p = node["Prefix"] { page.prefixes.append(decode(p)) }
            default:
                break
            }
        }
        let truncated = root["IsTruncated"]?.lowercased() == "true"
        if truncated, let next = root["NextContinuationToken"], !next.isEmpty { page.nextToken = next }
        return page
    }

    /// `GET /`: the buckets these credentials own, with their creation dates.
    ///
    /// - Throws: `S3ServiceError`, `CurlError`, `VFSError(.io)`.
    func buckets(display: String) async throws -> [(name: String, created: Date?)] {
        let (_, body) = try await transport.sendCollecting(S3Operation("GET", bucket: nil, idempotent: true, display: display))
        let root = try S3XML.parse(body, display: display)
        return (root.child("Buckets")?.children("Bucket") ?? []).compactMap { b in
            b["Name"].map { (name: $0, created: b["CreationDate"].flatMap(S3Time.parseISO8601)) }
        }
    }

    /// `GET /BUCKET?uploads`: multipart uploads in progress under `prefix`, all pages.
    ///
    /// - Throws: `S3ServiceError`, `CurlError`, `VFSError(.io)`.
    func pendingUploads(bucket: String, prefix: String, display: String) async throws -> [S3PendingUpload] {
        var result: [S3PendingUpload] = []
        var keyMarker: String?
        var idMarker: String?
        while true {
            var query: [(String, String?)] = [("uploads", nil)]
            if !prefix.isEmpty { query.append(("prefix", prefix)) }
            if let keyMarker { query.append(("key-marker", keyMarker)) }
            if let idMarker { query.append(("upload-id-marker", idMarker)) }
            let (_, body) = try await transport.sendCollecting(
                S3Operation("GET", bucket: bucket, query: query, idempotent: true, display: display))
            let root = try S3XML.parse(body, display: display)
            let encoded = root["EncodingType"]?.lowercased() == "url"
            for u in root.children("Upload") {
                guard let key = u["Key"], let id = u["UploadId"] else { continue }
                result.append(S3PendingUpload(key: encoded ? S3XML.urlDecoded(key) : key, uploadId: id,
                                              initiated: u["Initiated"].flatMap(S3Time.parseISO8601)))
            }
            guard root["IsTruncated"]?.lowercased() == "true", let nextKey = root["NextKeyMarker"], !nextKey.isEmpty else {
                return result
            }
            keyMarker = nextKey
            idMarker = root["NextUploadIdMarker"]
        }
    }
}

/// The state of a paged listing between pages: the continuation token, and whether anything
/// was seen yet (an empty prefix is "not found", unless it is a bucket's root).
actor S3ListingCursor {
    private var token: String?
    private var started = false
    private var finished = false
    private var seenAnything = false

    /// The token to ask the next page with; nil once the listing is over.
    /// - Returns: `(token, isFirst)`, or nil when no page is left.
    func nextRequest() -> (token: String?, isFirst: Bool)? {
        guard !finished else { return nil }
        let first = !started
        started = true
        return (token, first)
    }

    /// Records a page: its next token, and whether it held anything at all.
    func record(nextToken: String?, hadEntries: Bool) {
        token = nextToken
        if nextToken == nil { finished = true }
        if hadEntries { seenAnything = true }
    }

    func finish() { finished = true }
    var hasSeenAnything: Bool { seenAnything }
}
