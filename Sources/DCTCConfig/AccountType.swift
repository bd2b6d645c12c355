/// The kind of store a named account points at; the `type` key of an `[accounts.NAME]` table.
public enum AccountType: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case local, sftp, ftp, ftps, http, webdav, s3, memory

    public var description: String { rawValue }

    /// Every type name, comma-separated, for messages.
    static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
