@testable import DCTCBackendS3
import DCTCCore
import DCTCCurl
import DCTCDigest
import Foundation
import Testing

@Suite("S3 verification of assembled objects and promised MD5s")
struct S3VerificationTests {
    static let parts: [S3UploadedPart] = [
        S3UploadedPart(number: 1, etag: "\"a\"", md5: "0cc175b9c0f1b6a831c399e269772661"),
        S3UploadedPart(number: 2, etag: "\"b\"", md5: "92eb5ffee6ae2fec3ad71c777531578f"),
    ]

    @Test("the multipart ETag is the MD5 of the parts' binary MD5s, a dash and the part count")
    func multipartETagOfParts() throws {
        let expected = try Digest.hash(S3Crypto.bytes(fromHex: Self.parts[0].md5) + S3Crypto.bytes(fromHex: Self.parts[1].md5), kind: .md5)
        #expect(try S3MultipartUpload.multipartETag(partMD5s: Self.parts.map(\.md5)) == expected + "-2")
        try S3MultipartUpload.checkCompletedETag("\"\(expected)-2\"", parts: Self.parts, wholeMD5: nil, display: "s3://b/k")
    }

    @Test("an assembled ETag that does not follow from the parts sent is a checksum mismatch")
    func wrongMultipartETag() {
        let error = #expect(throws: VFSError.self) {
            try S3MultipartUpload.checkCompletedETag("\"00000000000000000000000000000000-2\"", parts: Self.parts,
                                                     wholeMD5: nil, display: "s3://b/k")
        }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.path == "s3://b/k")
    }

    @Test("a plain-MD5 ETag (rclone serve s3) is checked against the whole content's MD5; other shapes pass")
    func plainETag() throws {
        let whole = "900150983cd24fb0d6963f7d28e17f72"
        try S3MultipartUpload.checkCompletedETag(whole, parts: Self.parts, wholeMD5: whole, display: "s3://b/k")
        #expect(throws: VFSError.self) {
            try S3MultipartUpload.checkCompletedETag("11111111111111111111111111111111", parts: Self.parts, wholeMD5: whole, display: "s3://b/k")
        }
        try S3MultipartUpload.checkCompletedETag("opaque-kms-etag", parts: Self.parts, wholeMD5: whole, display: "s3://b/k")
    }

    @Test("the promised MD5 of a GET: md5chksum first, else a single-part ETag, never a multipart or encrypted one")
    func promisedMD5() {
        let md5 = "900150983cd24fb0d6963f7d28e17f72"
        #expect(knownContentMD5(CurlHeaders([("ETag", "\"\(md5)\"")])) == md5)
        #expect(knownContentMD5(CurlHeaders([("ETag", "\"\(md5)-3\"")])) == nil)
        #expect(knownContentMD5(CurlHeaders([("ETag", "\"\(md5)-3\""),
                                             ("x-amz-meta-md5chksum", S3Crypto.base64(fromHex: md5))])) == md5)
        #expect(knownContentMD5(CurlHeaders([("ETag", "\"\(md5)\""), ("x-amz-server-side-encryption", "aws:kms")])) == nil)
    }
}
