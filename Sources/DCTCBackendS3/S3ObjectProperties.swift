import DCTCCore
import DCTCCurl
import Foundation

/// The object properties S3 keeps besides user metadata, as aws-cli sets them
/// (`--content-type`, `--cache-control`, `--content-encoding`, `--storage-class`, `--sse`,
/// `--sse-kms-key-id`, `--acl`), and how they appear in `FileInfo.properties`.
enum S3ObjectProperties {
    /// Property name (as in `FileInfo.properties`) ↔ the S3 header that carries it.
    static let fields: [(property: String, header: String)] = [
        ("Content-Type", "Content-Type"),
        ("Cache-Control", "Cache-Control"),
        ("Content-Encoding", "Content-Encoding"),
        ("Content-Disposition", "Content-Disposition"),
        ("Content-Language", "Content-Language"),
        ("Storage-Class", "x-amz-storage-class"),
        ("Server-Side-Encryption", "x-amz-server-side-encryption"),
        ("SSE-KMS-Key-Id", "x-amz-server-side-encryption-aws-kms-key-id"),
    ]

    /// Properties copied by a server-side copy (S3 forgets them with
    /// `x-amz-metadata-directive: REPLACE` unless they are sent again).
    static let kept: Set<String> = ["Content-Type", "Cache-Control", "Content-Encoding", "Content-Disposition",
                                    "Content-Language", "Storage-Class", "Server-Side-Encryption", "SSE-KMS-Key-Id"]

    /// The properties in a HEAD answer.
    static func decode(_ headers: CurlHeaders) -> [String: String] {
        var out: [String: String] = [:]
        for (property, header) in fields {
            if let v = headers[header], !v.isEmpty { out[property] = v }
        }
        return out
    }

    /// The properties to write an object with: the store's upload settings (account, then
    /// command line), then the writer's own (`WriteAttributes.properties`), the Content-Type
    /// guessed from the key's name when none is given.
    static func properties(for key: String, upload: UploadProperties, guessContentType: Bool,
                           explicit: [String: String]) -> [String: String] {
        var p: [String: String] = [:]
        if guessContentType, let guessed = MIMETypes.type(forName: key.split(separator: "/").last.map(String.init) ?? key) {
            p["Content-Type"] = guessed
        }
        if let v = upload.contentType { p["Content-Type"] = v }
        if let v = upload.cacheControl { p["Cache-Control"] = v }
        if let v = upload.contentEncoding { p["Content-Encoding"] = v }
        if let v = upload.storageClass { p["Storage-Class"] = v }
        if let v = upload.serverSideEncryption { p["Server-Side-Encryption"] = v }
        if let v = upload.sseKMSKeyId { p["SSE-KMS-Key-Id"] = v }
        if let v = upload.acl { p["ACL"] = v }
        for (k, v) in explicit { p[k] = v }
        return p
    }

    /// The request headers of properties (`ACL` → `x-amz-acl`); unknown names are skipped.
    /// - Throws: `.invalidArgument` for a value with control characters (it would split the
    ///   request's header).
    static func headers(_ properties: [String: String], display: String) throws -> [(String, String)] {
        var out: [(String, String)] = []
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw VFSError.invalid("the \(name) value holds control characters", path: display)
            }
            if name == "ACL" { out.append(("x-amz-acl", value)); continue }
            if let header = fields.first(where: { $0.property == name })?.header { out.append((header, value)) }
        }
        return out
    }
}

extension S3FileSystem {
    /// The user metadata and property headers a write of `key` sends: the store's upload
    /// settings under the writer's attributes.
    func uploadAttributes(_ attributes: WriteAttributes, key: String, display shown: String) throws
        -> (attributes: WriteAttributes, headers: [(String, String)])
    {
        var merged = attributes
        merged.metadata = configuration.upload.metadata.merging(attributes.metadata) { _, own in own }
        let properties = S3ObjectProperties.properties(for: key, upload: configuration.upload,
                                                       guessContentType: configuration.guessContentType,
                                                       explicit: attributes.properties)
        merged.properties = properties
        return (merged, try S3ObjectProperties.headers(properties, display: shown))
    }
}
