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
        partition of the run's logical date. With --target, the DAG holds one task per unit of \
        that plan (a fixed range), with the pipeline's dependencies between them. Every task runs \
        'dctc flow build … --upstream none' through DctcOperator (Integrations/airflow).

        Examples:
          dctc flow export airflow --out ~/airflow/dags/weblogs.py
          dctc flow export airflow --target rollup@2013-06-01/2013-06-07 --dctc /usr/local/bin/dctc
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Argument(help: ArgumentHelp("The orchestrator: airflow.", valueName: "orchestrator")) var orchestrator: String
    @Option(name: .long, help: ArgumentHelp("Write here instead of standard output.", valueName: "file")) var out: String?
    @Option(name: .long, help: ArgumentHelp("One task per unit of this plan instead of per step.", valueName: "target")) var target: String?
    @Option(name: .long, help: ArgumentHelp("The dctc executable on the workers (default: this one).", valueName: "path")) var dctc: String?
    @Option(name: .long, help: ArgumentHelp("The DAG id (default: dctc_PIPELINE).", valueName: "id")) var dagId: String?
    @Option(name: .long, help: ArgumentHelp("Airflow retries per task.", valueName: "N")) var retries = 2

    func run() async throws {
        guard orchestrator == "airflow" else { throw ValidationError("the only orchestrator is airflow (Luigi uses Integrations/luigi directly)") }
        let session = try await FlowSession.open(flow, global: global)
        var options = AirflowExport.Options(pipelinePath: URL(fileURLWithPath: flow.pipelinePath).standardizedFileURL.path)
        options.dctcBinary = dctc ?? FlowExport.executablePath()
        options.statePath = flow.state.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
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

extension FlowExport {
    /// This dctc's own executable (`/proc/self/exe`), else `dctc` (found on the workers' PATH).
    static func executablePath() -> String {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), path.hasPrefix("/") {
            return path
        }
        return "dctc"
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
