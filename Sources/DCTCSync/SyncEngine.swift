import DCTCCompression
import DCTCCore
import DCTCDigest
import DCTCState
import Foundation

/// Runs `sync`, `copy` and `check` (and `cp -r`, `mv -r`) between any two stores, as
/// Join → Plan → Apply:
///
/// - `TreeJoin` lists both sides one directory at a time (`checkers` directories at once; a
///   side whose store lists a whole tree in one stream is listed so, see `TreeIndex`),
///   refuses unsafe names, and merge-joins the sorted listings by destination name;
/// - the `Comparator` judges each pair of files and the `Planner` turns every entry into a
///   `SyncAction` with its reason — the same value whether it is printed (`--dry-run`),
///   reported (`check`) or executed;
/// - the `Applier` executes the actions: transfers stream through a bounded queue to
///   `transfers` workers, deletions run last and only when the `DeletionPolicy` allows.
///
/// Memory is bounded by the widest directories being walked plus the queue, not by the tree
/// size (deletions are remembered as paths until the end).
public final class SyncEngine: Sendable {
    public let source: Location
    public let destination: Location
    public let options: SyncOptions
    public let counters = SyncCounters()
    let reporter: RunReporter
    let applier: Applier
    /// Folders missing at the destination, created when a file goes into them.
    let pendingDirectories = PendingDirectories()

    /// - Parameters:
    ///   - log: verbose lines and once-per-run notices (standard error in the CLI).
    ///   - onAction: every decision as it is made (the dry-run plan, `check`'s differences).
    ///   - observer: told about every transfer's bytes as they move.
    public init(source: Location, destination: Location, options: SyncOptions, events: EventSink? = nil,
                log: @escaping @Sendable (String) -> Void = { _ in },
                onAction: @escaping @Sendable (SyncAction) -> Void = { _ in },
                observer: (any TransferObserver)? = nil) {
        self.source = source
        self.destination = destination
        self.options = options
        self.reporter = RunReporter(counters: counters, events: events, log: log, onAction: onAction,
                                    dryRun: options.dryRun, mode: options.mode)
        self.applier = Applier(source: source, destination: destination, options: options, reporter: reporter,
                               observer: observer, manifestRoot: destination.fs.display(destination.path))
    }

    /// The manifest key of the destination root.
    var manifestRoot: String { destination.fs.display(destination.path) }

    /// What the run executed, or in a dry run would have executed: equal for a dry run and
    /// a real run of the same trees.
    public var plan: Plan { reporter.plan }

    var window: TimeInterval {
        options.modifyWindow ?? max(source.fs.capabilities.modificationTimePrecision,
                                    destination.fs.capabilities.modificationTimePrecision, 1e-6)
    }

    var comparator: Comparator { comparator(prefetched: nil) }

    /// - Parameter prefetched: the hash cache's answers for every file of a directory, read at once.
    func comparator(prefetched: [HashCacheKey: [HashKind: String]]?) -> Comparator {
        Comparator(options: options, source: source, destination: destination,
                   hashes: HashSource(state: options.state, counters: counters, prefetched: prefetched),
                   window: window, notices: reporter.notices)
    }

    private var planner: Planner {
        let destination = self.destination
        return Planner(mode: options.mode, immutable: options.immutable,
                       destinationHasDirectories: destination.fs.capabilities.hasDirectories,
                       displayDestination: { destination.fs.display(destination.path.appending(relative: $0)) })
    }

    private var treeJoin: TreeJoin {
        let reporter = self.reporter
        return TreeJoin(source: source, destination: destination, options: options, manifestRoot: manifestRoot,
                        refuse: { reporter.refuse($0, $1) })
    }

    // MARK: - Run

    /// Runs the whole job and returns its summary. Errors on single files are counted and
    /// kept (typed) in the summary; errors that stop the run (missing source root, bad
    /// credentials) are thrown. A cancelled run (Ctrl-C) returns with `interrupted` set,
    /// every file either complete or untouched (writes are atomic), and no deletions.
    public func run() async throws -> SyncSummary {
        // What the listings and walks leave out (unsafe names, link loops) comes here, not to the
        // process-wide sink: counted and kept in this run's summary, printed once by the reporter.
        let reporter = self.reporter
        let sink = SkippedEntries(notice: { entry in
            if entry.counts {
                // A name SafeName refuses, or (following links) a loop or a broken link.
                let isName = entry.reason.contains("name") || entry.reason.contains("path step")
                reporter.refuse(entry.address, entry.reason, isName: isName)
            } else {
                reporter.notices.once("skipped:" + entry.address, "note: \(entry)")
            }
        })
        return try await SkippedEntries.$current.withValue(sink) { try await runReportingSkips() }
    }

    private func runReportingSkips() async throws -> SyncSummary {
        let started = Date()
        let source = self.source
        let rootInfo = try await RetryPolicy(retries: options.retries, baseDelay: options.retryDelay).run {
            try await source.fs.info(source.path)
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

        // Whole-tree listings start now, alongside the walk's first directory.
        let indexes = TreeJoin.Indexes(
            source: indexTask(source, range: options.range),
            // Destination names differ from the source's when compressing, and so does their order.
            destination: destinationExists == nil ? nil : indexTask(destination, range: options.transform == .none ? options.range : .everything))
        defer {
            indexes.source?.cancel()
            indexes.destination?.cancel()
        }
        let applier = self.applier
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.transfers) {
                group.addTask { await applier.work() }
            }
            do {
                try await self.walk(indexes: indexes, destinationExists: destinationExists != nil)
            } catch {
                await applier.close()
                throw error
            }
            await applier.close()
            try await group.waitForAll()
        }
        counters.update { $0.listingDone = true }

        let interrupted = Task.isCancelled
        var deletionsSkipped: String?
        if options.mode == .sync {
            deletionsSkipped = try await applyDeletions(interrupted: interrupted)
        }
        try await applier.flush()
        let v = counters.values
        return SyncSummary(
            mode: options.mode.rawValue, source: source.fs.display(source.path), destination: manifestRoot,
            dryRun: options.dryRun, startedAt: started, durationSeconds: Date().timeIntervalSince(started),
            filesChecked: v.filesChecked, filesTransferred: v.filesTransferred, bytesTransferred: v.bytesTransferred,
            filesDeleted: v.filesDeleted, directoriesCreated: v.directoriesCreated, timesSet: v.timesSet,
            differences: v.differences, errors: reporter.collector.errors, skipped: reporter.collector.skipped,
            notices: reporter.notices.all, deletionsSkipped: deletionsSkipped, interrupted: interrupted,
            changed: reporter.collector.changed)
    }

    // MARK: - Walking

    /// Starts listing a side's whole tree when its store can do so in one stream; a failure or
    /// a tree over the limit gives nil, and that side is listed per directory.
    private func indexTask(_ location: Location, range: PathRange) -> Task<TreeIndex?, Never>? {
        guard location.fs.capabilities.recursiveListing else { return nil }
        let fs = location.fs
        let root = location.path
        return Task {
            do { return try await TreeIndex.load(fs, root: root, range: range) } catch { return nil }
        }
    }

    private func walk(indexes: TreeJoin.Indexes, destinationExists: Bool) async throws {
        let limit = AsyncSemaphore(options.checkers)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Depth-first over a work list: each directory job may add its subdirectories.
            let pending = DirectoryList()
            await pending.push(("", destinationExists))
            var running = 0
            while true {
                if Task.isCancelled { break }
                if let (dir, exists) = await pending.pop() {
                    running += 1
                    group.addTask {
                        try await limit.withPermit {
                            let subdirs = try await self.visit(dir, destinationExists: exists, indexes: indexes)
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

    /// One directory: join both sides, decide each entry, hand the actions on. Returns the
    /// subdirectories to visit.
    private func visit(_ dir: String, destinationExists: Bool, indexes: TreeJoin.Indexes) async throws -> [(String, Bool)] {
        let entries: [JoinedEntry]
        do {
            entries = try await treeJoin.entries(of: dir, destinationExists: destinationExists, indexes: indexes)
        } catch let failure as TreeJoin.ListingFailure {
            reporter.fail(failure.error, path: dir)
            return []
        }
        // The hash cache, read once for the whole directory instead of once per file.
        var prefetched: [HashCacheKey: [HashKind: String]]?
        if let state = options.state, options.compare == .checksum {
            let keys = entries.compactMap { $0.source?.kind == .file ? HashCacheKey($0.source!) : nil }
            // On failure each file asks on its own, and reports its own error.
            if !keys.isEmpty { prefetched = try? await state.cachedHashes(keys) }
        }
        let comparator = self.comparator(prefetched: prefetched)
        let planner = self.planner
        var subdirs: [(String, Bool)] = []
        for entry in entries {
            if Task.isCancelled { break }
            if let src = entry.source, src.isDirectory {
                switch planner.directory(entry) {
                case .conflict(let error):
                    reporter.fail(error, path: entry.path)
                case .descend(let create, let exists):
                    if let create {
                        if options.createEmptySourceDirectories {
                            reporter.planned(create)
                            guard await carryOut(directory: create) else { continue }
                        } else {
                            await pendingDirectories.add(create)
                        }
                    }
                    subdirs.append((entry.path, exists))
                }
            } else if let src = entry.source {
                try await decideFile(entry, src: src, comparator: comparator, planner: planner)
            } else if let dst = entry.destination {
                await onlyAtDestination(entry, dst: dst, planner: planner, index: await indexes.destination?.value)
            }
        }
        return subdirs
    }

    /// A directory action: `check` counts it, a dry run records it, a real run creates it.
    /// - Returns: false when creating it failed.
    private func carryOut(directory action: SyncAction) async -> Bool {
        if options.mode == .check {
            counters.update { $0.differences += 1 }
            return true
        }
        if options.dryRun {
            // A dry run counts the differences `check` would report.
            counters.update { $0.directoriesCreated += 1; $0.differences += 1 }
            reporter.record(action)
            return true
        }
        return await applier.makeDirectory(action)
    }

    private func decideFile(_ entry: JoinedEntry, src listed: FileInfo, comparator: Comparator, planner: Planner) async throws {
        counters.update { $0.filesChecked += 1 }
        if options.ignoreExisting, let dst = entry.destination, !dst.isDirectory {
            reporter.planned(planner.existing(entry, source: listed))
            return
        }
        var src = listed
        if entry.destination != nil || options.compare != .sizeOnly {
            // The source's listing may show upload times (S3): its kept time needs one info (HEAD).
            do {
                let fs = source.fs
                let retry = RetryPolicy(retries: options.retries, baseDelay: options.retryDelay)
                src = try await retry.run { try await fs.withKeptModificationTime(listed) }
            } catch {
                reporter.fail(VFSError.wrap(error, path: source.fs.display(listed.path)), path: entry.path)
                return
            }
        }
        guard let dst = entry.destination else {
            try await submit(planner.missing(entry, source: src), src: src)
            return
        }
        if dst.isDirectory {
            reporter.fail(planner.fileOverDirectory(entry), path: entry.path)
            return
        }
        let decision: Comparator.Decision
        do {
            decision = try await comparator.decide(path: entry.destinationPath, src: src, dst: dst, manifest: entry.recorded,
                                                   transformed: NameMapping(transform: options.transform).changesContent(ofFile: src.name))
        } catch {
            reporter.fail(VFSError.wrap(error, path: source.fs.display(src.path)), path: entry.path)
            return
        }
        if let update = decision.manifestUpdate { await applier.manifest.record(update) }
        if let conflict = planner.immutableConflict(entry, decision: decision) {
            reporter.fail(conflict, path: entry.path)
            return
        }
        let action = planner.compared(entry, source: src, decision: decision)
        if action.kind == .skip {
            reporter.planned(action)
            if entry.recorded == nil, decision.manifestUpdate == nil, options.state != nil, options.transform == .none {
                // Remember what is there, so the next run needs no HEAD or hash for it.
                await applier.manifest.record(ManifestEntry(path: entry.destinationPath, size: dst.size ?? 0,
                                                            modificationTime: dst.modificationTime, etag: dst.etag,
                                                            version: dst.version, hashes: dst.hashes.merging(decision.sourceHashes) { a, _ in a },
                                                            recordedAt: Date()))
            }
            return
        }
        try await submit(action, src: src, knownHashes: decision.sourceHashes)
    }

    /// A file action: `check` counts it, a dry run records it, a real run queues it.
    private func submit(_ action: SyncAction, src: FileInfo, knownHashes: [HashKind: String] = [:]) async throws {
        // The folders above the file, when missing, come first (planned, then created).
        await pendingDirectories.ensure(above: action.path) { dir in
            self.reporter.planned(dir)
            return await self.carryOut(directory: dir)
        }
        reporter.planned(action)
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
                $0.differences += 1
            }
            reporter.collector.changed(action.destinationPath, action.kind.rawValue, knownHashes)
            reporter.record(action)
            return
        }
        await applier.enqueue(Applier.TransferJob(action: action, source: src, knownHashes: knownHashes))
    }

    private func onlyAtDestination(_ entry: JoinedEntry, dst: FileInfo, planner: Planner, index: TreeIndex?) async {
        // `check` reports an entry only at the destination as one difference; a dry run says the same.
        if options.dryRun && options.mode != .check { counters.update { $0.differences += 1 } }
        guard let action = planner.onlyAtDestination(entry, destination: dst) else { return }
        if options.mode == .check {
            counters.update { $0.differences += 1 }
            reporter.planned(action)
            return
        }
        guard dst.isDirectory else {
            reporter.collector.deleteFile(entry.path)
            reporter.planned(action)
            return
        }
        // Everything below goes, files first, then the directories deepest first.
        do {
            let below: AsyncThrowingStream<FileInfo, any Error>
            if let index {
                let entries = index.subtree(of: entry.path)
                below = AsyncThrowingStream { c in
                    for e in entries { c.yield(e) }
                    c.finish()
                }
            } else {
                below = destination.fs.walk(dst.path)
            }
            for try await e in below {
                guard let sub = e.path.relative(to: destination.path) else { continue }
                if e.isDirectory { reporter.collector.deleteDirectory(sub) } else {
                    reporter.collector.deleteFile(sub)
                    reporter.planned(SyncAction(kind: .delete, path: sub, reason: "not at the source", size: e.size))
                }
            }
            reporter.collector.deleteDirectory(entry.path)
            reporter.planned(action)
        } catch { reporter.fail(VFSError.wrap(error), path: entry.path) }
    }

    // MARK: - Deletions

    /// Deletes what is only at the destination, after every transfer, when the
    /// `DeletionPolicy` allows it.
    /// - Returns: why deletions were skipped, or nil when they ran.
    private func applyDeletions(interrupted: Bool) async throws -> String? {
        let files = reporter.collector.filesToDelete
        let dirs = reporter.collector.directoriesToDelete
        guard !files.isEmpty || !dirs.isEmpty else { return nil }
        let v = counters.values
        let policy = DeletionPolicy(allowEmptySource: options.allowEmptySource, maxDelete: options.maxDelete)
        switch policy.verdict(deletions: files.count, filesChecked: v.filesChecked, errors: v.errors, interrupted: interrupted) {
        case .refused(let why, let key, let isError):
            if isError {
                reporter.collector.error(VFSError(.refused, why))
                counters.update { $0.errors += 1 }
            }
            reporter.notices.once(key, why)
            return why
        case .allowed:
            break
        }
        if options.dryRun {
            counters.update { $0.filesDeleted += files.count }
            for f in files {
                reporter.collector.changed(f, "delete", [:])
                reporter.record(SyncAction(kind: .delete, path: f, reason: "not at the source"))
            }
            if destination.fs.capabilities.hasDirectories {
                for d in dirs { reporter.record(SyncAction(kind: .removeDirectory, path: d, reason: "not at the source")) }
            }
            return nil
        }
        try await applier.delete(files: files, directories: dirs)
        return nil
    }
}

/// Folders missing at the destination that are created only when a file goes into them, each
/// once, parents first; a file waits until the folders above it exist.
actor PendingDirectories {
    private var pending: [String: SyncAction] = [:]
    private var made: [String: Task<Bool, Never>] = [:]

    func add(_ action: SyncAction) { pending[action.path] = action }

    /// Creates (through `make`) the pending folders above `path`, or waits for their creation.
    func ensure(above path: String, _ make: @escaping @Sendable (SyncAction) async -> Bool) async {
        guard !pending.isEmpty || !made.isEmpty else { return }
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            if let action = pending.removeValue(forKey: prefix) {
                let task = Task { await make(action) }
                made[prefix] = task
                _ = await task.value
            } else if let task = made[prefix] {
                _ = await task.value
            }
        }
    }
}

/// Directories waiting to be visited.
actor DirectoryList {
    private var items: [(String, Bool)] = []
    func push(_ item: (String, Bool)) { items.append(item) }
    func pop() -> (String, Bool)? { items.popLast() }
}
