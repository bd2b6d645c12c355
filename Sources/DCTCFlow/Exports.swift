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
///
/// The file holds nothing of the exporting machine: the dctc executable, the pipeline file and
/// the state file come from the operator's settings when the export was told them
/// (`--dctc`, `--worker-pipeline`, `--worker-state`), else from Airflow Variables on the workers
/// (`dctc_executable`, `dctc_pipeline`, `dctc_state`), else from dctc's defaults. Each dataset
/// is an Airflow `Asset` (URI: its address template) that the task building it declares as an
/// outlet, so other DAGs can be scheduled on it.
public enum AirflowExport {
    public struct Options: Sendable {
        /// The pipeline file on the workers, when told (else the `dctc_pipeline` Variable).
        public var pipelinePath: String?
        /// The dctc executable on the workers, when told (else the `dctc_executable` Variable, else `dctc`).
        public var dctcBinary: String?
        /// The state file on the workers, when told (else the `dctc_state` Variable, else dctc's default).
        public var statePath: String?
        public var dagID: String?
        /// Airflow Connection ids whose credentials the tasks pass to dctc (in its environment).
        public var connections: [String] = []
        /// With units: one task per (step, partition) of these units (a fixed range). Without: one
        /// task per step, for the partition of the DAG run's logical date.
        public var units: [(step: String, partition: String, dataset: String, dependencies: [String])]?
        public var retries = 2
        /// How long a task waits for a unit another worker is building (`--wait-for-lock`).
        public var waitForLock = "30m"
        /// How long a sensor of the scheduled DAG waits for its partitions.
        public var sensorTimeout = 6 * 3600
        public init() {}
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

    /// The Asset name of a dataset: `dctc.PIPELINE.DATASET` (unique across a deployment).
    static func assetName(_ p: Pipeline, _ dataset: String) -> String { "dctc.\(taskID(p.name)).\(dataset)" }

    public static func render(_ p: Pipeline, options: Options) -> String {
        let dagID = options.dagID ?? "dctc_" + taskID(p.name)
        var out = """
        # Generated by `dctc flow export airflow` from the pipeline '\(p.name.replacingOccurrences(of: "\n", with: " "))'.
        # Do not edit: change the pipeline and export again. Needs the dctc_airflow package
        # (Integrations/airflow in the dctc sources) and dctc on the workers. Where dctc, the
        # pipeline file and the state file are on the workers: the values below when set, else
        # the Airflow Variables dctc_executable, dctc_pipeline, dctc_state, else dctc's defaults.
        from __future__ import annotations

        import pendulum
        from airflow.sdk import DAG, Asset

        from dctc_airflow import DctcOperator, DctcSensor
        from dctc_airflow.periods import period

        PIPELINE = \(options.pipelinePath.map(py) ?? "None")
        DCTC = \(options.dctcBinary.map(py) ?? "None")
        STATE = \(options.statePath.map(py) ?? "None")
        CONNECTIONS = [\(options.connections.map(py).joined(separator: ", "))]
        WAIT_FOR_LOCK = \(py(options.waitForLock))

        # Each dataset as an Airflow Asset (URI: its address template); the task building a
        # partition declares it as an outlet: schedule other DAGs on them.
        ASSETS = {

        """
        for name in p.datasets.keys.sorted() {
            guard let ds = p.datasets[name] else { continue }
            out += "    \(py(name)): Asset(name=\(py(assetName(p, name))), uri=\(py(ds.template.text)), group=\"dctc\"),\n"
        }
        out += """
        }


        def flow_build(target: str, upstream: str = "none") -> list[str]:
            return ["flow", "build", target, "--upstream", upstream, "--json", "--wait-for-lock", WAIT_FOR_LOCK]


        def dctc_task(task_id: str, target: str, dataset: str, upstream: str = "none") -> DctcOperator:
            return DctcOperator(task_id=task_id, args=flow_build(target, upstream), dctc=DCTC, pipeline=PIPELINE,
                                state=STATE, connections=CONNECTIONS, outlets=[ASSETS[dataset]])


        def dctc_sensor(task_id: str, target: str) -> DctcSensor:
            return DctcSensor(task_id=task_id, target=target, dctc=DCTC, pipeline=PIPELINE, state=STATE,
                              connections=CONNECTIONS, mode="reschedule", poke_interval=60, timeout=\(options.sensorTimeout))



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
                out += "    \(v) = dctc_task(\(py(taskID("\(u.step)__\(u.partition)"))), \(py("\(u.dataset)@\(u.partition)")), \(py(u.dataset)))\n"
            }
            for (i, u) in units.enumerated() {
                for d in u.dependencies.sorted() {
                    if let up = names[d] { out += "    \(up) >> t\(i)\n" }
                }
            }
        } else {
            let schedule: String
            switch grain {
            case .hour: schedule = "@hourly"
            case .day: schedule = "@daily"
            case .month: schedule = "@monthly"
            case .year: schedule = "@yearly"
            }
            let expr = periodExpression(grain, 0)
            out += """
            with DAG(
                dag_id=\(py(dagID)),
                schedule=\(py(schedule)),
                start_date=pendulum.datetime(\(start.year), \(start.month), \(start.day), tz="UTC"),
                catchup=False,
                tags=["dctc", \(py(p.name))],
                default_args={"retries": \(options.retries)},
                user_defined_macros={"dctc_period": period},
            ) as dag:

            """
            var sensors: [String: String] = [:]  // sensor variable by target text
            var sensorEdges: [(String, String)] = []
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
                let waits = windowWaits(p, s, grain: grain)
                for key in keys {
                    let suffix = key.filter { $0 != expr }.joined(separator: "_")
                    let v = "t_" + taskID(name) + (suffix.isEmpty ? "" : "_" + taskID(suffix))
                    let partition = key.isEmpty ? "" : "@" + key.joined(separator: "|")
                    // A step reading periods the sensors below cannot express (since, all, latest)
                    // may find them never built on a new deployment: it builds what is missing upstream.
                    let upstream = waits.expressible ? "" : ", upstream=\"modified\""
                    out += "    \(v) = dctc_task(\(py(taskID(name) + (suffix.isEmpty ? "" : "__" + taskID(suffix)))), \(py(s.output + partition)), \(py(s.output))\(upstream))\n"
                    // Sensors: external inputs (present), and the other periods of a window (fresh).
                    let values = Dictionary(uniqueKeysWithValues: zip(ds.dimensions, key))
                    for wait in waits.targets {
                        guard let inDS = p.datasets[wait.dataset] else { continue }
                        var parts: [String] = []
                        for dimName in inDS.dimensions {
                            if p.dimensions[dimName]?.grain != nil {
                                parts.append(wait.range)
                            } else if let v = values[dimName] {
                                parts.append(v)
                            } else {
                                parts.append("*")
                            }
                        }
                        let target = wait.dataset + (parts.isEmpty ? "" : "@" + parts.joined(separator: "|"))
                        let sensor: String
                        if let existing = sensors[target] {
                            sensor = existing
                        } else {
                            let plain = parts.filter { !$0.contains("{{") }.joined(separator: "_")
                            sensor = "wait_\(taskID(wait.dataset))\(wait.isWindow ? "_window" : "")\(plain.isEmpty ? "" : "_" + taskID(plain))"
                            sensors[target] = sensor
                            out += "    \(sensor) = dctc_sensor(\(py(sensor)), \(py(target)))\n"
                        }
                        sensorEdges.append((sensor, v))
                    }
                }
            }
            for (a, b) in sensorEdges { out += "    \(a) >> \(b)\n" }
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

    /// `{{ dctc_period(logical_date, "day", -6) }}`: a period of the run's date, shifted.
    static func periodExpression(_ grain: TimeGrain, _ offset: Int) -> String {
        if grain == .day && offset == 0 { return "{{ ds }}" }
        return "{{ dctc_period(logical_date, \"\(grain.rawValue)\", \(offset)) }}"
    }

    /// What the scheduled task of a step waits for before it runs: its external inputs (over
    /// the periods it reads) and, for a window over a built dataset, the window's other periods
    /// (its own period comes from the upstream task of the same run).
    static func windowWaits(_ p: Pipeline, _ s: Step, grain: TimeGrain) -> (targets: [(dataset: String, range: String, isWindow: Bool)], expressible: Bool) {
        var targets: [(String, String, Bool)] = []
        var expressible = true
        for input in s.inputs {
            guard let ds = p.datasets[input.dataset] else { continue }
            let timeDims = ds.dimensions.filter { p.dimensions[$0]?.grain != nil }
            let external = p.producers[input.dataset] == nil
            var range = periodExpression(grain, 0)
            var isWindow = false
            for dim in timeDims {
                switch input.functions[dim] ?? .equals {
                case .equals: break
                case .window(let a, let b, let unit) where unit == nil || unit == p.dimensions[dim]?.grain:
                    guard let g = p.dimensions[dim]?.grain, g == grain else { expressible = false; continue }
                    if external {
                        range = "\(periodExpression(g, a))/\(periodExpression(g, b))"
                    } else {
                        // The periods other than the run's own, which the same run's upstream task builds.
                        let last = b == 0 ? -1 : b
                        guard a <= last else { continue }
                        range = "\(periodExpression(g, a))/\(periodExpression(g, last))"
                        isWindow = true
                    }
                default:
                    expressible = false
                }
            }
            if external || isWindow { targets.append((input.dataset, range, isWindow)) }
        }
        return (targets, expressible)
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
