import Foundation

/// The AWS choices of the command line, as aws-cli names them: `--profile`, `--region`,
/// `--endpoint-url`, `--no-sign-request`. They win over account settings, the environment
/// and `~/.aws/config`.
public struct AWSSelection: Sendable, Hashable {
    /// The profile of `~/.aws/config` and `~/.aws/credentials` (`--profile`).
    public var profile: String?
    /// The region (`--region`).
    public var region: String?
    /// The S3 endpoint (`--endpoint-url`).
    public var endpointURL: String?
    /// Send unsigned requests, without looking for credentials (`--no-sign-request`).
    public var noSignRequest = false

    public init(profile: String? = nil, region: String? = nil, endpointURL: String? = nil, noSignRequest: Bool = false) {
        self.profile = profile
        self.region = region
        self.endpointURL = endpointURL
        self.noSignRequest = noSignRequest
    }
}

/// What objects written to a store get besides their bytes: aws-cli's `--content-type`,
/// `--metadata`, `--cache-control`, `--content-encoding`, `--storage-class`, `--sse`,
/// `--sse-kms-key-id`, `--acl`. Unset fields leave the choice to the store (and its account
/// settings); the Content-Type is guessed from the name unless given.
public struct UploadProperties: Sendable, Hashable {
    public var contentType: String?
    /// User metadata (`x-amz-meta-KEY` on S3).
    public var metadata: [String: String] = [:]
    public var cacheControl: String?
    public var contentEncoding: String?
    /// `STANDARD`, `STANDARD_IA`, `GLACIER`...
    public var storageClass: String?
    /// `AES256` or `aws:kms`.
    public var serverSideEncryption: String?
    public var sseKMSKeyId: String?
    /// A canned ACL (`private`, `public-read`...).
    public var acl: String?

    public init() {}

    /// True when nothing is set.
    public var isEmpty: Bool { self == UploadProperties() }

    /// The fields of `other` that are set, over these.
    public func overridden(by other: UploadProperties) -> UploadProperties {
        var out = self
        if let v = other.contentType { out.contentType = v }
        out.metadata.merge(other.metadata) { _, new in new }
        if let v = other.cacheControl { out.cacheControl = v }
        if let v = other.contentEncoding { out.contentEncoding = v }
        if let v = other.storageClass { out.storageClass = v }
        if let v = other.serverSideEncryption { out.serverSideEncryption = v }
        if let v = other.sseKMSKeyId { out.sseKMSKeyId = v }
        if let v = other.acl { out.acl = v }
        return out
    }

    /// Parses `KEY=VALUE` (`--metadata`): the key lowercased, as S3 stores it.
    ///
    /// - Throws: `.invalidArgument` for text without `=`, an empty key, or a key with
    ///   characters a header name cannot carry.
    public static func metadataPair(_ text: String) throws -> (key: String, value: String) {
        guard let eq = text.firstIndex(of: "=") else {
            throw VFSError.invalid("metadata must be written KEY=VALUE", path: text, remedy: "for example --metadata owner=data-team")
        }
        let key = text[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
        let value = String(text[text.index(after: eq)...])
        let allowed = key.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
        }
        guard !key.isEmpty, allowed else {
            throw VFSError.invalid("a metadata key may hold only letters, digits, '-', '_' and '.'", path: text,
                                   remedy: "for example --metadata owner=data-team")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw VFSError.invalid("a metadata value cannot hold control characters", path: SafeName.escaped(text))
        }
        return (key, value)
    }
}
