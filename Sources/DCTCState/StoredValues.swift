import DCTCCore
import Foundation

/// How values without a native SQLite type are stored.
///
/// Dates are REAL seconds since 2001-01-01 00:00 UTC (`Date.timeIntervalSinceReferenceDate`),
/// the very `Double` a `Date` holds, so they round trip bit for bit: a time read back compares
/// equal to the one recorded. Their precision is therefore `Date`'s own (a `Double` of seconds:
/// about 0.1 µs for present-day times). In the `sqlite3` shell,
/// `datetime(mtime + 978307200, 'unixepoch')` shows them. Times that must be exact integers
/// (the hash cache's `st_mtim`) are INTEGER nanoseconds since 1970 instead.
enum StoredDate {
    static func value(_ date: Date?) -> Double? { date?.timeIntervalSinceReferenceDate }
    static func date(_ value: Double?) -> Date? { value.map { Date(timeIntervalSinceReferenceDate: $0) } }
}

/// Hashes are stored one TEXT column per kind (`md5`, `sha1`, `sha256`), lowercase hex as given;
/// a kind the entry lacks is NULL. A new `HashKind` case fails to compile here until a schema
/// migration adds its column.
enum HashColumns {
    /// The kinds, in column order.
    static let kinds: [HashKind] = HashKind.allCases.sorted()

    static func column(_ kind: HashKind) -> String {
        switch kind {
        case .md5: "md5"
        case .sha1: "sha1"
        case .sha256: "sha256"
        }
    }

    /// Binds `hashes` to consecutive parameters from `first`, one per kind (NULL when absent).
    static func bind(_ hashes: [HashKind: String], to statement: SQLiteStatement, from first: Int32) throws {
        for (offset, kind) in kinds.enumerated() {
            try statement.bind(hashes[kind], at: first + Int32(offset))
        }
    }

    /// Reads consecutive columns from `first`, one per kind, skipping NULLs.
    static func read(_ statement: SQLiteStatement, from first: Int32) -> [HashKind: String] {
        var out: [HashKind: String] = [:]
        for (offset, kind) in kinds.enumerated() {
            if let v = statement.optionalText(first + Int32(offset)) { out[kind] = v }
        }
        return out
    }

    /// `md5, sha1, sha256` with an optional prefix (`source_md5, …`).
    static func list(prefix: String = "") -> String {
        kinds.map { prefix + column($0) }.joined(separator: ", ")
    }
}

extension Int64 {
    /// A `UInt64` (device and inode numbers) kept bit for bit in SQLite's signed INTEGER.
    init(storing value: UInt64) { self.init(bitPattern: value) }
}

extension UInt64 {
    init(stored value: Int64) { self.init(bitPattern: value) }
}
