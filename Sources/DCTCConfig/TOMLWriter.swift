/// TOML serialization of single values and keys, used when dctc writes its config file.
///
/// Strings are always written as basic strings (`"..."`) with every character that needs it
/// escaped, so any Swift string reads back unchanged; tables nested in values are written inline.
public enum TOMLSyntax {
    /// `key` as it must appear in a TOML file: bare when it only holds `A-Za-z0-9_-`, quoted otherwise.
    ///
    /// - Parameters:
    ///   - key: The key, unquoted.
    /// - Returns: The bare or quoted key.
    public static func key(_ key: String) -> String {
        isBareKey(key) ? key : quoted(key)
    }

    /// A dotted key path (`accounts."my.box"`), each part quoted only when needed.
    ///
    /// - Parameters:
    ///   - path: The key parts, unquoted.
    /// - Returns: The parts joined with `.`.
    public static func keyPath(_ path: [String]) -> String {
        path.map(key).joined(separator: ".")
    }

    /// True when `key` may be written without quotes.
    public static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy(isBareKeyByte)
    }

    static func isBareKeyByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// `text` as a TOML basic string: `"` and `\` escaped, control characters as escapes.
    ///
    /// - Parameters:
    ///   - text: Any string.
    /// - Returns: The quoted string, on one line.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension TOMLValue {
    /// The value written as TOML that reads back equal (`nan` reads back as `nan`, which is
    /// not `==` to itself).
    public var tomlLiteral: String {
        switch self {
        case .string(let s):
            return TOMLSyntax.quoted(s)
        case .integer(let i):
            return String(i)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d < 0 ? "-inf" : "inf" }
            // Swift prints "1.0", "1e-05", "1e+16": all valid TOML floats (always a '.' or an 'e').
            return "\(d)"
        case .boolean(let b):
            return b ? "true" : "false"
        case .array(let elements):
            return "[" + elements.map(\.tomlLiteral).joined(separator: ", ") + "]"
        case .table(let table):
            if table.isEmpty { return "{}" }
            let pairs = table.entries.map { "\(TOMLSyntax.key($0.key)) = \($0.value.tomlLiteral)" }
            return "{ " + pairs.joined(separator: ", ") + " }"
        }
    }
}
