import DCTCCore

/// A parsed TOML file: its root table and where each `[table]` section lies.
///
/// This is a small, strict TOML reader written for dctc's config file. We do not use TOMLKit:
/// its package depends on a repository that is not mirrored on our build machines. It reads the
/// part of TOML 1.0 a config needs and rejects everything else with an error naming the file
/// and line, never guessing:
/// - comments; `[table]` and dotted `[a.b]` headers, quoted parts allowed (`[accounts."my.box"]`);
/// - bare, quoted and dotted keys;
/// - basic strings with escapes (`\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`), literal strings,
///   multi-line basic and literal strings (`"""`, `'''`, line-ending backslash);
/// - integers (sign, `_` separators, `0x`/`0o`/`0b`), floats (with `inf` and `nan`), booleans;
/// - arrays (any values, across lines, with comments and a trailing comma) and inline tables.
///
/// Rejected: dates and times, arrays of tables (`[[x]]`), duplicate keys and tables, tables
/// reopened with dotted keys, inline tables that span lines or end with a comma, control
/// characters, invalid UTF-8.
public struct TOMLDocument: Sendable {
    /// The top-level table.
    public let root: TOMLTable
    /// Every `[table]` header in file order, with the lines its section spans.
    public let sections: [TOMLSection]

    /// Parses TOML text.
    ///
    /// - Parameters:
    ///   - text: The file's content.
    ///   - path: The file's path, used in error messages.
    /// - Returns: The document.
    /// - Throws: `VFSError` `.invalidArgument` whose message starts with `line N:` and whose
    ///   path is `path`.
    public static func parse(_ text: String, path: String) throws -> TOMLDocument {
        try parse(bytes: Array(text.utf8), path: path)
    }

    /// Parses the raw bytes of a TOML file, checking that they are valid UTF-8.
    ///
    /// - Parameters:
    ///   - bytes: The file's content.
    ///   - path: The file's path, used in error messages.
    /// - Returns: The document.
    /// - Throws: `VFSError` `.invalidArgument` whose message starts with `line N:` and whose
    ///   path is `path`.
    public static func parse(bytes: [UInt8], path: String) throws -> TOMLDocument {
        do {
            try checkUTF8(bytes)
            var parser = TOMLParser(bytes: bytes)
            return try parser.parseDocument()
        } catch {
            throw error.toVFSError(path: path)
        }
    }

    /// Finds the first line that is not valid UTF-8 (a newline byte never occurs inside a
    /// multi-byte sequence, so lines can be checked one by one).
    private static func checkUTF8(_ bytes: [UInt8]) throws(TOMLSyntaxError) {
        if isValidUTF8(bytes[...]) { return }
        var line = 1
        for lineBytes in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            if !isValidUTF8(lineBytes) {
                throw TOMLSyntaxError(line: line, message: "the file is not valid UTF-8",
                                      remedy: "save the file as UTF-8")
            }
            line += 1
        }
    }
}

/// True when `bytes` decode as UTF-8 without repairs (portable to older macOS, unlike
/// `String(validating:as:)`).
private func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
}

/// One `[table]` header of a document and the lines its section spans.
public struct TOMLSection: Sendable, Equatable {
    /// The header's key path (`["accounts", "box"]` for `[accounts.box]`).
    public let keyPath: [String]
    /// The 1-based line of the header.
    public let headerLine: Int
    /// The 1-based line where the section's last key/value ends (the header line when empty).
    public internal(set) var lastLine: Int
}

/// A syntax error at one line; becomes a `VFSError` naming the file at the API boundary.
struct TOMLSyntaxError: Error {
    let line: Int
    let message: String
    var remedy: String = "fix the TOML at that line (dctc reads a strict subset of TOML 1.0)"

    init(line: Int, message: String, remedy: String? = nil) {
        self.line = line
        self.message = message
        if let remedy { self.remedy = remedy }
    }

    func toVFSError(path: String) -> VFSError {
        VFSError(.invalidArgument, "line \(line): \(message)", path: path, remedy: remedy)
    }
}

// MARK: - Parse tree

/// A table under construction; a class so nested tables can be extended in place.
private final class TableNode {
    enum Origin {
        /// Created as the parent of a header (`[a.b]` creates `a`); may be defined later once.
        case implicit
        /// Defined by its own header, or the root, or an inline table.
        case defined
        /// Created by a dotted key (`a.b = 1` creates `a`); may only be extended by dotted keys
        /// of the same section, and by headers of sub-tables.
        case dotted
    }

    var origin: Origin
    var order: [String] = []
    var entries: [String: Entry] = [:]
    var lines: [String: Int] = [:]

    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
    }

    init(origin: Origin) { self.origin = origin }

    func add(_ key: String, _ entry: Entry, line: Int) {
        order.append(key)
        entries[key] = entry
        lines[key] = line
    }

    func toTable() -> TOMLTable {
        var table = TOMLTable()
        for key in order {
            switch entries[key] {
            case .value(let v): table.set(v, for: key, line: lines[key])
            case .table(let node): table.set(.table(node.toTable()), for: key, line: lines[key])
            case nil: break
            }
        }
        return table
    }
}

// MARK: - Parser

private let maximumNesting = 64

/// The recursive-descent parser over UTF-8 bytes. Non-ASCII bytes only ever appear inside
/// strings and comments, where they are copied through.
private struct TOMLParser {
    let bytes: [UInt8]
    var pos = 0
    /// Byte offset at which each line starts (`lineStarts[0] == 0`).
    let lineStarts: [Int]
    let root = TableNode(origin: .defined)
    var sections: [TOMLSection] = []
    var depth = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLSyntaxError) -> TOMLDocument {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }  // a UTF-8 byte order mark
        var section = root
        var sectionPath: [String] = []
        while true {
            skipSpaces()
            guard let b = peek() else { break }
            switch b {
            case UInt8(ascii: "#"):
                try skipComment()
            case 0x0A, 0x0D:
                try consumeNewline()
            case UInt8(ascii: "["):
                let start = pos
                sectionPath = try parseHeader()
                section = try defineTable(sectionPath, line: line(at: start))
                sections.append(TOMLSection(keyPath: sectionPath, headerLine: line(at: start),
                                            lastLine: line(at: start)))
                try expectLineEnd(after: "the table header")
            default:
                let start = pos
                let key = try parseKey()
                let value = try parseAssignment()
                let context = sectionPath.isEmpty ? "" : " in [\(TOMLSyntax.keyPath(sectionPath))]"
                try insert(value, at: key, into: section, line: line(at: start), context: context)
                if !sections.isEmpty { sections[sections.count - 1].lastLine = line(at: pos - 1) }
                try expectLineEnd(after: "the value")
            }
        }
        return TOMLDocument(root: root.toTable(), sections: sections)
    }

    /// After a key: `= value`.
    mutating func parseAssignment() throws(TOMLSyntaxError) -> TOMLValue {
        skipSpaces()
        guard peek() == UInt8(ascii: "=") else { throw fail("expected '=' after key") }
        pos += 1
        skipSpaces()
        return try parseValue()
    }

    /// `[a.b]`, returning the key path; `pos` is on the `[`.
    mutating func parseHeader() throws(TOMLSyntaxError) -> [String] {
        pos += 1
        if peek() == UInt8(ascii: "[") {
            throw fail("arrays of tables ([[...]]) are not supported",
                       remedy: "give each entry its own [table] with a distinct name")
        }
        skipSpaces()
        let path = try parseKey()
        skipSpaces()
        guard peek() == UInt8(ascii: "]") else { throw fail("expected ']' to close the table header") }
        pos += 1
        return path
    }

    // MARK: Tables and keys

    /// Creates or completes the table named by a header and returns it.
    func defineTable(_ path: [String], line: Int) throws(TOMLSyntaxError) -> TableNode {
        var node = root
        for (i, key) in path.enumerated() {
            let isLast = i == path.count - 1
            let shown = "[" + TOMLSyntax.keyPath(Array(path[...i])) + "]"
            guard let entry = node.entries[key] else {
                let child = TableNode(origin: isLast ? .defined : .implicit)
                node.add(key, .table(child), line: line)
                node = child
                continue
            }
            switch entry {
            case .value(.table):
                throw TOMLSyntaxError(line: line, message: "table \(shown) is an inline table and cannot be extended")
            case .value(let v):
                throw TOMLSyntaxError(
                    line: line,
                    message: "table \(shown) cannot be defined: '\(TOMLSyntax.keyPath(Array(path[...i])))' is already \(v.kindDescription)")
            case .table(let child):
                if isLast {
                    switch child.origin {
                    case .implicit:
                        child.origin = .defined
                        node.lines[key] = line
                    case .defined:
                        let first = node.lines[key].map { " (first defined on line \($0))" } ?? ""
                        throw TOMLSyntaxError(line: line, message: "table \(shown) is defined twice\(first)")
                    case .dotted:
                        throw TOMLSyntaxError(line: line, message: "table \(shown) was already defined with dotted keys")
                    }
                }
                node = child
            }
        }
        return node
    }

    /// Stores `value` under the (possibly dotted) `key` relative to `section`.
    func insert(_ value: TOMLValue, at key: [String], into section: TableNode, line: Int,
                context: String) throws(TOMLSyntaxError) {
        var node = section
        for (i, part) in key.dropLast().enumerated() {
            let shown = TOMLSyntax.keyPath(Array(key[...i]))
            guard let entry = node.entries[part] else {
                let child = TableNode(origin: .dotted)
                node.add(part, .table(child), line: line)
                node = child
                continue
            }
            switch entry {
            case .value(let v):
                throw TOMLSyntaxError(line: line, message: "key '\(shown)'\(context) is already \(v.kindDescription)")
            case .table(let child):
                guard child.origin == .dotted else {
                    throw TOMLSyntaxError(
                        line: line,
                        message: "table '\(shown)'\(context) is defined elsewhere and cannot be extended with dotted keys")
                }
                node = child
            }
        }
        guard let last = key.last else { return }
        if node.entries[last] != nil {
            let first = node.lines[last].map { " (first defined on line \($0))" } ?? ""
            throw TOMLSyntaxError(line: line,
                                  message: "duplicate key '\(TOMLSyntax.keyPath(key))'\(context)\(first)")
        }
        node.add(last, .value(value), line: line)
    }

    /// A key: simple keys joined by `.`, with optional spaces around the dots.
    mutating func parseKey() throws(TOMLSyntaxError) -> [String] {
        var parts = [try parseSimpleKey()]
        while true {
            let save = pos
            skipSpaces()
            guard peek() == UInt8(ascii: ".") else {
                pos = save
                return parts
            }
            pos += 1
            skipSpaces()
            parts.append(try parseSimpleKey())
        }
    }

    mutating func parseSimpleKey() throws(TOMLSyntaxError) -> String {
        guard let b = peek() else { throw fail("expected a key, found the end of the file") }
        switch b {
        case UInt8(ascii: "\""):
            if hasPrefix("\"\"\"") { throw fail("a key cannot be a multi-line string") }
            return try parseBasicString()
        case UInt8(ascii: "'"):
            if hasPrefix("'''") { throw fail("a key cannot be a multi-line string") }
            return try parseLiteralString()
        case UInt8(ascii: "="):
            throw fail("missing key before '='")
        default:
            guard TOMLSyntax.isBareKeyByte(b) else { throw fail("expected a key, found \(describe(b))") }
            let start = pos
            while let c = peek(), TOMLSyntax.isBareKeyByte(c) { pos += 1 }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }
    }

    // MARK: Values

    mutating func parseValue() throws(TOMLSyntaxError) -> TOMLValue {
        guard let b = peek() else { throw fail("expected a value, found the end of the file") }
        switch b {
        case UInt8(ascii: "\""):
            return .string(hasPrefix("\"\"\"") ? try parseMultilineBasicString() : try parseBasicString())
        case UInt8(ascii: "'"):
            return .string(hasPrefix("'''") ? try parseMultilineLiteralString() : try parseLiteralString())
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return try parseInlineTable()
        case 0x0A, 0x0D, UInt8(ascii: "#"):
            throw fail("expected a value, found the end of the line")
        default:
            return try parseBareValue()
        }
    }

    /// `true`, `false`, `inf`, `nan` or a number: one run of token characters.
    mutating func parseBareValue() throws(TOMLSyntaxError) -> TOMLValue {
        let start = pos
        while let c = peek(), isTokenByte(c) { pos += 1 }
        guard pos > start else { throw fail("expected a value, found \(describe(bytes[start]))") }
        let token = Array(bytes[start..<pos])
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if looksLikeDateOrTime(token) {
            throw fail("dates and times are not supported", at: start,
                       remedy: "write the value as a quoted string")
        }
        guard let first = token.first, isDigit(first) || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else {
            throw fail("invalid value '\(text)'", at: start, remedy: "put text in quotes: \"\(text)\"")
        }
        return try parseNumber(token, text: text, at: start)
    }

    func parseNumber(_ t: [UInt8], text: String, at start: Int) throws(TOMLSyntaxError) -> TOMLValue {
        let invalid = fail("invalid number '\(text)'", at: start)
        // 0x, 0o, 0b: no sign allowed.
        if t.count > 2, t[0] == UInt8(ascii: "0") {
            let radix: Int?
            switch t[1] {
            case UInt8(ascii: "x"): radix = 16
            case UInt8(ascii: "o"): radix = 8
            case UInt8(ascii: "b"): radix = 2
            default: radix = nil
            }
            if let radix {
                var i = 2
                guard digitRun(t, &i, radix: radix), i == t.count else { throw invalid }
                let digits = String(decoding: t[2...].filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
                guard let value = Int(digits, radix: radix) else {
                    throw fail("integer '\(text)' is out of range", at: start)
                }
                return .integer(value)
            }
        }
        var i = 0
        if t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        guard digitRun(t, &i, radix: 10) else { throw invalid }
        if t[intStart] == UInt8(ascii: "0") && i - intStart > 1 {
            throw fail("invalid number '\(text)': leading zeros are not allowed", at: start)
        }
        var isFloat = false
        if i < t.count, t[i] == UInt8(ascii: ".") {
            i += 1
            guard digitRun(t, &i, radix: 10) else { throw invalid }
            isFloat = true
        }
        if i < t.count, t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E") {
            i += 1
            if i < t.count, t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") { i += 1 }
            guard digitRun(t, &i, radix: 10) else { throw invalid }
            isFloat = true
        }
        guard i == t.count else { throw invalid }
        let cleaned = String(decoding: t.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        if isFloat {
            guard let d = Double(cleaned) else { throw invalid }
            return .float(d)
        }
        guard let value = Int(cleaned) else { throw fail("integer '\(text)' is out of range", at: start) }
        return .integer(value)
    }

    /// Consumes digits of `radix` where each `_` sits between two digits; false when there
    /// is no digit at `i` or an underscore is misplaced.
    func digitRun(_ t: [UInt8], _ i: inout Int, radix: Int) -> Bool {
        func isRadixDigit(_ b: UInt8) -> Bool {
            switch radix {
            case 16: return isDigit(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
            case 8: return (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(b)
            case 2: return b == UInt8(ascii: "0") || b == UInt8(ascii: "1")
            default: return isDigit(b)
            }
        }
        guard i < t.count, isRadixDigit(t[i]) else { return false }
        i += 1
        while i < t.count {
            if isRadixDigit(t[i]) {
                i += 1
            } else if t[i] == UInt8(ascii: "_") {
                guard i + 1 < t.count, isRadixDigit(t[i + 1]) else { return false }
                i += 2
            } else {
                break
            }
        }
        return true
    }

    func looksLikeDateOrTime(_ t: [UInt8]) -> Bool {
        func digitsAt(_ range: Range<Int>) -> Bool { range.upperBound <= t.count && range.allSatisfy { isDigit(t[$0]) } }
        if digitsAt(0..<4), t.count > 4, t[4] == UInt8(ascii: "-"), digitsAt(5..<7) { return true }
        if digitsAt(0..<2), t.count > 2, t[2] == UInt8(ascii: ":") { return true }
        return false
    }

    mutating func parseArray() throws(TOMLSyntaxError) -> TOMLValue {
        let start = pos
        try enterNesting()
        defer { depth -= 1 }
        pos += 1
        var elements: [TOMLValue] = []
        while true {
            try skipArrayFiller()
            guard let b = peek() else { throw fail("unterminated array: expected ']'", at: start) }
            if b == UInt8(ascii: "]") {
                pos += 1
                return .array(elements)
            }
            elements.append(try parseValue())
            try skipArrayFiller()
            switch peek() {
            case UInt8(ascii: ","):
                pos += 1
            case UInt8(ascii: "]"):
                pos += 1
                return .array(elements)
            case nil:
                throw fail("unterminated array: expected ']'", at: start)
            case let b?:
                throw fail("expected ',' or ']' in the array, found \(describe(b))")
            }
        }
    }

    mutating func parseInlineTable() throws(TOMLSyntaxError) -> TOMLValue {
        let start = pos
        try enterNesting()
        defer { depth -= 1 }
        pos += 1
        let node = TableNode(origin: .defined)
        skipSpaces()
        if peek() == UInt8(ascii: "}") {
            pos += 1
            return .table(node.toTable())
        }
        while true {
            skipSpaces()
            switch peek() {
            case nil:
                throw fail("unterminated inline table: expected '}'", at: start)
            case 0x0A, 0x0D:
                throw fail("an inline table { ... } must end on the line it starts",
                           remedy: "use a [table] header for long tables")
            case UInt8(ascii: "}"):
                throw fail("trailing comma in an inline table")
            default:
                break
            }
            let keyStart = pos
            let key = try parseKey()
            let value = try parseAssignment()
            try insert(value, at: key, into: node, line: line(at: keyStart), context: " in the inline table")
            skipSpaces()
            switch peek() {
            case UInt8(ascii: ","):
                pos += 1
            case UInt8(ascii: "}"):
                pos += 1
                return .table(node.toTable())
            case nil:
                throw fail("unterminated inline table: expected '}'", at: start)
            case 0x0A, 0x0D:
                throw fail("an inline table { ... } must end on the line it starts",
                           remedy: "use a [table] header for long tables")
            case let b?:
                throw fail("expected ',' or '}' in the inline table, found \(describe(b))")
            }
        }
    }

    mutating func enterNesting() throws(TOMLSyntaxError) {
        guard depth < maximumNesting else { throw fail("arrays and inline tables are nested too deeply") }
        depth += 1
    }

    // MARK: Strings

    /// `"..."` on one line; `pos` is on the opening quote.
    mutating func parseBasicString() throws(TOMLSyntaxError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek() else { throw fail("unterminated string: expected '\"'", at: start) }
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x0A, 0x0D:
                throw fail("unterminated string: a \"...\" string must end on its line",
                           at: start, remedy: "close the quote, or use \"\"\" for text on several lines")
            default:
                try checkNotControl(b, in: "string")
                out.append(b)
                pos += 1
            }
        }
    }

    /// `'...'` on one line, no escapes.
    mutating func parseLiteralString() throws(TOMLSyntaxError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard let b = peek() else { throw fail("unterminated string: expected \"'\"", at: start) }
            switch b {
            case UInt8(ascii: "'"):
                pos += 1
                return String(decoding: out, as: UTF8.self)
            case 0x0A, 0x0D:
                throw fail("unterminated string: a '...' string must end on its line",
                           at: start, remedy: "close the quote, or use ''' for text on several lines")
            default:
                try checkNotControl(b, in: "string")
                out.append(b)
                pos += 1
            }
        }
    }

    /// `"""..."""`: a newline right after the opening quotes is dropped, a backslash at the end
    /// of a line removes the line break and the whitespace that follows, and up to two quotes
    /// may sit just before the closing ones.
    mutating func parseMultilineBasicString() throws(TOMLSyntaxError) -> String {
        let start = pos
        pos += 3
        try skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let b = peek() else { throw fail("unterminated string: expected '\"\"\"'", at: start) }
            switch b {
            case UInt8(ascii: "\""):
                if try consumeClosingQuotes(UInt8(ascii: "\""), into: &out) {
                    return String(decoding: out, as: UTF8.self)
                }
            case UInt8(ascii: "\\"):
                var i = pos + 1
                while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
                if i < bytes.count, bytes[i] == 0x0A || bytes[i] == 0x0D {
                    pos = i
                    while let c = peek(), c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                        if c == 0x0D { try consumeNewline() } else { pos += 1 }
                    }
                } else {
                    try parseEscape(into: &out)
                }
            case 0x0A, 0x0D:
                try consumeNewline()
                out.append(0x0A)
            default:
                try checkNotControl(b, in: "string")
                out.append(b)
                pos += 1
            }
        }
    }

    /// `'''...'''`: like `"""` without escapes.
    mutating func parseMultilineLiteralString() throws(TOMLSyntaxError) -> String {
        let start = pos
        pos += 3
        try skipNewlineAfterOpening()
        var out: [UInt8] = []
        while true {
            guard let b = peek() else { throw fail("unterminated string: expected \"'''\"", at: start) }
            switch b {
            case UInt8(ascii: "'"):
                if try consumeClosingQuotes(UInt8(ascii: "'"), into: &out) {
                    return String(decoding: out, as: UTF8.self)
                }
            case 0x0A, 0x0D:
                try consumeNewline()
                out.append(0x0A)
            default:
                try checkNotControl(b, in: "string")
                out.append(b)
                pos += 1
            }
        }
    }

    mutating func skipNewlineAfterOpening() throws(TOMLSyntaxError) {
        if let b = peek(), b == 0x0A || b == 0x0D { try consumeNewline() }
    }

    /// At a run of `quote` inside a multi-line string: true when it closes the string
    /// (3 to 5 quotes; the extra ones belong to the content), false when 1 or 2 quotes are content.
    mutating func consumeClosingQuotes(_ quote: UInt8, into out: inout [UInt8]) throws(TOMLSyntaxError) -> Bool {
        var n = 0
        while pos + n < bytes.count, bytes[pos + n] == quote { n += 1 }
        if n > 5 { throw fail("too many quotes in a row in a multi-line string", at: pos + 3) }
        pos += n
        if n < 3 {
            out.append(contentsOf: repeatElement(quote, count: n))
            return false
        }
        out.append(contentsOf: repeatElement(quote, count: n - 3))
        return true
    }

    /// An escape sequence; `pos` is on the backslash.
    mutating func parseEscape(into out: inout [UInt8]) throws(TOMLSyntaxError) {
        let start = pos
        guard pos + 1 < bytes.count else { throw fail("unterminated string", at: start) }
        let e = bytes[pos + 1]
        pos += 2
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = e == UInt8(ascii: "u") ? 4 : 8
            let end = pos + count
            let shown = String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
            guard end <= bytes.count, bytes[pos..<end].allSatisfy(isHexDigit),
                  let value = UInt32(String(decoding: bytes[pos..<end], as: UTF8.self), radix: 16),
                  let scalar = Unicode.Scalar(value)
            else {
                throw fail("invalid Unicode escape '\(shown)' in string", at: start,
                           remedy: "write \\u and 4 hex digits, or \\U and 8, naming a Unicode scalar value")
            }
            out.append(contentsOf: String(Character(scalar)).utf8)
            pos = end
        default:
            let shown = e < 0x80 && e >= 0x20 ? "\\" + String(UnicodeScalar(e)) : "\\"
            throw fail("invalid escape '\(shown)' in string", at: start,
                       remedy: "valid escapes are \\\" \\\\ \\b \\f \\n \\r \\t \\uXXXX \\UXXXXXXXX; use '...' for text with backslashes")
        }
    }

    func checkNotControl(_ b: UInt8, in what: String) throws(TOMLSyntaxError) {
        if (b < 0x20 && b != 0x09) || b == 0x7F {
            throw fail("control character \(describe(b)) in \(what)",
                       remedy: "write it as an escape such as \\u001B in a \"...\" string")
        }
    }

    // MARK: Whitespace, comments, newlines

    mutating func skipSpaces() {
        while let b = peek(), b == 0x20 || b == 0x09 { pos += 1 }
    }

    /// From `#` to the end of the line (the newline is left in place).
    mutating func skipComment() throws(TOMLSyntaxError) {
        pos += 1
        while let b = peek(), b != 0x0A, b != 0x0D {
            try checkNotControl(b, in: "comment")
            pos += 1
        }
    }

    /// `\n` or `\r\n`.
    mutating func consumeNewline() throws(TOMLSyntaxError) {
        if peek() == 0x0D {
            guard pos + 1 < bytes.count, bytes[pos + 1] == 0x0A else {
                throw fail("a carriage return must be followed by a line feed")
            }
            pos += 2
        } else {
            pos += 1
        }
    }

    /// Spaces, then an optional comment, then a newline or the end of the file.
    mutating func expectLineEnd(after what: String) throws(TOMLSyntaxError) {
        skipSpaces()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let b = peek() else { return }
        guard b == 0x0A || b == 0x0D else {
            throw fail("expected the end of the line after \(what), found \(describe(b))")
        }
        try consumeNewline()
    }

    /// Inside an array: spaces, newlines and comments.
    mutating func skipArrayFiller() throws(TOMLSyntaxError) {
        while let b = peek() {
            switch b {
            case 0x20, 0x09: pos += 1
            case 0x0A, 0x0D: try consumeNewline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    // MARK: Helpers

    func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    func hasPrefix(_ s: StaticString) -> Bool {
        let count = s.utf8CodeUnitCount
        guard pos + count <= bytes.count else { return false }
        return s.withUTF8Buffer { bytes[pos..<(pos + count)].elementsEqual($0) }
    }

    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }

    /// Characters of numbers, booleans and (rejected) dates.
    func isTokenByte(_ b: UInt8) -> Bool {
        TOMLSyntax.isBareKeyByte(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
    }

    /// A byte for an error message: `'x'` for printable ASCII, `U+000D` for controls.
    func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return "'\(String(UnicodeScalar(b)))'" }
        if b == 0x20 { return "a space" }
        if b >= 0x80 { return "a non-ASCII character" }
        let hex = String(b, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// The 1-based line of a byte offset.
    func line(at offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    func fail(_ message: String, at offset: Int? = nil, remedy: String? = nil) -> TOMLSyntaxError {
        TOMLSyntaxError(line: line(at: offset ?? pos), message: message, remedy: remedy)
    }
}
