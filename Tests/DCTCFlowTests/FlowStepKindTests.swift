import DCTCCore
import DCTCTestSupport
@testable import DCTCFlow
import Foundation
import Testing

@Suite("flow step kinds: sync and dispatch, folder outputs")
struct FlowStepKindTests {
    @Test("a dispatch step splits a day's CSV into a folder per day, by country; a repeat is fresh")
    func dispatchStep() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          sales: {path: "sales/{date}.csv", external: true}
          by_country: {path: "by-country/{date}/"}
        steps:
          split:
            kind: dispatch
            input: sales
            output: by_country
            by: value
            column: 2
            format: csv
            header: true
            name: "{key}.csv"
            checks: [non_empty, {min_rows: 4}]
        """
        try f.write("sales/2013-06-01.csv", "id,country\n1,FR\n2,DE\n3,FR\n")
        let report = try await f.build(try f.engine(yaml), "by_country@2013-06-01")
        #expect(report.builtUnits == ["split@2013-06-01"], "\(report.units.map { "\($0.outcome) \($0.error ?? "")" })")
        #expect(try f.read("by-country/2013-06-01/FR.csv") == "id,country\n1,FR\n3,FR\n")
        #expect(try f.read("by-country/2013-06-01/DE.csv") == "id,country\n2,DE\n")
        #expect(f.exists("by-country/2013-06-01/_dctc.json"))
        let again = try await f.build(try f.engine(yaml), "by_country@2013-06-01")
        #expect(again.nothingToDo, "\(again.units.map(\.reasons))")
        // A key that disappears from the input disappears from the output folder.
        try f.write("sales/2013-06-01.csv", "id,country\n1,FR\n3,FR\n4,FR\n")
        let third = try await f.build(try f.engine(yaml), "by_country@2013-06-01")
        #expect(third.built == 1)
        #expect(!f.exists("by-country/2013-06-01/DE.csv"))
        #expect(f.exists("by-country/2013-06-01/_dctc.json"))
    }

    @Test("a dispatch step's settings are validated with the pipeline, pointing at the line")
    func dispatchValidation() throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          sales: {path: "sales/{date}.csv", external: true}
          by_country: {path: "by-country/{date}/"}
        steps:
          split:
            kind: dispatch
            input: sales
            output: by_country
            by: hash
            column: 2
        """
        #expect { try f.pipeline(yaml) } throws: { error in
            let e = error as? PipelineError
            return e?.message.contains("buckets") == true && e?.mark?.line == 11
        }
    }

    @Test("a sync step mirrors a folder partition; sidecars stay dctc's own")
    func syncStep() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          month: {grain: month, start: 2013-01}
        datasets:
          drop: {path: "drop/{month}/", external: true}
          mirror: {path: "mirror/{month}/"}
        steps:
          copy_month: {kind: sync, input: drop, output: mirror}
        """
        try f.write("drop/2013-06/a.txt", "a")
        try f.write("drop/2013-06/sub/b.txt", "b")
        let first = try await f.build(try f.engine(yaml), "mirror@2013-06")
        #expect(first.builtUnits == ["copy_month@2013-06"], "\(first.units.map { "\($0.outcome) \($0.error ?? "")" })")
        #expect(try f.read("mirror/2013-06/sub/b.txt") == "b")
        #expect(try await f.build(try f.engine(yaml), "mirror@2013-06").nothingToDo)
        try f.write("drop/2013-06/c.txt", "c")
        let again = try await f.build(try f.engine(yaml), "mirror@2013-06")
        #expect(again.built == 1)
        #expect(try f.read("mirror/2013-06/c.txt") == "c")
    }

    @Test("month outputs read every day of their month (equals across grains); since(week) starts on Monday")
    func grainsAndSince() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let p = try f.pipeline("""
        dimensions:
          day: {grain: day, start: 2013-01-01}
          month: {grain: month, start: 2013-01}
        datasets:
          daily: {path: "d/{day}.txt", external: true}
          monthly: {path: "m/{month}.txt"}
          wtd: {path: "w/{day}.txt"}
        steps:
          m: {command: "cat {inputs} > {output}", inputs: [{dataset: daily, day: all}], output: monthly}
          w: {command: "cat {inputs} > {output}", inputs: [{dataset: daily, day: "since(week)"}], output: wtd}
        """)
        let r = DependencyResolver(pipeline: p, now: 1_400_000_000)
        // 2013-06-06 is a Thursday: the week started on Monday 2013-06-03.
        let week = try await r.inputPartitions(p.steps["w"]!.inputs[0], output: p.datasets["wtd"]!, key: PartitionKey(["2013-06-06"])) { _ in true }
        #expect(week.map(\.key.description) == ["2013-06-03", "2013-06-04", "2013-06-05", "2013-06-06"])
        let window = try #require(parseFunction("window(-2, 1)"))
        let days = try await r.inputPartitions(StepInput(dataset: "daily", functions: ["day": window], optional: false, mark: nil),
                                               output: p.datasets["wtd"]!, key: PartitionKey(["2013-03-01"])) { _ in true }
        #expect(days.map(\.key.description) == ["2013-02-27", "2013-02-28", "2013-03-01", "2013-03-02"])
    }

    @Test("latest reads the newest existing input partition at or before the output's; all reads from the start")
    func latestAndAll() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          prices: {path: "prices/{date}.csv", external: true}
          report: {path: "report/{date}.txt"}
          total: {path: "total/{date}.txt"}
        steps:
          quote:
            command: "cp {input} {output}"
            inputs: [{dataset: prices, date: latest}]
            output: report
          sum:
            command: "cat {inputs} > {output}"
            inputs: [{dataset: prices, date: all}]
            output: total
        """
        try f.write("prices/2013-06-01.csv", "p1\n")
        try f.write("prices/2013-06-03.csv", "p3\n")
        let report = try await f.build(try f.engine(yaml), "report@2013-06-05", "total@2013-06-03")
        #expect(report.outcome("quote@2013-06-05") == .built, "\(report.units.map { "\($0.step) \($0.outcome) \($0.reasons) \($0.error ?? "")" })")
        #expect(try f.read("report/2013-06-05.txt") == "p3\n")
        // all: 2013-06-01 through 2013-06-03; the missing 06-02 stops it (unless optional: below).
        #expect(report.outcome("sum@2013-06-03") == .inputMissing)
        // A newer price appears: the report of 06-05 now reads it.
        try f.write("prices/2013-06-04.csv", "p4\n")
        let again = try await f.build(try f.engine(yaml), "report@2013-06-05")
        #expect(again.builtUnits == ["quote@2013-06-05"])
        #expect(try f.read("report/2013-06-05.txt") == "p4\n")
    }

    @Test("optional inputs: missing partitions are skipped instead of stopping the unit")
    func optionalInputs() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          prices: {path: "prices/{date}.csv", external: true}
          total: {path: "total/{date}.txt"}
        steps:
          sum:
            command: "cat {inputs} > {output}"
            inputs: [{dataset: prices, date: all, optional: true}]
            output: total
        """
        try f.write("prices/2013-06-01.csv", "p1\n")
        try f.write("prices/2013-06-03.csv", "p3\n")
        let report = try await f.build(try f.engine(yaml), "total@2013-06-03")
        #expect(report.builtUnits == ["sum@2013-06-03"])
        #expect(try f.read("total/2013-06-03.txt") == "p1\np3\n")
    }
}
