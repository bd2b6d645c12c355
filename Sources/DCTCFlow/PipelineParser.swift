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
        var reader = PipelineReader(file: path)
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

/// Walks the YAML nodes into the model: the top level here, the sections in
/// PipelineSections.swift and PipelineSteps.swift, cross-checks in PipelineValidator.swift.
struct PipelineReader {
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
                throw fail("\(what): unknown key '\(key)'\(suggestion(for: key, among: allowed)) (known: \(allowed.sorted().joined(separator: ", ")))", at: k)
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
        let producers = try producersOf(steps: steps, nodes: stepNodes)
        let order = try topologicalOrder(steps: steps, producers: producers, nodes: stepNodes)
        return Pipeline(name: name, path: file, dimensions: dimensions, datasets: datasets, steps: steps,
                        accounts: accounts, accountReferences: references, producers: producers, stepOrder: order)
    }

    func checkName(_ n: String, _ node: Node, _ what: String) throws {
        guard !n.isEmpty, n.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw fail("\(what) name '\(n)' may only use letters, digits, '_' and '-'", at: node)
        }
    }

    /// `: did you mean 'command'?` for a key at most two edits from a known one, else "".
    func suggestion(for word: String, among known: some Sequence<String>) -> String {
        let limit = Swift.min(2, Swift.max(word.count - 1, 1))
        var best: (name: String, distance: Int)?
        for name in known {
            let d = PipelineReader.editDistance(name, word)
            guard d <= limit else { continue }
            if let b = best, b.distance < d || (b.distance == d && b.name < name) { continue }
            best = (name, d)
        }
        guard let best else { return "" }
        return ": did you mean '\(best.name)'?"
    }

    /// The Levenshtein distance of two short words (keys of a pipeline file; longer text is cut at 64).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.prefix(64)), y = Array(b.prefix(64))
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                let substitution: Int = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                let edit: Int = Swift.min(previous[j] + 1, current[j - 1] + 1)
                current[j] = Swift.min(edit, substitution)
            }
            previous = current
        }
        return previous[y.count]
    }
}
