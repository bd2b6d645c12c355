import DCTCCore
import DCTCState
import DCTCTestSupport
@testable import DCTCFlow
import Foundation
import Testing

@Suite("flow: compare checks, timeouts, last attempts and what blocks dependents, pipeline messages")
struct FlowChecksAndMessagesTests {
    func error(_ yaml: String) -> PipelineError? {
        do { _ = try PipelineParser.parse(yaml, path: "p.yaml"); return nil } catch { return error as? PipelineError }
    }

    static let base = """
    dimensions:
      date: {grain: day, start: 2013-06-01}
    datasets:
      raw: {path: "raw/{date}.log", external: true}
      out: {path: "out/{date}.log"}
    steps:
      copy_it:
        command: "cat {input} > {output}"
        input: raw
        output: out
    """

    @Test("a typo in a step key is answered with 'did you mean'; a typo in a check name too")
    func didYouMean() {
        let typo = error(Self.base.replacingOccurrences(of: "command:", with: "comand:"))
        #expect(typo?.message.contains("unknown key 'comand': did you mean 'command'?") == true, "\(String(describing: typo))")
        let check = error(Self.base + "\n    checks: [{min_row: 3}]")
        #expect(check?.message.contains("unknown check 'min_row': did you mean 'min_rows'?") == true, "\(String(describing: check))")
        let far = error(Self.base.replacingOccurrences(of: "command:", with: "zzzzzz:"))
        #expect(far?.message.contains("did you mean") == false)
    }

    @Test("window(-1m, 0d) names the cause: two units in one window")
    func mixedWindowUnits() {
        let yaml = Self.base.replacingOccurrences(of: "input: raw", with: "input: {dataset: raw, date: \"window(-1m, 0d)\"}")
        let e = error(yaml)
        #expect(e?.message.contains("use one unit (h, d, m or y), not m and d") == true, "\(String(describing: e))")
    }

    @Test("an unknown placeholder or a lone brace in a command says how to write a literal brace")
    func literalBracesInTheRemedy() {
        let awk = error(Self.base.replacingOccurrences(of: "cat {input} > {output}", with: "awk '{print $1}' {input} > {output}"))
        #expect(awk?.message.contains("write {{ and }} for a literal brace") == true, "\(String(describing: awk))")
        #expect(error(Self.base.replacingOccurrences(of: "cat {input} > {output}", with: "awk '{{ print $1 }}' {input} > {output}")) == nil)
    }

    @Test("compare: previous refuses a partition whose size changed more than max_change from the day before")
    func compareWithPreviousPartition() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = Self.base + "\n    checks:\n      - {compare: previous, max_change: 50%}\n      - {compare: previous, on: rows, max_change: 100%}"
        try f.write("raw/2013-06-01.log", "0123456789\n")
        try f.write("raw/2013-06-02.log", "0123456789abc\n")
        try f.write("raw/2013-06-03.log", String(repeating: "0123456789\n", count: 5))
        let report = try await f.build(try f.engine(yaml), "out@2013-06-01/2013-06-03")
        #expect(report.outcome("copy_it@2013-06-01") == .built)  // no previous partition
        #expect(report.outcome("copy_it@2013-06-02") == .built)  // 14 bytes against 11
        #expect(report.outcome("copy_it@2013-06-03") == .checkFailed)
        let failed = try #require(report.units.first { $0.partition == "2013-06-03" })
        #expect(failed.error?.contains("55 bytes against 14 in out@2013-06-02") == true, "\(failed.error ?? "")")
        #expect(failed.checks.count == 2 && failed.checks[1].passed == false)
        #expect(!f.exists("out/2013-06-03.log"))
        #expect(try PipelineParser.parse(yaml, path: "p.yaml").steps["copy_it"]?.checks.last == .compare(measure: .rows, maxChange: 1))
    }

    @Test("a step over its timeout is stopped and reported failed, with the timeout in the message")
    func stepTimeout() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let yaml = Self.base.replacingOccurrences(of: "cat {input} > {output}", with: "sleep 30; cat {input} > {output}")
            + "\n    timeout: 1s"
        let report = try await f.build(try f.engine(yaml), "out@2013-06-01")
        #expect(report.outcome("copy_it@2013-06-01") == .failed)
        #expect(report.units.first?.error?.contains("stopped after its timeout of 1 s") == true, "\(report.units.map { $0.error ?? "" })")
        #expect(error(Self.base + "\n    timeout: soon")?.message.contains("timeout 'soon' is not a duration") == true)
    }

    @Test("status and plan after a failure: the last attempt of the unit, and its dependents blocked by it")
    func lastAttemptAndBlockedDependents() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          clean: {path: "clean/{date}.log"}
          final: {path: "final/{date}.log"}
        steps:
          scrub:
            command: "test -e ok && cp {input} {output}"
            input: raw
            output: clean
          finish:
            command: "cp {input} {output}"
            input: clean
            output: final
        """
        try f.rawDays(1...1)
        _ = try await f.build(try f.engine(yaml), "final@2013-06-01")
        var plan = BuildOptions(); plan.dryRun = true
        let why = try await f.build(try f.engine(yaml), "final@2013-06-01", options: plan)
        let scrub = try #require(why.units.first { $0.step == "scrub" })
        #expect(scrub.lastAttempt?.hasPrefix("failed at ") == true)
        #expect(scrub.reasons.first?.hasPrefix("last attempt failed at ") == true, "\(scrub.reasons)")
        #expect(scrub.reasons.first?.contains("command exited with status 1") == true, "\(scrub.reasons)")
        let finish = try #require(why.units.first { $0.step == "finish" })
        #expect(finish.reasons.first?.hasPrefix("input clean@2013-06-01 is blocked by failed scrub@2013-06-01") == true, "\(finish.reasons)")
        let engine = try f.engine(yaml)
        let status = try await engine.status(try engine.targets("clean@2013-06-01") + engine.targets("final@2013-06-01"))
        #expect(status.first?.status == "failed")
        #expect(status.last?.reasons.first?.contains("blocked by failed scrub@2013-06-01") == true, "\(status)")
    }

    @Test("a missing input is remembered as the last attempt (input-missing) and shown by status")
    func inputMissingIsRecorded() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        _ = try await f.build(try f.engine(Self.base), "out@2013-06-05")
        let engine = try f.engine(Self.base)
        let status = try await engine.status(try engine.targets("out@2013-06-05"))
        #expect(status.first?.status == "input-missing", "\(status)")
        #expect(status.first?.reasons.contains { $0.contains("raw@2013-06-05 does not exist") } == true, "\(status)")
    }
}
