import DCTCCompression
import DCTCCore
import DCTCState
import Foundation

/// Executes the plan's actions: transfers on `transfers` workers through a bounded queue
/// (each write atomic and verified, each attempt retried by `RetryPolicy`, each byte reported
/// to the `TransferObserver`), directories as they are reached, deletions last (in batches
/// where the store removes many at once), with manifest and hash-cache writes batched.
final class Applier: Sendable {
    let source: Location
    let destination: Location
    let options: SyncOptions
    let reporter: RunReporter
    let observer: (any TransferObserver)?
    let manifest: ManifestBatcher
    let hashCache: HashCacheBatcher
    private let queue = WorkQueue<TransferJob>(capacity: 1000)
    private let startedAt = Date()
    /// Bytes of the transfers started so far, and how many were left out by a limit.
    private let budget = Locked<(bytes: Int64, leftOut: Int)>((0, 0))

    /// One transfer or time change: the action and what the planner knew of the source.
    struct TransferJob: Sendable {
        let action: SyncAction
        let source: FileInfo
        let knownHashes: [HashKind: String]
    }

    init(source: Location, destination: Location, options: SyncOptions, reporter: RunReporter,
         observer: (any TransferObserver)?, manifestRoot: String) {
        self.source = source
        self.destination = destination
        self.options = options
        self.reporter = reporter
        self.observer = observer
        self.manifest = ManifestBatcher(state: options.mode == .check || options.dryRun ? nil : options.state, root: manifestRoot)
        self.hashCache = HashCacheBatcher(state: options.state)
    }

    private var counters: SyncCounters { reporter.counters }
    private var retry: RetryPolicy { RetryPolicy(retries: options.retries, baseDelay: options.retryDelay) }

    // MARK: - Transfers

    /// Queues a transfer or time change (waits while the queue is full).
    func enqueue(_ job: TransferJob) async { await queue.put(job) }

    /// No more jobs will come.
    func close() async { await queue.close() }

    /// One worker: takes jobs until the queue is closed and empty.
    func work() async {
        while let job = await queue.take() {
            if Task.isCancelled { continue }
            await execute(job)
        }
    }

    private func execute(_ job: TransferJob) async {
        let action = job.action
        let target = destination.path.appending(relative: action.destinationPath)
        let retry = self.retry
        do {
            if action.kind == .setTime {
                guard let setter = destination.fs as? any ModificationTimeSetting, let t = job.source.modificationTime else { return }
                try await retry.run { try await setter.setModificationTime(target, to: t) }
                counters.update { $0.timesSet += 1 }
                var entry = try await destination.fs.info(target)
                entry.hashes.merge(job.knownHashes) { a, _ in a }
                await manifest.record(manifestEntry(action.destinationPath, entry, source: job.source, setTime: t, transformed: false))
                done(action, bytes: nil, hashes: job.knownHashes)
                return
            }
            if let limit = limitReached(job) {
                leaveOut(action, because: limit)
                return
            }
            if action.kind == .update, let confirm = options.confirm,
               await !confirm(Confirm(kind: .replace, path: destination.fs.display(target))) {
                reporter.log("kept \(destination.fs.display(target)) (not confirmed)")
                return
            }
            if action.kind == .update, let backup = options.backupDirectory {
                try await backUp(action.destinationPath, to: backup)
            }
            let written = try await retry.run(
                { try await self.copy(job, to: target) },
                onRetry: { attempt, e, delay in
                    self.counters.update { $0.retries += 1 }
                    self.reporter.log("retrying \(self.destination.fs.display(target)) in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1)): \(e)")
                })
            counters.update { $0.filesTransferred += 1; $0.bytesTransferred += job.source.size ?? 0 }
            let transformed = options.transform != .none && action.path != action.destinationPath
            await manifest.record(manifestEntry(action.destinationPath, written.info, source: job.source,
                                                sourceHashes: written.sourceHashes, transformed: transformed))
            done(action, bytes: written.info.size, hashes: written.info.hashes)
        } catch {
            reporter.fail(VFSError.wrap(error, path: destination.fs.display(target)), path: action.path)
        }
    }

    /// The limit (`--max-duration`, `--max-transfer`) that forbids starting this transfer, or
    /// nil; otherwise counts its bytes against `--max-transfer`.
    private func limitReached(_ job: TransferJob) -> String? {
        if let max = options.maxDuration, Date().timeIntervalSince(startedAt) > max {
            return "--max-duration \(Int(max)) s reached"
        }
        guard let max = options.maxTransfer else { return nil }
        let size = job.source.size ?? 0
        return budget.withLock { b in
            if b.bytes + size > max { return "--max-transfer \(max) bytes reached" }
            b.bytes += size
            return nil
        }
    }

    /// A transfer a limit left out: the first one is an error of its own (so no deletion
    /// runs and the exit code says items were not done), each is counted.
    private func leaveOut(_ action: SyncAction, because limit: String) {
        let first = budget.withLock { b in b.leftOut += 1; return b.leftOut == 1 }
        reporter.log("not transferred: \(action.destinationPath) (\(limit))")
        guard first else { return }
        counters.update { $0.errors += 1 }
        reporter.collector.error(VFSError(.refused, "\(limit): files were left for the next run"))
    }

    /// Streams one file: source → (observer, hasher) → (codec) → destination, verified.
    private func copy(_ job: TransferJob, to target: VPath) async throws -> (info: FileInfo, sourceHashes: [HashKind: String]) {
        let src = job.source
        let transformed = NameMapping(transform: options.transform).changesContent(ofFile: src.name)
        let id = TransferID.next()
        observer?.transferStarted(id, path: destination.fs.display(target), size: src.size)
        do {
            let (sourceFS, direction, observer) = (source.fs, destination.bandwidthDirection, observer)
            let open: RangedContent = { offset, length in
                let range = offset > 0 || length != nil ? ByteRange(offset: offset, length: length) : nil
                return try await sourceFS.read(src.path, range: range).limited(direction).observed(by: observer, id: id)
            }
            let cacheKey = options.state != nil ? HashCacheKey(src) : nil
            // A large download keeps its partial file when interrupted; the next run reads the rest.
            if !transformed, let resumable = destination.fs as? any ResumableWriting,
               let key = PartialDownload.key(source: sourceFS, path: src.path, info: src) {
                var attributes = WriteAttributes(modificationTime: src.modificationTime, computeHashes: [.md5], sizeHint: src.size)
                if options.preservePermissions, let mode = src.mode { attributes.mode = mode & 0o777 }
                attributes.expectedSize = src.size
                attributes.expectedHashes = src.hashes.merging(job.knownHashes) { a, _ in a }
                let info = try await resumable.writeResuming(target, key: key, attributes: attributes, content: open)
                // The whole file was hashed and checked against the source: its hashes are the source's.
                let sourceHashes = job.knownHashes.merging(info.hashes) { a, _ in a }
                if let cacheKey, !info.hashes.isEmpty { await hashCache.remember(cacheKey, info.hashes) }
                observer?.transferFinished(id, error: nil)
                return (info, sourceHashes)
            }
            var stream = try await open(0, nil)
            // Hash sources while they stream, so the hash cache learns them for free.
            var hasher: SharedHasher?
            if cacheKey != nil || transformed {
                let h = try SharedHasher(kinds: [.md5])
                hasher = h
                stream = stream.transformed(by: h)
            }
            var attributes = WriteAttributes(modificationTime: src.modificationTime, computeHashes: [.md5], sizeHint: src.size)
            // Never wider than the source: its permission bits (setuid, setgid, sticky dropped)
            // where both stores have modes, unless --no-perms.
            if options.preservePermissions, let mode = src.mode {
                attributes.mode = mode & 0o777
            }
            switch options.transform {
            case .compress(let codec, let level) where transformed:
                stream = stream.compressed(with: codec, level: level)
                attributes.sizeHint = nil
            case .decompress where transformed:
                stream = try await stream.decompressed(displayPath: source.fs.display(src.path), name: src.name)
                attributes.sizeHint = nil
            default:
                attributes.expectedSize = src.size
                attributes.expectedHashes = src.hashes.merging(job.knownHashes) { a, _ in a }
                try await UpfrontHash.fill(&attributes, source: source.fs, info: src, destination: destination.fs, path: target)
            }
            if transformed {
                attributes.metadata["dctc-source-size"] = String(src.size ?? 0)
                if let t = src.modificationTime { attributes.metadata["dctc-source-mtime"] = String(format: "%.9f", t.timeIntervalSince1970) }
            }
            let info = try await destination.fs.write(target, from: stream, attributes: attributes)
            var sourceHashes = job.knownHashes
            if let hasher {
                let seen = hasher.results()
                if hasher.byteCount == src.size ?? hasher.byteCount { sourceHashes.merge(seen) { a, _ in a } }
                if let key = cacheKey, !seen.isEmpty {
                    await hashCache.remember(key, seen)
                }
            }
            observer?.transferFinished(id, error: nil)
            return (info, sourceHashes)
        } catch {
            observer?.transferFinished(id, error: error)
            throw error
        }
    }

    /// An action succeeded: counted in the events, the summary's changed paths and the plan.
    private func done(_ action: SyncAction, bytes: Int64?, hashes: [HashKind: String]) {
        reporter.collector.changed(action.destinationPath, action.kind.rawValue, hashes)
        reporter.record(action, bytes: bytes, hashes: hashes)
    }

    private func manifestEntry(_ path: String, _ info: FileInfo, source: FileInfo, sourceHashes: [HashKind: String] = [:],
                               setTime: Date? = nil, transformed: Bool) -> ManifestEntry {
        ManifestEntry(path: path, size: info.size ?? 0,
                      modificationTime: transformed ? info.modificationTime : (setTime ?? source.modificationTime ?? info.modificationTime),
                      etag: info.etag, version: info.version, hashes: info.hashes,
                      sourceSize: source.size, sourceHashes: sourceHashes.isEmpty ? source.hashes : sourceHashes,
                      sourceModificationTime: source.modificationTime, recordedAt: Date())
    }

    /// Copies a destination file into the backup directory before it is replaced or deleted.
    private func backUp(_ relative: String, to backup: Location) async throws {
        let from = Location(fs: destination.fs, path: destination.path.appending(relative: relative),
                            address: destination.address)
        let to = backup.with(path: backup.path.appending(relative: relative))
        try await Transfer.moveFile(from: from, to: to)
    }

    // MARK: - Directories

    /// Creates a directory the plan asks for.
    /// - Returns: false when it failed (the error is reported; nothing below is visited).
    func makeDirectory(_ action: SyncAction) async -> Bool {
        do {
            try await destination.fs.makeDirectories(destination.path.appending(relative: action.destinationPath))
            counters.update { $0.directoriesCreated += 1 }
            reporter.record(action)
            return true
        } catch {
            reporter.fail(VFSError.wrap(error), path: action.path)
            return false
        }
    }

    // MARK: - Deletions

    /// Deletes the planned files, then the planned directories deepest first.
    func delete(files planned: [String], directories plannedDirectories: [String]) async throws {
        var files = planned
        var directories = plannedDirectories
        if let confirm = options.confirm {
            // One question per file, in order; a folder holding a kept file stays too.
            var kept: [String] = []
            files = []
            for path in planned {
                let shown = destination.fs.display(destination.path.appending(relative: path))
                if await confirm(Confirm(kind: .delete, path: shown)) { files.append(path) } else {
                    kept.append(path)
                    reporter.log("kept \(shown) (not confirmed)")
                }
            }
            directories = plannedDirectories.filter { dir in !kept.contains { $0.hasPrefix(dir + "/") } }
        }
        var remaining = files
        if options.backupDirectory == nil, destination.fs.capabilities.batchRemoval {
            remaining = await removeInBatches(files)
        }
        let limit = AsyncSemaphore(options.checkers)
        await withTaskGroup(of: Void.self) { group in
            for path in remaining {
                group.addTask {
                    await limit.withPermit {
                        let target = self.destination.path.appending(relative: path)
                        do {
                            if let backup = self.options.backupDirectory {
                                try await self.backUp(path, to: backup)
                            } else {
                                let fs = self.destination.fs
                                try await self.retry.run { try await fs.remove(target) }
                            }
                            self.deleted(path)
                        } catch {
                            self.reporter.fail(VFSError.wrap(error, path: self.destination.fs.display(target)), path: path)
                        }
                    }
                }
            }
        }
        try await manifest.remove(files)
        guard destination.fs.capabilities.hasDirectories else { return }
        for dir in directories.sorted(by: { $0.split(separator: "/").count > $1.split(separator: "/").count }) {
            do {
                try await destination.fs.removeDirectory(destination.path.appending(relative: dir))
                counters.update { $0.directoriesRemoved += 1 }
                reporter.record(SyncAction(kind: .removeDirectory, path: dir, reason: "not at the source"))
            } catch let e as VFSError where e.code == .notFound {
                reporter.record(SyncAction(kind: .removeDirectory, path: dir, reason: "not at the source"))
            } catch {
                reporter.fail(VFSError.wrap(error), path: dir)
            }
        }
    }

    private func deleted(_ path: String) {
        counters.update { $0.filesDeleted += 1 }
        done(SyncAction(kind: .delete, path: path, reason: "not at the source"), bytes: nil, hashes: [:])
    }

    /// Deletes files 1,000 per request.
    /// - Returns: the files of batches that failed, to be deleted one by one (with an error each).
    private func removeInBatches(_ files: [String]) async -> [String] {
        var failed: [String] = []
        let fs = destination.fs
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(files.count, start + 1000)])
            do {
                let paths = chunk.map { destination.path.appending(relative: $0) }
                _ = try await retry.run { try await fs.removeMany(paths) }
                for path in chunk { deleted(path) }
            } catch {
                failed += chunk
            }
        }
        return failed
    }

    /// Writes what is still batched (manifest, hash cache).
    func flush() async throws {
        try? await hashCache.flush()
        try await manifest.flush()
    }
}

/// Manifest writes, batched into transactions.
actor ManifestBatcher {
    private let state: StateStore?
    private let root: String
    private var pending: [ManifestEntry] = []

    init(state: StateStore?, root: String) {
        self.state = state
        self.root = root
    }

    func record(_ entry: ManifestEntry) async {
        guard state != nil else { return }
        pending.append(entry)
        if pending.count >= 500 { try? await flush() }
    }

    func remove(_ paths: [String]) async throws {
        guard let state, !paths.isEmpty else { return }
        try await flush()
        try await state.removeManifest(root: root, paths: paths)
    }

    func flush() async throws {
        guard let state, !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll()
        try await state.recordManifest(root: root, entries: batch)
    }
}
