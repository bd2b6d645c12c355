import CDCTCSQLite
import DCTCCore

/// One SQLite connection (`sqlite3 *`) with a cache of prepared statements.
///
/// Why our own wrapper rather than GRDB: dctc needs a handful of prepared statements, and
/// GRDB 7 adds about 30 s to every clean debug build and about 90 s to every release build on
/// our 2-core machines (measured, see the C-interop notes). Debian's libsqlite3 (3.40) called
/// directly through this class costs nothing to build.
///
/// Not `Sendable`: a connection is opened in `StateStore.init` and from then on used only on
/// the store's `IOThread` (through `ThreadConfined`), so the connection is opened with
/// `SQLITE_OPEN_NOMUTEX` and SQLite takes no locks of its own. Statements are cached by their
/// SQL text and reused (`sqlite3_reset`), which is what makes bulk inserts fast.
final class SQLiteConnection {
    /// The raw connection; nil once closed.
    private(set) var handle: OpaquePointer?
    /// The file, as given to `sqlite3_open_v2`.
    let path: String
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens or creates a database file (`sqlite3_open_v2` with `SQLITE_OPEN_READWRITE |
    /// SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE`).
    ///
    /// SQLite reads the file lazily: a damaged file is reported by the first statement, not here.
    /// - Parameter path: the database file.
    /// - Throws: `SQLiteError` (`SQLITE_CANTOPEN` when the file or its folder is inaccessible,
    ///   `SQLITE_NOMEM`).
    init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let error = SQLiteError(connection: db, code: rc == SQLITE_OK ? SQLITE_NOMEM : rc, function: "sqlite3_open_v2")
            // sqlite3_open_v2 hands back a connection even on failure; it must still be closed.
            if let db { sqlite3_close_v2(db) }
            throw error
        }
        handle = db
    }

    deinit { close() }

    /// Finalizes the cached statements and closes the connection (`sqlite3_close_v2`).
    /// Safe to call twice. SQLite checkpoints the WAL when the last connection to a file closes.
    func close() {
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func open() throws -> OpaquePointer {
        guard let handle else { throw SQLiteError.closed }
        return handle
    }

    // MARK: - Settings

    /// How long a statement waits for another connection's lock before failing with
    /// `SQLITE_BUSY` (`sqlite3_busy_timeout`).
    func setBusyTimeout(milliseconds: Int32) throws {
        let db = try open()
        let rc = sqlite3_busy_timeout(db, milliseconds)
        guard rc == SQLITE_OK else { throw SQLiteError(connection: db, code: rc, function: "sqlite3_busy_timeout") }
    }

    /// The number of rows the last INSERT, UPDATE or DELETE changed (`sqlite3_changes64`).
    var changes: Int64 { handle.map { sqlite3_changes64($0) } ?? 0 }

    // MARK: - Running SQL

    /// Runs one or more statements that return nothing of interest (`sqlite3_exec`).
    ///
    /// - Throws: `SQLiteError` with SQLite's message.
    func execute(_ sql: String) throws {
        let db = try open()
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        let text = message.map { String(cString: $0) }
        sqlite3_free(message)
        guard rc == SQLITE_OK else {
            var error = SQLiteError(connection: db, code: rc, function: "sqlite3_exec", sql: sql)
            if let text { error.message = text }
            throw error
        }
    }

    /// Runs `body` with the cached prepared statement for `sql`, reset and unbound afterwards.
    ///
    /// The statement is compiled on first use and kept for the connection's lifetime. When the
    /// same SQL is already checked out (a nested use), a fresh uncached statement is used.
    /// - Throws: `SQLiteError` from preparing, and whatever `body` throws.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let db = try open()
        let statement: SQLiteStatement
        if let cached = statements[sql], !cached.inUse {
            statement = cached
        } else if statements[sql] == nil {
            statement = try SQLiteStatement(db: db, sql: sql)
            statements[sql] = statement
        } else {
            statement = try SQLiteStatement(db: db, sql: sql)
        }
        statement.inUse = true
        defer {
            statement.reset()
            statement.inUse = false
        }
        return try body(statement)
    }

    /// Runs a statement that returns no rows, after `bind` has bound its parameters.
    func run(_ sql: String, _ bind: (SQLiteStatement) throws -> Void = { _ in }) throws {
        try withStatement(sql) { s in
            try bind(s)
            try s.step()
        }
    }

    /// Runs a query and maps each row with `row`.
    func query<T>(_ sql: String, _ bind: (SQLiteStatement) throws -> Void = { _ in },
                  row: (SQLiteStatement) throws -> T) throws -> [T] {
        try withStatement(sql) { s in
            try bind(s)
            var out: [T] = []
            while try s.step() { out.append(try row(s)) }
            return out
        }
    }

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE` … `COMMIT`, `ROLLBACK` when it throws).
    ///
    /// `BEGIN IMMEDIATE` takes the write lock up front, waiting up to the busy timeout for other
    /// processes; a deferred transaction that first reads and then writes could instead fail at
    /// once with `SQLITE_BUSY_SNAPSHOT` when another process committed in between.
    /// - Throws: `SQLiteError` (`SQLITE_BUSY` when the lock stays taken), and whatever `body` throws.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            // A failed COMMIT or statement may already have rolled back; ignore "no transaction".
            if let db = handle, sqlite3_get_autocommit(db) == 0 { try? run("ROLLBACK") }
            throw error
        }
    }
}
