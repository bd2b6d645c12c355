import CDCTCSQLite
import DCTCCore

/// One prepared statement (`sqlite3_stmt *`), with typed bind and column helpers.
///
/// Owned by a `SQLiteConnection`'s cache and used only on that connection's thread.
/// Parameter and column indices follow SQLite: parameters count from 1, columns from 0.
/// Text and blobs are bound with `SQLITE_TRANSIENT` (SQLite copies them), so no Swift buffer
/// needs to outlive the call. Text is passed as the string's exact UTF-8 bytes with an explicit
/// length: no normalisation, and an empty string is an empty value, never NULL.
final class SQLiteStatement {
    /// The raw statement. Do not finalize it.
    let handle: OpaquePointer
    /// The SQL it was prepared from.
    let sql: String
    /// The connection, for error messages (`sqlite3_errmsg`).
    private let db: OpaquePointer
    /// True between `SQLiteConnection.withStatement`'s checkout and return.
    var inUse = false

    /// Compiles `sql` (`sqlite3_prepare_v3` with `SQLITE_PREPARE_PERSISTENT`).
    ///
    /// - Throws: `SQLiteError` with SQLite's message (syntax errors, missing tables, …).
    init(db: OpaquePointer, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sql.withCString { sqlite3_prepare_v3(db, $0, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil) }
        guard rc == SQLITE_OK, let stmt else {
            if let stmt { sqlite3_finalize(stmt) }
            throw SQLiteError(connection: db, code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, function: "sqlite3_prepare_v3", sql: sql)
        }
        self.handle = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: - Running

    /// Advances to the next row (`sqlite3_step`).
    ///
    /// - Returns: true when a row is available (`SQLITE_ROW`), false when done (`SQLITE_DONE`).
    /// - Throws: `SQLiteError` for any other result (`SQLITE_BUSY` after the busy timeout,
    ///   `SQLITE_CORRUPT`, `SQLITE_CONSTRAINT`, …).
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(connection: db, code: rc, function: "sqlite3_step", sql: sql)
        }
    }

    /// Makes the statement ready to run again and drops its bindings
    /// (`sqlite3_reset`, `sqlite3_clear_bindings`). Errors were reported by `step` already.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Binding

    private func check(_ rc: Int32, _ function: String) throws {
        guard rc == SQLITE_OK else { throw SQLiteError(connection: db, code: rc, function: function, sql: sql) }
    }

    /// Binds an integer, or NULL (`sqlite3_bind_int64`, `sqlite3_bind_null`).
    func bind(_ value: Int64?, at index: Int32) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index), "sqlite3_bind_null") }
        try check(sqlite3_bind_int64(handle, index, value), "sqlite3_bind_int64")
    }

    /// Binds a double, or NULL (`sqlite3_bind_double`).
    func bind(_ value: Double?, at index: Int32) throws {
        guard let value else { return try check(sqlite3_bind_null(handle, index), "sqlite3_bind_null") }
        try check(sqlite3_bind_double(handle, index, value), "sqlite3_bind_double")
    }

    /// Binds text as its exact UTF-8 bytes, or NULL (`sqlite3_bind_text`).
    func bind(_ value: String?, at index: Int32) throws {
        guard var value else { return try check(sqlite3_bind_null(handle, index), "sqlite3_bind_null") }
        let rc = value.withUTF8 { buf -> Int32 in
            // A nil base address would bind NULL; an empty string must stay an empty string.
            guard let base = buf.baseAddress, buf.count > 0 else {
                return sqlite3_bind_text(handle, index, "", 0, CDCTCSQLite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                sqlite3_bind_text(handle, index, $0, Int32(buf.count), CDCTCSQLite_transient())
            }
        }
        try check(rc, "sqlite3_bind_text")
    }

    /// Binds bytes as a BLOB; an empty array is an empty BLOB, not NULL
    /// (`sqlite3_bind_blob`, `sqlite3_bind_zeroblob`).
    func bind(blob value: [UInt8], at index: Int32) throws {
        let rc = value.withUnsafeBytes { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob(handle, index, base, Int32(buf.count), CDCTCSQLite_transient())
        }
        try check(rc, "sqlite3_bind_blob")
    }

    /// Binds NULL (`sqlite3_bind_null`).
    func bindNull(at index: Int32) throws {
        try check(sqlite3_bind_null(handle, index), "sqlite3_bind_null")
    }

    // MARK: - Columns of the current row

    /// True when the column holds NULL (`sqlite3_column_type`).
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column as an integer (`sqlite3_column_int64`); NULL reads as 0.
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as an integer, nil when NULL.
    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    /// The column as a double (`sqlite3_column_double`); NULL reads as 0.
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    /// The column as a double, nil when NULL.
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    /// The column's text, decoded from its exact UTF-8 bytes (`sqlite3_column_text`,
    /// `sqlite3_column_bytes`); NULL reads as "".
    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(handle, column) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The column's text, nil when NULL.
    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

    /// The column's bytes (`sqlite3_column_blob`, `sqlite3_column_bytes`); NULL and empty read as [].
    func blob(_ column: Int32) -> [UInt8] {
        guard let p = sqlite3_column_blob(handle, column) else { return [] }
        let n = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
