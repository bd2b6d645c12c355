import DCTCCore

/// The state file's schema, as an ordered list of migrations kept in code.
///
/// `schema_version` holds one row: the number of migrations applied. Opening a file applies
/// the missing ones in order, in one write transaction, re-reading the version after taking
/// the write lock so that two dctc processes opening a new file at once migrate it once.
/// A file whose version is higher than `latestVersion` was written by a newer dctc and is
/// refused rather than misread. Migrations are append-only: never edit a released step, add
/// a new one.
enum StateSchema {
    /// Each element is one migration: SQL statements run in order. Version N = first N applied.
    static let migrations: [[String]] = [
        // 1: hash cache, manifests, run history.
        [
            """
            CREATE TABLE hash_cache (
                device INTEGER NOT NULL,        -- st_dev, UInt64 bit pattern
                inode INTEGER NOT NULL,         -- st_ino, UInt64 bit pattern
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,      -- st_mtim, nanoseconds since 1970
                md5 TEXT, sha1 TEXT, sha256 TEXT,
                recorded_at REAL NOT NULL,      -- seconds since 2001 (Date's reference date)
                PRIMARY KEY (device, inode)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE manifest_root (
                id INTEGER PRIMARY KEY,
                root TEXT NOT NULL UNIQUE       -- "s3://bucket/prefix", compared byte-wise
            )
            """,
            """
            CREATE TABLE manifest_entry (
                root_id INTEGER NOT NULL,
                key BLOB NOT NULL,              -- path components joined by NUL (see ManifestKey)
                parent BLOB,                    -- key of the containing directory; NULL for the root itself
                size INTEGER NOT NULL,
                mtime REAL, etag TEXT, version TEXT,
                md5 TEXT, sha1 TEXT, sha256 TEXT,
                source_size INTEGER, source_mtime REAL,
                source_md5 TEXT, source_sha1 TEXT, source_sha256 TEXT,
                recorded_at REAL NOT NULL,
                PRIMARY KEY (root_id, key)
            ) WITHOUT ROWID
            """,
            // In a WITHOUT ROWID table an index carries the primary key, so this index is
            // ordered by (root_id, parent, key): children come out sorted without a sort step.
            "CREATE INDEX manifest_entry_by_parent ON manifest_entry (root_id, parent)",
            """
            CREATE TABLE run_history (
                id TEXT PRIMARY KEY,
                command TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
                started_at REAL NOT NULL, finished_at REAL NOT NULL,
                files_transferred INTEGER NOT NULL, bytes_transferred INTEGER NOT NULL,
                files_deleted INTEGER NOT NULL, errors INTEGER NOT NULL, exit_code INTEGER NOT NULL
            )
            """,
            "CREATE INDEX run_history_by_start ON run_history (started_at)",
        ],
        // 2: flow traces (dctc flow): what each (pipeline, step, partition) was last built from.
        [
            """
            CREATE TABLE flow_trace (
                pipeline TEXT NOT NULL,
                step TEXT NOT NULL,
                partition TEXT NOT NULL,
                trace TEXT,                     -- JSON of the last successful build (spec digest, inputs, output)
                built_at REAL,
                last_status TEXT NOT NULL,      -- built | failed | check-failed
                last_message TEXT,
                last_attempt_at REAL NOT NULL,
                PRIMARY KEY (pipeline, step, partition)
            ) WITHOUT ROWID
            """,
        ],
    ]

    /// The version this dctc writes.
    static var latestVersion: Int { migrations.count }

    /// The version recorded in the file; 0 for a file without `schema_version` (a new file).
    ///
    /// - Throws: `SQLiteError` (`SQLITE_NOTADB` and `SQLITE_CORRUPT` for a damaged file).
    static func currentVersion(_ db: SQLiteConnection) throws -> Int {
        let exists = try db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'") { _ in true }
        guard !exists.isEmpty else { return 0 }
        return try db.query("SELECT max(version) FROM schema_version") { Int($0.int64(0)) }.first ?? 0
    }

    /// Brings the file up to `latestVersion`.
    ///
    /// - Parameters:
    ///   - db: the open connection.
    ///   - path: the file, for the error message.
    ///   - migrations: the list to apply (tests pass their own).
    /// - Returns: the version found before migrating.
    /// - Throws: `VFSError(.unsupported)` with the remedy "use --state to point elsewhere or
    ///   upgrade dctc" when the file is newer than this dctc; `SQLiteError` otherwise.
    @discardableResult
    static func migrate(_ db: SQLiteConnection, path: String, migrations: [[String]] = migrations) throws -> Int {
        let latest = migrations.count
        // Fast path without the write lock: the usual case is an up-to-date file.
        let found = try currentVersion(db)
        try refuseNewer(found, latest: latest, path: path)
        if found == latest { return found }
        return try db.writeTransaction {
            let version = try currentVersion(db)
            try refuseNewer(version, latest: latest, path: path)
            try db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            for steps in migrations[version...] {
                for sql in steps { try db.execute(sql) }
            }
            try db.execute("DELETE FROM schema_version")
            try db.run("INSERT INTO schema_version (version) VALUES (?)") { try $0.bind(Int64(latest), at: 1) }
            return version
        }
    }

    private static func refuseNewer(_ version: Int, latest: Int, path: String) throws {
        guard version > latest else { return }
        throw VFSError(.unsupported,
                       "the state file was written by a newer dctc (schema version \(version); this dctc knows up to \(latest))",
                       path: path, remedy: "use --state to point elsewhere or upgrade dctc", backend: "state")
    }
}
