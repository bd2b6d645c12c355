import DCTCCore
import Foundation

/// One row of the flow trace table: the last successful build of a (pipeline, step,
/// partition) and the outcome of the last attempt.
///
/// The trace itself is opaque JSON owned by DCTCFlow (spec digest, input fingerprints, output
/// fingerprint): the state file only keeps it.
public struct FlowTraceRecord: Sendable, Hashable {
    public var pipeline: String
    public var step: String
    public var partition: String
    /// JSON of the last successful build, or nil when it never succeeded.
    public var trace: String?
    public var builtAt: Date?
    /// `built`, `failed` or `check-failed`.
    public var lastStatus: String
    public var lastMessage: String?
    public var lastAttemptAt: Date

    public init(pipeline: String, step: String, partition: String, trace: String?, builtAt: Date?,
                lastStatus: String, lastMessage: String?, lastAttemptAt: Date) {
        self.pipeline = pipeline; self.step = step; self.partition = partition
        self.trace = trace; self.builtAt = builtAt
        self.lastStatus = lastStatus; self.lastMessage = lastMessage; self.lastAttemptAt = lastAttemptAt
    }
}

extension StateStore {
    /// Every trace of a pipeline, keyed by step then partition text (one query: a no-op build of
    /// a thousand units reads them all at once).
    /// - Throws: `VFSError` naming the state file.
    public func flowTraces(pipeline: String) async throws -> [String: [String: FlowTraceRecord]] {
        try await perform { db in
            var out: [String: [String: FlowTraceRecord]] = [:]
            let rows = try db.query("""
                SELECT step, partition, trace, built_at, last_status, last_message, last_attempt_at
                FROM flow_trace WHERE pipeline = ?
                """, { try $0.bind(pipeline, at: 1) }) { s in
                FlowTraceRecord(pipeline: pipeline, step: s.text(0), partition: s.text(1), trace: s.optionalText(2),
                                builtAt: StoredDate.date(s.optionalDouble(3)), lastStatus: s.text(4),
                                lastMessage: s.optionalText(5), lastAttemptAt: StoredDate.date(s.double(6)) ?? Date())
            }
            for r in rows { out[r.step, default: [:]][r.partition] = r }
            return out
        }
    }

    /// Records a successful build: the trace replaces the previous one.
    /// - Throws: `VFSError` naming the state file.
    public func recordFlowBuild(pipeline: String, step: String, partition: String, trace: String, at date: Date = Date()) async throws {
        try await perform { db in
            try db.writeTransaction {
                try db.run("""
                    INSERT OR REPLACE INTO flow_trace (pipeline, step, partition, trace, built_at, last_status, last_message, last_attempt_at)
                    VALUES (?, ?, ?, ?, ?, 'built', NULL, ?)
                    """) { s in
                    try s.bind(pipeline, at: 1); try s.bind(step, at: 2); try s.bind(partition, at: 3)
                    try s.bind(trace, at: 4); try s.bind(StoredDate.value(date), at: 5); try s.bind(StoredDate.value(date), at: 6)
                }
            }
        }
    }

    /// Records a failed attempt (`failed` or `check-failed`), keeping the last successful trace.
    /// - Throws: `VFSError` naming the state file.
    public func recordFlowFailure(pipeline: String, step: String, partition: String, status: String, message: String,
                                  at date: Date = Date()) async throws {
        try await perform { db in
            try db.writeTransaction {
                try db.run("""
                    INSERT INTO flow_trace (pipeline, step, partition, trace, built_at, last_status, last_message, last_attempt_at)
                    VALUES (?, ?, ?, NULL, NULL, ?, ?, ?)
                    ON CONFLICT (pipeline, step, partition) DO UPDATE SET
                        last_status = excluded.last_status, last_message = excluded.last_message,
                        last_attempt_at = excluded.last_attempt_at
                    """) { s in
                    try s.bind(pipeline, at: 1); try s.bind(step, at: 2); try s.bind(partition, at: 3)
                    try s.bind(status, at: 4); try s.bind(message, at: 5); try s.bind(StoredDate.value(date), at: 6)
                }
            }
        }
    }

    /// Forgets the traces of a pipeline (all steps, or one).
    /// - Throws: `VFSError` naming the state file.
    public func dropFlowTraces(pipeline: String, step: String? = nil) async throws {
        try await perform { db in
            try db.writeTransaction {
                if let step {
                    try db.run("DELETE FROM flow_trace WHERE pipeline = ? AND step = ?") { s in
                        try s.bind(pipeline, at: 1); try s.bind(step, at: 2)
                    }
                } else {
                    try db.run("DELETE FROM flow_trace WHERE pipeline = ?") { try $0.bind(pipeline, at: 1) }
                }
            }
        }
    }
}
