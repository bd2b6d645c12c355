import DCTCTestSupport
import Foundation
import Testing

@Suite("dctc flow on several workers against S3")
struct FlowWorkersCommandTests {
    /// Runs `dctc` on a thread of its own (the CLI helper blocks until the process ends).
    func background(_ args: [String], environment: [String: String]) async throws -> CLIResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do { continuation.resume(returning: try CLI.run(args, environment: environment)) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    func lastJSON(_ r: CLIResult) throws -> [String: Any] {
        let line = try #require(r.stdout.split(separator: "\n").last.map(String.init), "\(r)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("two flow builds with separate states on overlapping S3 targets: no unit built twice, both exit 0; a new worker builds nothing")
    func twoWorkersOnS3() async throws {
        guard let s3 = try DocExamplesTests.s3Environment() else { return }
        let s = try Scratch(); defer { s.cleanup() }
        let bucket = "dctc-flow-workers-\(UUID().uuidString.lowercased().prefix(8))"
        let log = s.url("builds.log")
        let yaml = """
        name: workers
        dimensions:
          date: {type: time, grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          day: {path: "s3://\(bucket)/day/{date:%Y/%m/%d}.txt"}
          week: {path: "s3://\(bucket)/week/{date}.txt"}
        steps:
          clean:
            command: "echo clean@{partition} >> \(log); sort {input} > {output}"
            input: raw
            output: day
          roll:
            command: "echo roll@{partition} >> \(log); cat {inputs} > {output}"
            inputs:
              - {dataset: day, date: "window(-6d, 0d)"}
            output: week
        """
        _ = try s.write("pipeline.dctc.yaml", yaml)
        for d in 1...10 { _ = try s.write(String(format: "raw/2013-06-%02d.log", d), "line \(d)\n") }
        var env = s3
        env["DCTC_PIPELINE"] = s.url("pipeline.dctc.yaml")
        #expect(try CLI.run(["mkdir", "s3://\(bucket)"], environment: env).status == 0)
        defer { _ = try? CLI.run(["rm", "-r", "--force", "s3://\(bucket)"], environment: env) }
        var envA = env, envB = env, envC = env
        envA["XDG_STATE_HOME"] = s.url("worker-a"); envA["DCTC_WORKER_NAME"] = "worker-a"
        envB["XDG_STATE_HOME"] = s.url("worker-b"); envB["DCTC_WORKER_NAME"] = "worker-b"
        envC["XDG_STATE_HOME"] = s.url("worker-c")
        async let a = background(["flow", "build", "week@2013-06-07/2013-06-09", "-j", "3", "--wait-for-lock", "5m", "--json"], environment: envA)
        async let b = background(["flow", "build", "week@2013-06-08/2013-06-10", "-j", "3", "--wait-for-lock", "5m", "--json"], environment: envB)
        let (ra, rb) = try await (a, b)
        #expect(ra.status == 0, "\(ra)")
        #expect(rb.status == 0, "\(rb)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == Set(lines).count, "built twice: \(lines.sorted())")
        #expect(Set(lines).count == 14, "\(lines.sorted())")  // 10 days, 4 weeks
        #expect(try (lastJSON(ra)["built"] as? Int ?? 0) + (lastJSON(rb)["built"] as? Int ?? 0) == 14)
        // No lock object is left, and the sidecars sit under _dctc/ where table readers do not look.
        let listing = try CLI.run(["ls", "-R", "s3://\(bucket)/"], environment: env)
        #expect(!listing.stdout.contains(".lock") && !listing.stdout.contains("._dctc.json"), "\(listing)")
        #expect(listing.stdout.contains("_dctc"), "\(listing)")
        // A third worker with an empty state adopts the sidecars: nothing built, nothing rewritten.
        let before = try CLI.run(["ls", "-l", "-R", "s3://\(bucket)/"], environment: env)
        let c = try CLI.run(["flow", "build", "week@2013-06-07/2013-06-10", "--json"], environment: envC)
        #expect(c.status == 0, "\(c)")
        #expect(try lastJSON(c)["nothingToDo"] as? Bool == true, "\(c)")
        let after = try CLI.run(["ls", "-l", "-R", "s3://\(bucket)/"], environment: env)
        #expect(before.stdout == after.stdout)
        #expect(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").count == 14)
        // A changed raw day rebuilds exactly its dependents, whichever worker runs it: the day,
        // and the four weeks whose window holds it.
        _ = try s.write("raw/2013-06-05.log", "line 5 changed\n")
        let d = try CLI.run(["flow", "build", "week@2013-06-07/2013-06-10", "--json"], environment: envB)
        #expect(d.status == 0, "\(d)")
        let rebuilt = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").dropFirst(14).map(String.init)
        #expect(rebuilt.sorted() == ["clean@2013-06-05", "roll@2013-06-07", "roll@2013-06-08", "roll@2013-06-09", "roll@2013-06-10"], "\(rebuilt)")
    }

    @Test("a lock object another worker holds on S3 is left as it is (conditional create): locked, exit 10, status names the worker")
    func conditionalCreateOnS3() async throws {
        guard let s3 = try DocExamplesTests.s3Environment() else { return }
        let s = try Scratch(); defer { s.cleanup() }
        let bucket = "dctc-flow-lock-\(UUID().uuidString.lowercased().prefix(8))"
        var env = s3
        env["DCTC_PIPELINE"] = s.url("pipeline.dctc.yaml")
        env["XDG_STATE_HOME"] = s.url("state")
        _ = try s.write("pipeline.dctc.yaml", """
        name: lock
        dimensions:
          date: {type: time, grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "raw/{date}.log", external: true}
          day: {path: "s3://\(bucket)/day/{date}.txt"}
        steps:
          clean: {command: "sort {input} > {output}", input: raw, output: day}
        """)
        _ = try s.write("raw/2013-06-01.log", "x\n")
        #expect(try CLI.run(["mkdir", "s3://\(bucket)"], environment: env).status == 0)
        defer { _ = try? CLI.run(["rm", "-r", "--force", "s3://\(bucket)"], environment: env) }
        // Another worker holds the lock (its lease far from over).
        let holder = """
        {"expires":"2099-01-01T00:00:00Z","host":"box-9","owner":"celery@box-9","pid":1,"since":"2024-03-10T06:00:00Z","token":"x","unit":"clean@2013-06-01"}
        """
        _ = try s.write("held.lock", holder)
        #expect(try CLI.run(["cp", s.url("held.lock"), "s3://\(bucket)/day/_dctc/2013-06-01.txt.lock"], environment: env).status == 0)
        let r = try CLI.run(["flow", "build", "day@2013-06-01"], environment: env)
        #expect(r.status == 10, "\(r)")
        #expect(r.stdout.contains("locked by worker celery@box-9 since 2024-03-10T06:00:00Z"), "\(r)")
        let status = try CLI.run(["flow", "status", "day@2013-06-01"], environment: env)
        #expect(status.stdout.contains("locked") && status.stdout.contains("celery@box-9"), "\(status)")
        // Its content is untouched: the create was conditional.
        let cat = try CLI.run(["cat", "s3://\(bucket)/day/_dctc/2013-06-01.txt.lock"], environment: env)
        #expect(cat.stdout.contains("celery@box-9"), "\(cat)")
    }
}
