import DCTCCompression
import DCTCCore
import DCTCDigest
import DCTCState
import Foundation

/// Runs `sync`, `copy` and `check` between any two stores.
///
/// The walker lists both sides one directory at a time (`checkers` directories at once),
/// merge-joins the sorted listings by destination name and decides each file with the
/// `Comparator`; transfers stream through a bounded queue to `transfers` workers, each write
/// atomic and verified; deletions run last and only when nothing failed. Memory is bounded by
/// the widest directories being walked plus the queue, not by the tree size (deletions are
/// remembered as paths until the end).
///
/// A side whose store lists a whole tree in one stream (`RecursiveListing`: S3) is listed so,
/// while the other side's root is being listed, and grouped by directory (`TreeIndex`) up to
/// `TreeIndex.defaultLimit` entries; the walk then costs no request per directory there.
/// Deletions on a `BatchRemoving` store go 1,000 per request. The hash cache is read once per
/// directory and written in batches.
public final class SyncEngine: Sendable {
    public let source: Location
    public let destination: Location
    public let options: SyncOptions
    public let counters = SyncCounters()
    let events: EventSink?
    let log: @Sendable (String) -> Void
    let onAction: @Sendable (SyncAction) -> Void
    let notices: Notices
    let collector: RunCollector

    /// - Parameters:
    ///   - log: verbose lines and once-per-run notices (standard error in the CLI).
    ///   - onAction: every decision as it is made (the dry-run plan, `check`'s differences).
    public init(source: Location, destination: Location, options: SyncOptions, events: EventSink? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in },
                onAction: @escaping @Sendable (SyncAction) -> Void = { _ in }) {
        self.source = source
        self.destination = destination
        self.options = options
        self.events = events
        self.log = log
        self.onAction = onAction
        self.notices = Notices(sink: log)
        self.collector = RunCollector()
    }

    /// The manifest key of the destination root.
    var manifestRoot: String { destination.fs.display(destination.path) }

    var window: TimeInterval {
        options.modifyWindow ?? max(source.fs.capabilities.modificationTimePrecision,
                                    destination.fs.capabilities.modificationTimePrecision, 1e-6)
    }

    var comparator: Comparator { comparator(prefetched: nil) }

    /// - Parameter prefetched: the hash cache's answers for every file of a directory, read at once.
    func comparator(prefetched: [HashCacheKey: [HashKind: String]]?) -> Comparator {
        Comparator(options: options, source: source, destination: destination,
                   hashes: HashSource(state: options.state, counters: counters, prefetched: prefetched),
                   window: window, notices: notices)
    }

    // MARK: - Run

    /// Runs the whole job and returns its summary. Errors on single files are counted and
    /// reported in the summary; errors that stop the run (missing source root, bad
    /// credentials) are thrown.
    public func run() async throws -> SyncSummary {
        let started = Date()
        let rootInfo = try await RetryPolicy(retries: options.retries, baseDelay: options.retryDelay).run {
            try await self.source.fs.info(self.source.path)
        }
        guard rootInfo.isDirectory else {
            throw VFSError.invalid("the source is a file; sync and copy work on directories", path: source.fs.display(source.path),
                                   remedy: "name its folder and add --include NAME, or use `dctc cp` for one file")
        }
        let destinationExists = try await destination.fs.infoIfExists(destination.path)
        if let d = destinationExists, !d.isDirectory {
            throw VFSError(.notADirectory, "the destination is a file", path: destination.fs.display(destination.path),
                           remedy: "name a directory")
        }
        if destinationExists == nil && options.mode != .check && !options.dryRun {
            try await destination.fs.makeDirectories(destination.path)
        }

        let queue = WorkQueue<TransferJob>(capacity: 1000)
        let manifest = ManifestBatcher(state: options.mode == .check || options.dryRun ? nil : options.state, root: manifestRoot)
        let hashCache = HashCacheBatcher(state: options.state)
        // Whole-tree listings start now, alongside the walk's first directory.
        let indexes = TreeIndexes(
            source: indexTask(source, exists: true),
            destination: destinationExists == nil ? nil : indexTask(destination, exists: true))
        defer {
            indexes.source?.cancel()
            indexes.destination?.cancel()
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.transfers) {
                group.addTask { await self.transferWorker(queue, manifest, hashCache) }
            }
            do {
                try await self.walk(queue: queue, manifest: manifest, indexes: indexes, destinationExists: destinationExists != nil)
            } catch {
                await queue.close()
                throw error
            }
            await queue.close()
            try await group.waitForAll()
        }
        counters.update { $0.listingDone = true }
        try? await hashCache.flush()

        var deletionsSkipped: String?
        if options.mode == .sync {
            deletionsSkipped = try await applyDeletions(manifest: manifest)
        }
        try await manifest.flush()
        let v = counters.values
        let errs = collector.errors
        return SyncSummary(
            mode: options.mode.rawValue, source: source.fs.display(source.path), destination: manifestRoot,
            dryRun: options.dryRun, startedAt: started, durationSeconds: Date().timeIntervalSince(started),
            filesChecked: v.filesChecked, filesTransferred: v.filesTransferred, bytesTransferred: v.bytesTransferred,
            filesDeleted: v.filesDeleted, directoriesCreated: v.directoriesCreated, timesSet: v.timesSet,
            differences: v.differences, errors: errs, notices: notices.all, deletionsSkipped: deletionsSkipped,
            changed: collector.changed)
    }

    // MARK: - Walking

    /// The whole-tree listings being loaded for each side (nil: list per directory).
    struct TreeIndexes: Sendable {
        let source: Task<TreeIndex?, Never>?
        let destination: Task<TreeIndex?, Never>?
    }

    /// Starts listing a side's whole tree when its store can do so in one stream; a failure or
    /// a tree over the limit gives nil, and that side is listed per directory.
    private func indexTask(_ location: Location, exists: Bool) -> Task<TreeIndex?, Never>? {
        guard exists, let fs = location.fs as? any RecursiveListing else { return nil }
        let root = location.path
        return Task {
            do { return try await TreeIndex.load(fs, root: root) } catch { return nil }
        }
    }

    private func walk(queue: WorkQueue<TransferJob>, manifest: ManifestBatcher, indexes: TreeIndexes,
                      destinationExists: Bool) async throws {
        let limit = AsyncSemaphore(options.checkers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Depth-first over a work list: each directory job may add its subdirectories.
            let pending = DirectoryList()
            await pending.push(("", destinationExists))
            var running = 0
            while true {
                if let (dir, exists) = await pending.pop() {
                    running += 1
                    group.addTask {
                        try await limit.withPermit {
                            let subdirs = try await self.visit(dir, destinationExists: exists, indexes: indexes,
                                                               queue: queue, manifest: manifest)
                            for s in subdirs { await pending.push(s) }
                        }
                    }
                    continue
                }
                guard running > 0 else { break }
                try await group.next()
                running -= 1
            }
        }
    }

    /// One directory: list both sides, join, decide. Returns the subdirectories to visit.
    private func visit(_ dir: String, destinationExists: Bool, indexes: TreeIndexes, queue: WorkQueue<TransferJob>,
                       manifest: ManifestBatcher) async throws -> [(String, Bool)] {
        let retry = RetryPolicy(retries: options.retries, baseDelay: options.retryDelay)
        let srcDir = source.path.appending(relative: dir)
        let dstDir = destination.path.appending(relative: dir)
        let srcEntries: [FileInfo]
        do {
            if let index = await indexes.source?.value {
                // The root must exist (checked before the walk); deeper directories come from its listing.
                srcEntries = index.children(of: dir)
            } else {
                srcEntries = try await retry.run { try await self.source.fs.listAll(srcDir) }
            }
        } catch {
            fail(VFSError.wrap(error, path: source.fs.display(srcDir)), path: dir)
            return []
        }
        var dstEntries: [FileInfo] = []
        if destinationExists {
            if let index = await indexes.destination?.value {
                dstEntries = index.children(of: dir)
            } else {
                do {
                    dstEntries = try await retry.run { try await self.destination.fs.listAll(dstDir) }
                } catch let e as VFSError where e.code == .notFound {
                    dstEntries = []
                } catch {
                    fail(VFSError.wrap(error, path: destination.fs.display(dstDir)), path: dir)
                    return []
                }
            }
        }
        // Keyed by the name's bytes: String keys would merge NFC and NFD spellings of one name.
        var recorded: [[UInt8]: ManifestEntry] = [:]
        if let state = options.state {
            for entry in try await state.orderedManifestChildren(root: manifestRoot, directory: dir) {
                recorded[Array(entry.name.utf8)] = entry
            }
        }
        let mapping = NameMapping(transform: options.transform)

        // Source side, filtered, keyed by destination name.
        var src: [(name: String, info: FileInfo)] = []
        for e in srcEntries {
            let rel = join(dir, e.name)
            if e.isDirectory {
                if options.filters.shouldDescend(into: rel) { src.append((e.name, e)) }
            } else if e.kind == .file {
                guard options.filters.includes(file: rel, size: e.size, modificationTime: e.modificationTime),
                      options.shard?.contains(rel) ?? true else { continue }
                src.append((mapping.destinationName(ofFile: e.name), e))
            }
        }
        src.sort { $0.name.bytesPrecede($1.name) }
        // The hash cache, read once for the whole directory instead of once per file.
        var prefetched: [HashCacheKey: [HashKind: String]]?
        if let state = options.state, options.compare == .checksum {
            let keys = src.compactMap { $0.info.kind == .file ? HashCacheKey($0.info) : nil }
            // On failure each file asks on its own, and reports its own error.
            if !keys.isEmpty { prefetched = try? await state.cachedHashes(keys) }
        }
        let comparator = self.comparator(prefetched: prefetched)
        // Destination side: only what the filters and shard would cover is ours to delete.
        let dst = dstEntries.filter { e in
            guard !e.isDirectory else { return options.filters.shouldDescend(into: join(dir, e.name)) }
            let rel = join(dir, sourceName(ofDestination: e.name))
            // The destination file's own size and time: a file the size or age limits exclude is not ours to delete.
            return options.filters.includes(file: rel, size: e.size, modificationTime: e.modificationTime)
                && (options.shard?.contains(rel) ?? true)
        }.sorted { $0.name.bytesPrecede($1.name) }

        var subdirs: [(String, Bool)] = []
        var i = 0, j = 0
        while i < src.count || j < dst.count {
            let s = i < src.count ? src[i] : nil
            let d = j < dst.count ? dst[j] : nil
            if let s, let d, s.name.bytesEqual(d.name) {
                i += 1; j += 1
                try await pair(dir: dir, src: s.info, destName: s.name, dst: d, recorded: recorded[Array(d.name.utf8)],
                               comparator: comparator, queue: queue, manifest: manifest, subdirs: &subdirs)
            } else if let s, d == nil || s.name.bytesPrecede(d!.name) {
                i += 1
                try await pair(dir: dir, src: s.info, destName: s.name, dst: nil, recorded: nil,
                               comparator: comparator, queue: queue, manifest: manifest, subdirs: &subdirs)
            } else if let d {
                j += 1
                try await onlyAtDestination(dir: dir, dst: d, index: await indexes.destination?.value)
            }
        }
        return subdirs
    }

    /// The source-relative name a destination name stands for (for filters and shards).
    private func sourceName(ofDestination name: String) -> String {
        if case .compress(let codec, _) = options.transform { return codec.strippingExtension(from: name) ?? name }
        return name
    }

    private func pair(dir: String, src: FileInfo, destName: String, dst: FileInfo?, recorded: ManifestEntry?,
                      comparator: Comparator, queue: WorkQueue<TransferJob>, manifest: ManifestBatcher,
                      subdirs: inout [(String, Bool)]) async throws {
        let rel = join(dir, src.name)
        let destRel = join(dir, destName)
        if src.isDirectory {
            if let dst, !dst.isDirectory {
                fail(VFSError(.alreadyExists, "a file at the destination where the source has a directory",
                              path: destination.fs.display(destination.path.appending(relative: destRel)),
                              remedy: "remove or rename one of them"), path: rel)
                return
            }
            if dst == nil && !destination.fs.capabilities.hasDirectories {
                // An object store has no directories: the files below make the prefix, and an
                // empty directory cannot be kept (as rclone). Nothing to do, nothing differs.
            } else if dst == nil {
                report(SyncAction(kind: options.mode == .check ? .missingAtDestination : .makeDirectory, path: rel,
                                  reason: "directory missing at the destination"))
                if options.mode == .check {
                    counters.update { $0.differences += 1 }
                } else if !options.dryRun && destination.fs.capabilities.hasDirectories {
                    do {
                        try await destination.fs.makeDirectories(destination.path.appending(relative: destRel))
                        counters.update { $0.directoriesCreated += 1 }
                    } catch { fail(VFSError.wrap(error), path: rel); return }
                } else if options.dryRun {
                    counters.update { $0.directoriesCreated += 1 }
                }
            }
            subdirs.append((rel, dst != nil))
            return
        }
        counters.update { $0.filesChecked += 1 }
        var src = src
        if dst != nil || options.compare != .sizeOnly {
            // The source's listing may show upload times (S3): its kept time needs one info (HEAD).
            do { src = try await source.fs.withKeptModificationTime(src) } catch {
                fail(VFSError.wrap(error, path: source.fs.display(src.path)), path: rel)
                return
            }
        }
        guard let dst else {
            let action = SyncAction(kind: options.mode == .check ? .missingAtDestination : .copy, path: rel,
                                    destinationPath: destRel, reason: "missing at the destination", size: src.size)
            try await schedule(action, src: src, queue: queue)
            return
        }
        if dst.isDirectory {
            fail(VFSError(.isADirectory, "a directory at the destination where the source has a file",
                          path: destination.fs.display(destination.path.appending(relative: destRel)),
                          remedy: "remove or rename one of them"), path: rel)
            return
        }
        let decision: Comparator.Decision
        do {
            decision = try await comparator.decide(path: destRel, src: src, dst: dst, manifest: recorded,
                                                   transformed: NameMapping(transform: options.transform).changesContent(ofFile: src.name))
        } catch {
            fail(VFSError.wrap(error, path: source.fs.display(src.path)), path: rel)
            return
        }
        if let update = decision.manifestUpdate { await manifest.record(update) }
        switch decision.kind {
        case .skip:
            report(SyncAction(kind: .skip, path: rel, destinationPath: destRel, reason: decision.reason, size: src.size))
            if recorded == nil, decision.manifestUpdate == nil, options.state != nil, options.transform == .none {
                // Remember what is there, so the next run needs no HEAD or hash for it.
                await manifest.record(ManifestEntry(path: destRel, size: dst.size ?? 0,
                                                    modificationTime: dst.modificationTime, etag: dst.etag,
                                                    version: dst.version, hashes: dst.hashes.merging(decision.sourceHashes) { a, _ in a },
                                                    recordedAt: Date()))
            }
        default:
            let kind: SyncAction.Kind = options.mode == .check ? .differ : decision.kind
            try await schedule(SyncAction(kind: kind, path: rel, destinationPath: destRel, reason: decision.reason,
                                          size: src.size, sourceHashes: decision.sourceHashes),
                               src: src, queue: queue, knownHashes: decision.sourceHashes)
        }
    }

    private func schedule(_ action: SyncAction, src: FileInfo, queue: WorkQueue<TransferJob>,
                          knownHashes: [HashKind: String] = [:]) async throws {
        report(action)
        if options.mode == .check {
            counters.update { $0.differences += 1 }
            return
        }
        if action.isTransfer {
            counters.update { $0.filesToTransfer += 1; $0.bytesToTransfer += src.size ?? 0 }
        }
        if options.dryRun {
            counters.update {
                if action.isTransfer { $0.filesTransferred += 1; $0.bytesTransferred += src.size ?? 0 }
                if action.kind == .setTime { $0.timesSet += 1 }
            }
            collector.changed(action.destinationPath, action.kind.rawValue, knownHashes)
            return
        }
        await queue.put(TransferJob(action: action, source: src, knownHashes: knownHashes))
    }

    private func onlyAtDestination(dir: String, dst: FileInfo, index: TreeIndex?) async throws {
        let rel = join(dir, dst.name)
        if options.mode == .check {
            counters.update { $0.differences += 1 }
            report(SyncAction(kind: .missingAtSource, path: rel, reason: "only at the destination", size: dst.size))
            return
        }
        guard options.mode == .sync else { return }
        if dst.isDirectory {
            // Everything below goes, files first, then the directories deepest first.
            do {
                let below: AsyncThrowingStream<FileInfo, any Error>
                if let index {
                    let entries = index.subtree(of: rel)
                    below = AsyncThrowingStream { c in
                        for e in entries { c.yield(e) }
                        c.finish()
                    }
                } else {
                    below = destination.fs.walk(dst.path)
                }
                for try await entry in below {
                    guard let sub = entry.path.relative(to: destination.path) else { continue }
                    if entry.isDirectory { collector.deleteDirectory(sub) } else {
                        collector.deleteFile(sub, size: entry.size)
                        report(SyncAction(kind: .delete, path: sub, reason: "not at the source", size: entry.size))
                    }
                }
                collector.deleteDirectory(rel)
                report(SyncAction(kind: .removeDirectory, path: rel, reason: "not at the source"))
            } catch { fail(VFSError.wrap(error), path: rel) }
        } else {
            collector.deleteFile(rel, size: dst.size)
            report(SyncAction(kind: .delete, path: rel, reason: "not at the source", size: dst.size))
        }
    }

    // MARK: - Transfers

    struct TransferJob: Sendable {
        let action: SyncAction
        let source: FileInfo
        let knownHashes: [HashKind: String]
    }

    private func transferWorker(_ queue: WorkQueue<TransferJob>, _ manifest: ManifestBatcher, _ hashCache: HashCacheBatcher) async {
        while let job = await queue.take() {
            if Task.isCancelled { continue }
            await execute(job, manifest, hashCache)
        }
    }

    private func execute(_ job: TransferJob, _ manifest: ManifestBatcher, _ hashCache: HashCacheBatcher) async {
        let action = job.action
        let target = destination.path.appending(relative: action.destinationPath)
        let retry = RetryPolicy(retries: options.retries, baseDelay: options.retryDelay)
        do {
            if action.kind == .setTime {
                guard let setter = destination.fs as? any ModificationTimeSetting, let t = job.source.modificationTime else { return }
                try await retry.run { try await setter.setModificationTime(target, to: t) }
                counters.update { $0.timesSet += 1 }
                var entry = try await destination.fs.info(target)
                entry.hashes.merge(job.knownHashes) { a, _ in a }
                await manifest.record(manifestEntry(action.destinationPath, entry, source: job.source, setTime: t, transformed: false))
                emit(action, bytes: nil, hashes: job.knownHashes, error: nil)
                collector.changed(action.destinationPath, action.kind.rawValue, job.knownHashes)
                return
            }
            if action.kind == .update, let backup = options.backupDirectory {
                try await backUp(action.destinationPath, to: backup)
            }
            let written = try await retry.run(
                { try await self.copy(job, to: target, hashCache: hashCache) },
                onRetry: { attempt, e, delay in
                    self.counters.update { $0.retries += 1 }
                    self.log("retrying \(self.destination.fs.display(target)) in \(String(format: "%.1f", delay)) s (attempt \(attempt + 1)): \(e)")
                })
            counters.update { $0.filesTransferred += 1; $0.bytesTransferred += job.source.size ?? 0 }
            let transformed = options.transform != .none && action.path != action.destinationPath
            await manifest.record(manifestEntry(action.destinationPath, written.info, source: job.source,
                                                sourceHashes: written.sourceHashes, transformed: transformed))
            emit(action, bytes: written.info.size, hashes: written.info.hashes, error: nil)
            collector.changed(action.destinationPath, action.kind.rawValue, written.info.hashes)
        } catch {
            fail(VFSError.wrap(error, path: destination.fs.display(target)), path: action.path)
        }
    }

    /// Streams one file: source → (hash observer) → (codec) → destination, verified.
    private func copy(_ job: TransferJob, to target: VPath,
                      hashCache: HashCacheBatcher) async throws -> (info: FileInfo, sourceHashes: [HashKind: String]) {
        let src = job.source
        let transformed = NameMapping(transform: options.transform).changesContent(ofFile: src.name)
        var stream = try await source.fs.read(src.path, range: nil)
        // Hash local sources while they stream, so the hash cache learns them for free.
        var observer: SharedHasher?
        let cacheKey = options.state != nil ? HashCacheKey(src) : nil
        if cacheKey != nil || transformed {
            let h = try SharedHasher(kinds: [.md5])
            observer = h
            stream = stream.transformed(by: h)
        }
        var attributes = WriteAttributes(modificationTime: src.modificationTime, computeHashes: [.md5], sizeHint: src.size)
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
        if let observer {
            let seen = observer.results()
            if observer.byteCount == src.size ?? observer.byteCount { sourceHashes.merge(seen) { a, _ in a } }
            if let key = cacheKey, !seen.isEmpty {
                await hashCache.remember(key, seen)
            }
        }
        return (info, sourceHashes)
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
        if from.fs === to.fs, let mover = from.fs as? any Moving {
            try await mover.move(from: from.path, to: to.path)
        } else {
            try await Transfer.moveFile(from: from, to: to)
        }
    }

    // MARK: - Deletions

    /// Deletes what is only at the destination, after every transfer, and only when safe.
    /// - Returns: why deletions were skipped, or nil when they ran.
    private func applyDeletions(manifest: ManifestBatcher) async throws -> String? {
        let files = collector.filesToDelete
        let dirs = collector.directoriesToDelete
        guard !files.isEmpty || !dirs.isEmpty else { return nil }
        let v = counters.values
        if v.errors > 0 {
            let why = "deletions skipped: \(v.errors) error(s) happened, and deleting after a partial run could lose data"
            notices.once("deletions-skipped", why)
            return why
        }
        if v.filesChecked == 0 && !options.allowEmptySource {
            let why = "deletions skipped: the source has no files; add --allow-empty-source to empty the destination"
            collector.error(why)
            counters.update { $0.errors += 1 }
            notices.once("empty-source", why)
            return why
        }
        if let max = options.maxDelete, files.count > max {
            let why = "deletions skipped: \(files.count) files would be deleted, more than --max-delete \(max)"
            collector.error(why)
            counters.update { $0.errors += 1 }
            notices.once("max-delete", why)
            return why
        }
        if options.dryRun {
            counters.update { $0.filesDeleted += files.count }
            for f in files { collector.changed(f, "delete", [:]) }
            return nil
        }
        var remaining = files
        if options.backupDirectory == nil, let batch = destination.fs as? any BatchRemoving {
            remaining = await removeInBatches(files, with: batch)
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
                                try await RetryPolicy(retries: self.options.retries, baseDelay: self.options.retryDelay).run {
                                    try await self.destination.fs.remove(target)
                                }
                            }
                            self.counters.update { $0.filesDeleted += 1 }
                            self.emit(SyncAction(kind: .delete, path: path, reason: "not at the source"), bytes: nil, hashes: [:], error: nil)
                            self.collector.changed(path, "delete", [:])
                        } catch {
                            self.fail(VFSError.wrap(error, path: self.destination.fs.display(target)), path: path)
                        }
                    }
                }
            }
        }
        try await manifest.remove(files)
        if destination.fs.capabilities.hasDirectories {
            for dir in dirs.sorted(by: { $0.split(separator: "/").count > $1.split(separator: "/").count }) {
                do {
                    try await destination.fs.removeDirectory(destination.path.appending(relative: dir))
                    counters.update { $0.directoriesRemoved += 1 }
                } catch let e as VFSError where e.code == .notFound {
                } catch {
                    fail(VFSError.wrap(error), path: dir)
                }
            }
        }
        return nil
    }

    /// Deletes files 1,000 per request.
    /// - Returns: the files of batches that failed, to be deleted one by one (with an error each).
    private func removeInBatches(_ files: [String], with store: any BatchRemoving) async -> [String] {
        var failed: [String] = []
        for start in stride(from: 0, to: files.count, by: 1000) {
            let chunk = Array(files[start..<min(files.count, start + 1000)])
            do {
                let paths = chunk.map { destination.path.appending(relative: $0) }
                _ = try await RetryPolicy(retries: options.retries, baseDelay: options.retryDelay).run {
                    try await store.removeMany(paths)
                }
                counters.update { $0.filesDeleted += chunk.count }
                for path in chunk {
                    emit(SyncAction(kind: .delete, path: path, reason: "not at the source"), bytes: nil, hashes: [:], error: nil)
                    collector.changed(path, "delete", [:])
                }
            } catch {
                failed += chunk
            }
        }
        return failed
    }

    // MARK: - Reporting

    private func report(_ action: SyncAction) {
        onAction(action)
        if options.dryRun || options.mode == .check, action.kind != .skip {
            emit(action, bytes: action.size, hashes: [:], error: nil)
        }
    }

    private func emit(_ action: SyncAction, bytes: Int64?, hashes: [HashKind: String], error: String?) {
        events?.emit(SyncEvent(time: Date(), action: action.kind.rawValue, path: action.path,
                               destinationPath: action.destinationPath == action.path ? nil : action.destinationPath,
                               reason: action.reason, bytes: bytes,
                               hashes: hashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: hashes.map { ($0.key.rawValue, $0.value) }),
                               error: error, dryRun: options.dryRun ? true : nil))
    }

    private func fail(_ error: VFSError, path: String) {
        counters.update { $0.errors += 1 }
        collector.error(error.description)
        log(error.description)
        events?.emit(SyncEvent(time: Date(), action: "error", path: path, error: error.description))
    }
}

/// Directories waiting to be visited.
actor DirectoryList {
    private var items: [(String, Bool)] = []
    func push(_ item: (String, Bool)) { items.append(item) }
    func pop() -> (String, Bool)? { items.popLast() }
}

/// Results gathered across tasks: errors, changed paths, deletions to do at the end.
final class RunCollector: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var _errors: [String] = []
    private var _changed: [SyncSummary.ChangedPath] = []
    private var _files: [String] = []
    private var _dirs: [String] = []

    func error(_ message: String) { lock.withLock { _errors.append(message) } }
    func changed(_ path: String, _ action: String, _ hashes: [HashKind: String]) {
        let h = hashes.isEmpty ? nil : Dictionary(uniqueKeysWithValues: hashes.map { ($0.key.rawValue, $0.value) })
        lock.withLock { _changed.append(.init(path: path, action: action, hashes: h)) }
    }
    func deleteFile(_ path: String, size: Int64?) { lock.withLock { _files.append(path) } }
    func deleteDirectory(_ path: String) { lock.withLock { _dirs.append(path) } }

    var errors: [String] { lock.withLock { _errors } }
    var changed: [SyncSummary.ChangedPath] { lock.withLock { _changed.sorted { $0.path.bytesPrecede($1.path) } } }
    var filesToDelete: [String] { lock.withLock { _files } }
    var directoriesToDelete: [String] { lock.withLock { _dirs } }
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
