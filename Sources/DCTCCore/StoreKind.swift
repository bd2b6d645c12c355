/// The kinds of store dctc knows: the `type` of an account, the scheme of an address once
/// `https` is folded into `http`, the key a backend registers its factory under, and what
/// `VirtualFileSystem.kind` answers (error messages name it as the backend).
public enum StoreKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    case local, sftp, ftp, ftps, http, webdav, s3, memory

    public var description: String { rawValue }

    public static func < (a: StoreKind, b: StoreKind) -> Bool { a.rawValue < b.rawValue }

    /// The kind an address scheme names without an account (`https` is `http`); nil for
    /// `-` (standard input/output) and `NAME:` accounts, whose kind is the account's type.
    public init?(scheme: Address.Scheme) {
        switch scheme {
        case .local: self = .local
        case .memory: self = .memory
        case .sftp: self = .sftp
        case .ftp: self = .ftp
        case .ftps: self = .ftps
        case .http, .https: self = .http
        case .s3: self = .s3
        case .stdio, .account: return nil
        }
    }
}
