import DCTCCore
import DCTCState
import DCTCTestSupport
@testable import DCTCFlow
import Foundation
import Testing

@Suite("flow engine: what rebuilds and what does not")
struct FlowEngineTests {
    @Test("a first build makes every needed upstream unit; a second build does nothing")
    func firstAndSecond() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        let engine = try f.engine(FlowFixture.weblogs)
        let first = try await f.build(engine, "rollup@2013-06-07")
        #expect(first.built == 8, "\(first.units.map { "\($0.step)@\($0.partition) \($0.outcome) \($0.error ?? "")" })")
        #expect(first.exitCode == 0)
        #expect(try f.read("rollup/2013-06-07.txt").split(separator: "\n").count == 14)
        #expect(f.exists("gz/2013/06/_dctc/03.log.gz.json"))
        let second = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        #expect(second.built == 0)
        #expect(second.fresh == 8)
        #expect(second.nothingToDo)
    }

    @Test("only the partitions downstream of a changed input rebuild (window dependencies)")
    func onlyStale() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...10)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07/2013-06-10")
        try f.write("raw/2013-06-03.log", "a 3\nb 3\nc 3\n")
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07/2013-06-10")
        // 06-03 is inside the 7-day windows of 06-07, 06-08 and 06-09, not of 06-10.
        #expect(Set(report.builtUnits) == ["compress@2013-06-03", "roll@2013-06-07", "roll@2013-06-08", "roll@2013-06-09"])
        #expect(report.outcome("roll@2013-06-10") == .fresh)
    }

    @Test("a touched input with the same content rebuilds nothing (stat, then content hash)")
    func touchedSameContent() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        try f.touch("raw/2013-06-02.log", secondsAgo: 5000)
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        #expect(report.built == 0)
        #expect(report.nothingToDo)
    }

    @Test("early cutoff: a rebuilt output with unchanged content leaves its downstream fresh")
    func earlyCutoff() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          counts: {path: "counts/{date}.txt"}
          report: {path: "report/{date}.txt"}
        steps:
          count:
            command: "wc -l < {input} | tr -d ' ' > {output}"
            input: raw
            output: counts
          publish:
            command: "sed 's/^/lines: /' {input} > {output}"
            input: counts
            output: report
        """
        try f.rawDays(1...1)
        _ = try await f.build(try f.engine(yaml), "report@2013-06-01")
        try f.write("raw/2013-06-01.log", "x\ny\n") // same line count, different content
        let report = try await f.build(try f.engine(yaml), "report@2013-06-01")
        #expect(report.builtUnits == ["count@2013-06-01"])
        #expect(report.units.first { $0.step == "count" }?.outputUnchanged == true)
        #expect(report.outcome("publish@2013-06-01") == .fresh)
    }

    @Test("a failed unit stops only the units that depend on it; the exit code says a step failed")
    func failureStopsDependents() async throws {
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
            command: "test {date} != 2013-06-02 && cp {input} {output}"
            input: raw
            output: clean
          finish:
            command: "cp {input} {output}"
            input: clean
            output: final
        """
        try f.rawDays(1...3)
        let report = try await f.build(try f.engine(yaml), "final@2013-06-01/2013-06-03")
        #expect(report.outcome("scrub@2013-06-02") == .failed)
        #expect(report.outcome("finish@2013-06-02") == .skipped)
        #expect(report.outcome("finish@2013-06-01") == .built)
        #expect(report.outcome("finish@2013-06-03") == .built)
        #expect(report.exitCode == ExitStatus.partial.rawValue)
        #expect(!f.exists("final/2013-06-02.log"))
        let status = try await f.engine(yaml).status(try f.engine(yaml).targets("clean@2013-06-02"))
        #expect(status.first?.status == "failed")
    }

    @Test("retries: a step that fails once then succeeds is built on the second attempt")
    func retries() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        let marker = f.scratch.url("attempted")
        let yaml = """
        dimensions:
          date: {grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          out: {path: "out/{date}.log"}
        steps:
          flaky:
            command: "if [ -e '\(marker)' ]; then cp {input} {output}; else touch '\(marker)'; exit 1; fi"
            input: raw
            output: out
            retries: 2
            retry_delay: 10ms
        """
        try f.rawDays(1...1)
        let report = try await f.build(try f.engine(yaml), "out@2013-06-01")
        #expect(report.outcome("flaky@2013-06-01") == .built)
        #expect(report.units.first?.attempts == 2)
    }

    @Test("a failing check keeps the previous output and is reported as check-failed (exit 8)")
    func checkKeepsPrevious() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-01")
        let before = try f.read("rollup/2013-06-01.txt")
        try f.write("raw/2013-06-01.log", "")
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-01")
        #expect(report.outcome("roll@2013-06-01") == .checkFailed)
        #expect(report.exitCode == ExitStatus.checkFailed.rawValue)
        #expect(try f.read("rollup/2013-06-01.txt") == before)
        let checks = report.units.first { $0.step == "roll" }?.checks ?? []
        #expect(checks.contains { !$0.passed && $0.detail.contains("0 rows") })
    }

    @Test("a missing external input stops its unit with input-missing (exit 9), not a failure")
    func missingInput() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...2)
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "raw_gz@2013-06-03")
        #expect(report.outcome("compress@2013-06-03") == .inputMissing)
        #expect(report.exitCode == ExitStatus.inputMissing.rawValue)
    }

    @Test("a unit whose lock another run holds is reported as locked (exit 10) and left alone")
    func lockHeld() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let engine = try f.engine(FlowFixture.weblogs)
        let lock = try #require(try UnitLock.acquire(directory: f.scratch.url("state/locks"), pipeline: "weblogs",
                                                     unit: UnitID(step: "compress", key: PartitionKey(["2013-06-01"]))))
        let report = try await f.build(engine, "raw_gz@2013-06-01")
        #expect(report.outcome("compress@2013-06-01") == .locked)
        #expect(report.exitCode == ExitStatus.lockHeld.rawValue)
        #expect(!f.exists("gz/2013/06/01.log.gz"))
        lock.release()
        let again = try await f.build(try f.engine(FlowFixture.weblogs), "raw_gz@2013-06-01")
        #expect(again.outcome("compress@2013-06-01") == .built)
    }

    @Test("after the state file is lost, the sidecars are adopted: nothing rebuilds and no output is rewritten")
    func sidecarsAdoptedWhenStateIsLost() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        try f.touch("rollup/2013-06-07.txt", secondsAgo: 0)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")  // the trace learns the new stat
        let before = try FileManager.default.attributesOfItem(atPath: f.scratch.url("rollup/2013-06-07.txt"))[.modificationDate] as? Date
        await f.loseState()
        let lost = try f.engine(FlowFixture.weblogs)
        var plan = BuildOptions(); plan.dryRun = true
        let planned = try await f.build(lost, "rollup@2013-06-07", options: plan)
        #expect(planned.wouldBuild == 0 && planned.fresh == 8, "\(planned.units.map { "\($0.step)@\($0.partition) \($0.reasons)" })")
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        #expect(report.nothingToDo, "\(report.units.map { "\($0.step)@\($0.partition) \($0.reasons)" })")
        #expect(report.units.allSatisfy { $0.reasons.first?.contains("adopted from") == true })
        let after = try FileManager.default.attributesOfItem(atPath: f.scratch.url("rollup/2013-06-07.txt"))[.modificationDate] as? Date
        #expect(before == after)
        // The adopted traces are in the new state file: the next run reads no sidecar.
        let traces = try await StateStore(path: f.scratch.url("state/state.sqlite")).flowTraces(pipeline: "weblogs")
        #expect(traces["roll"]?["2013-06-07"]?.trace != nil)
        #expect(traces["compress"]?.count == 7)
    }

    @Test("a sidecar that does not describe the output any more is not adopted: the unit rebuilds")
    func staleSidecarIsNotAdopted() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-01")
        await f.loseState()
        try f.write("rollup/2013-06-01.txt", "tampered\n")
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-01")
        #expect(report.builtUnits == ["roll@2013-06-01"])
        #expect(report.outcome("compress@2013-06-01") == .fresh)
        #expect(report.units.last?.reasons.contains { $0.contains("changed outside the pipeline") } == true)
    }

    @Test("sidecars have names table readers skip (_dctc/); old NAME._dctc.json sidecars are read and moved")
    func sidecarNamesAndMigration() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...2)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "raw_gz@2013-06-01/2013-06-02")
        #expect(f.exists("gz/2013/06/_dctc/01.log.gz.json"))
        let names = try FileManager.default.contentsOfDirectory(atPath: f.scratch.url("gz/2013/06"))
        #expect(names.allSatisfy { $0.hasPrefix("_") || $0.hasSuffix(".log.gz") }, "\(names)")
        // As an earlier dctc left them: beside the file, and no state file.
        for d in ["01", "02"] {
            try FileManager.default.moveItem(atPath: f.scratch.url("gz/2013/06/_dctc/\(d).log.gz.json"),
                                             toPath: f.scratch.url("gz/2013/06/\(d).log.gz._dctc.json"))
        }
        await f.loseState()
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "raw_gz@2013-06-01/2013-06-02")
        #expect(report.nothingToDo, "\(report.units.map { "\($0.step)@\($0.partition) \($0.reasons)" })")
        #expect(f.exists("gz/2013/06/_dctc/01.log.gz.json") && f.exists("gz/2013/06/_dctc/02.log.gz.json"))
        #expect(!f.exists("gz/2013/06/01.log.gz._dctc.json") && !f.exists("gz/2013/06/02.log.gz._dctc.json"))
    }

    @Test("adopt still recovers traces explicitly and moves old sidecars")
    func adoptCommandRecordsTraces() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...3)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "raw_gz@2013-06-01/2013-06-03")
        try FileManager.default.moveItem(atPath: f.scratch.url("gz/2013/06/_dctc/03.log.gz.json"),
                                         toPath: f.scratch.url("gz/2013/06/03.log.gz._dctc.json"))
        await f.loseState()
        let engine = try f.engine(FlowFixture.weblogs)
        let adopted = try await engine.adopt(try engine.targets("raw_gz@2013-06-01/2013-06-03"))
        #expect(adopted.map(\.outcome) == ["adopted", "adopted", "adopted"], "\(adopted)")
        #expect(f.exists("gz/2013/06/_dctc/03.log.gz.json") && !f.exists("gz/2013/06/03.log.gz._dctc.json"))
        let traces = try await StateStore(path: f.scratch.url("state/state.sqlite")).flowTraces(pipeline: "weblogs")
        #expect(traces["compress"]?.count == 3)
    }

    @Test("an output changed outside the pipeline is rebuilt; adopt refuses a sidecar that no longer matches")
    func outOfBandChange() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-01")
        try f.write("rollup/2013-06-01.txt", "tampered\n")
        let engine = try f.engine(FlowFixture.weblogs)
        let adopted = try await engine.adopt(try engine.targets("rollup@2013-06-01"))
        #expect(adopted.first?.outcome == "changed")
        let report = try await f.build(engine, "rollup@2013-06-01")
        #expect(report.builtUnits == ["roll@2013-06-01"])
        #expect(report.units.last?.reasons.contains { $0.contains("changed outside the pipeline") } == true)
    }

    @Test("changing a step's definition rebuilds its partitions; upstream none builds only the target")
    func specChangeAndUpstreamNone() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        _ = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07")
        let changed = FlowFixture.weblogs.replacingOccurrences(of: "| sort >", with: "| sort -r >")
        try f.write("raw/2013-06-07.log", "new\ncontent\n")
        var none = BuildOptions(); none.upstream = .none
        let report = try await f.build(try f.engine(changed), "rollup@2013-06-07", options: none)
        #expect(report.builtUnits == ["roll@2013-06-07"])
        #expect(report.units.first?.reasons.contains("step 'roll' definition changed") == true)
        // With --upstream none the stale compress@2013-06-07 was not rebuilt.
        #expect(try f.read("rollup/2013-06-07.txt").contains("a 7"))
    }

    @Test("rebuild: explicit steps are used as they are unless they are the target")
    func explicitRebuild() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...7)
        let yaml = FlowFixture.weblogs.replacingOccurrences(of: "    output: raw_gz\n", with: "    output: raw_gz\n    rebuild: explicit\n")
        _ = try await f.build(try f.engine(yaml), "rollup@2013-06-07")
        try f.write("raw/2013-06-05.log", "changed 5\nagain 5\n")
        let report = try await f.build(try f.engine(yaml), "rollup@2013-06-07")
        #expect(report.outcome("compress@2013-06-05") == .keptStale)
        #expect(report.built == 0)
        let targeted = try await f.build(try f.engine(yaml), "raw_gz@2013-06-05")
        #expect(targeted.builtUnits == ["compress@2013-06-05"])
    }

    @Test("units run in parallel on the worker pool, and the order respects dependencies")
    func parallelOrder() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...14)
        var options = BuildOptions(); options.jobs = 8
        let report = try await f.build(try f.engine(FlowFixture.weblogs), "rollup@2013-06-07/2013-06-14", options: options)
        #expect(report.built == 22)
        let names = report.units.map { "\($0.step)@\($0.partition)" }
        let lastCompress = try #require(names.lastIndex { $0.hasPrefix("compress") })
        let firstRoll = try #require(names.firstIndex { $0.hasPrefix("roll") })
        #expect(lastCompress < firstRoll)
    }
}
