import DCTCCore
import DCTCSSH
import Foundation

/// One pooled connection: an SSH session (with its own thread) and its SFTP subsystem.
final class SFTPConnection: Sendable {
    let session: SSHSession
    let sftp: SFTPClient

    init(session: SSHSession, sftp: SFTPClient) {
        self.session = session
        self.sftp = sftp
    }

    /// False once the connection failed or was closed.
    var isUsable: Bool { session.isConnected }
}

/// A connection lent to one operation.
struct SFTPLease: Sendable {
    let connection: SFTPConnection
    /// Opened for this checkout (rather than reused from the idle list).
    let fresh: Bool
}

/// Up to `maxConnections` SSH sessions to one server, opened when needed and lent to one
/// operation at a time.
///
/// A session serves one request at a time on its own thread (see `SSHSession`), so parallel
/// transfers need several sessions: an operation checks one out, uses it, and checks it back
/// in; a read stream holds its session until it ends or is cancelled. When all sessions are
/// lent, `checkout` waits (first come, first served) for one to come back. A session whose
/// connection failed is closed on check-in and its slot freed, so the next checkout opens a
/// new one. Never check out a second session while holding one: with `maxConnections`
/// sessions held that way, everyone would wait forever.
actor SFTPSessionPool {
    let config: SFTPConfig
    private var idle: [SFTPConnection] = []
    /// Sessions open or being opened (lent or idle).
    private var openCount = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<SFTPConnection?, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var closed = false
    /// The most sessions open at once so far.
    private(set) var peakOpen = 0
    /// Sessions opened so far (replacements of broken ones included).
    private(set) var opened = 0

    init(config: SFTPConfig) {
        self.config = config
    }

    /// Sessions open or being opened now.
    var openConnections: Int { openCount }

    /// Lends a session: an idle one, a new one while fewer than `maxConnections` are open, or
    /// the next one checked in.
    ///
    /// - Throws: `VFSError` naming `sftp://user@host:port` when a new session cannot be opened
    ///   (`.unavailable` for a refused connection, `.authenticationFailed` for rejected
    ///   credentials or host keys, each with a remedy); `.cancelled` when the task is cancelled
    ///   while waiting or the pool was closed.
    func checkout() async throws -> SFTPLease {
        while true {
            if Task.isCancelled { throw VFSError(.cancelled, "cancelled while waiting for an SFTP session", path: config.address) }
            if closed { throw VFSError(.cancelled, "the SFTP store was closed", path: config.address) }
            while let connection = idle.popLast() {
                if connection.isUsable { return SFTPLease(connection: connection, fresh: false) }
                discard(connection)
            }
            if openCount < config.maxConnections {
                openCount += 1
                peakOpen = max(peakOpen, openCount)
                do {
                    let connection = try await open()
                    opened += 1
                    return SFTPLease(connection: connection, fresh: true)
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw SFTPErrors.map(error, display: config.address)
                }
            }
            if let handed = try await waitForCheckin() {
                return SFTPLease(connection: handed, fresh: false)
            }
        }
    }

    /// Takes a session back: hands it to the first waiter, or keeps it idle; a broken one is
    /// closed and its slot freed.
    func checkin(_ connection: SFTPConnection) {
        guard connection.isUsable, !closed else {
            discard(connection)
            wakeOne()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    /// Closes the idle sessions and refuses new checkouts; lent sessions close when checked in.
    func close() async {
        closed = true
        let idleNow = idle
        idle.removeAll()
        openCount -= idleNow.count
        for waiter in waiters {
            waiter.continuation.resume(throwing: VFSError(.cancelled, "the SFTP store was closed", path: config.address))
        }
        waiters.removeAll()
        for connection in idleNow { await connection.session.disconnect() }
    }

    // MARK: - Private

    /// Opens a session, retrying with the shared `RetryPolicy` when the connect, the SSH
    /// handshake, the login or the SFTP subsystem start fails for a transient reason (refused,
    /// reset, cut, timed out); rejected credentials or host keys fail at once.
    private func open() async throws -> SFTPConnection {
        let options = config.connectionOptions
        let display = config.address
        return try await RetryPolicy.requests.run {
            do {
                return try await SFTPSessionPool.openOnce(options)
            } catch {
                throw SFTPErrors.map(error, display: display)
            }
        }
    }

    private static func openOnce(_ options: SSHConnectionOptions) async throws -> SFTPConnection {
        let session = try await SSHSession.connect(options)
        do {
            return SFTPConnection(session: session, sftp: try await session.openSFTP())
        } catch {
            await session.disconnect()
            throw error
        }
    }

    private func discard(_ connection: SFTPConnection) {
        openCount -= 1
        Task { await connection.session.disconnect() }
    }

    /// Wakes the first waiter without a session, so it may open one in a freed slot.
    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().continuation.resume(returning: nil) }
    }

    /// Waits for a check-in: returns the session handed over, or nil when a slot was freed.
    private func waitForCheckin() async throws -> SFTPConnection? {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SFTPConnection?, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: VFSError(.cancelled, "cancelled while waiting for an SFTP session",
                                                           path: config.address))
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: VFSError(.cancelled, "cancelled while waiting for an SFTP session",
                                                      path: config.address))
    }
}
