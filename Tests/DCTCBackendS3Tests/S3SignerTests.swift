@testable import DCTCBackendS3
import DCTCCore
import Foundation
import Testing

/// The signing examples of the S3 SigV4 documentation ("Examples: Signature Calculations in AWS
/// Signature Version 4"): example credentials, bucket `examplebucket`, 24 May 2013 00:00 UTC.
@Suite("SigV4 signing")
struct S3SignerTests {
    static let signer = S3Signer(
        credentials: S3Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
    static let host = ("host", "examplebucket.s3.amazonaws.com")

    static func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test("GET /test.txt with a Range header signs as the published example")
    func getObjectExample() throws {
        let headers = try Self.signer.signatureHeaders(
            method: "GET", canonicalURI: "/test.txt", query: [], headers: [Self.host, ("Range", "bytes=0-9")],
            payloadHash: S3Signer.emptyPayloadHash, date: Self.date)
        #expect(Self.authorization(headers) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
        #expect(headers.contains { $0 == ("x-amz-content-sha256", S3Signer.emptyPayloadHash) })
    }

    @Test("GET ?max-keys=2&prefix=J (a sorted, encoded query) signs as the published example")
    func listObjectsExample() throws {
        let headers = try Self.signer.signatureHeaders(
            method: "GET", canonicalURI: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [Self.host],
            payloadHash: S3Signer.emptyPayloadHash, date: Self.date)
        #expect(Self.authorization(headers)?.hasSuffix(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test("PUT /test$file.text with a body hash and extra headers signs as the published example")
    func putObjectExample() throws {
        let headers = try Self.signer.signatureHeaders(
            method: "PUT", canonicalURI: "/" + S3Signer.encode("test$file.text", keepSlash: true), query: [],
            headers: [Self.host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", date: Self.date)
        #expect(Self.authorization(headers) == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("temporary credentials add and sign x-amz-security-token")
    func sessionTokenIsSigned() throws {
        let signer = S3Signer(credentials: S3Credentials(accessKeyId: "AKID", secretAccessKey: "S", sessionToken: "TOKEN/+="),
                              region: "eu-west-1")
        let headers = try signer.signatureHeaders(method: "GET", canonicalURI: "/", query: [], headers: [Self.host],
                                                  payloadHash: S3Signer.unsignedPayload, date: Self.date)
        #expect(headers.contains { $0 == ("x-amz-security-token", "TOKEN/+=") })
        let auth = try #require(Self.authorization(headers))
        #expect(auth.contains("/20130524/eu-west-1/s3/aws4_request,"))
        #expect(auth.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test("query parameters are percent-encoded (RFC 3986, '/' too) and sorted by name")
    func canonicalQueryEncodesAndSorts() {
        let q = S3Signer.canonicalQuery([("prefix", "a b/c+d%é"), ("delimiter", "/"), ("uploads", ""), ("list-type", "2")])
        #expect(q == "delimiter=%2F&list-type=2&prefix=a%20b%2Fc%2Bd%25%C3%A9&uploads=")
    }

    @Test("keys keep '/' and escape everything outside the unreserved set")
    func pathEncoding() {
        #expect(S3Signer.encode("a b/c~d_e-f.g/ü?#+", keepSlash: true) == "a%20b/c~d_e-f.g/%C3%BC%3F%23%2B")
    }

    @Test("header values are trimmed and inner runs of spaces collapsed")
    func headerCanonicalisation() {
        let h = S3Signer.canonicalHeaders([("X-Amz-Meta-A", "  two   spaces  "), ("Host", "h")])
        #expect(h.map(\.name) == ["host", "x-amz-meta-a"])
        #expect(h.last?.value == "two spaces")
    }

    @Test("one signer used across days signs each request with that day's key")
    func keyPerDay() throws {
        let signer = S3Signer(credentials: Self.signer.credentials, region: "us-east-1")
        func sign(_ date: Date) throws -> String? {
            Self.authorization(try signer.signatureHeaders(
                method: "GET", canonicalURI: "/test.txt", query: [], headers: [Self.host, ("Range", "bytes=0-9")],
                payloadHash: S3Signer.emptyPayloadHash, date: date))
        }
        let example = try sign(Self.date)
        let nextDay = try sign(Self.date.addingTimeInterval(86_400))
        #expect(example?.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") == true)
        #expect(nextDay?.contains("/20130525/us-east-1/s3/aws4_request") == true)
        #expect(nextDay != example)
        #expect(try sign(Self.date) == example)
    }

    @Test("header values already canonical are kept; tabs and doubled spaces still go the long way")
    func canonicalValuesKept() {
        let h = S3Signer.canonicalHeaders([("a", "plain value"), ("b", "tab\there"), ("c", "x  y"), ("d", "")])
        #expect(h.map(\.value) == ["plain value", "tab\there", "x y", ""])
    }

    @Test("the signing timestamps are UTC")
    func timestamps() {
        let t = S3Signer.timestamps(Date(timeIntervalSince1970: 1_700_000_000.9))
        #expect(t.amzDate == "20231114T221320Z")
        #expect(t.day == "20231114")
    }
}
