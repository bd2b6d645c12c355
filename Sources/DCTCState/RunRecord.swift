import Foundation

/// One row of run history: what a `dctc sync` (or another verb) did, recorded when it ends.
public struct RunRecord: Sendable, Codable, Hashable {
    /// A unique id chosen by the caller (a UUID). Recording the same id again replaces the row.
    public var id: String
    /// The verb (`sync`, `copy`, …).
    public var command: String
    /// The source address as the user typed it.
    public var source: String
    /// The destination address as the user typed it.
    public var destination: String
    public var startedAt: Date
    public var finishedAt: Date
    public var filesTransferred: Int
    public var bytesTransferred: Int64
    public var filesDeleted: Int
    /// The number of errors reported.
    public var errors: Int
    /// The process exit code.
    public var exitCode: Int32

    public init(id: String, command: String, source: String, destination: String,
                startedAt: Date, finishedAt: Date, filesTransferred: Int = 0, bytesTransferred: Int64 = 0,
                filesDeleted: Int = 0, errors: Int = 0, exitCode: Int32 = 0) {
        self.id = id
        self.command = command
        self.source = source
        self.destination = destination
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.filesTransferred = filesTransferred
        self.bytesTransferred = bytesTransferred
        self.filesDeleted = filesDeleted
        self.errors = errors
        self.exitCode = exitCode
    }
}
