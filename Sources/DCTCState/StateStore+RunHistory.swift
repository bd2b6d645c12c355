import DCTCCore
import Foundation

// MARK: - Run history (small; the sync CLI records one row per run)

extension StateStore {
    /// The most runs kept; recording one more drops the oldest.
    public static let runHistoryLimit = 10_000

    private static let runColumns =
        "id, command, source, destination, started_at, finished_at, files_transferred, bytes_transferred, "
        + "files_deleted, errors, exit_code"

    /// Records one run (replacing a run with the same id), keeping the latest
    /// `runHistoryLimit` runs by start time.
    ///
    /// - Throws: `VFSError` naming the state file.
    public func recordRun(_ run: RunRecord) async throws {
        try await perform { db in
            try db.writeTransaction {
                try db.run("INSERT OR REPLACE INTO run_history (\(StateStore.runColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") { s in
                    try s.bind(run.id, at: 1)
                    try s.bind(run.command, at: 2)
                    try s.bind(run.source, at: 3)
                    try s.bind(run.destination, at: 4)
                    try s.bind(StoredDate.value(run.startedAt), at: 5)
                    try s.bind(StoredDate.value(run.finishedAt), at: 6)
                    try s.bind(Int64(run.filesTransferred), at: 7)
                    try s.bind(run.bytesTransferred, at: 8)
                    try s.bind(Int64(run.filesDeleted), at: 9)
                    try s.bind(Int64(run.errors), at: 10)
                    try s.bind(Int64(run.exitCode), at: 11)
                }
                try db.run("""
                    DELETE FROM run_history WHERE rowid IN (
                        SELECT rowid FROM run_history ORDER BY started_at DESC, rowid DESC LIMIT -1 OFFSET ?)
                    """) { try $0.bind(Int64(StateStore.runHistoryLimit), at: 1) }
            }
        }
    }

    /// The latest runs, most recent start first.
    ///
    /// - Parameter limit: the most runs to return.
    /// - Throws: `VFSError` naming the state file.
    public func recentRuns(limit: Int) async throws -> [RunRecord] {
        try await perform { db in
            try db.query("SELECT \(StateStore.runColumns) FROM run_history ORDER BY started_at DESC, rowid DESC LIMIT ?",
                         { try $0.bind(Int64(max(0, limit)), at: 1) }) { s in
                RunRecord(id: s.text(0), command: s.text(1), source: s.text(2), destination: s.text(3),
                          startedAt: StoredDate.date(s.double(4)) ?? Date(timeIntervalSinceReferenceDate: 0),
                          finishedAt: StoredDate.date(s.double(5)) ?? Date(timeIntervalSinceReferenceDate: 0),
                          filesTransferred: Int(s.int64(6)), bytesTransferred: s.int64(7),
                          filesDeleted: Int(s.int64(8)), errors: Int(s.int64(9)),
                          exitCode: Int32(truncatingIfNeeded: s.int64(10)))
            }
        }
    }
}
