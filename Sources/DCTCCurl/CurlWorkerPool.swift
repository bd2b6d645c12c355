import DCTCCore
import Foundation

/// A fixed set of worker threads, each owning one reusable easy handle, and a queue of
/// transfers waiting for a free worker.
///
/// Threads are created on demand up to `size` and then kept; a transfer never gets a thread
/// of its own, so a burst of requests queues instead of growing the process. Each worker runs
/// one transfer at a time, from configuration to the last body byte, and then takes the next
/// queued transfer (first come, first served). Its easy handle is reset between transfers,
/// which keeps the handle's connection cache: consecutive requests to one server reuse the
/// connection.
final class CurlWorkerPool: @unchecked Sendable {
    /// One thread and the easy handle that lives on it.
    private final class Worker: Sendable {
        let thread: IOThread
        let easy: ThreadConfined<CurlEasy?>

        init(name: String) {
            thread = IOThread(name: name)
            easy = ThreadConfined(nil, on: thread)
        }
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var all: [Worker] = []
    private var idle: [Worker] = []
    private var waiting: [CurlTransfer] = []
    private var closed = false

    // Immutable.
    private let size: Int
    private let name: String
    private let defaults: CurlEasy.Defaults
    private let share: CurlShare

    init(size: Int, name: String, defaults: CurlEasy.Defaults, share: CurlShare) {
        self.size = max(1, size)
        self.name = name
        self.defaults = defaults
        self.share = share
    }

    /// Starts `transfer` on an idle worker, or queues it until one is free.
    func submit(_ transfer: CurlTransfer) {
        lock.lock()
        if closed {
            lock.unlock()
            transfer.abandon(VFSError(.cancelled, "the HTTP/FTP client was shut down", path: transfer.displayURL))
            return
        }
        let worker: Worker
        if let w = idle.popLast() {
            worker = w
        } else if all.count < size {
            worker = Worker(name: "\(name)-\(all.count + 1)")
            all.append(worker)
        } else {
            waiting.append(transfer)
            lock.unlock()
            return
        }
        lock.unlock()
        start(transfer, on: worker)
    }

    /// Transfers waiting for a worker (for tests and diagnostics).
    var queuedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return waiting.count
    }

    /// Removes a transfer that has not started yet.
    ///
    /// - Returns: true when it was still queued (the caller then fails it).
    func withdraw(_ transfer: CurlTransfer) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let i = waiting.firstIndex(where: { $0 === transfer }) else { return false }
        waiting.remove(at: i)
        return true
    }

    /// Fails queued transfers, lets running ones finish, frees each easy handle on its own
    /// thread (closing a connection can block) and ends the threads.
    func shutdown() {
        lock.lock()
        closed = true
        let queued = waiting
        waiting = []
        let workers = all
        lock.unlock()
        for t in queued {
            t.abandon(VFSError(.cancelled, "the HTTP/FTP client was shut down", path: t.displayURL))
        }
        for w in workers {
            w.thread.submit { w.easy.withValueOnThread { $0 = nil } }
            w.thread.shutdown()
        }
    }

    private func start(_ transfer: CurlTransfer, on worker: Worker) {
        worker.thread.submit { [self] in
            run(transfer, on: worker)
            next(after: worker)
        }
    }

    private func run(_ transfer: CurlTransfer, on worker: Worker) {
        worker.easy.withValueOnThread { easy in
            if easy == nil {
                do {
                    easy = try CurlEasy(defaults: defaults, share: share)
                } catch {
                    transfer.abandon(error)
                    return
                }
            }
            if let easy { transfer.run(on: easy) }
        }
    }

    /// On the worker's thread after a transfer: take the next queued one, or become idle.
    private func next(after worker: Worker) {
        lock.lock()
        if !closed, !waiting.isEmpty {
            let t = waiting.removeFirst()
            lock.unlock()
            start(t, on: worker)
            return
        }
        idle.append(worker)
        lock.unlock()
    }
}
