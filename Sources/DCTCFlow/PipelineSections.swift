import DCTCCore
import Foundation
import Yams

/// The `accounts`, `dimensions` and `datasets` sections.
extension PipelineReader {
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
}
