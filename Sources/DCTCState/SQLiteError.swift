import CDCTCSQLite
import DCTCCore

/// A failure reported by libsqlite3, classified for users.
///
/// `code` is the extended result code (`sqlite3_extended_errcode`; connections are opened
/// with `SQLITE_OPEN_EXRESCODE`), `message` is `sqlite3_errmsg` at the time of the failure.
/// `kind` groups the primary codes by what a user can do about them:
///
/// | C code | kind | `VFSError` code |
/// |---|---|---|
/// | `SQLITE_CORRUPT` (11), `SQLITE_NOTADB` (26) | `.corrupt` | `.io`, remedy: move the file away |
/// | `SQLITE_CANTOPEN` (14), `SQLITE_PERM` (3), `SQLITE_READONLY` (8), `SQLITE_AUTH` (23) | `.cannotOpen` | `.io`, remedy: check permissions or move it away |
/// | `SQLITE_IOERR` (10) and its extended codes, `SQLITE_NOLFS` (22) | `.io` | `.io` |
/// | `SQLITE_FULL` (13) | `.full` | `.io`, remedy: free disk space |
/// | `SQLITE_BUSY` (5), `SQLITE_LOCKED` (6) after the busy timeout | `.busy` | `.unavailable` (retryable) |
/// | `SQLITE_NOMEM` (7) | `.outOfMemory` | `.io` |
/// | everything else (`SQLITE_ERROR` (1), `SQLITE_CONSTRAINT` (19), `SQLITE_MISUSE` (21), …) | `.other` | `.io` |
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// What a user can do about a failure; see the table in the type's documentation.
    enum Kind: Sendable, Equatable {
        case corrupt, cannotOpen, io, full, busy, outOfMemory, other
        /// Not from SQLite: the store was closed (`StateStore.close()`) before the call.
        case closed
    }

    /// The extended result code (`SQLITE_NOTADB`, `SQLITE_IOERR_SHORT_READ`, …).
    var code: Int32
    /// `sqlite3_errmsg` for the connection, or `sqlite3_errstr(code)` when there is no connection.
    var message: String
    /// The C function that failed (`sqlite3_open_v2`, `sqlite3_step`, …).
    var function: String
    /// The SQL text being run, for `--verbose`.
    var sql: String?

    init(code: Int32, message: String? = nil, function: String, sql: String? = nil) {
        self.code = code
        self.message = message ?? SQLiteError.errstr(code)
        self.function = function
        self.sql = sql
    }

    /// Captures the connection's last error (`sqlite3_extended_errcode`, `sqlite3_errmsg`).
    init(connection db: OpaquePointer?, code fallback: Int32, function: String, sql: String? = nil) {
        if let db {
            let extended = sqlite3_extended_errcode(db)
            // sqlite3_errmsg describes the most recent failing call; when that call was not the
            // one that returned `fallback` (codes disagree), trust the code we were handed.
            let code = (extended & 0xFF) == (fallback & 0xFF) ? extended : fallback
            let message = (extended & 0xFF) == (fallback & 0xFF) ? sqlite3_errmsg(db).map { String(cString: $0) } : nil
            self.init(code: code, message: message, function: function, sql: sql)
        } else {
            self.init(code: fallback, function: function, sql: sql)
        }
    }

    /// The primary result code (the low byte of `code`).
    var primaryCode: Int32 { code & 0xFF }

    /// True for the error thrown by a call on a closed connection.
    var isClosed = false

    /// The error for a call made after `SQLiteConnection.close()` (reported as `SQLITE_MISUSE`).
    static let closed: SQLiteError = {
        var e = SQLiteError(code: SQLITE_MISUSE, message: "the state store was closed", function: "StateStore.close")
        e.isClosed = true
        return e
    }()

    var kind: Kind {
        if isClosed { return .closed }
        switch primaryCode {
        case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH: return .cannotOpen
        case SQLITE_IOERR, SQLITE_NOLFS: return .io
        case SQLITE_FULL: return .full
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_NOMEM: return .outOfMemory
        default: return .other
        }
    }

    /// The name of the primary code's constant, such as `SQLITE_NOTADB`.
    var codeName: String {
        let names: [Int32: String] = [
            SQLITE_ERROR: "SQLITE_ERROR", SQLITE_INTERNAL: "SQLITE_INTERNAL", SQLITE_PERM: "SQLITE_PERM",
            SQLITE_ABORT: "SQLITE_ABORT", SQLITE_BUSY: "SQLITE_BUSY", SQLITE_LOCKED: "SQLITE_LOCKED",
            SQLITE_NOMEM: "SQLITE_NOMEM", SQLITE_READONLY: "SQLITE_READONLY", SQLITE_INTERRUPT: "SQLITE_INTERRUPT",
            SQLITE_IOERR: "SQLITE_IOERR", SQLITE_CORRUPT: "SQLITE_CORRUPT", SQLITE_NOTFOUND: "SQLITE_NOTFOUND",
            SQLITE_FULL: "SQLITE_FULL", SQLITE_CANTOPEN: "SQLITE_CANTOPEN", SQLITE_PROTOCOL: "SQLITE_PROTOCOL",
            SQLITE_SCHEMA: "SQLITE_SCHEMA", SQLITE_TOOBIG: "SQLITE_TOOBIG", SQLITE_CONSTRAINT: "SQLITE_CONSTRAINT",
            SQLITE_MISMATCH: "SQLITE_MISMATCH", SQLITE_MISUSE: "SQLITE_MISUSE", SQLITE_NOLFS: "SQLITE_NOLFS",
            SQLITE_AUTH: "SQLITE_AUTH", SQLITE_RANGE: "SQLITE_RANGE", SQLITE_NOTADB: "SQLITE_NOTADB",
        ]
        return names[primaryCode] ?? "SQLite code \(primaryCode)"
    }

    /// `sqlite3_errstr`: the English text for a result code.
    static func errstr(_ code: Int32) -> String {
        sqlite3_errstr(code).map { String(cString: $0) } ?? "SQLite error \(code)"
    }

    var description: String { "\(function): \(message)" }

    /// The text kept in `VFSError.cause`: `SQLITE_NOTADB (26): file is not a database [sqlite3_step]`.
    var cause: String {
        var s = "\(codeName) (\(code)): \(SQLiteError.errstr(code))"
        if message != SQLiteError.errstr(code) { s += "; \(message)" }
        s += " [\(function)]"
        return s
    }

    /// This failure as the `VFSError` users see.
    ///
    /// A damaged or foreign file is `.io` with the remedy to move it away (losing the state
    /// file only costs speed); a lock held past the busy timeout is `.unavailable`, which is
    /// retryable.
    /// - Parameter path: the state file, as the user named it.
    func toVFSError(path: String) -> VFSError {
        switch kind {
        case .corrupt:
            return VFSError(.io, "the state file is damaged or not a dctc state file (\(message))", path: path,
                            remedy: StateStore.rebuildRemedy, backend: "state", cause: cause)
        case .cannotOpen:
            return VFSError(.io, "cannot open or write the state file (\(message))", path: path,
                            remedy: "check its permissions and its folder's, or \(StateStore.rebuildRemedy)",
                            backend: "state", cause: cause)
        case .io:
            return VFSError(.io, "I/O error on the state file (\(message))", path: path,
                            remedy: "check the disk, or \(StateStore.rebuildRemedy)", backend: "state", cause: cause)
        case .full:
            return VFSError(.io, "the disk holding the state file is full", path: path,
                            remedy: "free some space, or use --state to point elsewhere", backend: "state", cause: cause)
        case .busy:
            return VFSError(.unavailable, "the state file stayed locked by another dctc process (\(message))", path: path,
                            remedy: "retry when the other dctc finishes, or use --state to point elsewhere",
                            backend: "state", cause: cause)
        case .outOfMemory:
            return VFSError(.io, "SQLite ran out of memory", path: path, backend: "state", cause: cause)
        case .closed:
            return VFSError(.io, "the state store was used after being closed", path: path, backend: "state", cause: cause)
        case .other:
            return VFSError(.io, "state file query failed (\(message))", path: path,
                            remedy: "if this persists, \(StateStore.rebuildRemedy)", backend: "state", cause: cause)
        }
    }
}
