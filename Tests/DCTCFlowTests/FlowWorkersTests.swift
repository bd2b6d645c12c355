import DCTCCore
import DCTCState
import DCTCTestSupport
@testable import DCTCFlow
import Foundation
import Testing

@Suite("flow across workers: locks beside outputs, separate states, shell placeholders")
struct FlowWorkersTests {
    /// Every build appends its unit to `builds.log`, so a unit built twice shows.
    static func counting(_ log: String) -> String {
        """
        name: workers
        dimensions:
          date: {type: time, grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          day: {path: "day/{date}.txt"}
          week: {path: "week/{date}.txt"}
        steps:
          clean:
            command: "echo clean@{partition} >> \(log); sleep 0.1; sort {input} > {output}"
            input: raw
            output: day
          roll:
            command: "echo roll@{partition} >> \(log); cat {inputs} > {output}"
            inputs:
              - {dataset: day, date: "window(-6d, 0d)"}
            output: week
        """
    }

    @Test("two workers with separate states build overlapping targets at once: no unit is built twice, both succeed")
    func separateStatesOverlappingTargets() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...9)
        let yaml = Self.counting(f.scratch.url("builds.log"))
        let a = try f.engine(yaml, stateFolder: "worker-a")
        let b = try f.engine(yaml, stateFolder: "worker-b")
        var options = BuildOptions()
        options.jobs = 3
        options.waitForLock = 120
        let refsA = try a.targets("week@2013-06-07/2013-06-09")
        let refsB = try b.targets("week@2013-06-08/2013-06-09") + b.targets("day@2013-06-01/2013-06-09")
        async let ra = a.build(refsA, options: options)
        async let rb = b.build(refsB, options: options)
        let (reportA, reportB) = try await (ra, rb)
        #expect(reportA.exitCode == 0 && reportB.exitCode == 0, "\(reportA.units.map { "\($0.step)@\($0.partition) \($0.outcome) \($0.reasons)" }) \(reportB.units.map { "\($0.step)@\($0.partition) \($0.outcome) \($0.reasons)" })")
        let lines = try f.read("builds.log").split(separator: "\n").map(String.init)
        #expect(lines.count == Set(lines).count, "built twice: \(lines.sorted())")
        #expect(Set(lines).count == 12, "\(lines.sorted())")  // 9 days + 3 weeks
        #expect(reportA.built + reportB.built == 12)
        // Each worker then sees everything fresh, whoever built it.
        #expect(try await f.build(try f.engine(yaml, stateFolder: "worker-a"), "week@2013-06-07/2013-06-09").nothingToDo)
        #expect(try await f.build(try f.engine(yaml, stateFolder: "worker-b"), "week@2013-06-07/2013-06-09").nothingToDo)
        // No lock is left behind.
        let locks = try FileManager.default.contentsOfDirectory(atPath: f.scratch.url("day/_dctc")).filter { $0.hasSuffix(".lock") }
        #expect(locks.isEmpty, "\(locks)")
    }

    func holder(owner: String, host: String, expires: Date) throws -> String {
        let h = LockHolder(owner: owner, host: host, pid: 0, token: "t-\(owner)", unit: "clean@2013-06-01",
                           since: Date(timeIntervalSince1970: 1_700_000_000), expires: expires)
        return String(decoding: h.json(), as: UTF8.self)
    }

    @Test("a lock held by another worker: the unit is locked (exit 10) and status says who holds it since when")
    func lockHeldByAnotherWorker() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let yaml = Self.counting(f.scratch.url("builds.log"))
        try f.write("day/_dctc/2013-06-01.txt.lock", try holder(owner: "celery@box-7", host: "box-7", expires: Date().addingTimeInterval(3600)))
        let engine = try f.engine(yaml)
        let report = try await f.build(engine, "day@2013-06-01")
        #expect(report.outcome("clean@2013-06-01") == .locked)
        #expect(report.exitCode == ExitStatus.lockHeld.rawValue)
        #expect(report.units.first?.reasons.first?.contains("locked by worker celery@box-7 since 2023-11-14T22:13:20Z") == true,
                "\(report.units.map(\.reasons))")
        #expect(!f.exists("day/2013-06-01.txt"))
        let status = try await engine.status(try engine.targets("day@2013-06-01"))
        #expect(status.first?.status == "locked")
        #expect(status.first?.reasons.first?.hasPrefix("locked by worker celery@box-7 since 2023-11-14T22:13:20Z") == true, "\(status)")
        // The other worker's lock is left alone.
        #expect(f.exists("day/_dctc/2013-06-01.txt.lock"))
    }

    @Test("a lock whose lease ended (its worker died) is taken over; the build succeeds and removes it")
    func expiredLeaseIsTakenOver() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let yaml = Self.counting(f.scratch.url("builds.log"))
        try f.write("day/_dctc/2013-06-01.txt.lock", try holder(owner: "celery@gone", host: "gone", expires: Date().addingTimeInterval(-5)))
        let report = try await f.build(try f.engine(yaml), "day@2013-06-01")
        #expect(report.builtUnits == ["clean@2013-06-01"], "\(report.units.map(\.reasons))")
        #expect(!f.exists("day/_dctc/2013-06-01.txt.lock"))
    }

    @Test("a lock left by a process of this machine that is gone is taken over at once")
    func deadLocalProcessLockIsTakenOver() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let yaml = Self.counting(f.scratch.url("builds.log"))
        // A child that has exited: its pid is not running any more.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitForExit()
        var h = LockHolder(owner: "me", host: LockHolder.currentHost, pid: p.processIdentifier, token: "t", unit: "clean@2013-06-01",
                           since: Date(), expires: Date().addingTimeInterval(3600))
        try f.write("day/_dctc/2013-06-01.txt.lock", String(decoding: h.json(), as: UTF8.self))
        let report = try await f.build(try f.engine(yaml), "day@2013-06-01")
        #expect(report.builtUnits == ["clean@2013-06-01"], "\(report.units.map(\.reasons))")
        h.pid = getpid()  // this process is alive: its lock holds
        try f.write("week/_dctc/2013-06-01.txt.lock", String(decoding: h.json(), as: UTF8.self))
        let held = try await f.build(try f.engine(yaml), "week@2013-06-01")
        #expect(held.outcome("roll@2013-06-01") == .locked)
    }

    @Test("a lease is renewed while the step runs: a step longer than the lease keeps its lock")
    func leaseIsRenewedWhileBuilding() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let log = f.scratch.url("builds.log")
        // The step holds until the test opens the gate (at most 120 s), so the second run meets
        // it running however slowly this machine schedules either side.
        let gate = f.scratch.url("gate")
        let hold = "for i in $(seq 1200); do [ -e \(gate) ] && break; sleep 0.1; done"
        let yaml = Self.counting(log).replacingOccurrences(of: "sleep 0.1", with: hold)
        let a = try f.engine(yaml, stateFolder: "worker-a")
        let b = try f.engine(yaml, stateFolder: "worker-b")
        var options = BuildOptions()
        options.lockLease = 3
        async let first = f.build(a, "day@2013-06-01", options: options)
        defer { _ = FileManager.default.createFile(atPath: gate, contents: nil) }
        var polls = 0
        while !FileManager.default.fileExists(atPath: log) && polls < 3000 {
            try await Task.sleep(nanoseconds: 20_000_000); polls += 1
        }
        // Over twice the lease after it was taken: only renewals keep the lock.
        let taken = Date()
        while Date().timeIntervalSince(taken) < 7 { try await Task.sleep(nanoseconds: 100_000_000) }
        let second = try await f.build(b, "day@2013-06-01", options: options)
        #expect(second.outcome("clean@2013-06-01") == .locked, "\(second.units.map(\.reasons))")
        _ = FileManager.default.createFile(atPath: gate, contents: nil)
        let one = try await first
        #expect(one.builtUnits == ["clean@2013-06-01"])
        #expect(try f.read("builds.log") == "clean@2013-06-01\n")
        #expect(!f.exists("day/_dctc/2013-06-01.txt.lock"))
    }

    @Test("--wait-for-lock: a unit another run is building is waited for, then used as that run built it")
    func waitForLockUsesTheOtherBuild() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(1...1)
        let log = f.scratch.url("builds.log")
        let yaml = Self.counting(log).replacingOccurrences(of: "sleep 0.1", with: "sleep 1")
        let a = try f.engine(yaml, stateFolder: "worker-a")
        let b = try f.engine(yaml, stateFolder: "worker-b")
        var options = BuildOptions()
        options.waitForLock = 120
        async let first = f.build(a, "day@2013-06-01", options: options)
        // The second starts once the first holds the lock (its build log line is written under it).
        var polls = 0
        while !FileManager.default.fileExists(atPath: log) && polls < 600 {
            try await Task.sleep(nanoseconds: 20_000_000); polls += 1
        }
        let second = try await f.build(b, "day@2013-06-01", options: options)
        let one = try await first
        #expect(one.builtUnits == ["clean@2013-06-01"])
        #expect(second.outcome("clean@2013-06-01") == .fresh, "\(second.units.map(\.reasons))")
        #expect(second.exitCode == 0)
        #expect(try f.read("builds.log") == "clean@2013-06-01\n")
    }

    @Test("shell steps: a placeholder with a format is substituted ({date:%Y/%m}); {{ }} are literal braces")
    func shellPlaceholdersWithFormats() async throws {
        let f = try FlowFixture(); defer { f.cleanup() }
        try f.rawDays(3...3)
        let yaml = """
        name: formats
        dimensions:
          date: {type: time, grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          out: {path: "out/{date}.txt"}
        steps:
          fmt:
            command: "echo {date:%Y/%m} {date:%d} {date} > {output}; awk '{{ print $1 }}' {input} >> {output}"
            input: raw
            output: out
        """
        let report = try await f.build(try f.engine(yaml), "out@2013-06-03")
        #expect(report.builtUnits == ["fmt@2013-06-03"], "\(report.units.map { $0.error ?? "" })")
        #expect(try f.read("out/2013-06-03.txt") == "2013/06 03 2013-06-03\na\nb\n")
    }
}
