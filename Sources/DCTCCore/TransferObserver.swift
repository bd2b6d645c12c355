import Foundation

/// Receives the byte-level progress of transfers while they run: the seam between whatever moves
/// bytes (the sync engine's applier, `cp`, `dispatch`, `edit`, flow steps) and whatever shows
/// progress (the terminal progress display, `--stats` lines, a log file).
///
/// Calls come from many tasks and threads at once; implementations synchronise themselves and
/// return quickly (count, never block or draw inline).
public protocol TransferObserver: Sendable {
    /// A file transfer started. `size` is the number of bytes expected when known.
    func transferStarted(_ id: TransferID, path: String, size: Int64?)
    /// `bytes` more bytes of that transfer moved (called once per chunk, not per file).
    func transferProgressed(_ id: TransferID, bytes: Int64)
    /// The transfer ended: `error` is nil on success. Bytes counted for a failed attempt that is
    /// retried are taken back by the next `transferStarted` with the same path.
    func transferFinished(_ id: TransferID, error: (any Error)?)
}

/// Identifies one transfer attempt for a `TransferObserver`.
public struct TransferID: Hashable, Sendable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }

    private static let counter = Locked<UInt64>(0)
    /// A new identifier, unique in this process.
    public static func next() -> TransferID {
        TransferID(counter.withLock { value in value += 1; return value })
    }
}

extension ByteStream {
    /// This stream, reporting every chunk that passes to `observer` under `id`.
    public func observed(by observer: (any TransferObserver)?, id: TransferID) -> ByteStream {
        guard let observer else { return self }
        return transformed(by: ObservingTransform { chunk in
            observer.transferProgressed(id, bytes: Int64(chunk.count))
        })
    }
}

/// A value guarded by a lock: the one lock box of the project.
///
/// Use `withLock` for read-modify-write; `value` for a plain read or write.
public final class Locked<Value>: @unchecked Sendable {
    // Guarded by `lock`.
    private var stored: Value
    private let lock = NSLock()

    public init(_ value: Value) { stored = value }

    /// Runs `body` with exclusive access to the value.
    @discardableResult
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }

    /// The current value (a copy), or replaces it.
    public var value: Value {
        get { withLock { $0 } }
        set { withLock { $0 = newValue } }
    }
}
