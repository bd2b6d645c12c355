import Foundation

/// Content-Type from a file name, as aws-cli (Python's `mimetypes`) and rclone guess it:
/// the system's `/etc/mime.types` (Debian's `media-types` package), with a small built-in
/// table for systems without it. Matching is on the last extension, case-insensitive.
public enum MIMETypes {
    /// The type for `name` (`index.html` → `text/html`), or nil when the extension is unknown.
    public static func type(forName name: String) -> String? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...].lowercased()
        guard !ext.isEmpty, ext.utf8.count <= 32 else { return nil }
        return system[ext] ?? builtIn[ext]
    }

    /// The table of `/etc/mime.types` (empty when it cannot be read).
    static let system: [String: String] = parse(path: "/etc/mime.types")

    /// Parses mime.types text: `type/subtype ext ext…` per line, `#` comments. The first
    /// line naming an extension wins (Debian's file names each extension once).
    static func parse(path: String) -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? handle.close() }
        // Bounded: a hostile or broken file cannot fill memory.
        guard let data = try? handle.read(upToCount: 4 * 1024 * 1024) else { return [:] }
        return parse(text: String(decoding: data, as: UTF8.self))
    }

    static func parse(text: String) -> [String: String] {
        var table: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0].contains("/") else { continue }
            let type = String(fields[0]).lowercased()
            for ext in fields.dropFirst() where table[ext.lowercased()] == nil {
                table[ext.lowercased()] = type
            }
        }
        return table
    }

    /// The fallback: the types people upload most.
    static let builtIn: [String: String] = [
        "html": "text/html", "htm": "text/html", "css": "text/css", "js": "text/javascript", "mjs": "text/javascript",
        "txt": "text/plain", "text": "text/plain", "log": "text/plain", "md": "text/markdown", "csv": "text/csv",
        "tsv": "text/tab-separated-values", "xml": "application/xml", "json": "application/json",
        "yaml": "application/yaml", "yml": "application/yaml", "pdf": "application/pdf", "zip": "application/zip",
        "gz": "application/gzip", "tgz": "application/gzip", "bz2": "application/x-bzip2", "tar": "application/x-tar",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "webp": "image/webp", "ico": "image/vnd.microsoft.icon", "mp4": "video/mp4", "mp3": "audio/mpeg",
        "wasm": "application/wasm", "parquet": "application/vnd.apache.parquet", "woff2": "font/woff2",
    ]
}
