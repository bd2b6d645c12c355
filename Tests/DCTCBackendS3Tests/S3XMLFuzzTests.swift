@testable import DCTCBackendS3
import DCTCCore
import DCTCTestSupport
import Testing

@Suite("fuzz: S3 XML")
struct S3XMLFuzzTests {
    static let corpus = [
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>p/</Prefix>
        <KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>
        <NextContinuationToken>tok&amp;en</NextContinuationToken>
        <Contents><Key>p/a&lt;b&gt;.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
        <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents>
        <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes></ListBucketResult>
        """,
        "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>1</RequestId></Error>",
        "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId></InitiateMultipartUploadResult>",
        "<CompleteMultipartUploadResult><Location>http://x</Location><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>",
        "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code></Error></DeleteResult>",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;&#65;&#x42;<![CDATA[<raw>]]></x>",
    ]

    @Test("3,000 mutated S3 XML answers parse or fail with a one-line error, never crash")
    func mutatedXMLNeverCrashes() {
        var fuzzer = Fuzzer(seed: 16)
        var problems: [String] = []
        for bytes in fuzzer.cases(from: Self.corpus, count: 3000) {
            do {
                let root = try S3XML.parse(bytes, display: "s3://b/p")
                _ = root["Code"]
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
            if let doc = S3ServiceError.document(bytes, display: "s3://b/p") {
                let e = S3ServiceError(status: 503, code: doc["Code"], message: doc["Message"], method: "GET", display: "s3://b/p")
                if let p = Fuzzer.problem(with: e.vfsError) { problems.append(p) }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.first ?? "")")
    }
}
