import ArgumentParser
import DCTCCore

/// aws-cli's global options, on every command: which profile, region and endpoint S3
/// addresses use, and unsigned requests for public buckets.
public struct AWSOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("AWS profile of ~/.aws/config and ~/.aws/credentials (default: $AWS_PROFILE, else default).", valueName: "name"))
    public var profile: String?

    @Option(name: .long, help: ArgumentHelp("AWS region (default: the account's, $AWS_REGION, the profile's, else us-east-1).", valueName: "region"))
    public var region: String?

    @Option(name: .long, help: ArgumentHelp("S3 endpoint URL (default: the account's, $AWS_ENDPOINT_URL_S3, the profile's endpoint_url, else AWS).", valueName: "url"))
    public var endpointURL: String?

    @Flag(name: .long, help: "Send S3 requests unsigned, without looking for credentials (public buckets).")
    public var noSignRequest = false

    public init() {}

    /// The choices as the stores receive them.
    var selection: AWSSelection {
        AWSSelection(profile: profile.flatMap { $0.isEmpty ? nil : $0 }, region: region.flatMap { $0.isEmpty ? nil : $0 },
                     endpointURL: endpointURL.flatMap { $0.isEmpty ? nil : $0 }, noSignRequest: noSignRequest)
    }
}

/// aws-cli's upload options (`aws s3 cp`): what objects written get besides their bytes.
/// On the commands that write (cp, mv, sync, copy); account keys of the same names
/// (`content_type`, `storage_class`...) are the defaults.
public struct UploadOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("Content-Type of uploaded objects (default: guessed from the name, from /etc/mime.types).", valueName: "type"))
    public var contentType: String?

    @Option(name: .long, help: ArgumentHelp("User metadata for uploaded objects (repeatable; S3 x-amz-meta-KEY).", valueName: "key=value"))
    public var metadata: [String] = []

    @Option(name: .long, help: ArgumentHelp("Cache-Control of uploaded objects.", valueName: "value"))
    public var cacheControl: String?

    @Option(name: .long, help: ArgumentHelp("Content-Encoding of uploaded objects.", valueName: "value"))
    public var contentEncoding: String?

    @Option(name: .long, help: ArgumentHelp("S3 storage class (STANDARD, STANDARD_IA, GLACIER...).", valueName: "class"))
    public var storageClass: String?

    @Option(name: .long, help: ArgumentHelp("S3 server-side encryption: AES256 or aws:kms.", valueName: "AES256|aws:kms"))
    public var sse: String?

    @Option(name: .long, help: ArgumentHelp("KMS key for --sse aws:kms.", valueName: "key-id"))
    public var sseKmsKeyId: String?

    @Option(name: .long, help: ArgumentHelp("S3 canned ACL (private, public-read, bucket-owner-full-control...).", valueName: "acl"))
    public var acl: String?

    public init() {}

    public func validate() throws {
        if let sse, !["AES256", "aws:kms"].contains(sse) {
            throw ValidationError("--sse must be AES256 or aws:kms")
        }
        if sseKmsKeyId != nil && sse != "aws:kms" { throw ValidationError("--sse-kms-key-id needs --sse aws:kms") }
        for m in metadata {
            do { _ = try UploadProperties.metadataPair(m) } catch let e as VFSError { throw ValidationError("--metadata: \(e.message)") }
        }
    }

    /// The properties as the stores receive them.
    var properties: UploadProperties {
        var p = UploadProperties()
        p.contentType = contentType
        for m in metadata {
            if let (k, v) = try? UploadProperties.metadataPair(m) { p.metadata[k] = v }
        }
        p.cacheControl = cacheControl
        p.contentEncoding = contentEncoding
        p.storageClass = storageClass
        p.serverSideEncryption = sse
        p.sseKMSKeyId = sseKmsKeyId
        p.acl = acl
        return p
    }
}
