import DCTCCore
import Foundation

/// The pipeline graph as DOT, Mermaid or JSON: datasets and steps, edges labelled with the
/// dependency functions.
public enum GraphExport {
    public static func dot(_ p: Pipeline) -> String {
        var out = "digraph \"\(p.name)\" {\n  rankdir=LR;\n"
        for name in p.datasets.keys.sorted() {
            let ds = p.datasets[name]!
            let shape = ds.external ? "folder" : "box"
            out += "  \"ds:\(name)\" [label=\"\(name)\\n\(escape(ds.template.text))\", shape=\(shape)];\n"
        }
        for name in p.stepOrder {
            guard let s = p.steps[name] else { continue }
            out += "  \"step:\(name)\" [label=\"\(name) (\(s.kind.name))\", shape=ellipse];\n"
            for input in s.inputs {
                let label = input.functions.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                out += "  \"ds:\(input.dataset)\" -> \"step:\(name)\"" + (label.isEmpty ? "" : " [label=\"\(escape(label))\"]") + ";\n"
            }
            out += "  \"step:\(name)\" -> \"ds:\(s.output)\";\n"
        }
        return out + "}\n"
    }

    public static func mermaid(_ p: Pipeline) -> String {
        var out = "flowchart LR\n"
        func id(_ s: String) -> String { s.map { $0.isLetter || $0.isNumber ? $0 : "_" }.map(String.init).joined() }
        for name in p.datasets.keys.sorted() {
            let ds = p.datasets[name]!
            out += ds.external ? "  ds_\(id(name))[(\(name))]\n" : "  ds_\(id(name))[\(name)]\n"
        }
        for name in p.stepOrder {
            guard let s = p.steps[name] else { continue }
            out += "  step_\(id(name))([\(name): \(s.kind.name)])\n"
            for input in s.inputs {
                let label = input.functions.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                out += "  ds_\(id(input.dataset)) -->" + (label.isEmpty ? " " : "|\(label)| ") + "step_\(id(name))\n"
            }
            out += "  step_\(id(name)) --> ds_\(id(s.output))\n"
        }
        return out
    }

    public struct GraphJSON: Codable, Sendable {
        public struct DatasetJSON: Codable, Sendable { public var name: String; public var path: String; public var partitions: [String]; public var external: Bool; public var builtBy: String? }
        public struct StepJSON: Codable, Sendable { public var name: String; public var kind: String; public var inputs: [[String: String]]; public var output: String; public var upstreamSteps: [String] }
        public var pipeline: String
        public var datasets: [DatasetJSON]
        public var steps: [StepJSON]
    }

    public static func json(_ p: Pipeline) -> GraphJSON {
        GraphJSON(
            pipeline: p.name,
            datasets: p.datasets.keys.sorted().map { n in
                let d = p.datasets[n]!
                return .init(name: n, path: d.template.text, partitions: d.dimensions, external: d.external, builtBy: p.producers[n])
            },
            steps: p.stepOrder.compactMap { n in
                guard let s = p.steps[n] else { return nil }
                let inputs = s.inputs.map { i -> [String: String] in
                    var m = ["dataset": i.dataset]
                    for (k, v) in i.functions { m[k] = v.description }
                    return m
                }
                let ups = Array(Set(s.inputs.compactMap { p.producers[$0.dataset] })).sorted()
                return .init(name: n, kind: s.kind.name, inputs: inputs, output: s.output, upstreamSteps: ups)
            })
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
}

/// Writes an Airflow 3 DAG file running the pipeline's steps with `dctc flow build … --upstream none`.
public enum AirflowExport {
    public struct Options: Sendable {
        /// The pipeline file, as the Airflow workers will see it (absolute).
        public var pipelinePath: String
        /// The dctc executable on the workers.
        public var dctcBinary: String = "dctc"
        /// The state file on the workers, when not the default.
        public var statePath: String?
        public var dagID: String?
        /// With units: one task per (step, partition) of these units (a fixed range). Without: one
        /// task per step, for the partition of the DAG run's logical date.
        public var units: [(step: String, partition: String, dataset: String, dependencies: [String])]?
        public var retries = 2
        public init(pipelinePath: String) { self.pipelinePath = pipelinePath }
    }

    static func py(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7f { out += String(format: "\\x%02x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    static func taskID(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == ".") ? $0 : "_" })
    }

    public static func render(_ p: Pipeline, options: Options) -> String {
        let dagID = options.dagID ?? "dctc_" + taskID(p.name)
        var out = """
        # Generated by `dctc flow export airflow` from \(options.pipelinePath).
        # Do not edit: change the pipeline and export again. Needs the dctc_airflow package
        # (Integrations/airflow in the dctc sources) and dctc on the workers.
        from __future__ import annotations

        import pendulum
        from airflow.sdk import DAG

        from dctc_airflow import DctcOperator

        PIPELINE = \(py(options.pipelinePath))
        DCTC = \(py(options.dctcBinary))
        STATE = \(options.statePath.map(py) ?? "None")


        def flow_build(target: str, upstream: str = "none") -> list[str]:
            args = ["flow", "build", target, "--upstream", upstream, "--json", "--pipeline", PIPELINE]
            if STATE:
                args += ["--state", STATE]
            return args



        """
        let start = p.dimensions.values.compactMap { d -> TimePeriod? in
            if case .time(_, let s, _) = d.kind { return s }
            return nil
        }.min() ?? TimePeriod(grain: .day, year: 2020)
        let grain = p.dimensions.values.compactMap(\.grain).min() ?? .day
        if let units = options.units {
            out += """
            with DAG(
                dag_id=\(py(dagID)),
                schedule=None,
                start_date=pendulum.datetime(\(start.year), \(start.month), \(start.day), tz="UTC"),
                catchup=False,
                tags=["dctc", \(py(p.name))],
                default_args={"retries": \(options.retries)},
            ) as dag:

            """
            var names: [String: String] = [:]
            for (i, u) in units.enumerated() {
                let v = "t\(i)"
                names["\(u.step)@\(u.partition)"] = v
                out += "    \(v) = DctcOperator(task_id=\(py(taskID("\(u.step)__\(u.partition)"))), args=flow_build(\(py("\(u.dataset)@\(u.partition)"))), dctc=DCTC)\n"
            }
            for (i, u) in units.enumerated() {
                for d in u.dependencies.sorted() {
                    if let up = names[d] { out += "    \(up) >> t\(i)\n" }
                }
            }
        } else {
            let schedule: String
            let expr: String
            switch grain {
            case .hour: schedule = "@hourly"; expr = "{{ logical_date.strftime('%Y-%m-%dT%H') }}"
            case .day: schedule = "@daily"; expr = "{{ ds }}"
            case .month: schedule = "@monthly"; expr = "{{ logical_date.strftime('%Y-%m') }}"
            case .year: schedule = "@yearly"; expr = "{{ logical_date.strftime('%Y') }}"
            }
            out += """
            with DAG(
                dag_id=\(py(dagID)),
                schedule=\(py(schedule)),
                start_date=pendulum.datetime(\(start.year), \(start.month), \(start.day), tz="UTC"),
                catchup=False,
                tags=["dctc", \(py(p.name))],
                default_args={"retries": \(options.retries)},
            ) as dag:

            """
            for name in p.stepOrder {
                guard let s = p.steps[name], let ds = p.datasets[s.output] else { continue }
                // One task per step and discrete value; time dimensions follow the run's date.
                var keys: [[String]] = [[]]
                for dimName in ds.dimensions {
                    guard let dim = p.dimensions[dimName] else { continue }
                    switch dim.kind {
                    case .time: keys = keys.map { $0 + [expr] }
                    case .values(let vs): keys = keys.flatMap { k in vs.map { k + [$0] } }
                    }
                }
                for key in keys {
                    let suffix = key.filter { $0 != expr }.joined(separator: "_")
                    let v = "t_" + taskID(name) + (suffix.isEmpty ? "" : "_" + taskID(suffix))
                    let partition = key.isEmpty ? "" : "@" + key.joined(separator: "|")
                    // A step reading other periods than its own (a window, since, all, latest) may
                    // find them never built on a new deployment: it builds what is missing upstream.
                    let upstream = readsOtherPeriods(p, s) ? ", upstream=\"modified\"" : ""
                    out += "    \(v) = DctcOperator(task_id=\(py(taskID(name) + (suffix.isEmpty ? "" : "__" + taskID(suffix)))), args=flow_build(\(py(s.output + partition))\(upstream)), dctc=DCTC)\n"
                }
            }
            for name in p.stepOrder {
                guard let s = p.steps[name] else { continue }
                for up in Set(s.inputs.compactMap { p.producers[$0.dataset] }).sorted() {
                    out += "    # \(up) >> \(name)\n"
                    out += edges(p, from: up, to: name, expr: expr)
                }
            }
        }
        return out
    }

    /// Whether a step reads time partitions other than its output's own.
    static func readsOtherPeriods(_ p: Pipeline, _ s: Step) -> Bool {
        s.inputs.contains { input in
            input.functions.contains { dim, fn in p.dimensions[dim]?.grain != nil && fn != .equals }
        }
    }

    /// Edges between the per-step tasks: matching discrete values where both have them.
    static func edges(_ p: Pipeline, from up: String, to down: String, expr: String) -> String {
        func tasks(_ step: String) -> [(String, [String: String])] {
            guard let s = p.steps[step], let ds = p.datasets[s.output] else { return [] }
            var keys: [[String: String]] = [[:]]
            for dimName in ds.dimensions {
                if case .values(let vs)? = p.dimensions[dimName]?.kind {
                    keys = keys.flatMap { k in vs.map { k.merging([dimName: $0]) { a, _ in a } } }
                }
            }
            return keys.map { k in
                let suffix = ds.dimensions.compactMap { k[$0] }.joined(separator: "_")
                return ("t_" + taskID(step) + (suffix.isEmpty ? "" : "_" + taskID(suffix)), k)
            }
        }
        var out = ""
        for (a, ka) in tasks(up) {
            for (b, kb) in tasks(down) where ka.allSatisfy({ kb[$0.key] == nil || kb[$0.key] == $0.value }) {
                out += "    \(a) >> \(b)\n"
            }
        }
        return out
    }
}
