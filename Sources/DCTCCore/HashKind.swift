/// Content hash algorithms dctc knows. Values are lowercase hex strings everywhere.
public enum HashKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case md5, sha1, sha256

    public var description: String { rawValue }
    /// Length of the hex digest.
    public var hexLength: Int {
        switch self {
        case .md5: 32
        case .sha1: 40
        case .sha256: 64
        }
    }
    /// The name of the coreutils tool that prints this hash (`md5sum`...).
    public var sumTool: String { "\(rawValue)sum" }

    /// Preference order: stronger hashes sort later.
    private var strength: Int {
        switch self {
        case .md5: 0
        case .sha1: 1
        case .sha256: 2
        }
    }

    public static func < (a: HashKind, b: HashKind) -> Bool { a.strength < b.strength }

    /// Parses `md5`, `MD5`, `sha-256`, `sha256`...
    public init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "-", with: "")
        guard let k = HashKind(rawValue: n) else { return nil }
        self = k
    }
}
