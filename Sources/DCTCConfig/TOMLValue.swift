/// One value read from (or written to) a TOML file.
///
/// Dates and times are not represented: the config reader rejects them (see `TOMLDocument`).
/// Integers are 64-bit, as TOML requires. Equality of floats follows IEEE 754 (`nan != nan`).
public enum TOMLValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, when this is an integer.
    public var intValue: Int? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The number as a `Double`, when this is an integer or a float.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .boolean(let b) = self { return b }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [TOMLValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The table, when this is a table (a `[header]` table or an inline `{ ... }` one).
    public var tableValue: TOMLTable? {
        if case .table(let t) = self { return t }
        return nil
    }

    /// The TOML type name with an article, for messages: "a string", "an integer", "a table".
    public var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        }
    }

    /// The value written as TOML (`"text"`, `42`, `true`, `[1, 2]`, `{ a = 1 }`).
    public var description: String { tomlLiteral }
}

extension TOMLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(arrayLiteral elements: TOMLValue...) { self = .array(elements) }
}

/// A TOML table: keys in the order they were first written, each with its value and, when it
/// came from a file, the line that defined it.
///
/// Equality compares keys and values only, not order or line numbers: TOML tables are unordered.
public struct TOMLTable: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The keys in the order they were first set.
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    private var lines: [String: Int] = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, TOMLValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value of `key`; setting nil removes the key.
    public subscript(key: String) -> TOMLValue? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
                lines[key] = nil
            }
        }
    }

    /// Sets `key` and records the line of the file that defined it.
    ///
    /// - Parameters:
    ///   - value: The value to store.
    ///   - key: The key, unquoted.
    ///   - line: The 1-based line number of its definition, if known.
    public mutating func set(_ value: TOMLValue, for key: String, line: Int?) {
        self[key] = value
        lines[key] = line
    }

    /// The 1-based line where `key` was defined (for a table: its header), when read from a file.
    public func line(of key: String) -> Int? { lines[key] }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Keys and values in key order.
    public var entries: [(key: String, value: TOMLValue)] {
        keys.compactMap { key in values[key].map { (key, $0) } }
    }

    public static func == (lhs: TOMLTable, rhs: TOMLTable) -> Bool { lhs.values == rhs.values }
}
