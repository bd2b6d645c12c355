import Foundation

/// A thread of our own that runs blocking work (libcurl, libssh2, disk) off the cooperative
/// pool, one job at a time, in submission order.
///
/// The cooperative pool is as wide as the CPU count (2 on our machines), so a blocking C call
/// there stalls every task in the process. Handles that must stay on one thread are created
/// and used inside jobs of one `IOThread` (see `ThreadConfined`).
public final class IOThread: @unchecked Sendable {
    /// The queue the thread serves. The thread holds the queue, not the `IOThread`, so
    /// dropping the last reference to an `IOThread` runs its `deinit`, which ends the thread
    /// once the queued jobs are done.
    private final class JobQueue: @unchecked Sendable {
        // Guarded by `condition`.
        let condition = NSCondition()
        var jobs: [@Sendable () -> Void] = []
        var stopping = false

        func loop() {
            while true {
                condition.lock()
                while jobs.isEmpty && !stopping { condition.wait() }
                if jobs.isEmpty && stopping { condition.unlock(); return }
                let job = jobs.removeFirst()
                condition.unlock()
                job()
            }
        }
    }

    private let queue = JobQueue()
    private let thread: Thread
    public let name: String

    public init(name: String, stackSize: Int = 1 << 20) {
        self.name = name
        let q = queue
        thread = Thread { q.loop() }
        thread.name = name
        thread.stackSize = stackSize
        thread.start()
    }

    deinit { shutdown() }

    /// Queues a job without waiting for it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        queue.condition.lock()
        if queue.stopping {
            queue.condition.unlock()
            job()  // run inline rather than drop it; it will see its resources closed
            return
        }
        queue.jobs.append(job)
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// Runs `body` on this thread and returns its result to the awaiting task.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            submit {
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
    }

    /// True when called on this thread.
    public var isCurrent: Bool { Thread.current === thread }

    /// Lets queued jobs finish, then ends the thread.
    public func shutdown() {
        queue.condition.lock()
        queue.stopping = true
        queue.condition.signal()
        queue.condition.unlock()
    }

    /// Runs one blocking call on a fresh thread (for one-off work such as a local `fsync`).
    public static func detached<T: Sendable>(name: String = "dctc-io", _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let t = IOThread(name: name)
        defer { t.shutdown() }
        return try await t.run(body)
    }
}

/// A value that may only be touched on its owning `IOThread`, made `Sendable` by confinement:
/// every access goes through `withValue`, which hops to that thread.
public final class ThreadConfined<Value>: @unchecked Sendable {
    private var value: Value
    public let thread: IOThread

    public init(_ value: Value, on thread: IOThread) {
        self.value = value
        self.thread = thread
    }

    /// Runs `body` with the value on the owning thread.
    public func withValue<T: Sendable>(_ body: @escaping @Sendable (inout Value) throws -> T) async throws -> T {
        try await thread.run { [self] in try body(&self.value) }
    }

    /// Synchronous access; must be called on the owning thread (e.g. inside a C callback).
    public func withValueOnThread<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        precondition(thread.isCurrent, "ThreadConfined value touched off its thread")
        return try body(&value)
    }
}
