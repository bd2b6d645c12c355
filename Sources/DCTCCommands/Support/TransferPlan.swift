import DCTCCompression
import DCTCCore
import DCTCSync
import Foundation

/// One file to copy or move, with where it goes.
struct FileJob: Sendable {
    let source: Location
    let info: FileInfo
    let destination: Location
}

/// How `cp` and `mv` map sources to destinations, following cp(1):
/// - one source file and a destination that is not an existing directory (and has no
///   trailing `/`): the destination is the new file's name;
/// - otherwise the destination is a directory (created when missing) and each source goes
///   inside it under its own name;
/// - a source directory written with a trailing `/` contributes its contents, not itself.
struct TransferPlanner {
    let ctx: CommandContext
    let recursive: Bool
    /// Renames the destination file (compression suffixes); nil keeps the name.
    let rename: (@Sendable (String) -> String)?

    struct Plan {
        var files: [FileJob] = []
        /// Directory trees, each copied by the sync engine (copy mode) into its root.
        var trees: [(source: Location, root: Location)] = []
        /// Directories to create at the destination (so empty ones are copied too).
        var directories: [Location] = []
        /// Source directories, deepest last (for `mv` to remove afterwards).
        var sourceDirectories: [Location] = []
    }

    func plan(sources: [(Location, FileInfo, trailingSlash: Bool)], destination text: String,
              reporter: ErrorReporter) async throws -> Plan {
        let dest = try await ctx.location(text)
        let destInfo = try await dest.fs.infoIfExists(dest.path)
        if let destInfo, !destInfo.isDirectory, sources.count > 1 || sources.first?.1.isDirectory == true {
            throw VFSError(.notADirectory, "destination is a file, but the sources need a directory", path: text,
                           remedy: "name a directory, or copy one file at a time")
        }
        let intoDirectory = sources.count > 1 || destInfo?.isDirectory == true || dest.address.trailingSlash
        var plan = Plan()
        for (src, info, trailing) in sources {
            if !info.isDirectory {
                var target = dest
                if intoDirectory { target = dest.appending(rename?(src.path.name) ?? src.path.name) }
                try checkNotInside(src, target)
                plan.files.append(FileJob(source: src, info: info, destination: target))
                continue
            }
            guard recursive else {
                reporter.report(VFSError(.isADirectory, "is a directory", path: src.fs.display(src.path),
                                         remedy: "use -r to copy a directory tree"))
                continue
            }
            let root = (destInfo != nil || intoDirectory) && !trailing ? dest.appending(src.path.name) : dest
            try checkNotInside(src, root)
            plan.trees.append((src, root))
        }
        return plan
    }

    /// Refuses to copy a tree into itself.
    private func checkNotInside(_ source: Location, _ target: Location) throws {
        guard source.fs === target.fs else { return }
        if target.path == source.path {
            throw VFSError.invalid("source and destination are the same", path: source.fs.display(source.path))
        }
        if target.path.hasPrefix(source.path) {
            throw VFSError.invalid("cannot copy a directory into itself", path: target.fs.display(target.path),
                                   remedy: "choose a destination outside \(source.fs.display(source.path))")
        }
    }
}

/// Runs jobs with at most `limit` at a time, reporting each failure and going on.
func runBounded(_ jobs: [FileJob], limit: Int, reporter: ErrorReporter,
                _ body: @escaping @Sendable (FileJob) async throws -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            guard next < jobs.count else { return }
            let job = jobs[next]
            next += 1
            group.addTask {
                do {
                    try Task.checkCancellation()
                    try await body(job)
                    reporter.success()
                } catch {
                    reporter.report(error, path: job.source.fs.display(job.source.path))
                }
            }
        }
        for _ in 0..<max(1, limit) { add() }
        while await group.next() != nil { add() }
    }
}

/// The counters of the tree copies of one command, started so far: what the progress display
/// adds to the totals of the single files.
final class TreeProgress: Sendable {
    private let engines = Locked<[SyncCounters]>([])
    private let treeCount: Int

    init(trees: Int) { treeCount = trees }

    func started(_ counters: SyncCounters) { engines.withLock { $0.append(counters) } }

    /// `files` plus what the trees' listings found so far; complete once every tree is listed.
    /// - Parameter otherErrors: errors outside the trees (the single files).
    func totals(adding files: ProgressTotals, otherErrors: Int) -> ProgressTotals {
        let values = engines.value.map(\.values)
        guard treeCount > 0 else {
            var t = files
            t.errors = otherErrors
            return t
        }
        return ProgressTotals(files: (files.files ?? 0) + values.reduce(0) { $0 + $1.filesToTransfer },
                              bytes: (files.bytes ?? 0) + values.reduce(Int64(0)) { $0 + $1.bytesToTransfer },
                              complete: values.count == treeCount && values.allSatisfy(\.listingDone),
                              checked: values.reduce(0) { $0 + $1.filesChecked },
                              errors: otherErrors + values.reduce(0) { $0 + $1.errors })
    }
}

/// Copies directory trees with the sync engine in copy mode, as `copy` does (rclone's copy and
/// sync share one engine too): the same listing, name rules, comparison, atomic verified
/// writes, retries and plan. `cp -r` and `mv -r` use it.
struct TreeCopier {
    let options: SyncOptions
    let verbose: Bool

    /// The engine options of `cp -r` and `mv -r`: copy mode with their flags.
    static func options(dryRun: Bool, transfers: Int, noClobber: Bool, copyLinks: Bool, links: Bool,
                        perms: Bool?) -> SyncOptions {
        var options = SyncOptions()
        options.mode = .copy
        options.dryRun = dryRun
        options.transfers = transfers
        options.ignoreExisting = noClobber
        // cp(1) copies empty folders too.
        options.createEmptySourceDirectories = true
        options.copyLinks = copyLinks
        options.links = links
        options.preservePermissions = perms ?? true
        return options
    }

    /// Why `-l/--links` is refused: the engine does not recreate links yet.
    static let linksRefusal = "--links (recreating symbolic links) is not supported by sync, copy, cp -r and mv -r yet: "
        + "links are skipped with a notice by default, or followed with -L/--copy-links"

    /// The outcome of all trees.
    struct Outcome {
        var errors: [VFSError] = []
        var succeeded = 0
        var skipped = 0
        var interrupted = false
        /// Replacements the user declined (-i): their sources stay, and so do their folders.
        var declined = 0
        /// Source files now at the destination (copied, or already equal there): what `mv`
        /// may remove.
        var settled: [Location] = []
    }

    /// Copies each tree into its root. In a dry run prints the plan (one line per action,
    /// as `sync --dry-run`) and changes nothing.
    ///
    /// - Parameters:
    ///   - observer: told about every transfer's bytes (the progress display).
    ///   - progress: handed each engine's counters as it starts, for the display's totals.
    func copy(_ trees: [(source: Location, root: Location)], observer: (any TransferObserver)? = nil,
              progress: TreeProgress? = nil) async throws -> Outcome {
        var outcome = Outcome()
        // A replacement the user declined (-i) leaves the source where it is (mv).
        let declined = Locked<Set<String>>([])
        var options = self.options
        if let ask = options.confirm {
            options.confirm = { request in
                let yes = await ask(request)
                if !yes { declined.withLock { _ = $0.insert(request.path) } }
                return yes
            }
        }
        for (source, root) in trees {
            let dryRun = options.dryRun
            let verbose = self.verbose
            // A file left alone by --ignore-existing was not moved: it is not settled.
            let equalIsSettled = !options.ignoreExisting
            let settled = Locked<[String]>([])
            let engine = SyncEngine(
                source: followingLinks(source, options.copyLinks), destination: root, options: options,
                log: { printError($0) },
                onAction: { action in
                    if (action.kind == .skip && equalIsSettled) || action.isTransfer {
                        settled.withLock { $0.append(action.path) }
                    }
                    guard action.kind != .skip else { return }
                    if dryRun {
                        Output.standard.line(SyncRunner.describe(action))
                    } else if verbose {
                        Output.error.line(SyncRunner.describe(action))
                    }
                },
                observer: observer)
            progress?.started(engine.counters)
            let summary = try await engine.run()
            outcome.errors += summary.errors
            outcome.skipped += summary.skipped.count
            outcome.interrupted = outcome.interrupted || summary.interrupted
            outcome.succeeded += summary.filesTransferred + summary.directoriesCreated
                + max(0, summary.filesChecked - summary.filesTransferred - summary.errors.count)
            // A transfer that failed is not settled: keep only what the summary says changed or was equal.
            let failedPaths = Set(summary.errors.compactMap(\.path))
            for path in settled.value {
                let src = source.with(path: source.path.appending(relative: path))
                let target = root.fs.display(root.path.appending(relative: path))
                if failedPaths.contains(target) || failedPaths.contains(source.fs.display(src.path))
                    || declined.value.contains(target) { continue }
                outcome.settled.append(src)
            }
        }
        outcome.declined = declined.value.count
        Output.standard.flush()
        return outcome
    }
}
