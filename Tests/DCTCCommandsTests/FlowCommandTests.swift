import DCTCTestSupport
import Foundation
import Testing

@Suite("dctc flow")
struct FlowCommandTests {
    static let pipeline = """
    name: cli
    dimensions:
      date: {type: time, grain: day, start: 2013-06-01}
    datasets:
      raw: {path: "raw/{date}.log", external: true}
      gz: {path: "gz/{date}.log.gz"}
      week: {path: "week/{date}.txt"}
    steps:
      compress: {kind: copy, compress: gz, input: raw, output: gz}
      roll:
        command: "for f in {inputs}; do gzip -dc \\"$f\\"; done | sort > {output}"
        inputs:
          - {dataset: gz, date: "window(-6d, 0d)"}
        output: week
    """

    func setUp(_ s: Scratch, days: ClosedRange<Int> = 1...7) throws -> [String: String] {
        _ = try s.write("pipeline.dctc.yaml", Self.pipeline)
        for d in days { _ = try s.write(String(format: "raw/2013-06-%02d.log", d), "line \(d)\n") }
        return ["XDG_STATE_HOME": s.url("state"), "DCTC_PIPELINE": s.url("pipeline.dctc.yaml")]
    }

    func lastJSON(_ r: CLIResult) throws -> [String: Any] {
        let line = try #require(r.stdout.split(separator: "\n").last.map(String.init), "\(r)")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("build --json: one result object last; a repeat build is nothing to do (opt-in exit code)")
    func buildJSON() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s)
        let r = try CLI.run(["flow", "build", "week@2013-06-07", "--json", "-j", "4"], environment: env)
        #expect(r.status == 0, "\(r)")
        let result = try lastJSON(r)
        #expect(result["built"] as? Int == 8)
        let units = try #require(result["units"] as? [[String: Any]])
        #expect(units.contains { $0["step"] as? String == "roll" && ($0["outputHash"] as? String)?.count == 32 })
        #expect(try s.readString("week/2013-06-07.txt") == (1...7).map { "line \($0)\n" }.joined())
        let again = try CLI.run(["flow", "build", "week@2013-06-07", "--exit-code-if-nothing-done", "7"], environment: env)
        #expect(again.status == 7, "\(again)")
        #expect(again.stderr.contains("0 built, 8 fresh"))
    }

    @Test("staging folders of killed runs are swept by the next build; a live run's and an unowned one stay")
    func staleStagingFoldersAreSwept() throws {
        let s = try Scratch(); defer { s.cleanup() }
        var env = try setUp(s)
        env["TMPDIR"] = s.url("tmp")
        let dead = pid_t(4_194_303)  // above the usual pid_max: no such process
        #expect(kill(dead, 0) == -1)
        _ = try s.write("tmp/dctc-flow-roll_2013-06-01-AAAAAA/.dctc-owner", "\(dead)\n")
        _ = try s.write("tmp/dctc-flow-roll_2013-06-01-AAAAAA/out/week.txt", "partial")
        _ = try s.write("tmp/dctc-flow-roll_2013-06-02-BBBBBB/.dctc-owner", "\(getpid())\n")
        _ = try s.write("tmp/dctc-flow-roll_2013-06-03-CCCCCC/in.log", "no owner, just made")
        let r = try CLI.run(["flow", "build", "week@2013-06-07"], environment: env)
        #expect(r.status == 0, "\(r)")
        #expect(!s.exists("tmp/dctc-flow-roll_2013-06-01-AAAAAA"), "the dead run's folder is gone")
        #expect(s.exists("tmp/dctc-flow-roll_2013-06-02-BBBBBB"), "a live process's folder stays")
        #expect(s.exists("tmp/dctc-flow-roll_2013-06-03-CCCCCC"), "a folder without an owner file is not known to be ours")
        let left = try FileManager.default.contentsOfDirectory(atPath: s.url("tmp")).filter { $0.hasPrefix("dctc-flow-") }
        #expect(left.count == 2, "this run removed its own staging folders: \(left)")
    }

    @Test("an invalid pipeline is refused with exit 2 and the line it is on")
    func invalidPipeline() throws {
        let s = try Scratch(); defer { s.cleanup() }
        var env = try setUp(s)
        _ = try s.write("bad.yaml", Self.pipeline.replacingOccurrences(of: "input: raw, output: gz", with: "input: rawlogs, output: gz"))
        env["DCTC_PIPELINE"] = s.url("bad.yaml")
        let r = try CLI.run(["flow", "build", "week@2013-06-07"], environment: env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yaml:9:"), "\(r.stderr)")
        #expect(r.stderr.contains("unknown dataset 'rawlogs'"))
        let cycle = Self.pipeline.replacingOccurrences(of: "input: raw, output: gz", with: "input: week, output: gz")
        _ = try s.write("cycle.yaml", cycle)
        let c = try CLI.run(["flow", "validate", "--pipeline", s.url("cycle.yaml")], environment: env)
        #expect(c.status == 2)
        #expect(c.stderr.contains("cycle: "), "\(c.stderr)")
    }

    @Test("status says missing, then fresh, then stale after an input changes; why names the changed input")
    func statusAndWhy() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s)
        let before = try CLI.run(["flow", "status", "week@2013-06-07", "--json"], environment: env)
        #expect(before.status == 1)
        #expect((try lastJSON(before)["partitions"] as? [[String: Any]])?.first?["status"] as? String == "missing")
        #expect(try CLI.run(["flow", "build", "week@2013-06-07"], environment: env).status == 0)
        let fresh = try CLI.run(["flow", "status", "week@2013-06-07", "raw@2013-06-07"], environment: env)
        #expect(fresh.status == 0, "\(fresh)")
        #expect(fresh.stdout.contains("fresh         week@2013-06-07"))
        #expect(fresh.stdout.contains("present       raw@2013-06-07"))
        _ = try s.write("raw/2013-06-03.log", "changed\n")
        let stale = try CLI.run(["flow", "status", "week@2013-06-07"], environment: env)
        #expect(stale.status == 1)
        #expect(stale.stdout.hasPrefix("stale"))
        let why = try CLI.run(["flow", "why", "week@2013-06-07"], environment: env)
        #expect(why.stdout.contains("input gz@2013-06-03 will be rebuilt"), "\(why.stdout)")
        #expect(why.stdout.contains("input raw@2013-06-03 content changed"))
        let plan = try CLI.run(["flow", "plan", "week@2013-06-07", "--json"], environment: env)
        let units = try #require(try lastJSON(plan)["units"] as? [[String: Any]])
        #expect(units.filter { $0["outcome"] as? String == "would-build" }.count == 2)
        #expect(try s.readString("week/2013-06-07.txt").contains("line 3"))
    }

    @Test("backfill builds a range, newest first when asked; --only missing skips stale partitions")
    func backfill() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s, days: 1...10)
        let r = try CLI.run(["flow", "backfill", "gz", "--from", "2013-06-01", "--to", "2013-06-05", "--order", "newest", "--json"], environment: env)
        #expect(r.status == 0, "\(r)")
        #expect(try lastJSON(r)["built"] as? Int == 5)
        _ = try s.write("raw/2013-06-02.log", "changed\n")
        let missing = try CLI.run(["flow", "backfill", "gz", "--from", "2013-06-01", "--to", "2013-06-07", "--only", "missing", "--json"], environment: env)
        let units = try #require(try lastJSON(missing)["units"] as? [[String: Any]])
        #expect(Set(units.compactMap { $0["partition"] as? String }) == ["2013-06-06", "2013-06-07"])
    }

    @Test("graph and export: mermaid, dot, json and an Airflow DAG with one task per unit")
    func graphAndExport() async throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = try setUp(s)
        let mermaid = try CLI.run(["flow", "graph", "--format", "mermaid"], environment: env)
        #expect(mermaid.stdout.contains("ds_gz -->|date: window(-6d, 0d)| step_roll"), "\(mermaid.stdout)")
        let dot = try CLI.run(["flow", "graph"], environment: env)
        #expect(dot.stdout.hasPrefix("digraph"))
        let dag = try CLI.run(["flow", "export", "airflow", "--target", "week@2013-06-07"], environment: env)
        #expect(dag.status == 0, "\(dag)")
        #expect(dag.stdout.contains("from dctc_airflow import DctcOperator, DctcSensor"))
        #expect(dag.stdout.components(separatedBy: " = dctc_task(").count - 1 == 8)
        #expect(dag.stdout.contains("\"week@2013-06-07\""))
        let daily = try CLI.run(["flow", "export", "airflow", "--connection", "aws_default"], environment: env)
        #expect(daily.stdout.contains("schedule=\"@daily\""))
        #expect(daily.stdout.contains("{{ ds }}"))
        // Datasets are Assets (URI: the address template), each task's output its outlet.
        #expect(daily.stdout.contains("\"gz\": Asset(name=\"dctc.cli.gz\", uri=\"gz/{date}.log.gz\", group=\"dctc\")"), "\(daily.stdout)")
        #expect(daily.stdout.contains("outlets=[ASSETS[dataset]]"))
        // A sensor for the external input, and one for the window's other days.
        #expect(daily.stdout.contains("wait_raw = dctc_sensor(\"wait_raw\", \"raw@{{ ds }}\")"), "\(daily.stdout)")
        #expect(daily.stdout.contains("\"gz@{{ dctc_period(logical_date, \\\"day\\\", -6) }}/{{ dctc_period(logical_date, \\\"day\\\", -1) }}\""), "\(daily.stdout)")
        #expect(daily.stdout.contains("wait_gz_window >> t_roll") && daily.stdout.contains("wait_raw >> t_compress"))
        #expect(daily.stdout.contains("CONNECTIONS = [\"aws_default\"]"))
        // Nothing of this machine: no path of the scratch folder, no executable path.
        #expect(!daily.stdout.contains(s.path) && !dag.stdout.contains(s.path))
        #expect(daily.stdout.contains("PIPELINE = None") && daily.stdout.contains("DCTC = None") && daily.stdout.contains("STATE = None"))
        // The DAG file is valid Python.
        let file = try s.write("dag.py", dag.stdout)
        let compiled = try await runTool(["python3", "-m", "py_compile", file])
        #expect(compiled.status == 0, "\(compiled)")
        let dailyFile = try s.write("daily.py", daily.stdout)
        let dailyCompiled = try await runTool(["python3", "-m", "py_compile", dailyFile])
        #expect(dailyCompiled.status == 0, "\(dailyCompiled)")
    }

    @Test("flow across stores: raw logs on SFTP, compressed copies on S3, a rollup on local disk")
    func acrossStores() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let accounts = try StoreAccounts.make(s)
        let id = UUID().uuidString.lowercased().prefix(8)
        let yaml = """
        name: stores-\(id)
        accounts: [box, lake]
        dimensions:
          date: {type: time, grain: day, start: 2013-06-01}
        datasets:
          raw: {path: "box:/tmp/dctc-flow-\(id)/raw/{date}.log", external: true}
          gz: {path: "lake:flow-\(id)/logs/{date:%Y/%m/%d}.log.gz"}
          week: {path: "week/{date}.txt"}
        steps:
          compress: {kind: copy, compress: gz, input: raw, output: gz}
          roll:
            command: "for f in {inputs}; do gzip -dc \\"$f\\"; done > {output}"
            inputs:
              - {dataset: gz, date: "window(-2d, 0d)"}
            output: week
        """
        _ = try s.write("pipeline.dctc.yaml", yaml)
        for d in 1...3 { _ = try s.write("up/2013-06-0\(d).log", "day \(d)\n") }
        #expect(try accounts.run(["cp", "-r", s.url("up") + "/", "box:/tmp/dctc-flow-\(id)/raw/"]).status == 0)
        var env = accounts.env
        env["DCTC_PIPELINE"] = s.url("pipeline.dctc.yaml")
        let first = try CLI.run(["flow", "build", "week@2013-06-03", "--json"], environment: env)
        #expect(first.status == 0, "\(first)")
        #expect(try lastJSON(first)["built"] as? Int == 4)
        #expect(try s.readString("week/2013-06-03.txt") == "day 1\nday 2\nday 3\n")
        let ls = try accounts.run(["ls", "lake:flow-\(id)/logs/2013/06/"])
        #expect(ls.stdout.contains("02.log.gz") && ls.stdout.contains("_dctc/") && !ls.stdout.contains("._dctc.json"), "\(ls)")
        let sidecars = try accounts.run(["ls", "lake:flow-\(id)/logs/2013/06/_dctc/"])
        #expect(sidecars.stdout.contains("02.log.gz.json"), "\(sidecars)")
        let again = try CLI.run(["flow", "build", "week@2013-06-03", "--json"], environment: env)
        #expect(try lastJSON(again)["nothingToDo"] as? Bool == true, "\(again)")
        _ = try accounts.run(["rm", "-r", "--force", "box:/tmp/dctc-flow-\(id)"])
        _ = try accounts.run(["rm", "-r", "--force", "lake:flow-\(id)"])
    }
}
