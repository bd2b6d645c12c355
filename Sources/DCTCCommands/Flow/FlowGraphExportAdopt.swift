import ArgumentParser
import DCTCCore
import DCTCFlow
import Foundation

struct FlowGraph: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the pipeline's graph of datasets and steps (dot, mermaid or json).",
        discussion: """
        Examples:
          dctc flow graph | dot -Tpng > pipeline.png
          dctc flow graph --format mermaid
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Option(name: .long, help: ArgumentHelp("dot, mermaid or json.", valueName: "format")) var format = "dot"

    func run() async throws {
        guard ["dot", "mermaid", "json"].contains(format) else { throw ValidationError("--format must be dot, mermaid or json") }
        let session = try await FlowSession.open(flow, global: global)
        switch format {
        case "mermaid": Output.standard.write(GraphExport.mermaid(session.pipeline))
        case "json": try FlowPrinter.jsonLine(GraphExport.json(session.pipeline))
        default: Output.standard.write(GraphExport.dot(session.pipeline))
        }
        Output.standard.flush()
    }
}

struct FlowExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the pipeline as an Airflow 3 DAG file (one task per step and partition).",
        discussion: """
        Without --target, the DAG is scheduled at the finest time grain and each task builds the \
        partition of the run's logical date, after sensors for its external inputs and for the \
        other periods of a window. With --target, the DAG holds one task per unit of that plan \
        (a fixed range). Every task runs 'dctc flow build … --upstream none --wait-for-lock' \
        through DctcOperator (Integrations/airflow) and declares its dataset as an Airflow Asset \
        (URI: the address template), so other DAGs can be scheduled on it.

        The file holds no path of this machine: dctc, the pipeline and the state file on the \
        workers are --dctc, --worker-pipeline and --worker-state when given, else the Airflow \
        Variables dctc_executable, dctc_pipeline and dctc_state, else dctc's defaults. \
        Credentials come from Airflow Connections (--connection aws_default), in dctc's environment.

        Examples:
          dctc flow export airflow --out ~/airflow/dags/weblogs.py --connection aws_default
          dctc flow export airflow --target rollup@2013-06-01/2013-06-07 --worker-pipeline /srv/etl/pipeline.dctc.yaml
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Argument(help: ArgumentHelp("The orchestrator: airflow.", valueName: "orchestrator")) var orchestrator: String
    @Option(name: .long, help: ArgumentHelp("Write here instead of standard output.", valueName: "file")) var out: String?
    @Option(name: .long, help: ArgumentHelp("One task per unit of this plan instead of per step.", valueName: "target")) var target: String?
    @Option(name: .long, help: ArgumentHelp("The dctc executable on the workers (default: the dctc_executable Variable, else dctc on their PATH).", valueName: "path")) var dctc: String?
    @Option(name: .long, help: ArgumentHelp("The pipeline file on the workers (default: the dctc_pipeline Variable, else $DCTC_PIPELINE there).", valueName: "path")) var workerPipeline: String?
    @Option(name: .long, help: ArgumentHelp("The state file on the workers (default: the dctc_state Variable, else each worker's default).", valueName: "path")) var workerState: String?
    @Option(name: .long, help: ArgumentHelp("An Airflow Connection whose credentials the tasks give dctc in its environment (repeatable).", valueName: "conn-id")) var connection: [String] = []
    @Option(name: .long, help: ArgumentHelp("How long a task waits for a unit another worker is building (default 30m).", valueName: "duration")) var waitForLock = "30m"
    @Option(name: .long, help: ArgumentHelp("The DAG id (default: dctc_PIPELINE).", valueName: "id")) var dagId: String?
    @Option(name: .long, help: ArgumentHelp("Airflow retries per task.", valueName: "N")) var retries = 2

    func validate() throws {
        guard FlowLockOptions.seconds(waitForLock) != nil else { throw ValidationError("--wait-for-lock takes a duration such as 30s, 10m or 2h, not '\(waitForLock)'") }
        for c in connection where c.isEmpty || !c.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }) {
            throw ValidationError("--connection takes an Airflow connection id (letters, digits, _ - .), not '\(c)'")
        }
    }

    func run() async throws {
        guard orchestrator == "airflow" else { throw ValidationError("the only orchestrator is airflow (Luigi uses Integrations/luigi directly)") }
        let session = try await FlowSession.open(flow, global: global)
        var options = AirflowExport.Options()
        options.pipelinePath = workerPipeline
        options.dctcBinary = dctc
        options.statePath = workerState
        options.connections = connection
        options.waitForLock = waitForLock
        options.dagID = dagId
        options.retries = retries
        if let target {
            options.units = try await session.engine.unitsForExport(try session.targets([target], json: flow.json))
        }
        let text = AirflowExport.render(session.pipeline, options: options)
        if let out {
            let loc = try await session.context.location(out)
            try await loc.fs.write(loc.path, from: .string(text), attributes: .none)
            Output.error.line("flow export: wrote \(loc)")
        } else {
            Output.standard.write(text)
        }
        Output.standard.flush()
    }
}

struct FlowAdopt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Recover traces from the outputs' sidecars (_dctc.json) after the state file was lost or on a new machine.",
        discussion: """
        Examples:
          dctc flow adopt logs_gz@2013-06-01/2013-06-30
          dctc flow adopt rollup --state /new/state.sqlite
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Argument(help: ArgumentHelp("DATASET@RANGE targets.", valueName: "target")) var targets: [String]

    struct Result: Encodable { let command = "adopt"; let partitions: [FlowEngine.Adoption]; let adopted: Int }

    func run() async throws {
        let session = try await FlowSession.open(flow, global: global)
        let results = try await session.engine.adopt(try session.targets(targets, json: flow.json))
        let adopted = results.filter { $0.outcome == "adopted" }.count
        if flow.json {
            try FlowPrinter.jsonLine(Result(partitions: results, adopted: adopted))
        } else {
            for r in results { Output.standard.line("\(r.outcome.padding(toLength: 11, withPad: " ", startingAt: 0)) \(r.partition)  (\(r.detail))") }
            Output.error.line("flow adopt: \(adopted) of \(results.count) partitions adopted")
        }
        Output.standard.flush()
    }
}
