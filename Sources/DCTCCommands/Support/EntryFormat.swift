import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One entry as printed by `--json` flags (one JSON object per line).
struct EntryJSON: Encodable {
    let path: String
    let name: String
    let type: String
    let size: Int64?
    let mtime: Date?
    let mode: String?
    let etag: String?
    let hashes: [String: String]?
    /// Content-Type, storage class... (`stat --json` of objects).
    let properties: [String: String]?
    /// User metadata.
    let metadata: [String: String]?

    init(_ info: FileInfo, address: String) {
        path = address
        name = info.name
        type = info.kind.rawValue
        size = info.size
        mtime = info.modificationTime
        mode = info.mode.map { String(format: "%04o", $0) }
        etag = info.etag
        hashes = info.hashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: info.hashes.map { ($0.key.rawValue, $0.value) })
        properties = info.properties.isEmpty ? nil : info.properties
        metadata = info.metadata.isEmpty ? nil : info.metadata
    }
}

/// Formats entries for `ls -l`, `stat` and friends.
struct EntryFormatter {
    let human: Bool

    /// `drwxr-xr-x`, `-rw-r--r--`; `?` for permission bits the store does not have.
    func modeString(_ info: FileInfo) -> String {
        let kind: Character = switch info.kind {
        case .directory: "d"
        case .symlink: "l"
        case .file: "-"
        case .other: "?"
        }
        guard let mode = info.mode else { return String(kind) + "?????????" }
        let chars: [Character] = ["r", "w", "x"]
        var s = String(kind)
        for i in (0..<9).reversed() {
            s.append(mode & (1 << UInt32(i)) != 0 ? chars[(8 - i) % 3] : "-")
        }
        return s
    }

    func size(_ info: FileInfo) -> String {
        guard let size = info.size, !info.isDirectory else { return "-" }
        return human ? humanSize(size) : String(size)
    }

    /// Local time, minute precision, like `ls -l --time-style=long-iso`.
    func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        var buf = [CChar](repeating: 0, count: 32)
        let n = strftime(&buf, buf.count, "%Y-%m-%d %H:%M", &parts)
        return String(decoding: buf.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// ISO 8601 with fractional seconds, UTC (for `stat`).
    static func iso(_ date: Date?) -> String {
        guard let date else { return "-" }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// `ls -l` line: mode, size, time, name (directories end with `/`).
    func long(_ info: FileInfo, name: String, sizeWidth: Int) -> String {
        let s = size(info)
        let pad = String(repeating: " ", count: max(0, sizeWidth - s.count))
        return "\(modeString(info))  \(pad)\(s)  \(time(info.modificationTime))  \(name)\(info.isDirectory ? "/" : "")"
    }
}
