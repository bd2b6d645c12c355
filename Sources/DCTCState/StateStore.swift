import CDCTCSQLite
import DCTCCore
import Foundation

/// One SQLite file holding dctc's state: the local hash cache, destination manifests, run
/// history, and (later) flow traces.
///
/// Everything in it is a cache of facts dctc can find out again: losing or deleting the file
/// only costs speed (files are hashed again, destinations compared again), never correctness.
/// A damaged file is reported with the remedy to move it away; dctc then starts a new one.
///
/// The file is opened in WAL mode with `synchronous=NORMAL`, so readers never wait for writers
/// and a power cut can lose at most the last few transactions (again: speed, not correctness).
/// Several dctc processes may use one file at once: writes take the lock with
/// `BEGIN IMMEDIATE` and wait for each other up to `busyTimeout`.
///
/// The connection lives on one `IOThread` of the store's own; every method hops there, so no
/// SQLite call ever blocks Swift's cooperative pool. Calls from many tasks are served one at
/// a time, in arrival order.
public final class StateStore: Sendable {
    /// The remedy for a damaged or unreadable state file.
    public static let rebuildRemedy = "move it away; dctc rebuilds it (only speed is lost)"

    /// The state file.
    public let path: String
    private let connection: ThreadConfined<SQLiteConnection>

    /// `$XDG_STATE_HOME/dctc/state.sqlite`, else `~/.local/state/dctc/state.sqlite`.
    ///
    /// Following the XDG base directory specification, only an absolute `XDG_STATE_HOME`
    /// counts; a relative or empty one is ignored. `~` is `HOME`, else the user's home folder.
    /// - Parameter environment: the environment to read (the process's by default).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            return join(xdg, "dctc/state.sqlite")
        }
        let home = Home.directory(environment)
        return join(home, ".local/state/dctc/state.sqlite")
    }

    private static func join(_ base: String, _ rest: String) -> String {
        base.hasSuffix("/") ? base + rest : base + "/" + rest
    }

    /// Opens or creates the state file.
    ///
    /// Missing parent folders are created with mode 0700 and a new file with mode 0600 (the
    /// file names the user's files and destinations). The file is put in WAL mode, given a busy
    /// timeout of 30 s, and its schema brought up to date (see `StateSchema`). This does
    /// blocking file I/O on the calling thread: open the store once, at startup.
    /// - Parameter path: the file (`defaultPath()`, or `--state PATH`).
    /// - Throws: `VFSError(.io)` naming the file, with the remedy "move it away; dctc rebuilds
    ///   it (only speed is lost)", when it is damaged, not a database or cannot be opened;
    ///   `VFSError(.unsupported)` with the remedy "use --state to point elsewhere or upgrade
    ///   dctc" when a newer dctc wrote it; `VFSError(.unavailable)` when another process keeps
    ///   it locked past the busy timeout.
    public convenience init(path: String) throws {
        try self.init(path: path, busyTimeout: .seconds(30))
    }

    /// Opens or creates the state file with a chosen busy timeout; see `init(path:)`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - busyTimeout: how long a write waits for another process's lock before failing.
    /// - Throws: as `init(path:)`.
    public init(path: String, busyTimeout: Duration) throws {
        self.path = path
        try StateFile.prepare(path)
        let db: SQLiteConnection
        do {
            db = try SQLiteConnection(path: path)
            let ms = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
            try db.setBusyTimeout(milliseconds: Int32(clamping: ms))
            try StateStore.enableWAL(db)
            // A power cut may lose the last transactions, never corrupt the file; a larger page
            // cache (allocated only as used) keeps big manifest batches in memory.
            try db.execute("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768")
            try StateSchema.migrate(db, path: path)
        } catch let error as SQLiteError {
            throw error.toVFSError(path: path)
        }
        connection = ThreadConfined(db, on: IOThread(name: "dctc-state"))
    }

    deinit {
        // Close on the store's thread: closing the last connection checkpoints the WAL, which
        // is file I/O that must not run on whichever thread dropped the store.
        let connection = self.connection
        connection.thread.submit { connection.withValueOnThread { $0.close() } }
    }

    /// Closes the file now (`sqlite3_close_v2`, which checkpoints the WAL when this is the last
    /// connection) instead of when the store is dropped. Later calls fail with `VFSError(.io)`.
    public func close() async {
        _ = try? await connection.withValue { $0.close() }
    }

    /// `PRAGMA journal_mode = WAL`, retried while another process holds the lock: switching
    /// a new file to WAL needs an exclusive lock and may report `SQLITE_BUSY` without waiting
    /// for the busy timeout when two processes create the file at once.
    private static func enableWAL(_ db: SQLiteConnection) throws {
        var attempt = 0
        while true {
            do {
                // A file system without shared memory support answers "delete": keep going.
                _ = try db.query("PRAGMA journal_mode = WAL") { $0.text(0) }
                return
            } catch let error as SQLiteError where error.kind == .busy && attempt < 100 {
                attempt += 1
                usleep(50_000)
            }
        }
    }

    // MARK: - Running on the store's thread

    /// Runs `body` with the connection on the store's thread, turning SQLite failures into
    /// `VFSError`s that name the state file.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await connection.withValue { db in try body(db) }
        } catch let error as SQLiteError {
            throw error.toVFSError(path: path)
        }
    }
}
