import DCTCCore
@testable import DCTCFlow
import DCTCTestSupport
import Testing

@Suite("fuzz: pipeline YAML")
struct PipelineFuzzTests {
    static let corpus = [
        """
        datasets:
          raw: {path: "raw/{date:%Y/%m/%d}.csv", partitions: [date]}
          gz: {path: "gz/{country}/{date:%Y/%m/%d}.log.gz"}
          out:
            path: "out/{date}.txt"
            partitions: [date]
        steps:
          compress:
            command: "gzip -c {input} > {output}"
            input: raw
            output: gz
            retries: 2
            retry_delay: 5s
          report: {command: "wc -l {input} > {output}", input: gz, output: out, checks: [{min_size: 1}]}
        """,
        """
        datasets:
          a: {path: "a.txt"}
          b: {path: "b.txt"}
        steps:
          ab: {command: "cp {input} {output}", input: a, output: b}
        # comment
        anchors: &x [1, 2]
        ref: *x
        """,
        "steps: []\ndatasets: {}\n",
        "- a\n- b: c\n  d: |\n    text\n    more\n",
    ]

    @Test("3,000 mutated pipeline files parse or fail with a one-line error, never crash")
    func mutatedPipelinesNeverCrash() {
        var fuzzer = Fuzzer(seed: 13)
        var problems: [String] = []
        for bytes in fuzzer.cases(from: Self.corpus, count: 3000) {
            do {
                _ = try PipelineParser.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz.yaml")
            } catch {
                if let p = Fuzzer.problem(with: error) { problems.append(p) }
            }
        }
        #expect(problems.isEmpty, "\(problems.count) problems, first: \(problems.first ?? "")")
    }
}
