import DCTCCore
import Foundation
import Yams

/// A pipeline file that cannot be used, with the place it points at.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    public let mark: SourceMark?
    public let file: String
    public let message: String

    public init(_ message: String, file: String, mark: SourceMark? = nil) {
        // One line, whatever the file quoted into the message (found by the fuzz tests).
        let oneLine = message.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f || $0 == "\u{2028}" || $0 == "\u{2029}" }
        self.message = oneLine ? SafeName.escaped(message) : message
        self.file = file; self.mark = mark
    }

    /// `pipeline.dctc.yaml:12:5: unknown dataset 'rawlogs' (datasets: raw, raw_gz)`.
    public var description: String { "\(mark?.description ?? file): \(message)" }

    /// As a `VFSError` (exit code 2: the pipeline is invalid, nothing was run).
    public var vfsError: VFSError {
        VFSError(.invalidArgument, message, path: mark?.description ?? file, remedy: "fix the pipeline file (see Docs/pipelines.md)")
    }
}

/// Reads a pipeline file: YAML through Yams, then a strict schema with messages that point at
/// the line (unknown keys, unknown datasets, placeholder mismatches, cycles).
public enum PipelineParser {
    /// Loads and validates a pipeline file.
    /// - Throws: `PipelineError`.
    public static func load(path: String) throws -> Pipeline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(FileManager.default.fileExists(atPath: path)
                                ? "cannot read the pipeline file" : "no pipeline file here (write one, or give --pipeline FILE)", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw PipelineError("the pipeline file is not UTF-8", file: path) }
        return try parse(text, path: path)
    }

    /// Parses and validates pipeline text.
    /// - Parameters:
    ///   - text: the YAML.
    ///   - path: the file name used in messages and as the default pipeline name.
    /// - Throws: `PipelineError`.
    public static func parse(_ text: String, path: String) throws -> Pipeline {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PipelineError(yamlMessage(error), file: path, mark: yamlMark(error, path))
        } catch {
            throw PipelineError("not YAML: \(error)", file: path)
        }
        guard let root, let top = root.mapping else {
            throw PipelineError("the pipeline file must be a mapping with datasets and steps", file: path)
        }
        var reader = Reader(file: path)
        return try reader.pipeline(top, rootMark: root.mark)
    }

    static func yamlMessage(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return "not valid YAML: \(problem)"
        default:
            // Yams quotes the offending lines after the first: keep the first.
            return "not valid YAML: " + (String(describing: e).split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
        }
    }

    static func yamlMark(_ e: YamlError, _ file: String) -> SourceMark? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _):
            return SourceMark(file: file, line: m.line, column: m.column)
        default:
            return nil
        }
    }
}

/// Walks the YAML nodes into the model.
private struct Reader {
    let file: String

    func mark(_ node: Node?) -> SourceMark? {
        node?.mark.map { SourceMark(file: file, line: $0.line, column: $0.column) }
    }

    func fail(_ message: String, at node: Node?) -> PipelineError {
        PipelineError(message, file: file, mark: mark(node))
    }

    func keyed(_ m: Node.Mapping, allowed: Set<String>, what: String) throws -> [(String, Node, Node)] {
        var out: [(String, Node, Node)] = []
        var seen: Set<String> = []
        for (k, v) in m {
            guard let key = k.string else { throw fail("\(what): keys must be text", at: k) }
            guard allowed.contains(key) else {
                throw fail("\(what): unknown key '\(key)' (known: \(allowed.sorted().joined(separator: ", ")))", at: k)
            }
            guard seen.insert(key).inserted else { throw fail("\(what): '\(key)' appears twice", at: k) }
            out.append((key, k, v))
        }
        return out
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let s) = node else { throw fail("\(what) must be a single value", at: node) }
        return s.string
    }

    func int(_ node: Node, _ what: String) throws -> Int {
        guard case .scalar(let s) = node, let v = Int(s.string.replacingOccurrences(of: "_", with: "")) else {
            throw fail("\(what) must be a whole number", at: node)
        }
        return v
    }

    func bool(_ node: Node, _ what: String) throws -> Bool {
        guard case .scalar(let s) = node else { throw fail("\(what) must be true or false", at: node) }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail("\(what) must be true or false, not '\(s.string)'", at: node)
        }
    }

    func names(_ node: Node, _ what: String) throws -> [String] {
        if case .scalar(let s) = node { return [s.string] }
        guard case .sequence(let seq) = node else { throw fail("\(what) must be a name or a list of names", at: node) }
        return try seq.map { try string($0, what) }
    }

    mutating func pipeline(_ top: Node.Mapping, rootMark: Mark?) throws -> Pipeline {
        var name = URL(fileURLWithPath: file).lastPathComponent
        for suffix in [".yaml", ".yml", ".dctc"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        var dimensions: [String: Dimension] = [:]
        var datasets: [String: Dataset] = [:]
        var steps: [String: Step] = [:]
        var accounts: [String: [String: String]] = [:]
        var references: [String] = []
        var datasetNodes: [(String, Node, Node)] = []
        var stepNodes: [(String, Node, Node)] = []
        var sawDatasets = false, sawSteps = false
        for (key, _, value) in try keyed(top, allowed: ["name", "accounts", "dimensions", "datasets", "steps", "description"], what: "pipeline") {
            switch key {
            case "name": name = try string(value, "name")
            case "description": break
            case "accounts": (accounts, references) = try readAccounts(value)
            case "dimensions":
                guard let m = value.mapping else { throw fail("dimensions must be a mapping of name → definition", at: value) }
                for (k, v) in m {
                    guard let n = k.string else { throw fail("dimension names must be text", at: k) }
                    try checkName(n, k, "dimension")
                    dimensions[n] = try dimension(n, v)
                }
            case "datasets":
                sawDatasets = true
                guard let m = value.mapping else { throw fail("datasets must be a mapping of name → definition", at: value) }
                for (k, v) in m {
                    guard let n = k.string else { throw fail("dataset names must be text", at: k) }
                    try checkName(n, k, "dataset")
                    datasetNodes.append((n, k, v))
                }
            case "steps":
                sawSteps = true
                guard let m = value.mapping else { throw fail("steps must be a mapping of name → definition", at: value) }
                for (k, v) in m {
                    guard let n = k.string else { throw fail("step names must be text", at: k) }
                    try checkName(n, k, "step")
                    stepNodes.append((n, k, v))
                }
            default: break
            }
        }
        guard sawDatasets else { throw PipelineError("the pipeline has no 'datasets' section", file: file) }
        guard sawSteps else { throw PipelineError("the pipeline has no 'steps' section", file: file) }
        for (n, k, v) in datasetNodes {
            datasets[n] = try dataset(n, k, v, dimensions: dimensions)
        }
        for (n, k, v) in stepNodes {
            steps[n] = try step(n, k, v, datasets: datasets, dimensions: dimensions)
        }
        // One producer per dataset; external datasets have none.
        var producers: [String: String] = [:]
        for (_, k, _) in stepNodes {
            guard let s = steps[k.string ?? ""] else { continue }
            if let other = producers[s.output] {
                throw fail("dataset '\(s.output)' is built by two steps ('\(other)' and '\(s.name)')", at: k)
            }
            producers[s.output] = s.name
        }
        let order = try topologicalOrder(steps: steps, producers: producers, nodes: stepNodes)
        return Pipeline(name: name, path: file, dimensions: dimensions, datasets: datasets, steps: steps,
                        accounts: accounts, accountReferences: references, producers: producers, stepOrder: order)
    }

    func checkName(_ n: String, _ node: Node, _ what: String) throws {
        guard !n.isEmpty, n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw fail("\(what) name '\(n)' may only use letters, digits, '_' and '-'", at: node)
        }
    }

    func readAccounts(_ node: Node) throws -> ([String: [String: String]], [String]) {
        if case .sequence = node { return ([:], try names(node, "accounts")) }
        guard let m = node.mapping else { throw fail("accounts must be a list of configured account names or a mapping of definitions", at: node) }
        var out: [String: [String: String]] = [:]
        var refs: [String] = []
        for (k, v) in m {
            guard let n = k.string else { throw fail("account names must be text", at: k) }
            if case .scalar(let s) = v, s.string == "configured" || s.string.isEmpty { refs.append(n); continue }
            guard let fields = v.mapping else { throw fail("account '\(n)' must be a mapping of settings (as in the config file) or 'configured'", at: v) }
            var values: [String: String] = [:]
            for (fk, fv) in fields {
                guard let key = fk.string, case .scalar(let s) = fv else { throw fail("account '\(n)': settings must be key: value", at: fk) }
                values[key] = s.string
            }
            guard values["type"] != nil else { throw fail("account '\(n)' needs a type (s3, sftp, ftp, ftps, http, webdav, local)", at: k) }
            out[n] = values
        }
        return (out, refs)
    }

    func dimension(_ name: String, _ node: Node) throws -> Dimension {
        if case .sequence = node {
            return Dimension(name: name, kind: .values(try discreteValues(node, name)), mark: mark(node))
        }
        guard let m = node.mapping else { throw fail("dimension '\(name)' must be a mapping (type, grain, start) or a list of values", at: node) }
        var type = "", grain: TimeGrain?, start: TimePeriod?, end: TimePeriod?, values: [String]?
        var grainNode: Node?
        for (key, _, v) in try keyed(m, allowed: ["type", "grain", "start", "end", "values"], what: "dimension '\(name)'") {
            switch key {
            case "type": type = try string(v, "type")
            case "grain":
                let g = try string(v, "grain")
                guard let tg = TimeGrain(rawValue: g) else { throw fail("dimension '\(name)': grain must be hour, day, month or year, not '\(g)'", at: v) }
                grain = tg; grainNode = v
            case "start", "end":
                let t = try string(v, key)
                guard let p = TimePeriod.parse(t) else { throw fail("dimension '\(name)': \(key) '\(t)' is not a date like 2013-06-03", at: v) }
                if key == "start" { start = p } else { end = p }
            case "values": values = try discreteValues(v, name)
            default: break
            }
        }
        if type.isEmpty { type = values != nil ? "values" : "time" }
        switch type {
        case "time":
            guard let grain else { throw fail("dimension '\(name)': a time dimension needs a grain (hour, day, month, year)", at: node) }
            guard let start else { throw fail("dimension '\(name)': a time dimension needs a start date", at: grainNode ?? node) }
            if let end, end.truncated(to: grain) < start.truncated(to: grain) {
                throw fail("dimension '\(name)': end is before start", at: node)
            }
            return Dimension(name: name, kind: .time(grain: grain, start: start.truncated(to: grain), end: end?.truncated(to: grain)), mark: mark(node))
        case "values":
            guard let values, !values.isEmpty else { throw fail("dimension '\(name)': list its values", at: node) }
            return Dimension(name: name, kind: .values(values), mark: mark(node))
        default:
            throw fail("dimension '\(name)': type must be time or values, not '\(type)'", at: node)
        }
    }

    func discreteValues(_ node: Node, _ name: String) throws -> [String] {
        guard case .sequence(let seq) = node else { throw fail("dimension '\(name)': values must be a list", at: node) }
        var out: [String] = []
        for v in seq {
            let s = try string(v, "a value")
            guard !s.isEmpty, !s.contains("/"), !s.contains("|"), !s.hasPrefix("."), !s.contains("\0"), s != "*" else {
                throw fail("dimension '\(name)': value '\(s)' may not be empty, contain '/' or '|', start with '.', or be '*'", at: v)
            }
            guard !out.contains(s) else { throw fail("dimension '\(name)': value '\(s)' is listed twice", at: v) }
            out.append(s)
        }
        return out
    }

    func dataset(_ name: String, _ keyNode: Node, _ node: Node, dimensions: [String: Dimension]) throws -> Dataset {
        var templateText: String?, partitions: [String]?, external = false
        var pathNode: Node?, partitionsNode: Node?
        if case .scalar(let s) = node {
            templateText = s.string; pathNode = node
        } else {
            guard let m = node.mapping else { throw fail("dataset '\(name)' must be a mapping with a path", at: node) }
            for (key, _, v) in try keyed(m, allowed: ["path", "partitions", "external", "description"], what: "dataset '\(name)'") {
                switch key {
                case "path": templateText = try string(v, "path"); pathNode = v
                case "partitions": partitions = try names(v, "partitions"); partitionsNode = v
                case "external": external = try bool(v, "external")
                default: break
                }
            }
        }
        guard let templateText, !templateText.isEmpty else { throw fail("dataset '\(name)' needs a path (an address with {placeholders})", at: keyNode) }
        let template: AddressTemplate
        do { template = try AddressTemplate(templateText) } catch { throw fail("dataset '\(name)': \(error)", at: pathNode) }
        let placeholders = template.placeholders
        let dims = partitions ?? placeholders
        for d in dims where dimensions[d] == nil {
            throw fail("dataset '\(name)': unknown dimension '\(d)' (dimensions: \(dimensions.keys.sorted().joined(separator: ", ")))", at: partitionsNode ?? pathNode)
        }
        if Set(dims) != Set(placeholders) || dims.count != Set(dims).count {
            let missing = dims.filter { !placeholders.contains($0) }
            let extra = placeholders.filter { !dims.contains($0) }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("partitioned by \(missing.joined(separator: ", ")) but its path has no {\(missing[0])}") }
            if !extra.isEmpty { parts.append("its path uses {\(extra.joined(separator: "}, {"))} which is not among its partitions") }
            if parts.isEmpty { parts.append("a dimension is listed twice") }
            throw fail("dataset '\(name)': placeholder mismatch: \(parts.joined(separator: "; "))", at: pathNode)
        }
        for d in dims {
            guard let dim = dimensions[d] else { continue }
            for format in template.formats(of: d) {
                guard let grain = dim.grain else {
                    throw fail("dataset '\(name)': {\(d):\(format)} has a format but '\(d)' is not a time dimension", at: pathNode)
                }
                var letters: Set<Character> = []
                var it = format.makeIterator()
                while let c = it.next() {
                    if c == "%" {
                        guard let l = it.next(), TimePeriod.formatLetters.contains(l) else {
                            throw fail("dataset '\(name)': format '\(format)' uses an unknown conversion (known: %Y %y %m %d %H %j %%)", at: pathNode)
                        }
                        letters.insert(l)
                    }
                }
                let needed: [Character] = switch grain {
                case .hour: ["Y", "H"]
                case .day: ["Y"]
                case .month: ["Y", "m"]
                case .year: ["Y"]
                }
                let dayOK = letters.contains("j") || (letters.contains("m") && letters.contains("d"))
                if !needed.allSatisfy(letters.contains) || ((grain == .day || grain == .hour) && !dayOK) {
                    throw fail("dataset '\(name)': format '\(format)' cannot tell two \(grain.rawValue) partitions of '\(d)' apart", at: pathNode)
                }
            }
        }
        return Dataset(name: name, template: template, dimensions: dims, external: external, mark: mark(keyNode))
    }

    func step(_ name: String, _ keyNode: Node, _ node: Node, datasets: [String: Dataset], dimensions: [String: Dimension]) throws -> Step {
        guard let m = node.mapping else { throw fail("step '\(name)' must be a mapping (kind, inputs, output)", at: node) }
        var kindText: String?, command: String?, compress: String?, decompress = false
        var inputs: [StepInput] = [], output: String?, outputNode: Node?
        var retries = 0, retryDelay = 1.0, checks: [OutputCheck] = [], explicit = false
        var kindNode: Node?
        var dispatchSettings: [String: String] = [:]
        var dispatchNodes: [String: Node] = [:]
        let stepKeys: Set<String> = ["kind", "command", "compress", "decompress", "input", "inputs", "output",
                                     "retries", "retry_delay", "checks", "rebuild", "description"]
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
            do { template = try AddressTemplate(command) } catch { throw fail("step '\(name)': command: \(error)", at: keyNode) }
            for p in template.placeholders where !allowed.contains(p) {
                throw fail("step '\(name)': command uses {\(p)} (known: \(allowed.sorted().map { "{\($0)}" }.joined(separator: " ")))", at: keyNode)
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
        // Functions only for dimensions the input has; time-only functions on time dimensions.
        for input in inputs {
            guard let ds = datasets[input.dataset] else { continue }
            for (dim, fn) in input.functions {
                guard ds.dimensions.contains(dim) else {
                    throw fail("step '\(name)': input '\(input.dataset)' has no dimension '\(dim)' (it has: \(ds.dimensions.joined(separator: ", ")))", at: input.mark.map { _ in keyNode })
                }
                let isTime = dimensions[dim]?.grain != nil
                switch fn {
                case .window, .since, .latest:
                    guard isTime else { throw fail("step '\(name)': \(fn) needs a time dimension; '\(dim)' has values", at: keyNode) }
                    guard outDataset.dimensions.contains(dim) || fn == .latest else {
                        throw fail("step '\(name)': \(fn) on '\(dim)' needs the output to be partitioned by '\(dim)'", at: keyNode)
                    }
                default: break
                }
                if case .window(let a, let b, _) = fn, a > b {
                    throw fail("step '\(name)': window(\(a), \(b)) starts after it ends", at: keyNode)
                }
            }
        }
        return Step(name: name, kind: kind, inputs: inputs, output: output, retries: retries, retryDelay: retryDelay,
                    checks: checks, explicitRebuild: explicit, mark: mark(keyNode))
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
        guard let m = node.mapping, m.count == 1, let (k, v) = m.first.map({ ($0.key, $0.value) }), let key = k.string else {
            throw fail("step '\(step)': a check is non_empty, or one of min_size: N, min_rows: N, shell: CMD", at: node)
        }
        switch key {
        case "non_empty": return .nonEmpty
        case "min_size":
            let t = try string(v, "min_size")
            guard let n = parseSize(t) else { throw fail("step '\(step)': min_size '\(t)' is not a size like 10, 4k or 1M", at: v) }
            return .minSize(n)
        case "min_rows": return .minRows(try int(v, "min_rows"))
        case "shell": return .shell(try string(v, "shell"))
        default: throw fail("step '\(step)': unknown check '\(key)' (non_empty, min_size, min_rows, shell)", at: k)
        }
    }

    func topologicalOrder(steps: [String: Step], producers: [String: String], nodes: [(String, Node, Node)]) throws -> [String] {
        var order: [String] = []
        var state: [String: Int] = [:] // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ s: String) throws {
            if state[s] == 2 { return }
            if state[s] == 1 {
                let cycle = stack.drop(while: { $0 != s }) + [s]
                let node = nodes.first { $0.0 == s }?.1
                throw fail("cycle: \(cycle.joined(separator: " → ")) (a step reads, through its inputs, the dataset it builds)", at: node)
            }
            state[s] = 1; stack.append(s)
            guard let step = steps[s] else { return }
            for input in step.inputs.map(\.dataset).sorted() {
                if let p = producers[input] { try visit(p) }
            }
            stack.removeLast(); state[s] = 2
            order.append(s)
        }
        for s in steps.keys.sorted() { try visit(s) }
        return order
    }
}

/// `equals`, `all`, `latest`, `since(week)`, `window(-6d, 0d)` / `window(-6, 0)`.
func parseFunction(_ text: String) -> DependencyFunction? {
    let t = text.replacingOccurrences(of: " ", with: "")
    switch t {
    case "equals", "": return .equals
    case "all": return .all
    case "latest": return .latest
    default: break
    }
    if t.hasPrefix("since("), t.hasSuffix(")") {
        return DependencyFunction.SinceUnit(rawValue: String(t.dropFirst(6).dropLast())).map { .since($0) }
    }
    guard t.hasPrefix("window("), t.hasSuffix(")") else { return nil }
    let args = t.dropFirst(7).dropLast().split(separator: ",", omittingEmptySubsequences: false)
    guard args.count == 2 else { return nil }
    func offset(_ s: Substring) -> (Int, TimeGrain?)? {
        var body = s, unit: TimeGrain?
        if let last = s.last, last.isLetter {
            body = s.dropLast()
            switch last {
            case "h": unit = .hour
            case "d": unit = .day
            case "m": unit = .month
            case "y": unit = .year
            default: return nil
            }
        }
        guard let n = Int(body.hasPrefix("+") ? body.dropFirst() : body) else { return nil }
        return (n, unit)
    }
    guard let (a, ua) = offset(args[0]), let (b, ub) = offset(args[1]) else { return nil }
    guard ua == ub || ua == nil || ub == nil else { return nil }
    return .window(from: a, to: b, unit: ua ?? ub)
}

/// `2s`, `1.5s`, `3m`, `1h`, `500ms` or plain seconds.
func parseSeconds(_ t: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        if let v = Double(t.dropLast(suffix.count)), v >= 0 { return v * factor }
    }
    return Double(t).flatMap { $0 >= 0 ? $0 : nil }
}

/// `10`, `4k`, `1M`, `2G` (powers of 1024).
func parseSize(_ t: String) -> Int64? {
    let factors: [Character: Int64] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
    if let last = t.last, let f = factors[last] {
        return Int64(t.dropLast()).map { $0 * f }
    }
    return Int64(t)
}
