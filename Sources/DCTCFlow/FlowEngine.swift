import DCTCCore
import DCTCState
import Foundation

/// One unit of the graph: a step building one partition, its input partitions and the units
/// producing them.
struct UnitNode: Sendable {
    let id: UnitID
    let step: Step
    let output: PartitionRef
    /// Input partitions per step input, in input order.
    let inputs: [(input: StepInput, refs: [PartitionRef])]
    /// Units producing some of the inputs (only those in the run).
    var dependencies: [UnitID]
    var isTarget: Bool
}

/// Why a unit is or is not fresh.
struct Evaluation: Sendable {
    var fresh: Bool
    var outputMissing: Bool
    var reasons: [String]
    var missingInputs: [String]
    /// The trace with refreshed stats (when only stats changed, or when it was adopted from
    /// the output's sidecar), to store back.
    var refreshed: Trace?
    /// The trace the decision was made on (from the state file or the sidecar).
    var trace: Trace? = nil
    /// The sidecar the trace was adopted from, when the state file had none.
    var adopted: Sidecar.Found? = nil
}

/// Plans and runs builds of a pipeline: which units are stale, in which order, in parallel.
public final class FlowEngine: Sendable {
    public let pipeline: Pipeline
    let env: FlowEnvironment
    let resolver: DependencyResolver
    let fingerprints = Fingerprinter()
    private let locations = LocationCache()

    public init(pipeline: Pipeline, environment: FlowEnvironment) {
        self.pipeline = pipeline
        self.env = environment
        self.resolver = DependencyResolver(pipeline: pipeline, now: environment.now)
    }

    // MARK: - Targets

    /// Parses `DATASET@PARTITION`, `DATASET@2013-06-01/2013-06-07|FR`, `DATASET` (every
    /// partition) into partition references, in key order.
    public func targets(_ text: String) throws -> [PartitionRef] {
        let (name, spec) = text.firstIndex(of: "@").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) } ?? (text, "")
        guard let ds = pipeline.datasets[name] else {
            throw VFSError(.invalidArgument, "unknown dataset '\(name)'", path: text,
                           remedy: "datasets: \(pipeline.datasets.keys.sorted().joined(separator: ", "))")
        }
        let parts = spec.isEmpty ? [] : spec.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= ds.dimensions.count else {
            throw VFSError(.invalidArgument, "'\(spec)' has \(parts.count) values but \(name) is partitioned by \(ds.dimensions.count) (\(ds.dimensions.joined(separator: ", ")))",
                           path: text, remedy: "write one value per dimension, separated by |")
        }
        // Fewer values than dimensions: a date or range goes to the time dimension, the other
        // values to the other dimensions in order (`revenue@2024-03-01/2024-03-14` for
        // `revenue/{country}/{date}`); the rest are every value.
        var assigned: [String?] = Array(repeating: nil, count: ds.dimensions.count)
        if parts.count < ds.dimensions.count {
            var free = Array(ds.dimensions.indices)
            for part in parts {
                let looksTime = part.split(separator: "/").allSatisfy { TimePeriod.parse(String($0)) != nil } && !part.isEmpty
                let slot = free.first { (pipeline.dimensions[ds.dimensions[$0]]?.grain != nil) == looksTime } ?? free.first
                guard let slot else { break }
                assigned[slot] = part
                free.removeAll { $0 == slot }
            }
        } else {
            for (i, part) in parts.enumerated() { assigned[i] = part }
        }
        var perDimension: [[String]] = []
        for (i, dimName) in ds.dimensions.enumerated() {
            guard let dim = pipeline.dimensions[dimName] else { continue }
            let part = assigned[i] ?? "*"
            switch dim.kind {
            case .values(let values):
                if part == "*" { perDimension.append(values); continue }
                let wanted = part.split(separator: ",").map(String.init)
                for v in wanted where !values.contains(v) {
                    throw VFSError(.invalidArgument, "'\(v)' is not a value of \(dimName)", path: text,
                                   remedy: "values: \(values.joined(separator: ", "))")
                }
                perDimension.append(wanted)
            case .time(let grain, let start, let end):
                if part == "*" {
                    perDimension.append(resolver.allPartitions(of: Dataset(name: "", template: ds.template, dimensions: [dimName], external: false, mark: nil)).map { $0.values[0] })
                    continue
                }
                let bounds = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2, let lo = TimePeriod.parse(bounds[0]), let hi = TimePeriod.parse(bounds.count == 2 ? bounds[1] : bounds[0]) else {
                    throw VFSError(.invalidArgument, "'\(part)' is not a \(grain.rawValue) or a range like \(start)/\(start.advanced(by: 6))",
                                   path: text, remedy: "write \(grain.rawValue) partitions as \(start)")
                }
                var list: [String] = []
                var p = lo.truncated(to: grain)
                let last = hi.grain > grain ? hi.end(in: grain).advanced(by: -1) : hi.truncated(to: grain)
                if p < start { p = start }
                while p <= last && (end == nil || p <= end!) && list.count < 1_000_000 {
                    list.append(p.description); p = p.advanced(by: 1)
                }
                guard !list.isEmpty else {
                    throw VFSError(.invalidArgument, "'\(part)' is outside \(dimName) (from \(start)\(end.map { " to \($0)" } ?? ""))",
                                   path: text, remedy: "choose partitions inside the dimension's range")
                }
                perDimension.append(list)
            }
        }
        var keys: [[String]] = [[]]
        for values in perDimension { keys = keys.flatMap { prefix in values.map { prefix + [$0] } } }
        return keys.map { PartitionRef(dataset: name, key: PartitionKey($0)) }
    }

    /// The target of a backfill: `--from/--to` on the dataset's time dimension (its whole range
    /// when absent), `--where DIM=V1,V2` on the others (every value when absent), as a
    /// `DATASET@A|B` text for `targets`.
    public func backfillSpec(dataset name: String, from: String?, to: String?, where conditions: [String]) throws -> String {
        guard let ds = pipeline.datasets[name] else {
            throw VFSError(.invalidArgument, "unknown dataset '\(name)'", path: name,
                           remedy: "datasets: \(pipeline.datasets.keys.sorted().joined(separator: ", "))")
        }
        var chosen: [String: String] = [:]
        for condition in conditions {
            guard let eq = condition.firstIndex(of: "="), eq != condition.startIndex else {
                throw VFSError(.invalidArgument, "--where takes DIMENSION=VALUE[,VALUE…], not '\(condition)'", path: condition,
                               remedy: "e.g. --where \(ds.dimensions.last ?? "country")=FR,DE")
            }
            let dim = String(condition[..<eq])
            guard ds.dimensions.contains(dim), pipeline.dimensions[dim]?.grain == nil else {
                let others = ds.dimensions.filter { pipeline.dimensions[$0]?.grain == nil }
                throw VFSError(.invalidArgument, "\(name) has no dimension '\(dim)' with values to choose", path: condition,
                               remedy: others.isEmpty ? "\(name) has only a time dimension: use --from and --to" : "choose among: \(others.joined(separator: ", "))")
            }
            guard chosen[dim] == nil else { throw VFSError(.invalidArgument, "--where \(dim) given twice", path: condition, remedy: "list the values once: \(dim)=A,B") }
            chosen[dim] = String(condition[condition.index(after: eq)...])
        }
        let hasTime = ds.dimensions.contains { pipeline.dimensions[$0]?.grain != nil }
        if !hasTime, from != nil || to != nil {
            throw VFSError(.invalidArgument, "\(name) has no time dimension: --from and --to do not apply", path: name, remedy: "choose partitions with --where")
        }
        let parts = ds.dimensions.map { dim -> String in
            if pipeline.dimensions[dim]?.grain != nil {
                switch (from, to) {
                case (nil, nil): return "*"
                case (let a?, nil): return "\(a)/\(a)"
                case (nil, let b?): return "\(b)/\(b)"
                case (let a?, let b?): return "\(a)/\(b)"
                }
            }
            return chosen[dim] ?? "*"
        }
        return parts.isEmpty ? name : name + "@" + parts.joined(separator: "|")
    }

    // MARK: - Graph

    /// The units needed for the targets: the targets' own units and, unless `upstream` is
    /// `none`, every unit producing an input they read, transitively.
    func graph(for refs: [PartitionRef], upstream: UpstreamMode) async throws -> [UnitID: UnitNode] {
        var nodes: [UnitID: UnitNode] = [:]
        var queue: [(PartitionRef, Bool)] = refs.map { ($0, true) }
        var seen: Set<UnitID> = []
        while let (ref, isTarget) = queue.popLast() {
            guard let stepName = pipeline.producers[ref.dataset], let step = pipeline.steps[stepName],
                  let outDataset = pipeline.datasets[ref.dataset] else { continue }
            let id = UnitID(step: stepName, key: ref.key)
            if seen.contains(id) {
                if isTarget { nodes[id]?.isTarget = true }
                continue
            }
            seen.insert(id)
            var inputs: [(StepInput, [PartitionRef])] = []
            var deps: [UnitID] = []
            for input in step.inputs {
                let refs = try await resolver.inputPartitions(input, output: outDataset, key: ref.key) { candidate in
                    guard self.resolver.address(candidate) != nil else { return false }
                    return try await self.fingerprints.stat(try await self.location(candidate)) != nil
                }
                inputs.append((input, refs))
                if upstream != .none {
                    for r in refs {
                        if let producer = pipeline.producers[r.dataset] {
                            deps.append(UnitID(step: producer, key: r.key))
                            queue.append((r, false))
                        }
                    }
                }
            }
            nodes[id] = UnitNode(id: id, step: step, output: ref, inputs: inputs, dependencies: deps, isTarget: isTarget)
        }
        return nodes
    }

    /// The units in an order where every unit comes after its dependencies (ties by step order
    /// then partition).
    func order(_ nodes: [UnitID: UnitNode]) -> [UnitID] {
        let rank = Dictionary(uniqueKeysWithValues: pipeline.stepOrder.enumerated().map { ($1, $0) })
        return nodes.keys.sorted { a, b in
            let ra = rank[a.step] ?? 0, rb = rank[b.step] ?? 0
            return ra != rb ? ra < rb : a.key < b.key
        }
    }

    // MARK: - Freshness

    func location(_ ref: PartitionRef) async throws -> Location {
        guard let address = resolver.address(ref) else {
            throw VFSError(.invalidArgument, "unknown dataset '\(ref.dataset)'", path: ref.description)
        }
        if let cached = locations.get(address) { return cached }
        let loc = try await env.resolve(address)
        locations.set(address, loc)
        return loc
    }

    /// Whether a unit is fresh: its trace's spec digest and every input fingerprint are
    /// unchanged (by stat, else by content hash), and its output is still what was built.
    func evaluate(_ node: UnitNode, trace record: FlowTraceRecord?) async throws -> Evaluation {
        var reasons: [String] = []
        var missing: [String] = []
        var refreshedAny = false
        let outLoc = try await location(node.output)
        let outStat = try await fingerprints.stat(outLoc)
        for (input, refs) in node.inputs {
            if refs.isEmpty && !input.optional {
                missing.append("\(input.dataset) (no partition for \(node.output.key))")
            }
            for ref in refs {
                if try await fingerprints.stat(try await location(ref)) == nil, !input.optional {
                    missing.append(ref.description)
                }
            }
        }
        var decoded = record?.trace.flatMap(Trace.decode)
        var adopted: Sidecar.Found?
        if decoded == nil, let outStat {
            // The state file is a cache: the sidecar beside the output is the durable trace.
            if let found = try await Sidecar.read(of: outLoc, isDirectory: outStat.info.isDirectory) {
                if let t = Trace.decode(found.text), t.step == node.step.name, t.partition == node.id.key.description {
                    decoded = t
                    adopted = found
                } else {
                    reasons.append("its sidecar \(found.location) is not a trace of \(node.id)")
                }
            }
        }
        guard var trace = decoded else {
            if outStat == nil { reasons.append("never built") } else if reasons.isEmpty { reasons.append("no trace of how \(node.output) was built, and no sidecar beside it") }
            return Evaluation(fresh: false, outputMissing: outStat == nil, reasons: reasons, missingInputs: missing, refreshed: nil)
        }
        if trace.spec != node.step.specDigest(in: pipeline) {
            reasons.append("step '\(node.step.name)' definition changed")
        }
        // The output must still be what was built.
        if let outStat {
            if outStat.stat != trace.output.fingerprint?.stat {
                let h = try await fingerprints.contentHash(outLoc)
                if h != trace.output.fingerprint?.hash {
                    reasons.append("output \(outLoc) changed outside the pipeline")
                } else {
                    trace.output.fingerprint = Fingerprint(stat: outStat.stat, hash: h, size: outStat.size)
                    refreshedAny = true
                }
            }
        } else {
            reasons.append("output \(outLoc) is missing")
        }
        // Inputs: the same set, each with the same stat or, failing that, the same content.
        let recorded = Dictionary(trace.inputs.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        var current: [String] = []
        var newInputs: [Trace.Input] = []
        for (_, refs) in node.inputs {
            for ref in refs {
                current.append(ref.description)
                let loc = try await location(ref)
                let stat = try await fingerprints.stat(loc)
                guard let old = recorded[ref.description] else {
                    reasons.append("new input \(ref)")
                    continue
                }
                guard let stat else {
                    if old.fingerprint != nil { reasons.append("input \(ref) was removed") }
                    newInputs.append(old)
                    continue
                }
                guard let oldPrint = old.fingerprint else {
                    reasons.append("input \(ref) appeared")
                    continue
                }
                if stat.stat == oldPrint.stat {
                    newInputs.append(old)
                    continue
                }
                let h = try await fingerprints.contentHash(loc)
                if h == oldPrint.hash {
                    var refreshed = old
                    refreshed.fingerprint = Fingerprint(stat: stat.stat, hash: h, size: stat.size)
                    newInputs.append(refreshed)
                    refreshedAny = true
                } else {
                    reasons.append("input \(ref) content changed\(describeChange(old: oldPrint, size: stat.size, info: stat.info))")
                    newInputs.append(old)
                }
            }
        }
        for old in trace.inputs.map(\.ref) where !current.contains(old) {
            reasons.append("input \(old) is no longer read")
        }
        if reasons.isEmpty && (refreshedAny || adopted != nil) {
            if refreshedAny { trace.inputs = newInputs }
            return Evaluation(fresh: true, outputMissing: false, reasons: [], missingInputs: missing, refreshed: trace, trace: trace, adopted: adopted)
        }
        if adopted != nil { reasons = reasons.map { $0 + " (since the build its sidecar describes)" } }
        return Evaluation(fresh: reasons.isEmpty, outputMissing: outStat == nil, reasons: reasons, missingInputs: missing, refreshed: nil,
                          trace: trace, adopted: adopted)
    }

    func describeChange(old: Fingerprint, size: Int64, info: FileInfo) -> String {
        var parts: [String] = []
        if old.size != size { parts.append("size \(old.size) → \(size)") }
        if let t = info.modificationTime { parts.append("modified \(Self.timestamp(t))") }
        return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
    }

    /// `90 s`, `30 min`, `2 h` for messages.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600)) h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60)) min" }
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }

    static func timestamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    // MARK: - Running

    /// Builds (or, with `dryRun`, plans) the targets.
    ///
    /// Units run on a pool of `jobs` workers as soon as their dependencies are done; a unit
    /// whose dependency failed is skipped, independent units go on.
    public func build(_ refs: [PartitionRef], options: BuildOptions, command: String = "build") async throws -> FlowReport {
        try await build(refs, options: options, command: command, traces: nil)
    }

    /// `build`, with the pipeline's traces when the caller already read them.
    func build(_ refs: [PartitionRef], options: BuildOptions, command: String,
               traces known: [String: [String: FlowTraceRecord]]?) async throws -> FlowReport {
        let started = Date()
        for ref in refs where pipeline.datasets[ref.dataset]?.external == true {
            throw VFSError(.invalidArgument, "\(ref.dataset) is external: dctc observes it but never builds it",
                           path: ref.description, remedy: "ask for a dataset built by a step, or 'dctc flow status \(ref.dataset)'")
        }
        let nodes = try await graph(for: refs, upstream: options.upstream)
        let graphDone = Date()
        let traces: [String: [String: FlowTraceRecord]]
        if let known { traces = known } else { traces = try await env.state.flowTraces(pipeline: pipeline.name) }
        env.log(String(format: "flow: %d units planned in %.3f s, traces read in %.3f s", nodes.count,
                       graphDone.timeIntervalSince(started), Date().timeIntervalSince(graphDone)))
        let order = self.order(nodes)
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        // Kahn's algorithm: a unit is ready when all its dependencies have a result; ready units
        // start in plan order (a min-heap would do too; the ready list stays short).
        var waitingOn: [Int] = Array(repeating: 0, count: order.count)
        var dependents: [[Int]] = Array(repeating: [], count: order.count)
        var dependencyRanks: [[Int]] = Array(repeating: [], count: order.count)
        for (i, id) in order.enumerated() {
            guard let node = nodes[id] else { continue }
            let deps = Set(node.dependencies.compactMap { rank[$0] })
            dependencyRanks[i] = deps.sorted()
            // `compare: previous` reads the previous partition's output: when this plan builds
            // that too, it goes first (an order only: its failure does not skip this unit, which
            // then compares with what is there). Earlier in the plan only, so never a cycle.
            var waits = deps
            if let previous = Checks.comparedPartition(of: node, engine: self),
               let r = rank[UnitID(step: id.step, key: previous.key)], r < i {
                waits.insert(r)
            }
            waitingOn[i] = waits.count
            for d in waits { dependents[d].append(i) }
        }
        var ready = (0..<order.count).filter { waitingOn[$0] == 0 }.reversed() as [Int]
        var results: [UnitResult?] = Array(repeating: nil, count: order.count)
        var running = 0
        let jobs = max(1, options.jobs)
        try await withThrowingTaskGroup(of: (Int, UnitResult).self) { group in
            while !ready.isEmpty || running > 0 {
                while running < jobs, let i = ready.popLast() {
                    guard let node = nodes[order[i]] else { continue }
                    running += 1
                    let depResults = dependencyRanks[i].compactMap { results[$0] }
                    let record = traces[node.id.step]?[node.id.key.description]
                    group.addTask {
                        (i, try await self.run(node, record: record, dependencies: depResults, options: options))
                    }
                }
                guard let (i, result) = try await group.next() else { break }
                running -= 1
                results[i] = result
                var released: [Int] = []
                for d in dependents[i] {
                    waitingOn[d] -= 1
                    if waitingOn[d] == 0 { released.append(d) }
                }
                if !released.isEmpty {
                    // Keep `ready` sorted with the lowest plan rank last (popped first).
                    ready = (ready + released).sorted(by: >)
                }
            }
        }
        let units = results.compactMap { $0 }
        return FlowReport(command: command, pipeline: pipeline.name, targets: refs.map(\.description), dryRun: options.dryRun,
                          units: units, seconds: Date().timeIntervalSince(started))
    }

    /// Decides and (unless planning) builds one unit.
    func run(_ node: UnitNode, record: FlowTraceRecord?, dependencies: [UnitResult], options: BuildOptions) async throws -> UnitResult {
        let outLoc = try await location(node.output)
        var result = UnitResult(step: node.step.name, partition: node.id.key.description, dataset: node.output.dataset,
                                outcome: .fresh, reasons: [], output: outLoc.description, outputHash: nil, outputSize: nil,
                                outputUnchanged: nil, checks: [], attempts: 0, seconds: 0, error: nil, isTarget: node.isTarget)
        if let bad = dependencies.first(where: { [.failed, .checkFailed, .inputMissing, .locked, .skipped].contains($0.outcome) }) {
            result.outcome = .skipped
            result.reasons = ["upstream \(bad.step)@\(bad.partition) \(bad.outcome.rawValue)"]
            return result
        }
        if let record, record.lastStatus != "built" {
            let when = FlowEngine.timestamp(record.lastAttemptAt)
            result.lastAttempt = "\(record.lastStatus) at \(when)" + (record.lastMessage.map { ": \($0)" } ?? "")
        }
        var evaluation = try await evaluate(node, trace: record)
        let upstreamRebuilt = dependencies.filter { $0.outcome == .wouldBuild || ($0.outcome == .built && $0.outputUnchanged != true) }
        if evaluation.fresh && !upstreamRebuilt.isEmpty && options.dryRun {
            evaluation.fresh = false
            evaluation.reasons = upstreamRebuilt.map { "input \($0.dataset)@\($0.partition) will be rebuilt" }
        }
        if options.dryRun {
            // An input whose last build failed blocks this unit until it builds.
            let blocked = dependencies.filter { $0.outcome == .wouldBuild && $0.lastAttempt != nil }
            if !blocked.isEmpty {
                evaluation.reasons.removeAll { r in blocked.contains { r == "input \($0.dataset)@\($0.partition) will be rebuilt" } }
                evaluation.reasons = blocked.map { "input \($0.dataset)@\($0.partition) is blocked by \($0.lastAttempt?.hasPrefix("check-failed") == true ? "a failed check of" : "failed") \($0.step)@\($0.partition) (last attempt \($0.lastAttempt ?? ""))" } + evaluation.reasons
            }
            if !evaluation.fresh, let last = result.lastAttempt { evaluation.reasons.insert("last attempt \(last)", at: 0) }
        }
        var force = false
        if options.upstream == .all || (node.isTarget && options.forceTargets) {
            force = true
            if evaluation.fresh { evaluation.reasons = [node.isTarget && options.forceTargets ? "rebuild asked for" : "--upstream all"] }
        }
        if evaluation.fresh && !force {
            if let refreshed = evaluation.refreshed, !options.dryRun {
                try? await env.state.recordFlowBuild(pipeline: pipeline.name, step: node.step.name, partition: node.id.key.description,
                                                     trace: refreshed.json(), at: refreshed.builtAt)
                if let found = evaluation.adopted, found.isLegacy, let stat = try? await fingerprints.stat(outLoc) {
                    try? await Sidecar.migrate(found, of: outLoc, isDirectory: stat.info.isDirectory)
                }
            }
            if let t = evaluation.trace {
                result.outputHash = t.output.fingerprint?.hash; result.outputSize = t.output.fingerprint?.size
            }
            result.reasons = evaluation.adopted != nil ? ["up to date (trace adopted from \(evaluation.adopted?.location.description ?? "its sidecar"))"] : ["up to date"]
            return result
        }
        result.reasons = evaluation.reasons
        if node.step.explicitRebuild && !node.isTarget && !evaluation.outputMissing && !force {
            result.outcome = .keptStale
            result.reasons = ["stale but 'rebuild: explicit': used as is (build \(node.output) to rebuild it)"] + evaluation.reasons
            return result
        }
        // An input an upstream unit of this plan would build is not missing.
        let planned = Set(dependencies.filter { $0.outcome == .wouldBuild }.map { "\($0.dataset)@\($0.partition)" })
        evaluation.missingInputs.removeAll { planned.contains($0) }
        if !evaluation.missingInputs.isEmpty {
            // Inputs built by a step in this run exist by now; what is missing is external or not planned.
            result.outcome = .inputMissing
            result.reasons = evaluation.missingInputs.map { "input \($0) does not exist" }
            if !options.dryRun {
                try? await env.state.recordFlowFailure(pipeline: pipeline.name, step: node.step.name, partition: node.id.key.description,
                                                       status: "input-missing", message: result.reasons.joined(separator: "; "))
            }
            return result
        }
        if options.dryRun {
            result.outcome = .wouldBuild
            return result
        }
        return await StepRunner(engine: self, node: node, previous: record.flatMap { $0.trace.flatMap(Trace.decode) }, options: options).build(into: result)
    }

    // MARK: - Status

    /// The status of each partition: `fresh`, `stale`, `missing`, `failed`, `check-failed`
    /// (transitively: a partition whose upstream is stale is stale), or for external datasets
    /// `present`/`missing`.
    public func status(_ refs: [PartitionRef]) async throws -> [PartitionStatus] {
        var out: [PartitionStatus] = []
        var external: [PartitionRef] = []
        var built: [PartitionRef] = []
        for ref in refs {
            if pipeline.producers[ref.dataset] == nil { external.append(ref) } else { built.append(ref) }
        }
        for ref in external {
            let loc = try await location(ref)
            let exists = try await fingerprints.stat(loc) != nil
            out.append(PartitionStatus(dataset: ref.dataset, partition: ref.key.description, status: exists ? "present" : "missing",
                                       reasons: exists ? [] : ["\(loc) does not exist"], address: loc.description))
        }
        guard !built.isEmpty else { return out }
        var plan = BuildOptions()
        plan.dryRun = true
        // A plan writes nothing: the traces read for it are the ones to report on.
        let traces = try await env.state.flowTraces(pipeline: pipeline.name)
        let report = try await build(built, options: plan, command: "status", traces: traces)
        let byUnit = Dictionary(report.units.map { ($0.unit, $0) }, uniquingKeysWith: { a, _ in a })
        for ref in built {
            guard let step = pipeline.producers[ref.dataset], let unit = byUnit[UnitID(step: step, key: ref.key)] else { continue }
            let record = traces[step]?[ref.key.description]
            var status: String
            switch unit.outcome {
            case .fresh, .keptStale: status = "fresh"
            default:
                let exists = try await fingerprints.stat(try await location(ref)) != nil
                status = exists ? "stale" : "missing"
            }
            if let record, record.lastStatus != "built", status != "fresh" || record.trace == nil {
                status = record.lastStatus
            }
            var reasons = unit.reasons
            if let m = record?.lastMessage, record?.lastStatus != "built", !reasons.contains(where: { $0.hasPrefix("last attempt ") }) {
                reasons.append("last attempt: \(m)")
            }
            if status != "fresh", let loc = try? await location(ref), let holder = try? await StoreLock.holder(of: loc) {
                if holder.isStale(now: Date(), host: LockHolder.currentHost) {
                    reasons.append("a stale lock (\(holder.sentence)) will be taken over")
                } else {
                    status = "locked"
                    reasons.insert(holder.sentence, at: 0)
                }
            }
            out.append(PartitionStatus(dataset: ref.dataset, partition: ref.key.description, status: status, reasons: reasons, address: unit.output))
        }
        return out
    }
}

/// One row of `flow status`.
public struct PartitionStatus: Sendable, Codable {
    public var dataset: String
    public var partition: String
    public var status: String
    public var reasons: [String]
    public var address: String
}

// MARK: - Export and adoption

extension FlowEngine {
    /// The units of a plan with their dependencies, for a static Airflow DAG.
    public func unitsForExport(_ refs: [PartitionRef]) async throws -> [(step: String, partition: String, dataset: String, dependencies: [String])] {
        let nodes = try await graph(for: refs, upstream: .modified)
        return order(nodes).compactMap { id in
            guard let n = nodes[id] else { return nil }
            return (id.step, id.key.description, n.output.dataset, n.dependencies.filter { nodes[$0] != nil }.map(\.description))
        }
    }

    /// One partition's adoption result.
    public struct Adoption: Sendable, Codable {
        public var partition: String
        public var outcome: String
        public var detail: String
    }

    /// Reads the sidecars of the outputs and records their traces in the state file, when the
    /// output is still what the sidecar describes (by stat, else by content hash).
    public func adopt(_ refs: [PartitionRef]) async throws -> [Adoption] {
        var out: [Adoption] = []
        for ref in refs {
            guard let stepName = pipeline.producers[ref.dataset] else {
                out.append(Adoption(partition: ref.description, outcome: "skipped", detail: "external dataset"))
                continue
            }
            let loc = try await location(ref)
            guard let stat = try await fingerprints.stat(loc) else {
                out.append(Adoption(partition: ref.description, outcome: "missing", detail: "\(loc) does not exist"))
                continue
            }
            guard let found = try await Sidecar.read(of: loc, isDirectory: stat.info.isDirectory) else {
                out.append(Adoption(partition: ref.description, outcome: "no-sidecar", detail: "\(Sidecar.location(of: loc, isDirectory: stat.info.isDirectory)) does not exist"))
                continue
            }
            guard let trace = Trace.decode(found.text), trace.step == stepName, trace.partition == ref.key.description else {
                out.append(Adoption(partition: ref.description, outcome: "invalid", detail: "\(found.location) is not a trace of \(stepName)@\(ref.key)"))
                continue
            }
            var adopted = trace
            if stat.stat != trace.output.fingerprint?.stat {
                let hash = try await fingerprints.contentHash(loc)
                guard hash == trace.output.fingerprint?.hash else {
                    out.append(Adoption(partition: ref.description, outcome: "changed", detail: "the output changed since the sidecar was written; it will be rebuilt"))
                    continue
                }
                adopted.output.fingerprint = Fingerprint(stat: stat.stat, hash: hash, size: stat.size)
            }
            try await env.state.recordFlowBuild(pipeline: pipeline.name, step: stepName, partition: ref.key.description,
                                                trace: try adopted.json(), at: trace.builtAt)
            try await Sidecar.migrate(found, of: loc, isDirectory: stat.info.isDirectory)
            out.append(Adoption(partition: ref.description, outcome: "adopted", detail: "built \(FlowEngine.timestamp(trace.builtAt))"))
        }
        return out
    }
}

/// Resolved addresses, so that each is parsed and looked up in the registry once per run.
final class LocationCache: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var map: [String: Location] = [:]
    func get(_ key: String) -> Location? { lock.withLock { map[key] } }
    func set(_ key: String, _ value: Location) { lock.withLock { map[key] = value } }
}
