/// A path inside one store: a list of name components, always absolute.
///
/// Components may contain any character except `/` and NUL (spaces, `?`, `#`, `%`, quotes,
/// non-Latin and combining characters are all legal). `.` and empty components are dropped
/// when parsing and `..` removes the previous component, never climbing above the root.
/// Comparison is by the UTF-8 bytes of each component, so sorted listings from every store
/// merge-join in the same order whatever the platform's collation.
///
/// Equality and hashing are byte-wise too: Swift's `String ==` treats canonically equivalent
/// strings as equal, but `cafe\u{301}` (NFD) and `caf\u{e9}` (NFC) are two different files on
/// a POSIX file system and in an S3 bucket.
public struct VPath: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public private(set) var components: [String]

    public static let root = VPath(components: [])

    /// Parses a `/`-separated string. Relative and absolute strings give the same path.
    public init(_ string: String) {
        var parts: [String] = []
        for piece in string.split(separator: "/", omittingEmptySubsequences: true) {
            switch piece {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(piece))
            }
        }
        self.components = parts
    }

    /// Builds a path from components taken verbatim (no `.`/`..` interpretation).
    public init(components: [String]) {
        self.components = components.filter { !$0.isEmpty }
    }

    public var isRoot: Bool { components.isEmpty }
    /// The last component, or `""` for the root.
    public var name: String { components.last ?? "" }
    /// The containing directory; the root is its own parent.
    public var parent: VPath { isRoot ? self : VPath(components: Array(components.dropLast())) }
    /// `/a/b`, or `/` for the root.
    public var string: String { "/" + components.joined(separator: "/") }
    public var description: String { string }
    public var depth: Int { components.count }

    /// This path with one more component. `name` is taken verbatim: it must not contain `/`.
    public func appending(_ name: String) -> VPath {
        VPath(components: components + [name])
    }

    /// This path with a relative `/`-separated path appended (parsed like `init(_:)`, except
    /// that `..` never leaves `self`).
    public func appending(relative: String) -> VPath {
        VPath(components: components + VPath(relative).components)
    }

    /// True when `self` is `other` or lies below it.
    public func hasPrefix(_ other: VPath) -> Bool {
        guard components.count >= other.components.count else { return false }
        return zip(components, other.components).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
    }

    public static func == (lhs: VPath, rhs: VPath) -> Bool {
        lhs.components.count == rhs.components.count && lhs.hasPrefix(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(components.count)
        for c in components {
            hasher.combine(c.utf8.count)
            for byte in c.utf8 { hasher.combine(byte) }
        }
    }

    /// The components below `base` joined by `/`, or nil when `self` is not under `base`.
    public func relative(to base: VPath) -> String? {
        guard hasPrefix(base) else { return nil }
        return components.dropFirst(base.components.count).joined(separator: "/")
    }

    /// The file extension of the last component, lowercased, without the dot ("" when none).
    public var pathExtension: String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    public static func < (lhs: VPath, rhs: VPath) -> Bool {
        for (a, b) in zip(lhs.components, rhs.components) where !a.utf8.elementsEqual(b.utf8) {
            return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return lhs.components.count < rhs.components.count
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }
}
