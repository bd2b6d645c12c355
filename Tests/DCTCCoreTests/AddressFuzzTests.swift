import DCTCCore
import DCTCTestSupport
import Testing

@Suite("fuzz: addresses")
struct AddressFuzzTests {
    static let corpus = [
        "/tmp/a.txt", "relative/dir/", "~/x", "-", "s3://bucket/key/with space.txt", "sftp://me@host:2222/srv/x",
        "ftp://u:p@127.0.0.1:17021/pub/", "ftps://host/a", "http://127.0.0.1:17080/data/index.html?q=1#f",
        "https://[::1]:8443/x", "webdav://h/a", "lake:bucket/prefix/", "box:/abs/path", "user@host:path/file",
        "file:///etc/hosts", "NAME:", "s3://", "sftp://@:/", "mem://x/y", "a:b:c", "%2e%2e/%00",
    ]

    @Test("3,000 mutated addresses parse or fail with a one-line error, never crash")
    func mutatedAddressesNeverCrash() {
        var fuzzer = Fuzzer(seed: 11)
        var problems: [String] = []
        for bytes in fuzzer.cases(from: Self.corpus, count: 3000, maxLength: 512) {
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                _ = try Address.parse(text, cwd: "/work", home: "/home/u")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.prefix(3))")
    }
}
