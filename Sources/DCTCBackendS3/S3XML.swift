import DCTCCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of an S3 XML document: its name, its text, its child elements.
///
/// S3 answers are small, flat documents (a listing page is at most 1,000 entries), so a tiny
/// tree is simpler to read than a streaming state machine and costs little.
struct S3XMLNode: Sendable {
    var name: String
    var text: String = ""
    var children: [S3XMLNode] = []

    /// The first child named `name`.
    func child(_ name: String) -> S3XMLNode? { children.first { $0.name == name } }

    /// Every child named `name`, in document order.
    func children(_ name: String) -> [S3XMLNode] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    subscript(_ name: String) -> String? { child(name)?.text }
}

/// Parsing and writing the XML of the S3 API.
enum S3XML {
    /// Parses a document with Foundation's `XMLParser` (libxml2), without namespaces or
    /// external entities.
    ///
    /// - Parameters:
    ///   - bytes: the document.
    ///   - display: the address to name in an error.
    /// - Returns: the root element.
    /// - Throws: `VFSError(.io)` when the document is not well-formed XML.
    static func parse(_ bytes: [UInt8], display: String) throws -> S3XMLNode {
        // Foundation's XMLParser traps on a name that is not UTF-8 (found by the fuzz tests):
        // S3 answers are UTF-8, so anything else is refused before it gets there.
        guard String(bytes: bytes, encoding: .utf8) != nil else {
            throw VFSError(.io, "the server sent an unreadable XML document (not UTF-8)", path: display,
                           remedy: "check that the endpoint is an S3 server", backend: "s3")
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            let reason = parser.parserError.map { String(describing: $0) } ?? "no root element"
            let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw VFSError(.io, "the server sent an unreadable XML document", path: display,
                           remedy: "check that the endpoint is an S3 server", backend: "s3",
                           cause: "\(reason): \(preview)")
        }
        return root
    }

    /// Escapes text for an element's content (`&`, `<`, `>`, quotes; `\r` as `&#13;` so it
    /// survives line-end normalisation).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True when every character may appear in an XML 1.0 document (keys with other control
    /// characters cannot go into a `DeleteObjects` body).
    static func isRepresentable(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            switch c.value {
            case 0x9, 0xA, 0xD: true
            case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
            default: false
            }
        }
    }

    /// Decodes a value of a listing sent with `encoding-type=url`: `+` is a space (AWS and Go
    /// servers encode spaces that way; a real `+` arrives as `%2B`), `%XX` is a byte.
    static func urlDecoded(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else if b == UInt8(ascii: "%"), i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// An ETag without its quotes (listings of some servers quote it, others do not; XML
    /// entities are already decoded by the parser).
    static func unquote(_ etag: String) -> String {
        // Fast path (every listing entry and response): no surrounding blanks, no weak prefix.
        let u = etag.utf8
        if let first = u.first, let last = u.last, first != UInt8(ascii: " "), first != UInt8(ascii: "\t"),
           first != UInt8(ascii: "W"), last != UInt8(ascii: " "), last != UInt8(ascii: "\t") {
            guard first == UInt8(ascii: "\""), last == UInt8(ascii: "\""), u.count >= 2 else { return etag }
            return String(decoding: u.dropFirst().dropLast(), as: UTF8.self)
        }
        var s = etag.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("W/") { s.removeFirst(2) }
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// Collects elements into `S3XMLNode`s; used on one thread, by one parse.
    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [S3XMLNode] = []
        var root: S3XMLNode?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            stack.append(S3XMLNode(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard let done = stack.popLast() else { return }
            if stack.isEmpty { root = done } else { stack[stack.count - 1].children.append(done) }
        }
    }
}

/// The date formats of the S3 API, parsed and printed without locale-dependent formatters.
enum S3Time {
    /// `2024-05-01T12:30:45.123Z` (listings; any number of fraction digits, or none; `Z` or
    /// a `±hh:mm` offset).
    static func parseISO8601(_ s: String) -> Date? {
        let b = Array(s.utf8)
        guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let year = number(b, 0, 4), let month = number(b, 5, 2), let day = number(b, 8, 2),
              let hour = number(b, 11, 2), let minute = number(b, 14, 2), let second = number(b, 17, 2) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) {
                fraction += Double(b[i] - UInt8(ascii: "0")) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = number(b, i + 1, 2) else { return nil }
            let om = number(b, i + 4, 2) ?? 0  // "+hh:mm"
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let seconds = epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second) - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (HTTP `Last-Modified`, `Date`).
    static func parseHTTPDate(_ s: String) -> Date? {
        let parts = s.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 5, let day = Int(parts[1]), let year = Int(parts[3]),
              let month = months.firstIndex(of: parts[2].lowercased().prefix(3).description) else { return nil }
        let hms = parts[4].split(separator: ":")
        guard hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), let sec = Int(hms[2]) else { return nil }
        return Date(timeIntervalSince1970: Double(epochSeconds(year: year, month: month + 1, day: day, hour: h, minute: m, second: sec)))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Decimal seconds since the epoch as rclone writes `x-amz-meta-mtime`: up to nine fraction
    /// digits, trailing zeros dropped (`1500000000.25`, `1500000000`).
    static func formatEpoch(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = Int64(floor(t))
        var nanos = Int64(((t - floor(t)) * 1e9).rounded())
        if nanos >= 1_000_000_000 { seconds += 1; nanos -= 1_000_000_000 }
        guard nanos > 0 else { return String(seconds) }
        var frac = String(nanos)
        frac = String(repeating: "0", count: 9 - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(seconds).\(frac)"
    }

    /// Parses decimal epoch seconds (`1500000000.25`, `-12.5`, `1500000000`).
    static func parseEpoch(_ s: String) -> Date? {
        let text = s.trimmingCharacters(in: .whitespaces)
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let pieces = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = pieces.first, !whole.isEmpty, let seconds = Int64(whole) else { return nil }
        var fraction = 0.0
        if pieces.count == 2 {
            let digits = pieces[1].prefix(9)
            guard digits.allSatisfy(\.isNumber), let n = Int64(digits.isEmpty ? "0" : String(digits)) else { return nil }
            fraction = Double(n) / pow(10, Double(digits.count))
        }
        let value = Double(seconds) + fraction
        return Date(timeIntervalSince1970: negative ? -value : value)
    }

    private static func number(_ b: [UInt8], _ start: Int, _ length: Int) -> Int? {
        guard start + length <= b.count else { return nil }
        var n = 0
        for i in start..<(start + length) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { return nil }
            n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
        }
        return n
    }

    /// Seconds since 1970 of a UTC civil time.
    private static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int {
        CivilDate.epochSeconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
