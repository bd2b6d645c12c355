/// The one rule for names that come from a store's listing (or an object key's segments).
///
/// A name is data, not a path: it is safe only as a single, ordinary path segment. A name that
/// is not safe is never recursed into, never written, never renamed silently: the caller
/// reports it once (escaped with `SafeName.escaped`) and counts it as skipped.
public enum SafeName {
    /// Why `name` is not a safe single path segment, or nil when it is.
    ///
    /// Unsafe: empty, `.` or `..`, containing `/` or NUL.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "an empty name (a doubled or leading '/' in a key)" }
        if name == "." || name == ".." { return "'\(name)' is not a name but a path step" }
        if name.utf8.contains(UInt8(ascii: "/")) { return "a name containing '/'" }
        if name.utf8.contains(0) { return "a name containing a NUL byte" }
        return nil
    }

    /// True when `name` is a safe single path segment.
    public static func isSafe(_ name: String) -> Bool { problem(with: name) == nil }

    /// `text` with control characters escaped (`\n`, `\t`, `\r`, `\x00`…, `\x7f`) and
    /// backslashes doubled, so that a message quoting it stays on one line and cannot forge
    /// another line of output.
    /// - Parameter backslashes: false keeps backslashes as they are (for prose such as a
    ///   message or a remedy, where no escape needs to be told apart from a name's backslash).
    public static func escaped(_ text: String, backslashes: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += backslashes ? "\\\\" : "\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += scalar.value <= 0xff ? "\\x" + hex2(scalar.value) : "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    private static func hex2(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return s.count < 2 ? "0" + s : s
    }
}
