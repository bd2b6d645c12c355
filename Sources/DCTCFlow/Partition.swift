import DCTCCore

/// One partition of a dataset: a value per dimension, in the dataset's dimension order.
///
/// Text form: the values joined by `|` (`2013-06-03|FR`); an unpartitioned dataset has the
/// empty key, written `-`.
public struct PartitionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let values: [String]
    public init(_ values: [String]) { self.values = values }

    public static let unpartitioned = PartitionKey([])

    public var description: String { values.isEmpty ? "-" : values.joined(separator: "|") }

    public static func < (a: PartitionKey, b: PartitionKey) -> Bool {
        a.values.lexicographicallyPrecedes(b.values)
    }
}

/// A dimension's value in a partition: a time period or a discrete value.
public enum DimensionValue: Sendable, Hashable, CustomStringConvertible {
    case time(TimePeriod)
    case value(String)

    public var description: String {
        switch self {
        case .time(let p): p.description
        case .value(let v): v
        }
    }
}

/// A dataset partition by name: `logs@2013-06-03|FR`.
public struct PartitionRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let dataset: String
    public let key: PartitionKey
    public init(dataset: String, key: PartitionKey) { self.dataset = dataset; self.key = key }
    public var description: String { key.values.isEmpty ? dataset : "\(dataset)@\(key)" }
    public static func < (a: PartitionRef, b: PartitionRef) -> Bool {
        (a.dataset, a.key) < (b.dataset, b.key)
    }
}

/// A build unit: one step producing one partition of its output.
public struct UnitID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let step: String
    public let key: PartitionKey
    public init(step: String, key: PartitionKey) { self.step = step; self.key = key }
    public var description: String { key.values.isEmpty ? step : "\(step)@\(key)" }
    public static func < (a: UnitID, b: UnitID) -> Bool { (a.step, a.key) < (b.step, b.key) }
}

/// An address with `{dimension}` and `{dimension:%Y/%m/%d}` placeholders.
public struct AddressTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Piece: Sendable, Hashable {
        case literal(String)
        case placeholder(name: String, format: String?)
    }
    let pieces: [Piece]
    public let text: String

    public var description: String { text }

    /// The placeholder names, in order of first use.
    public var placeholders: [String] {
        var seen: [String] = []
        for case .placeholder(let n, _) in pieces where !seen.contains(n) { seen.append(n) }
        return seen
    }

    /// The formats used with a placeholder.
    public func formats(of name: String) -> [String] {
        pieces.compactMap { if case .placeholder(let n, let f) = $0, n == name { return f } else { return nil } }
    }

    /// Parses a template; `{{` and `}}` stand for literal braces.
    /// - Throws: a message when a brace is unbalanced or a placeholder is empty.
    public init(_ text: String) throws(TemplateError) {
        self.text = text
        var pieces: [Piece] = []
        var literal = ""
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            let next = text.index(after: i)
            if c == "{" {
                if next < text.endIndex, text[next] == "{" { literal.append("{"); i = text.index(after: next); continue }
                guard let close = text[next...].firstIndex(of: "}") else { throw TemplateError("unclosed '{' in '\(text)'") }
                let inner = String(text[next..<close])
                let (name, format): (String, String?) = {
                    if let colon = inner.firstIndex(of: ":") {
                        return (String(inner[..<colon]), String(inner[inner.index(after: colon)...]))
                    }
                    return (inner, nil)
                }()
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw TemplateError("bad placeholder '{\(inner)}' in '\(text)' (use {name} or {name:%Y-%m-%d})")
                }
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                pieces.append(.placeholder(name: name, format: format))
                i = text.index(after: close)
            } else if c == "}" {
                guard next < text.endIndex, text[next] == "}" else { throw TemplateError("unmatched '}' in '\(text)' (write '}}' for a literal brace)") }
                literal.append("}")
                i = text.index(after: next)
            } else {
                literal.append(c)
                i = next
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
    }

    /// The address of one partition.
    ///
    /// Discrete values are inserted as they are, except that `/` and a leading `.` are refused
    /// by validation of the dimension's values, so a value cannot climb out of the template.
    public func render(_ values: [String: DimensionValue]) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let s): out += s
            case .placeholder(let name, let format):
                switch values[name] {
                case .time(let p)?: out += p.format(format ?? p.grain.defaultFormat)
                case .value(let v)?: out += v
                case nil: out += "{\(name)}"
                }
            }
        }
        return out
    }
}

extension AddressTemplate {
    /// A shell command with its placeholders replaced: `words` (already quoted) first, then
    /// dimension values in the placeholder's format (`{date:%Y/%m}`), quoted with `quote`.
    /// `{{`/`}}` stay literal braces; an unknown placeholder is left as it was written.
    func substitute(words: [String: String], dimensions: [String: DimensionValue], quote: (String) -> String) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .literal(let s): out += s
            case .placeholder(let name, let format):
                if format == nil, let w = words[name] {
                    out += w
                } else if let v = dimensions[name] {
                    switch v {
                    case .time(let p): out += quote(format.map { p.format($0) } ?? p.description)
                    case .value(let s): out += quote(s)
                    }
                } else {
                    out += "{" + name + (format.map { ":" + $0 } ?? "") + "}"
                }
            }
        }
        return out
    }
}

/// A template that does not parse.
public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
