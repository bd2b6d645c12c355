import DCTCCore
import Foundation
import Yams

/// Checks across sections: dependency functions against the datasets' dimensions, one
/// producer per dataset, no cycles; and the values written in a pipeline (functions, durations, sizes).
extension PipelineReader {
    /// Functions only for dimensions the input has; time-only functions on time dimensions.
    func validateInputs(of name: String, _ inputs: [StepInput], output outDataset: Dataset, at keyNode: Node,
                        datasets: [String: Dataset], dimensions: [String: Dimension]) throws {
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
    }

    /// The step building each dataset: one per dataset (external datasets have none).
    func producersOf(steps: [String: Step], nodes stepNodes: [(String, Node, Node)]) throws -> [String: String] {
        var producers: [String: String] = [:]
        for (_, k, _) in stepNodes {
            guard let s = steps[k.string ?? ""] else { continue }
            if let other = producers[s.output] {
                throw fail("dataset '\(s.output)' is built by two steps ('\(other)' and '\(s.name)')", at: k)
            }
            producers[s.output] = s.name
        }
        return producers
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

/// Why a text that looks like a dependency function is not one (nil when nothing specific is wrong).
func functionProblem(_ text: String) -> String? {
    let t = text.replacingOccurrences(of: " ", with: "")
    guard t.hasPrefix("window("), t.hasSuffix(")") else { return nil }
    let args = t.dropFirst(7).dropLast().split(separator: ",", omittingEmptySubsequences: false)
    guard args.count == 2 else { return "a window has two offsets: window(-6d, 0d)" }
    let units = args.map { $0.last.flatMap { $0.isLetter ? $0 : nil } }
    if let a = units[0], let b = units[1], a != b {
        return "the two offsets of a window use one unit (h, d, m or y), not \(a) and \(b): write window(-1\(a), 0\(a)) or convert one offset"
    }
    for (arg, unit) in zip(args, units) where unit != nil && !"hdmy".contains(unit!) {
        return "'\(arg)': an offset's unit is h, d, m or y"
    }
    return nil
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
