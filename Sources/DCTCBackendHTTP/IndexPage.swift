import DCTCCore
import Foundation

/// One child found in a directory index page.
struct IndexEntry: Sendable, Equatable {
    var name: String
    var isDirectory: Bool
    /// Exact byte count when the page gives one (nginx JSON; nginx HTML with its default
    /// `autoindex_exact_size on`; Apache with `IndexOptions` showing raw sizes). Rounded sizes
    /// (`1.2K`) are left out: they are too coarse to check a copy against.
    var size: Int64?
    /// The page's date: exact to the second for nginx JSON, to the minute in HTML pages, and
    /// in the server's time zone for Apache (read as UTC), hence approximate.
    var modificationTime: Date?
    /// The entry is neither a file nor a directory (nginx JSON `"type":"other"`).
    var isOther = false
}

/// Reads the directory listings web servers generate: nginx `autoindex_format json`, and HTML
/// index pages (nginx and Apache autoindex, or any page of links).
///
/// HTML pages are read as links: an `<a href>` counts when, resolved against the listed
/// directory's URL, it names something directly inside that directory. So `../`, sort links
/// (`?C=N;O=D`), absolute links to other hosts, `/elsewhere/` paths, fragments and links into
/// subfolders are all ignored. A link ending in `/` is a directory. Names are percent-decoded
/// from the `href` (link texts are often shortened or escaped).
enum IndexPage {
    /// Parses a listing body.
    ///
    /// - Parameters:
    ///   - body: the page.
    ///   - contentType: the response's `Content-Type`; JSON is recognised by it or by the body
    ///     starting with `[`.
    ///   - directoryURL: the absolute URL of the listed directory, ending with `/`.
    /// - Returns: the children, each once, in page order.
    /// - Throws: `VFSError.corruptData` for a JSON listing that does not decode.
    static func parse(_ body: [UInt8], contentType: String?, directoryURL: String, display: String) throws -> [IndexEntry] {
        let firstByte = body.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) })
        if contentType?.lowercased().contains("json") == true || firstByte == UInt8(ascii: "[") {
            return try parseJSON(body, display: display)
        }
        return parseHTML(String(decoding: body, as: UTF8.self), directoryURL: directoryURL)
    }

    // MARK: - nginx JSON

    private struct JSONItem: Decodable {
        var name: String
        var type: String?
        var mtime: String?
        var size: Int64?
    }

    /// `[{"name":"f.txt","type":"file","mtime":"Sat, 21 Nov 2026 06:33:47 GMT","size":6}, …]`.
    static func parseJSON(_ body: [UInt8], display: String) throws -> [IndexEntry] {
        let items: [JSONItem]
        do {
            items = try JSONDecoder().decode([JSONItem].self, from: Data(body))
        } catch {
            throw VFSError(.corruptData, "the server's JSON directory listing does not decode", path: display,
                           remedy: "check the address points at a folder with a JSON autoindex", backend: "http",
                           cause: String(describing: error))
        }
        var seen = Set<[UInt8]>()
        var entries: [IndexEntry] = []
        for item in items {
            guard isUsableName(item.name), seen.insert(Array(item.name.utf8)).inserted else { continue }
            let type = item.type ?? "file"
            entries.append(IndexEntry(name: item.name, isDirectory: type == "directory",
                                      size: type == "file" ? item.size : nil,
                                      modificationTime: item.mtime.flatMap(HTTPDate.parse),
                                      isOther: type != "file" && type != "directory"))
        }
        return entries
    }

    // MARK: - HTML

    /// Parses an HTML page of links. See the type's documentation for which links count.
    static func parseHTML(_ page: String, directoryURL: String) -> [IndexEntry] {
        let base = HTTPURL.parseReference(directoryURL)
        let baseScheme = base.scheme ?? "http"
        let baseAuthority = base.authority.map { HTTPURL.normalizedAuthority($0, scheme: baseScheme) }
        let directory = HTTPURL.rawSegments(ofPath: base.path).filter { !$0.isEmpty }
        let directoryNames = directory.map { HTTPURL.decodeComponent($0) }

        let anchors = HTMLAnchors.find(in: page)
        var order: [[UInt8]] = []
        var byName: [[UInt8]: IndexEntry] = [:]
        for anchor in anchors {
            let ref = HTTPURL.parseReference(HTMLAnchors.decodeEntities(anchor.href))
            if ref.hasQuery { continue }
            let path: Substring
            if let scheme = ref.scheme {
                // Absolute URL: same scheme and server only.
                guard scheme == baseScheme, let authority = ref.authority,
                      HTTPURL.normalizedAuthority(authority, scheme: scheme) == baseAuthority else { continue }
                path = ref.path
            } else if let authority = ref.authority {
                // Scheme-relative `//host/path`.
                guard HTTPURL.normalizedAuthority(authority, scheme: baseScheme) == baseAuthority else { continue }
                path = ref.path
            } else if ref.path.hasPrefix("/") {
                path = ref.path
            } else if ref.path.isEmpty {
                continue   // `#top` or `?C=N`: the page itself
            } else {
                path = Substring(base.path + (base.path.hasSuffix("/") ? "" : "/") + ref.path)
            }
            var segments = HTTPURL.rawSegments(ofPath: path)
            let isDirectory = segments.last?.isEmpty == true
            if isDirectory { segments.removeLast() }
            // Directly below the listed directory: its segments plus exactly one name.
            guard segments.count == directory.count + 1 else { continue }
            var inside = true
            for (i, segment) in segments.dropLast().enumerated() {
                guard let name = HTTPURL.decodeComponent(segment), name.utf8.elementsEqual((directoryNames[i] ?? "").utf8) else {
                    inside = false
                    break
                }
            }
            guard inside, let last = segments.last, let name = HTTPURL.decodeComponent(last), isUsableName(name) else {
                continue
            }
            let facts = IndexFacts.read(anchor.trailingText)
            let key = Array(name.utf8)
            if var known = byName[key] {
                // The same entry linked twice (an icon and a name): keep what either row told.
                known.isDirectory = known.isDirectory || isDirectory
                known.size = known.size ?? facts.size
                known.modificationTime = known.modificationTime ?? facts.date
                byName[key] = known
            } else {
                order.append(key)
                byName[key] = IndexEntry(name: name, isDirectory: isDirectory, size: isDirectory ? nil : facts.size,
                                         modificationTime: facts.date)
            }
        }
        return order.compactMap { byName[$0] }.map { entry in
            var e = entry
            if e.isDirectory { e.size = nil }
            return e
        }
    }

    private static func isUsableName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\u{0}")
    }
}

/// The date and size printed next to a link in an index page.
enum IndexFacts {
    /// Reads `21-Nov-2026 06:33   1234` (nginx), `2024-01-31 12:00  1.2K` (Apache) and the like.
    /// A plain integer after the date is an exact size; `-` or a rounded size gives none.
    static func read(_ text: String) -> (date: Date?, size: Int64?) {
        let tokens = text.split(whereSeparator: { $0.isWhitespace })
        guard let found = HTTPDate.parseIndexDate(in: tokens) else {
            return (nil, nil)
        }
        var size: Int64?
        if found.used.upperBound < tokens.count {
            let token = tokens[found.used.upperBound]
            if token.allSatisfy({ $0.isASCII && $0.isNumber }) { size = Int64(token) }
        }
        return (found.date, size)
    }
}

/// A small, forgiving scanner for `<a href="…">` in HTML, enough for index pages.
enum HTMLAnchors {
    struct Anchor {
        /// The raw attribute value (entities not yet decoded).
        var href: String
        /// Text after the closing `</a>` up to the next link or line end, tags removed.
        var trailingText: String
    }

    static func find(in page: String) -> [Anchor] {
        let bytes = Array(page.utf8)
        var anchors: [Anchor] = []
        var i = 0
        var pendingHref: String?
        var trailingStart = 0
        func closePending(at end: Int) {
            if let href = pendingHref {
                let raw = String(decoding: bytes[min(trailingStart, end)..<end], as: UTF8.self)
                anchors.append(Anchor(href: href, trailingText: decodeEntities(stripTags(raw))))
                pendingHref = nil
            }
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") && pendingHref != nil && i > trailingStart {
                // A `<pre>` listing: one entry per line.
                closePending(at: i)
            }
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            guard i + 2 < bytes.count, bytes[i + 1] | 0x20 == UInt8(ascii: "a"),
                  bytes[i + 2] == 0x20 || bytes[i + 2] == 0x09 || bytes[i + 2] == 0x0A || bytes[i + 2] == 0x0D else {
                if pendingHref != nil, isRowEnd(bytes, at: i) { closePending(at: i) }
                i += 1
                continue
            }
            closePending(at: i)
            guard let tagEnd = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else { break }
            let tag = String(decoding: bytes[(i + 2)..<tagEnd], as: UTF8.self)
            i = tagEnd + 1
            guard let href = attribute("href", in: tag) else { continue }
            // Skip the link text up to `</a>`.
            var j = i
            while j + 3 < bytes.count {
                if bytes[j] == UInt8(ascii: "<"), bytes[j + 1] == UInt8(ascii: "/"), bytes[j + 2] | 0x20 == UInt8(ascii: "a"),
                   bytes[j + 3] == UInt8(ascii: ">") { break }
                j += 1
            }
            i = min(bytes.count, j + 4)
            pendingHref = href
            trailingStart = i
        }
        closePending(at: bytes.count)
        return anchors
    }

    /// `</tr>` ends a table row of an Apache-style listing.
    private static func isRowEnd(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i + 4 < bytes.count else { return false }
        return bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] | 0x20 == UInt8(ascii: "t")
            && bytes[i + 3] | 0x20 == UInt8(ascii: "r") && bytes[i + 4] == UInt8(ascii: ">")
    }

    /// The value of `name` in a tag's attribute text (`href="x"`, `href='x'`, `href=x`).
    static func attribute(_ name: String, in tag: String) -> String? {
        var rest = Substring(tag)
        while let range = rest.range(of: name, options: .caseInsensitive) {
            // Must be a whole attribute name: preceded by whitespace, followed by `=`.
            let before = range.lowerBound == rest.startIndex ? " " : rest[rest.index(before: range.lowerBound)]
            var after = rest[range.upperBound...].drop(while: { $0.isWhitespace })
            guard before.isWhitespace, after.first == "=" else {
                rest = rest[range.upperBound...]
                continue
            }
            after = after.dropFirst().drop(while: { $0.isWhitespace })
            guard let quote = after.first else { return nil }
            if quote == "\"" || quote == "'" {
                let value = after.dropFirst()
                guard let end = value.firstIndex(of: quote) else { return nil }
                return String(value[..<end])
            }
            return String(after.prefix(while: { !$0.isWhitespace && $0 != ">" }))
        }
        return nil
    }

    /// Removes `<...>` tags from a piece of HTML, leaving spaces in their place.
    static func stripTags(_ html: String) -> String {
        var out = ""
        var inTag = false
        for c in html {
            if c == "<" { inTag = true; out.append(" ") } else if c == ">" { inTag = false } else if !inTag { out.append(c) }
        }
        return out
    }

    /// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#NN;` and `&#xNN;`.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else {
                out.append("&")
                rest = after
                continue
            }
            let entity = after[..<semi]
            var replacement: String?
            switch entity {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out.append("&")
                rest = after
            }
        }
        out += rest
        return out
    }
}
