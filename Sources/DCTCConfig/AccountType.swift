import DCTCCore

/// The kind of store a named account points at; the `type` key of an `[accounts.NAME]` table.
public typealias AccountType = StoreKind

extension StoreKind {
    /// Every type name, comma-separated, for messages.
    static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
