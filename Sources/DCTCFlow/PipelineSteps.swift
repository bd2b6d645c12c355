import DCTCCore
import Foundation
import Yams

/// The `steps` section: each step, its inputs and checks.
extension PipelineReader {
    func step(_ name: String, _ keyNode: Node, _ node: Node, datasets: [String: Dataset], dimensions: [String: Dimension]) throws -> Step {
        guard let m = node.mapping else { throw fail("step '\(name)' must be a mapping (kind, inputs, output)", at: node) }
        var kindText: String?, command: String?, compress: String?, decompress = false
        var inputs: [StepInput] = [], output: String?, outputNode: Node?
        var retries = 0, retryDelay = 1.0, checks: [OutputCheck] = [], explicit = false, timeout: Double?
        var kindNode: Node?
        var dispatchSettings: [String: String] = [:]
        var dispatchNodes: [String: Node] = [:]
        let stepKeys: Set<String> = ["kind", "command", "compress", "decompress", "input", "inputs", "output",
                                     "retries", "retry_delay", "timeout", "checks", "rebuild", "description"]
        for (key, _, v) in try keyed(m, allowed: stepKeys.union(FlowDispatch.keys), what: "step '\(name)'") {
            switch key {
            case "kind": kindText = try string(v, "kind"); kindNode = v
            case "command": command = try string(v, "command")
            case "compress":
                let c = try string(v, "compress")
                guard c == "gz" || c == "bz2" else { throw fail("step '\(name)': compress must be gz or bz2", at: v) }
                compress = c
            case "decompress": decompress = try bool(v, "decompress")
            case "input", "inputs":
                let items: [Node]
                if case .sequence(let seq) = v { items = Array(seq) } else { items = [v] }
                for item in items { inputs.append(try stepInput(name, item, datasets: datasets, dimensions: dimensions)) }
            case "output": output = try string(v, "output"); outputNode = v
            case "retries":
                retries = try int(v, "retries")
                guard (0...100).contains(retries) else { throw fail("step '\(name)': retries must be between 0 and 100", at: v) }
            case "retry_delay":
                let t = try string(v, "retry_delay")
                guard let d = parseSeconds(t) else { throw fail("step '\(name)': retry_delay '\(t)' is not a duration like 2s or 1m", at: v) }
                retryDelay = d
            case "timeout":
                let t = try string(v, "timeout")
                guard let d = parseSeconds(t), d > 0 else { throw fail("step '\(name)': timeout '\(t)' is not a duration like 90s, 30m or 2h", at: v) }
                timeout = d
            case "checks":
                guard case .sequence(let seq) = v else { throw fail("step '\(name)': checks must be a list", at: v) }
                for c in seq { checks.append(try check(name, c)) }
            case let key where FlowDispatch.keys.contains(key):
                dispatchSettings[key] = try string(v, key)
                dispatchNodes[key] = v
            case "rebuild":
                let r = try string(v, "rebuild")
                guard r == "explicit" || r == "auto" else { throw fail("step '\(name)': rebuild must be auto or explicit", at: v) }
                explicit = r == "explicit"
            default: break
            }
        }
        guard let output else { throw fail("step '\(name)' needs an output dataset", at: keyNode) }
        guard let outDataset = datasets[output] else {
            throw fail("step '\(name)': unknown dataset '\(output)' (datasets: \(datasets.keys.sorted().joined(separator: ", ")))", at: outputNode)
        }
        guard !outDataset.external else { throw fail("step '\(name)': dataset '\(output)' is external (observed, never built)", at: outputNode) }
        let kind: StepKind
        switch kindText ?? (command != nil ? "shell" : "copy") {
        case "sync":
            kind = .sync
        case "copy":
            guard !(compress != nil && decompress) else { throw fail("step '\(name)': compress and decompress exclude each other", at: node) }
            kind = .copy(compress: compress, decompress: decompress)
        case "shell":
            guard let command, !command.isEmpty else { throw fail("step '\(name)': a shell step needs a command", at: keyNode) }
            let allowed = Set(["inputs", "input", "output", "partition"]).union(outDataset.dimensions)
            let template: AddressTemplate
            do { template = try AddressTemplate(command) } catch {
                throw fail("step '\(name)': command: \(error); write {{ and }} for a literal brace (awk '{{ print $1 }}')", at: keyNode)
            }
            for p in template.placeholders where !allowed.contains(p) {
                throw fail("step '\(name)': command uses {\(p)} (known: \(allowed.sorted().map { "{\($0)}" }.joined(separator: " "))); "
                            + "write {{ and }} for a literal brace (awk '{{ print $1 }}')", at: keyNode)
            }
            kind = .shell(command: command)
        case "dispatch":
            guard outDataset.template.text.hasSuffix("/") else {
                throw fail("step '\(name)': a dispatch step writes a folder: end the path of '\(output)' with /", at: outputNode)
            }
            if let compress { dispatchSettings["compress"] = compress }
            do {
                _ = try FlowDispatch.options(dispatchSettings)
            } catch {
                let message = (error as? VFSError)?.message ?? "\(error)"
                throw fail("step '\(name)': \(message)", at: dispatchNodes["by"] ?? kindNode)
            }
            kind = .dispatch(settings: dispatchSettings)
        case let other:
            throw fail("step '\(name)': kind must be sync, copy, shell or dispatch, not '\(other)'", at: kindNode)
        }
        if case .dispatch = kind {} else if let extra = dispatchNodes.first {
            throw fail("step '\(name)': '\(extra.key)' is a setting of dispatch steps", at: extra.value)
        }
        if case .shell = kind {} else if case .dispatch = kind {} else {
            guard inputs.count == 1 else { throw fail("step '\(name)': a \(kind.name) step reads exactly one input", at: keyNode) }
            if command != nil { throw fail("step '\(name)': command is for shell steps", at: keyNode) }
        }
        if inputs.isEmpty, case .shell = kind {} else if inputs.isEmpty {
            throw fail("step '\(name)' needs an input", at: keyNode)
        }
        try validateInputs(of: name, inputs, output: outDataset, at: keyNode, datasets: datasets, dimensions: dimensions)
        var step = Step(name: name, kind: kind, inputs: inputs, output: output, retries: retries, retryDelay: retryDelay,
                        checks: checks, explicitRebuild: explicit, mark: mark(keyNode))
        step.timeout = timeout
        return step
    }

    func stepInput(_ step: String, _ node: Node, datasets: [String: Dataset], dimensions: [String: Dimension]) throws -> StepInput {
        var dataset: String?, functions: [String: DependencyFunction] = [:], optional = false
        var datasetNode: Node? = node
        if case .scalar(let s) = node {
            dataset = s.string
        } else if let m = node.mapping {
            for (k, v) in m {
                guard let key = k.string else { throw fail("step '\(step)': input keys must be text", at: k) }
                switch key {
                case "dataset": dataset = try string(v, "dataset"); datasetNode = v
                case "optional": optional = try bool(v, "optional")
                default:
                    guard dimensions[key] != nil else {
                        throw fail("step '\(step)': input key '\(key)' is neither dataset, optional nor a dimension", at: k)
                    }
                    let text = try string(v, key)
                    guard let fn = parseFunction(text) else {
                        if let problem = functionProblem(text) { throw fail("step '\(step)': '\(text)' is not a dependency function: \(problem)", at: v) }
                        throw fail("step '\(step)': '\(text)' is not a dependency function (equals, window(-6d, 0d), since(week|month|year), all, latest)", at: v)
                    }
                    functions[key] = fn
                }
            }
        } else {
            throw fail("step '\(step)': an input is a dataset name or a mapping with dataset:", at: node)
        }
        guard let dataset else { throw fail("step '\(step)': input needs a dataset", at: node) }
        guard datasets[dataset] != nil else {
            throw fail("step '\(step)': unknown dataset '\(dataset)' (datasets: \(datasets.keys.sorted().joined(separator: ", ")))", at: datasetNode)
        }
        return StepInput(dataset: dataset, functions: functions, optional: optional, mark: mark(node))
    }

    func check(_ step: String, _ node: Node) throws -> OutputCheck {
        if case .scalar(let s) = node {
            guard s.string == "non_empty" else { throw fail("step '\(step)': unknown check '\(s.string)' (non_empty, min_size: N, min_rows: N, shell: CMD)", at: node) }
            return .nonEmpty
        }
        if let m = node.mapping, m.count > 1 || m.first?.key.string == "compare" {
            return try compareCheck(step, m, node)
        }
        guard let m = node.mapping, m.count == 1, let (k, v) = m.first.map({ ($0.key, $0.value) }), let key = k.string else {
            throw fail("step '\(step)': a check is non_empty, or one of min_size: N, min_rows: N, shell: CMD, {compare: previous, max_change: 50%}", at: node)
        }
        switch key {
        case "non_empty": return .nonEmpty
        case "min_size":
            let t = try string(v, "min_size")
            guard let n = parseSize(t) else { throw fail("step '\(step)': min_size '\(t)' is not a size like 10, 4k or 1M", at: v) }
            return .minSize(n)
        case "min_rows": return .minRows(try int(v, "min_rows"))
        case "shell": return .shell(try string(v, "shell"))
        default:
            let known = ["non_empty", "min_size", "min_rows", "shell", "compare"]
            throw fail("step '\(step)': unknown check '\(key)'\(suggestion(for: key, among: known)) (\(known.joined(separator: ", ")))", at: k)
        }
    }

    /// `{compare: previous, max_change: 50%, on: size|rows}`.
    func compareCheck(_ step: String, _ m: Node.Mapping, _ node: Node) throws -> OutputCheck {
        var measure = OutputCheck.CompareMeasure.size
        var maxChange: Double?
        var sawCompare = false
        for (key, _, v) in try keyed(m, allowed: ["compare", "max_change", "on"], what: "step '\(step)': compare check") {
            switch key {
            case "compare":
                let what = try string(v, "compare")
                guard what == "previous" else { throw fail("step '\(step)': compare: '\(what)' (only 'previous': the previous partition of the same dataset)", at: v) }
                sawCompare = true
            case "on":
                let t = try string(v, "on")
                guard let m = OutputCheck.CompareMeasure(rawValue: t) else { throw fail("step '\(step)': compare on '\(t)' (size or rows)", at: v) }
                measure = m
            case "max_change":
                let t = try string(v, "max_change").trimmingCharacters(in: .whitespaces)
                let number = t.hasSuffix("%") ? Double(t.dropLast()).map { $0 / 100 } : Double(t)
                guard let number, number >= 0, number.isFinite else {
                    throw fail("step '\(step)': max_change '\(t)' is not a percentage like 50%", at: v)
                }
                maxChange = number
            default: break
            }
        }
        guard sawCompare else { throw fail("step '\(step)': a check with max_change needs compare: previous", at: node) }
        guard let maxChange else { throw fail("step '\(step)': a compare check needs max_change (e.g. 50%)", at: node) }
        return .compare(measure: measure, maxChange: maxChange)
    }
}
