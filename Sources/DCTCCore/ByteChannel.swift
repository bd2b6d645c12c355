import Foundation

/// A bounded buffer of byte chunks between one producer and one consumer, where either side
/// may be async code or a thread of our own that blocks.
///
/// This is what bridges the C libraries to async code: libcurl's write callback runs on the
/// transfer's own thread and calls `sendBlocking`, which waits while the buffer is full, so a
/// slow consumer slows the network transfer instead of growing memory. An async consumer
/// iterates the channel as a `ByteSource`. The reverse direction (uploads) uses `send` from
/// async code and `receiveBlocking` from the C read callback.
///
/// Written by hand because the library channels (swift-async-algorithms' `AsyncChannel`)
/// have no blocking side for threads that are not Swift tasks.
public final class ByteChannel: ByteSource, @unchecked Sendable {
    // All state is guarded by `condition`; async waiters are resumed while it is held.
    private let condition = NSCondition()
    private var buffer: [[UInt8]] = []
    private var bufferedBytes = 0
    private let capacity: Int
    private var finished = false
    private var failure: (any Error)?
    private var consumerGone = false
    private var consumerWaiter: CheckedContinuation<Void, Never>?
    private var producerWaiter: CheckedContinuation<Void, Never>?
    private var onCancel: (@Sendable () -> Void)?

    /// - Parameter capacity: bytes held before producers wait (at least one chunk always fits).
    public init(capacity: Int = 4 * ByteStream.defaultChunkSize) {
        self.capacity = max(1, capacity)
    }

    /// Runs `handler` once when the consumer cancels (e.g. to abort a transfer).
    public func setCancellationHandler(_ handler: @escaping @Sendable () -> Void) {
        condition.lock()
        let gone = consumerGone
        if !gone { onCancel = handler }
        condition.unlock()
        if gone { handler() }
    }

    public var stream: ByteStream { ByteStream(self) }

    /// True once the consumer has cancelled; producers should stop.
    public var isCancelled: Bool {
        condition.lock(); defer { condition.unlock() }
        return consumerGone
    }

    // MARK: - Producer side

    /// Appends a chunk, blocking the calling thread while the buffer is full.
    /// Never call this from a Swift task: it is for threads the wrappers own.
    /// - Throws: `VFSError.cancelled` when the consumer has gone away.
    public func sendBlocking(_ chunk: [UInt8]) throws {
        guard !chunk.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while !consumerGone && bufferedBytes >= capacity { condition.wait() }
        guard !consumerGone else { throw VFSError(.cancelled, "the reader stopped") }
        appendLocked(chunk)
    }

    /// Appends a chunk, suspending while the buffer is full.
    public func send(_ chunk: [UInt8]) async throws {
        guard !chunk.isEmpty else { return }
        while true {
            let ready: Bool = condition.withLock {
                if consumerGone { return true }
                if bufferedBytes < capacity { appendLocked(chunk); return true }
                return false
            }
            if ready { break }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                condition.lock()
                if consumerGone || bufferedBytes < capacity {
                    condition.unlock()
                    c.resume()
                } else {
                    producerWaiter = c
                    condition.unlock()
                }
            }
        }
        if isCancelled { throw VFSError(.cancelled, "the reader stopped") }
    }

    /// Marks the end of the data, or a failure that the consumer will see after the buffered chunks.
    public func finish(throwing error: (any Error)? = nil) {
        condition.lock()
        if !finished {
            finished = true
            failure = error
        }
        let waiter = consumerWaiter
        consumerWaiter = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume()
    }

    private func appendLocked(_ chunk: [UInt8]) {
        buffer.append(chunk)
        bufferedBytes += chunk.count
        let waiter = consumerWaiter
        consumerWaiter = nil
        condition.broadcast()
        waiter?.resume()
    }

    // MARK: - Consumer side

    /// The next chunk, waiting while the buffer is empty.
    /// - Throws: the producer's failure, or `CancellationError` when the consuming task is
    ///   cancelled while it waits (Ctrl-C must not wait for a producer that may never send,
    ///   such as standard input from a pipe left open).
    public func next() async throws -> [UInt8]? {
        while true {
            let result: Result<[UInt8]?, any Error>? = condition.withLock { takeLocked() }
            if let result { return try result.get() }
            try Task.checkCancellation()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    condition.lock()
                    if !buffer.isEmpty || finished || Task.isCancelled {
                        condition.unlock()
                        c.resume()
                    } else {
                        consumerWaiter = c
                        condition.unlock()
                    }
                }
            } onCancel: {
                condition.lock()
                let waiter = consumerWaiter
                consumerWaiter = nil
                condition.unlock()
                waiter?.resume()
            }
        }
    }

    /// Takes the next chunk, blocking the calling thread while the buffer is empty.
    public func receiveBlocking() throws -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = takeLocked() { return try result.get() }
            condition.wait()
        }
    }

    /// nil when the caller must wait.
    private func takeLocked() -> Result<[UInt8]?, any Error>? {
        if !buffer.isEmpty {
            let chunk = buffer.removeFirst()
            bufferedBytes -= chunk.count
            let waiter = producerWaiter
            producerWaiter = nil
            condition.broadcast()
            waiter?.resume()
            return .success(chunk)
        }
        if finished {
            if let failure { return .failure(failure) }
            return .success(nil)
        }
        return nil
    }

    public func cancel() async {
        cancelNow()
    }

    /// Cancels from synchronous code.
    public func cancelNow() {
        condition.lock()
        let first = !consumerGone
        consumerGone = true
        buffer.removeAll()
        bufferedBytes = 0
        let waiter = producerWaiter
        producerWaiter = nil
        let handler = first ? onCancel : nil
        onCancel = nil
        condition.broadcast()
        condition.unlock()
        waiter?.resume()
        handler?()
    }
}
