import DCTCCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One `<D:response>` of a WebDAV `207 Multi-Status` answer to PROPFIND (RFC 4918 §14.16).
struct WebDAVEntry: Sendable, Equatable {
    /// The `href`, decoded into path components (no empty ones).
    var components: [String]
    var isCollection = false
    var size: Int64?
    var modificationTime: Date?
    /// `getetag` without its quotes (a weak tag keeps its `W/` prefix).
    var etag: String?
}

/// Parses the XML of a PROPFIND answer with Foundation's `XMLParser` (libxml2 underneath).
///
/// Only properties inside a `propstat` whose status is 2xx count (servers list the
/// properties they do not have under a 404 `propstat`). Responses whose `href` cannot be
/// decoded into names (bad escapes, an encoded `/`) are skipped: no name could stand for them.
enum WebDAVMultistatus {
    /// - Parameter data: the response body.
    /// - Returns: the responses, in document order.
    /// - Throws: `VFSError.corruptData` when the XML is malformed.
    static func parse(_ data: [UInt8], display: String) throws -> [WebDAVEntry] {
        // Foundation's XMLParser traps on a name that is not UTF-8 (found by the fuzz tests).
        guard String(bytes: data, encoding: .utf8) != nil else {
            throw VFSError(.corruptData, "the server's WebDAV listing is not valid XML (not UTF-8)", path: display,
                           remedy: "check the address points at a WebDAV folder", backend: "webdav")
        }
        let delegate = MultistatusDelegate()
        let parser = XMLParser(data: Data(data))
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        // An unterminated document is no error to libxml2's push parser: check the nesting too.
        let parsed = parser.parse()
        guard parsed, delegate.isComplete else {
            let reason = parser.parserError.map { String(describing: $0) } ?? "the document ends early"
            throw VFSError(.corruptData, "the server's WebDAV listing is not valid XML", path: display,
                           remedy: "check the address points at a WebDAV folder", backend: "webdav", cause: reason)
        }
        return delegate.entries
    }

    /// The `href` of a response as path components, or nil when it does not decode.
    static func components(ofHref href: String) -> [String]? {
        let trimmed = href.trimmingCharacters(in: .whitespacesAndNewlines)
        var names: [String] = []
        for segment in HTTPURL.rawSegments(ofPath: HTTPURL.path(ofURL: trimmed)) where !segment.isEmpty {
            guard let name = HTTPURL.decodeComponent(segment) else { return nil }
            names.append(name)
        }
        return names
    }

    /// `"abc"` → `abc`, `W/"abc"` → `W/abc`.
    static func unquote(_ etag: String) -> String? {
        var tag = Substring(etag.trimmingCharacters(in: .whitespaces))
        var weak = ""
        if tag.hasPrefix("W/") { weak = "W/"; tag = tag.dropFirst(2) }
        if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = tag.dropFirst().dropLast() }
        return tag.isEmpty ? nil : weak + tag
    }
}

/// Collects responses while `XMLParser` walks the document. Used by one parse on one thread.
private final class MultistatusDelegate: NSObject, XMLParserDelegate {
    var entries: [WebDAVEntry] = []
    private var sawRoot = false

    /// A root element was opened and every element closed.
    var isComplete: Bool { sawRoot && stack.isEmpty }

    private struct Properties {
        var isCollection = false
        var size: Int64?
        var modificationTime: Date?
        var etag: String?
    }

    private var href: String?
    private var responseStatusOK = true
    private var accepted = Properties()
    private var pending = Properties()
    private var propstatStatus: Int?
    private var stack: [String] = []
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let name = namespaceURI == "DAV:" ? elementName : "other:" + elementName
        sawRoot = true
        stack.append(name)
        text = ""
        switch name {
        case "response":
            href = nil
            responseStatusOK = true
            accepted = Properties()
        case "propstat":
            pending = Properties()
            propstatStatus = nil
        case "collection" where stack.dropLast().last == "resourcetype":
            pending.isCollection = true
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let name = stack.popLast() ?? ""
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parent = stack.last
        switch name {
        case "href" where parent == "response":
            href = value
        case "status" where parent == "propstat":
            propstatStatus = WebDAVMultistatusStatus.code(of: value)
        case "status" where parent == "response":
            let code = WebDAVMultistatusStatus.code(of: value)
            responseStatusOK = code.map { (200..<300).contains($0) } ?? false
        case "getcontentlength":
            pending.size = Int64(value)
        case "getlastmodified":
            pending.modificationTime = HTTPDate.parse(value)
        case "getetag":
            pending.etag = WebDAVMultistatus.unquote(value)
        case "propstat":
            // A propstat without a status is taken as a success (lenient with odd servers).
            if propstatStatus.map({ (200..<300).contains($0) }) ?? true {
                if pending.isCollection { accepted.isCollection = true }
                if let v = pending.size { accepted.size = v }
                if let v = pending.modificationTime { accepted.modificationTime = v }
                if let v = pending.etag { accepted.etag = v }
            }
        case "response":
            if responseStatusOK, let href, let components = WebDAVMultistatus.components(ofHref: href) {
                entries.append(WebDAVEntry(components: components, isCollection: accepted.isCollection,
                                           size: accepted.isCollection ? nil : accepted.size,
                                           modificationTime: accepted.modificationTime, etag: accepted.etag))
            }
        default:
            break
        }
        text = ""
    }
}

/// Status lines inside multistatus documents (`HTTP/1.1 200 OK`).
enum WebDAVMultistatusStatus {
    static func code(of line: String) -> Int? {
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        return Int(parts[1])
    }
}
