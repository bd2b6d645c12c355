import DCTCCore
import DCTCDigest
import Foundation

/// A lock per (pipeline, step, partition): an `flock` on a file in the lock folder, taken
/// without waiting. Held for the whole build of the unit; released when the process ends,
/// even on a crash.
final class UnitLock: Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func acquire(directory: String, pipeline: String, unit: UnitID) throws -> UnitLock? {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "\(pipeline)|\(unit.step)|\(unit.key)"
        let digest = (try? Digest.hash(Array(name.utf8), kind: .sha256)) ?? String(name.hashValue)
        let path = directory + "/" + digest + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw VFSError(.io, "cannot open a lock file (errno \(errno))", path: path, remedy: "check the state folder's permissions") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            close(fd)
            if e == EWOULDBLOCK { return nil }
            throw VFSError(.io, "cannot lock (errno \(e))", path: path)
        }
        let text = Array("\(name)\npid \(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        return UnitLock(fd: fd)
    }

    func release() {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

/// Who holds a unit's lock beside its output, and until when (the lock object's content).
public struct LockHolder: Sendable, Codable, Hashable {
    /// The worker's name: `$DCTC_WORKER_NAME`, else `HOST:PID`.
    public var owner: String
    public var host: String
    public var pid: Int32
    /// A random value telling this holder from a later one with the same name.
    public var token: String
    public var unit: String
    public var since: Date
    /// The lease's end: renewed while the step runs; past it, the worker is taken as dead.
    public var expires: Date

    /// A lease that ran out, or a process of this machine that is gone.
    func isStale(now: Date, host currentHost: String) -> Bool {
        if expires < now { return true }
        if host == currentHost, pid > 0, kill(pid, 0) != 0, errno == ESRCH { return true }
        return false
    }

    var sentence: String {
        "locked by worker \(owner) since \(FlowEngine.timestamp(since)) (lease until \(FlowEngine.timestamp(expires)))"
    }

    static func decode(_ bytes: [UInt8]) -> LockHolder? { try? Trace.decoder.decode(LockHolder.self, from: Data(bytes)) }
    func json() -> [UInt8] { (try? Array(Trace.encoder.encode(self))) ?? [] }

    static var currentHost: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static var currentWorker: String {
        if let name = ProcessInfo.processInfo.environment["DCTC_WORKER_NAME"], !name.isEmpty { return String(name.prefix(200)) }
        return "\(currentHost):\(getpid())"
    }
}

/// A lock beside a unit's output, seen by every machine that writes it: an object created
/// only when absent (S3 `If-None-Match: *`; `O_EXCL` for local files; a create-then-read-back
/// elsewhere), holding a `LockHolder` whose lease is renewed while the unit builds. A worker
/// that dies stops renewing: once the lease is over, the next run removes the lock and takes it.
final class StoreLock: Sendable {
    let location: Location
    let holder: Locked<LockHolder>
    let renewal: Locked<Task<Void, Never>?>
    /// Set when the lock was found taken over by another worker during the build.
    let lost = Locked(false)

    private init(location: Location, holder: LockHolder) {
        self.location = location
        self.holder = Locked(holder)
        self.renewal = Locked(nil)
    }

    enum Outcome: Sendable {
        case held(StoreLock)
        case busy(LockHolder?)
    }

    /// Tries once (with at most a few take-overs of stale locks) to take the lock of `output`.
    static func acquire(output: Location, unit: UnitID, lease: Double, env: FlowEnvironment) async throws -> Outcome {
        let loc = Sidecar.lockLocation(of: output)
        let host = LockHolder.currentHost
        for _ in 0..<3 {
            let now = Date()
            let mine = LockHolder(owner: LockHolder.currentWorker, host: host, pid: getpid(), token: UUID().uuidString,
                                  unit: unit.description, since: now, expires: now.addingTimeInterval(lease))
            if try await create(loc, bytes: mine.json(), token: mine.token, env: env) {
                let lock = StoreLock(location: loc, holder: mine)
                lock.startRenewing(every: max(lease / 3, 0.5), lease: lease)
                return .held(lock)
            }
            let current = try await read(loc)
            guard let current else {
                if try await loc.fs.infoIfExists(loc.path) == nil { continue }  // released meanwhile: try again
                // Unreadable content: treat it as held until its modification time plus a lease is over.
                if let info = try await loc.fs.infoIfExists(loc.path), let t = info.modificationTime, t.addingTimeInterval(lease) < now {
                    try? await loc.fs.remove(loc.path)
                    continue
                }
                return .busy(nil)
            }
            guard current.isStale(now: now, host: host) else { return .busy(current) }
            env.log("flow: \(unit): taking over the lock of \(current.owner) (lease ended \(FlowEngine.timestamp(current.expires)))")
            try? await loc.fs.remove(loc.path)
        }
        return .busy(try await read(loc))
    }

    /// The holder of an output's lock, when one is held (stale ones included).
    static func holder(of output: Location) async throws -> LockHolder? {
        try await read(Sidecar.lockLocation(of: output))
    }

    static func read(_ loc: Location) async throws -> LockHolder? {
        guard let info = try await loc.fs.infoIfExists(loc.path), info.isFile, (info.size ?? 0) <= 64 * 1024 else { return nil }
        do {
            return LockHolder.decode(try await loc.fs.readAll(loc.path, limit: 64 * 1024))
        } catch let e as VFSError where e.code == .notFound {
            return nil
        }
    }

    /// Creates the lock object when absent. True when this call created it.
    static func create(_ loc: Location, bytes: [UInt8], token: String, env: FlowEnvironment) async throws -> Bool {
        try await loc.fs.makeDirectories(loc.path.parent)
        if let exclusive = env.createExclusively, let created = try await exclusive(loc, bytes) {
            return created
        }
        if loc.fs.kind == .local {
            let path = loc.path.string
            return try await IOThread.detached(name: "dctc-flow-lock") {
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                if fd < 0 {
                    let e = errno
                    if e == EEXIST { return false }
                    throw VFSError(.io, "cannot create the lock file (errno \(e))", path: path, remedy: "check that the output's folder is writable")
                }
                defer { close(fd) }
                let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
                guard written == bytes.count else {
                    unlink(path)
                    throw VFSError(.io, "cannot write the lock file", path: path, remedy: "check free space")
                }
                return true
            }
        }
        // No conditional create on this store: create when absent, then read back to see who won.
        if try await loc.fs.infoIfExists(loc.path) != nil { return false }
        try await loc.fs.write(loc.path, bytes: bytes, attributes: .none)
        return try await read(loc)?.token == token
    }

    private func startRenewing(every interval: Double, lease: Double) {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
                if Task.isCancelled { return }
                let current = try? await StoreLock.read(location)
                let mine = holder.withLock { $0 }
                guard current?.token == mine.token else {
                    lost.withLock { $0 = true }
                    return
                }
                var renewed = mine
                renewed.expires = Date().addingTimeInterval(lease)
                if (try? await location.fs.write(location.path, bytes: renewed.json(), attributes: .none)) != nil {
                    holder.withLock { $0 = renewed }
                }
            }
        }
        renewal.withLock { $0 = task }
    }

    /// Stops renewing and removes the lock object, unless another worker took it over.
    func release() async {
        renewal.withLock { $0 }?.cancel()
        let mine = holder.withLock { $0 }
        if let current = try? await StoreLock.read(location), current.token == mine.token {
            try? await location.fs.remove(location.path)
        }
    }
}
