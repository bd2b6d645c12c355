import ArgumentParser
import DCTCCore
import DCTCFlow
import Foundation

/// `dctc flow`: pipelines of transfers, built partition by partition, only where stale.
struct Flow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build dataset partitions of a pipeline: only what is stale, in parallel, and say why.",
        discussion: """
        A pipeline file (YAML, see Docs/pipelines.md) declares datasets (address templates with \
        partition placeholders) and the steps building them. You ask for data, dctc works out which \
        upstream partitions are missing or stale (their inputs' content or the step changed) and \
        rebuilds only those.

        Partitions: 2013-06-03, 2013-06-03|FR, ranges 2013-06-01/2013-06-07, * for every value.

        Examples:
          dctc flow build rollup@2013-06-03 -j 4
          dctc flow plan rollup@2013-06-01/2013-06-07
          dctc flow status logs_gz@2013-06-01/2013-06-30 --json
          dctc flow why rollup@2013-06-03
          dctc flow export airflow --out dags/weblogs.py

        Exit codes: 0 built or fresh, 2 invalid pipeline or target, 4 a step failed, 7 nothing to \
        do (with --exit-code-if-nothing-done 7), 8 a check failed, 9 an external input is missing \
        (retry later), 10 another run holds a unit's lock.
        """,
        subcommands: [FlowBuild.self, FlowPlan.self, FlowStatus.self, FlowWhy.self, FlowBackfill.self,
                      FlowGraph.self, FlowExport.self, FlowAdopt.self, FlowValidate.self])
    init() {}
}

struct FlowBuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build dataset partitions and whatever stale upstream partitions they need.",
        discussion: """
        A partition is fresh when its step's definition and the fingerprint of every input \
        partition are what they were when it was built (size and time first, content hash when \
        those changed). Fresh units are skipped; a rebuilt output whose content did not change \
        leaves its downstream fresh. A failed unit stops only the units that depend on it.

        Examples:
          dctc flow build rollup@2013-06-03
          dctc flow build logs_gz@2013-06-01/2013-06-07 -j 8 --json
          dctc flow build rollup@2013-06-03 --upstream none     # as an orchestrator task
          dctc flow build rollup@2013-06-03 --dry-run
          dctc flow build rollup@2013-06-03 --wait-for-lock 10m   # several workers, one output

        Locks: a unit being built holds a lock beside its output (on S3 an object created with \
        If-None-Match: *), so runs on other machines skip or, with --wait-for-lock, wait for it \
        and then use what the other run built. A lock whose worker stopped renewing its lease is \
        taken over.
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Option(name: .short, help: ArgumentHelp("Units built at once.", valueName: "N")) var jobs = 4
    @Option(name: .long, help: ArgumentHelp("Upstream units: modified (rebuild the stale ones), all (rebuild them all) or none.", valueName: "mode"))
    var upstream: String = "modified"
    @Flag(name: .long, help: "Print the plan (same as 'flow plan') and change nothing.") var dryRun = false
    @OptionGroup var locks: FlowLockOptions
    @Option(name: .long, help: ArgumentHelp("Exit with this code when every unit was already fresh.", valueName: "N")) var exitCodeIfNothingDone: Int32?
    @Argument(help: ArgumentHelp("DATASET@PARTITION targets.", valueName: "target")) var targets: [String]

    func validate() throws {
        guard UpstreamMode(rawValue: upstream) != nil else { throw ValidationError("--upstream must be modified, all or none") }
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("-j must be between 1 and 256") }
        guard !targets.isEmpty else { throw ValidationError("name at least one DATASET@PARTITION target") }
    }

    func run() async throws {
        let session = try await FlowSession.open(flow, global: global, progress: !flow.json)
        var options = BuildOptions()
        options.upstream = UpstreamMode(rawValue: upstream) ?? .modified
        options.jobs = jobs
        options.dryRun = dryRun
        locks.apply(to: &options)
        let report = try await session.engine.build(try session.targets(targets, json: flow.json), options: options, command: dryRun ? "plan" : "build")
        try FlowPrinter.finish(report, options: flow, exitCodeIfNothingDone: exitCodeIfNothingDone, verbose: global.verbose || dryRun)
    }
}

struct FlowPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the units a build would run, in order, with the reason for each; change nothing.",
        discussion: """
        Examples:
          dctc flow plan rollup@2013-06-03
          dctc flow plan rollup@2013-06-01/2013-06-30 --json | jq .units
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Option(name: .long, help: ArgumentHelp("Upstream units: modified, all or none.", valueName: "mode")) var upstream: String = "modified"
    @Argument(help: ArgumentHelp("DATASET@PARTITION targets.", valueName: "target")) var targets: [String]

    func run() async throws {
        guard let mode = UpstreamMode(rawValue: upstream) else { throw ValidationError("--upstream must be modified, all or none") }
        let session = try await FlowSession.open(flow, global: global)
        var options = BuildOptions()
        options.upstream = mode
        options.dryRun = true
        let report = try await session.engine.build(try session.targets(targets, json: flow.json), options: options, command: "plan")
        try FlowPrinter.finish(report, options: flow, exitCodeIfNothingDone: nil, verbose: true)
    }
}

struct FlowStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say for each partition whether it is fresh, stale, missing, failed or check-failed.",
        discussion: """
        Status is transitive: a partition whose upstream is stale is stale. External datasets are \
        present or missing. Exit code 0 when every partition is fresh (or present), 1 otherwise.

        Examples:
          dctc flow status rollup@2013-06-01/2013-06-07
          dctc flow status raw@2013-06-03 --json
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Argument(help: ArgumentHelp("DATASET@RANGE targets.", valueName: "target")) var targets: [String]

    struct Result: Encodable {
        let command = "status"
        let pipeline: String
        let partitions: [PartitionStatus]
        let counts: [String: Int]
        let allFresh: Bool
    }

    func run() async throws {
        let session = try await FlowSession.open(flow, global: global)
        let statuses = try await session.engine.status(try session.targets(targets, json: flow.json))
        var counts: [String: Int] = [:]
        for s in statuses { counts[s.status, default: 0] += 1 }
        let allFresh = statuses.allSatisfy { $0.status == "fresh" || $0.status == "present" }
        if flow.json {
            try FlowPrinter.jsonLine(Result(pipeline: session.pipeline.name, partitions: statuses, counts: counts, allFresh: allFresh))
        } else {
            for s in statuses {
                var line = "\(s.status.padding(toLength: 13, withPad: " ", startingAt: 0)) \(s.dataset)@\(s.partition)"
                let why = s.reasons.filter { $0 != "up to date" }
                if !why.isEmpty && s.status != "fresh" { line += "  (" + why.joined(separator: "; ") + ")" }
                Output.standard.line(line)
            }
            if statuses.count > FlowPrinter.longRange {
                Output.error.line("flow status: \(statuses.count) partitions: " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
            }
        }
        Output.standard.flush()
        if !allFresh { throw CommandFailure(.negative) }
    }
}

struct FlowWhy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain why a partition would be rebuilt (or is fresh): the chain of reasons upstream.",
        discussion: """
        Examples:
          dctc flow why rollup@2013-06-03
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Argument(help: ArgumentHelp("DATASET@PARTITION.", valueName: "target")) var target: String

    func run() async throws {
        let session = try await FlowSession.open(flow, global: global)
        var options = BuildOptions()
        options.dryRun = true
        let refs = try session.targets([target], json: flow.json)
        let report = try await session.engine.build(refs, options: options, command: "why")
        if flow.json { try FlowPrinter.jsonLine(report); Output.standard.flush(); return }
        let byUnit = Dictionary(report.units.map { ("\($0.dataset)@\($0.partition)", $0) }, uniquingKeysWith: { a, _ in a })
        var printed: Set<String> = []
        func show(_ key: String, depth: Int) {
            guard let u = byUnit[key] else { return }
            let indent = String(repeating: "  ", count: depth)
            let state = u.outcome == .wouldBuild ? "stale" : u.outcome == .fresh ? "fresh" : u.outcome.rawValue
            Output.standard.line("\(indent)\(key) (step \(u.step)): \(state)")
            guard printed.insert(key).inserted else { return }
            for reason in u.reasons where reason != "up to date" {
                Output.standard.line("\(indent)  - \(reason)")
                if reason.hasPrefix("input "), let end = reason.dropFirst(6).firstIndex(of: " ") {
                    let upstream = String(reason.dropFirst(6)[..<end])
                    if byUnit[upstream] != nil { show(upstream, depth: depth + 2) }
                }
            }
        }
        for ref in refs { show(ref.description, depth: 0) }
        Output.standard.flush()
    }
}

struct FlowBackfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Build a range of partitions of a dataset: the stale ones, the missing ones, or all.",
        discussion: """
        Examples:
          dctc flow backfill rollup --from 2013-06-01 --to 2013-06-30
          dctc flow backfill revenue --from 2024-03-01 --to 2024-03-14 --where country=FR,DE
          dctc flow backfill logs_gz --from 2013-01-01 --to 2013-12-31 --only missing --order newest --max-parallel 8
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions
    @Option(name: .long, help: ArgumentHelp("First partition of the time dimension.", valueName: "partition")) var from: String?
    @Option(name: .long, help: ArgumentHelp("Last partition of the time dimension (inclusive).", valueName: "partition")) var to: String?
    @Option(name: .long, help: ArgumentHelp("Values of another dimension, e.g. country=FR,DE (repeatable; default: every value).", valueName: "dim=values"))
    var `where`: [String] = []
    @Option(name: .long, help: ArgumentHelp("Which partitions: stale (stale or missing), missing, or all (rebuild every one).", valueName: "which")) var only = "stale"
    @Option(name: .long, help: ArgumentHelp("oldest or newest first.", valueName: "order")) var order = "oldest"
    @Option(name: .long, help: ArgumentHelp("Units built at once.", valueName: "N")) var maxParallel = 4
    @OptionGroup var locks: FlowLockOptions
    @Option(name: .long, help: ArgumentHelp("Exit with this code when every unit was already fresh.", valueName: "N")) var exitCodeIfNothingDone: Int32?
    @Argument(help: ArgumentHelp("The dataset.", valueName: "dataset")) var dataset: String

    func validate() throws {
        guard ["stale", "missing", "all"].contains(only) else { throw ValidationError("--only must be stale, missing or all") }
        guard ["oldest", "newest"].contains(order) else { throw ValidationError("--order must be oldest or newest") }
        guard maxParallel >= 1 && maxParallel <= 256 else { throw ValidationError("--max-parallel must be between 1 and 256") }
    }

    func run() async throws {
        let session = try await FlowSession.open(flow, global: global, progress: !flow.json)
        let spec: String
        do {
            spec = try session.engine.backfillSpec(dataset: dataset, from: from, to: to, where: `where`)
        } catch {
            printError(describe(VFSError.wrap(error, path: dataset), verbose: false))
            throw CommandFailure(.usage)
        }
        var refs = try session.targets([spec], json: flow.json)
        if only == "missing" {
            let statuses = try await session.engine.status(refs)
            let missing = Set(statuses.filter { $0.status == "missing" }.map(\.partition))
            refs = refs.filter { missing.contains($0.key.description) }
        }
        if order == "newest" { refs.reverse() }
        var options = BuildOptions()
        options.jobs = maxParallel
        options.forceTargets = only == "all"
        locks.apply(to: &options)
        let report = try await session.engine.build(refs, options: options, command: "backfill")
        try FlowPrinter.finish(report, options: flow, exitCodeIfNothingDone: exitCodeIfNothingDone, verbose: global.verbose)
    }
}

struct FlowValidate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the pipeline file: schema, datasets, placeholders, cycles.",
        discussion: """
        Examples:
          dctc flow validate
          dctc flow validate --pipeline etl/pipeline.dctc.yaml
        """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var flow: FlowOptions

    func run() async throws {
        do {
            let p = try PipelineParser.load(path: flow.pipelinePath)
            Output.standard.line("\(flow.pipelinePath): pipeline '\(p.name)' is valid: \(p.datasets.count) datasets, \(p.steps.count) steps (\(p.stepOrder.joined(separator: " → ")))")
            Output.standard.flush()
        } catch let e as PipelineError {
            printError(describe(e.vfsError, verbose: false))
            throw CommandFailure(.usage)
        }
    }
}
