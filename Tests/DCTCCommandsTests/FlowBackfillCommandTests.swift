import DCTCTestSupport
import Foundation
import Testing

@Suite("dctc flow backfill over several dimensions, and long ranges")
struct FlowBackfillCommandTests {
    static let pipeline = """
    name: revenue
    dimensions:
      date: {type: time, grain: day, start: 2024-03-01}
      country: {values: [FR, DE, IT]}
    datasets:
      sales: {path: "sales/{country}/{date}.csv", external: true}
      revenue: {path: "revenue/{country}/{date}.txt"}
    steps:
      sum:
        command: "wc -l < {input} > {output}"
        input: sales
        output: revenue
    """

    func setUp(_ s: Scratch) throws -> [String: String] {
        _ = try s.write("pipeline.dctc.yaml", Self.pipeline)
        for c in ["FR", "DE", "IT"] {
            for d in 1...14 { _ = try s.write(String(format: "sales/\(c)/2024-03-%02d.csv", d), "a\nb\n") }
        }
        return ["XDG_STATE_HOME": s.url("state"), "DCTC_PIPELINE": s.url("pipeline.dctc.yaml")]
    }

    @Test("backfill of a two-dimension dataset: --from/--to on time, --where on the other; every value by default")
    func backfillWhere() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s)
        let some = try CLI.run(["flow", "backfill", "revenue", "--from", "2024-03-01", "--to", "2024-03-03", "--where", "country=FR,DE", "--json"], environment: env)
        #expect(some.status == 0, "\(some)")
        #expect(s.exists("revenue/FR/2024-03-03.txt") && s.exists("revenue/DE/2024-03-01.txt"))
        #expect(!s.exists("revenue/IT/2024-03-01.txt"))
        let all = try CLI.run(["flow", "backfill", "revenue", "--from", "2024-03-01", "--to", "2024-03-03"], environment: env)
        #expect(all.status == 0, "\(all)")
        #expect(s.exists("revenue/IT/2024-03-02.txt"))
        #expect(all.stderr.contains("3 built, 6 fresh"), "\(all)")
        let bad = try CLI.run(["flow", "backfill", "revenue", "--where", "region=EU"], environment: env)
        #expect(bad.status == 2, "\(bad)")
        #expect(bad.stderr.contains("no dimension 'region'") && bad.stderr.contains("country"), "\(bad)")
        let badValue = try CLI.run(["flow", "backfill", "revenue", "--from", "2024-03-01", "--to", "2024-03-02", "--where", "country=ES"], environment: env)
        #expect(badValue.status == 2 && badValue.stderr.contains("'ES' is not a value of country"), "\(badValue)")
    }

    @Test("a long range is summed up per step and outcome, failures still listed one by one")
    func longRangeSummary() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s)
        _ = try s.write("sales/DE/2024-03-09.csv", "")
        try FileManager.default.removeItem(atPath: s.url("sales/DE/2024-03-09.csv"))
        let r = try CLI.run(["flow", "backfill", "revenue", "--from", "2024-03-01", "--to", "2024-03-14"], environment: env)
        #expect(r.status == 9, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("input-missing") && $0.contains("sum@DE|2024-03-09") }, "\(r)")
        #expect(lines.contains("sum: 41 built (DE|2024-03-01 … IT|2024-03-14), 1 input-missing (DE|2024-03-09)"), "\(r)")
        #expect(lines.count < 10, "\(r)")
        let status = try CLI.run(["flow", "status", "revenue@2024-03-01/2024-03-14"], environment: env)
        #expect(status.stderr.contains("flow status: 42 partitions: 41 fresh, 1 input-missing"), "\(status)")
    }
}
