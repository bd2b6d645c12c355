@testable import DCTCFlow
import Foundation
import Testing

@Suite("pipeline files: schema and messages that point at the line")
struct PipelineParserTests {
    func parse(_ yaml: String) throws -> Pipeline { try PipelineParser.parse(yaml, path: "p.yaml") }

    func error(_ yaml: String) -> PipelineError? {
        do { _ = try parse(yaml); return nil } catch { return error as? PipelineError }
    }

    static let base = """
    dimensions:
      date: {grain: day, start: 2013-06-01}
      country: {values: [FR, DE]}
    datasets:
      raw: {path: "raw/{country}/{date}.log", external: true}
      gz: {path: "gz/{country}/{date:%Y/%m/%d}.log.gz"}
    steps:
      compress: {kind: copy, compress: gz, input: raw, output: gz}
    """

    @Test("a valid pipeline: dimensions, datasets with partitions in placeholder order, the step order")
    func valid() throws {
        let p = try parse(Self.base)
        #expect(p.name == "p")
        #expect(p.datasets["gz"]?.dimensions == ["country", "date"])
        #expect(p.producers["gz"] == "compress")
        #expect(p.stepOrder == ["compress"])
    }

    @Test("an unknown dataset is named, with the known ones, at its line")
    func unknownDataset() {
        let e = error(Self.base.replacingOccurrences(of: "input: raw,", with: "input: rwa,"))
        #expect(e?.message.contains("unknown dataset 'rwa' (datasets: gz, raw)") == true, "\(String(describing: e))")
        #expect(e?.mark?.line == 8)
    }

    @Test("a placeholder mismatch between the path and the partitions is refused")
    func placeholderMismatch() {
        let e = error(Self.base.replacingOccurrences(of: "gz: {path: \"gz/{country}/{date:%Y/%m/%d}.log.gz\"}",
                                                     with: "gz: {path: \"gz/{date}.log.gz\", partitions: [date, country]}"))
        #expect(e?.message.contains("placeholder mismatch") == true, "\(String(describing: e))")
        #expect(e?.mark?.line == 6)
    }

    @Test("a cycle is refused with its path")
    func cycle() {
        let yaml = """
        datasets:
          a: {path: "a.txt"}
          b: {path: "b.txt"}
        steps:
          ab: {command: "cp {input} {output}", input: a, output: b}
          ba: {command: "cp {input} {output}", input: b, output: a}
        """
        let e = error(yaml)
        #expect(e?.message.hasPrefix("cycle: ") == true, "\(String(describing: e))")
        #expect(e?.message.contains("ab → ba → ab") == true || e?.message.contains("ba → ab → ba") == true)
    }

    @Test("unknown keys, bad functions, formats that merge partitions and bad YAML are refused")
    func otherErrors() {
        #expect(error(Self.base.replacingOccurrences(of: "output: gz}", with: "output: gz, retires: 3}"))?.message.contains("unknown key 'retires'") == true)
        let badFormat = Self.base.replacingOccurrences(of: "{date:%Y/%m/%d}", with: "{date:%Y/%m}")
        #expect(error(badFormat)?.message.contains("cannot tell two day partitions") == true)
        let badFn = Self.base.replacingOccurrences(of: "compress: {kind: copy, compress: gz, input: raw, output: gz}",
                                                   with: "compress: {kind: copy, input: {dataset: raw, date: \"window(1d)\"}, output: gz}")
        #expect(error(badFn)?.message.contains("not a dependency function") == true)
        let external = Self.base.replacingOccurrences(of: "output: gz}", with: "output: raw}")
        #expect(error(external)?.message.contains("is external") == true)
        let yaml = error("datasets: [a\nsteps: {}")
        #expect(yaml?.message.hasPrefix("not valid YAML") == true)
        #expect(yaml?.mark != nil)
        let value = Self.base.replacingOccurrences(of: "[FR, DE]", with: "[FR, \"../up\"]")
        #expect(error(value)?.message.contains("may not be empty, contain '/'") == true)
    }

    @Test("time periods: parse, format, arithmetic across month and year ends, ISO weekdays")
    func timePeriods() throws {
        let d = try #require(TimePeriod.parse("2013-12-31"))
        #expect(d.advanced(by: 1).description == "2014-01-01")
        #expect(try #require(TimePeriod.parse("2012-03-01")).advanced(by: -1).description == "2012-02-29")
        #expect(try #require(TimePeriod.parse("2013-01")).advanced(by: -1).description == "2012-12")
        #expect(try #require(TimePeriod.parse("2013-06-03T00")).advanced(by: -1).description == "2013-06-02T23")
        #expect(d.format("%Y/%m/%d %j") == "2013/12/31 365")
        #expect(try #require(TimePeriod.parse("2013-06-03")).isoWeekday == 1)
        #expect(TimePeriod.parse("2013-02-29") == nil)
        #expect(TimePeriod.parse("2013-6-3") == nil)
        #expect(try #require(TimePeriod.parse("2013-06")).periods(of: .day).count == 30)
    }
}
