import DCTCCore

/// How a manifest path is stored: its components joined by a NUL byte, as a BLOB.
///
/// SQLite compares BLOBs with `memcmp` and then by length, and NUL sorts below every byte a
/// name can contain, so `ORDER BY key` gives exactly `VPath`'s order (component-wise UTF-8
/// byte order, a directory right before its contents): `a` < `a␀x` < `a b`. Names never
/// contain NUL or `/`, so the encoding is unambiguous. Bytes are kept as they are: NFC and
/// NFD spellings of a name are two different keys.
struct ManifestKey: Hashable, Sendable {
    /// The UTF-8 bytes of the components, joined by 0.
    var bytes: [UInt8]

    /// The root directory itself (an empty key).
    static let root = ManifestKey(bytes: [])

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a relative `/`-separated path. Empty components (leading, trailing or doubled
    /// slashes) are dropped; `.` and `..` are names like any other. `""` is the root.
    ///
    /// - Throws: `VFSError(.invalidArgument)` when the path contains a NUL character.
    init(path: String) throws {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count)
        var pendingSeparator = false
        for byte in path.utf8 {
            if byte == 0 {
                throw VFSError.invalid("a manifest path cannot contain a NUL character", path: path)
            }
            if byte == UInt8(ascii: "/") {
                pendingSeparator = !out.isEmpty
                continue
            }
            if pendingSeparator {
                out.append(0)
                pendingSeparator = false
            }
            out.append(byte)
        }
        bytes = out
    }

    var isRoot: Bool { bytes.isEmpty }

    /// The key of the containing directory (the root for a top-level entry).
    var parent: ManifestKey {
        guard let i = bytes.lastIndex(of: 0) else { return .root }
        return ManifestKey(bytes: Array(bytes[..<i]))
    }

    /// The last component.
    var name: String {
        let start = bytes.lastIndex(of: 0).map { $0 + 1 } ?? 0
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// The `/`-separated relative path (no leading slash).
    var path: String {
        String(decoding: bytes.map { $0 == 0 ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
    }

    /// The smallest key strictly below this directory (`self` + NUL); every descendant `d`
    /// satisfies `subtreeStart <= d < subtreeEnd`.
    var subtreeStart: [UInt8] { bytes + [0] }
    /// The first key after this directory's subtree (`self` + 0x01).
    var subtreeEnd: [UInt8] { bytes + [1] }
}
