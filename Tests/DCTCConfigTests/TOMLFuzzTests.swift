@testable import DCTCConfig
import DCTCTestSupport
import Testing

@Suite("fuzz: TOML config")
struct TOMLFuzzTests {
    static let corpus = [
        """
        # dctc config
        [defaults]
        parallel = 8
        verbose = true

        [accounts.lake]
        type = "s3"
        endpoint = "http://127.0.0.1:17091"
        region = 'us-east-1'
        access_key_id = "AKID"
        secret_access_key_env = "SECRET"
        tags = ["a", "b", 'c']
        inline = { x = 1, y = "two" }

        [aliases]
        up = "sync . lake:b/up"
        """,
        """
        [accounts."quoted name"]
        type = "sftp"
        host = "h"
        port = 22
        multi = \"\"\"
        line one
        line two\"\"\"
        literal = '''raw \\n'''
        float = 1.5e3
        date = 2026-01-01T00:00:00Z
        """,
        "a.b.c = 1\n[[array.of.tables]]\nx = -0x1f\n",
    ]

    @Test("3,000 mutated config files parse or fail with a one-line error naming the line, never crash")
    func mutatedConfigsNeverCrash() {
        var fuzzer = Fuzzer(seed: 12)
        var problems: [String] = []
        for bytes in fuzzer.cases(from: Self.corpus, count: 3000) {
            do {
                _ = try TOMLDocument.parse(bytes: bytes, path: "fuzz.toml")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
            // The full configuration too, with no environment and no commands run.
            let text = String(decoding: bytes, as: UTF8.self)
            guard !text.contains("_command") else { continue }
            do {
                _ = try DCTCConfiguration.parse(text, path: "fuzz.toml", environment: [:], options: accountOptions)
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.first ?? "")")
    }
}
