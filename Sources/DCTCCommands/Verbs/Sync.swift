import ArgumentParser
import DCTCCompression
import DCTCCore
import DCTCState
import DCTCSync
import Foundation

/// Options shared by `sync`, `copy` and `check`.
struct SyncFlags: ParsableArguments {
    @Flag(name: [.customShort("c"), .long], help: "Compare by content hash (MD5) instead of size and time.") var checksum = false
    @Flag(name: .long, help: "Compare by size only.") var sizeOnly = false
    @Flag(name: [.customShort("u"), .long], help: "Leave destination files that are newer than the source alone.") var update = false
    @Option(name: .long, help: ArgumentHelp("Time difference still counted as equal (default: the stores' precision).", valueName: "seconds")) var modifyWindow: Double?

    @Flag(name: [.customShort("n"), .long], help: "Print the plan the real run would execute, and change nothing.") var dryRun = false
    @Flag(name: [.customShort("i"), .long], help: "Ask before replacing or deleting each file (on the terminal).") var interactive = false
    @Option(name: .long, help: ArgumentHelp("Say why one file would be transferred or not, and change nothing.", valueName: "path")) var explain: String?
    @Flag(name: .long, help: "Print a JSON summary as the last line of standard output (with --dry-run: each action too).") var json = false
    @Option(name: .long, help: ArgumentHelp("Write one JSON event per action to this file.", valueName: "file")) var events: String?

    @Option(name: .long, help: ArgumentHelp("Include files matching this glob (ordered with --exclude; ** crosses folders).", valueName: "glob"),
            transform: { OrderedRule(.include, $0) }) var include: [OrderedRule] = []
    @Option(name: .long, help: ArgumentHelp("Exclude files matching this glob.", valueName: "glob"),
            transform: { OrderedRule(.exclude, $0) }) var exclude: [OrderedRule] = []
    @Option(name: .long, help: ArgumentHelp("Read rules from a file: '+ glob' includes, '- glob' excludes.", valueName: "file")) var filterFrom: [String] = []
    @Option(name: .long, help: ArgumentHelp("Read include globs from a file, one per line.", valueName: "file")) var includeFrom: [String] = []
    @Option(name: .long, help: ArgumentHelp("Read exclude globs from a file, one per line.", valueName: "file")) var excludeFrom: [String] = []
    @Option(name: .long, help: ArgumentHelp("Only the paths listed in this file (one per line).", valueName: "file")) var filesFrom: String?
    @Option(name: .long, help: ArgumentHelp("Skip files smaller than this (10K, 5M, 1G).", valueName: "size")) var minSize: String?
    @Option(name: .long, help: ArgumentHelp("Skip files larger than this.", valueName: "size")) var maxSize: String?
    @Option(name: .long, help: ArgumentHelp("Only files older than this (30m, 12h, 7d, or a date).", valueName: "age")) var minAge: String?
    @Option(name: .long, help: ArgumentHelp("Only files newer than this.", valueName: "age")) var maxAge: String?

    @Option(name: .long, help: "Write compressed copies (gz or bz2); the suffix is added.") var compress: CompressionChoice?
    @Option(name: .long, help: ArgumentHelp("Compression level.", valueName: "N")) var level: Int?
    @Flag(name: .long, help: "Write decompressed copies of .gz/.bz2 files; the suffix is removed.") var decompress = false
    @Option(name: .long, help: ArgumentHelp("Handle only shard K of N (by a stable hash of each path).", valueName: "K/N")) var shard: String?
    @Option(name: .long, help: ArgumentHelp("Only paths that sort after this one, byte by byte (S3 lists from it: StartAfter).", valueName: "path")) var startAfter: String?
    @Option(name: .long, help: ArgumentHelp("Only paths that sort at or before this one; with --start-after, one range of `dctc shard-plan`.", valueName: "path")) var endAt: String?

    @Flag(name: .long, help: "Leave every file that exists at the destination alone, whatever it holds.") var ignoreExisting = false
    @Flag(name: .long, help: "Never replace a destination file that differs: report it as an error.") var immutable = false
    @Flag(name: .long, help: "Also create source folders that hold no file to transfer.") var createEmptySrcDirs = false
    @Option(name: .long, help: ArgumentHelp("Start no transfer that would exceed this many bytes in all (10M, 1G).", valueName: "size")) var maxTransfer: String?
    @Option(name: .long, help: ArgumentHelp("Start no transfer after this long (30m, 2h); those under way finish.", valueName: "duration")) var maxDuration: String?
    @Flag(name: .long, help: "sync: also delete destination files the filters exclude.") var deleteExcluded = false
    @Flag(name: [.customShort("L"), .long], help: "Follow symbolic links at the source (local store).") var copyLinks = false
    @Flag(name: [.customShort("l"), .long], help: "Recreate symbolic links (rclone's -l): not supported yet, refused with a message.") var links = false
    @Flag(name: .long, inversion: .prefixedNo, help: "Keep permission bits, never wider (default); --no-perms leaves the destination's default.") var perms: Bool?

    @Option(name: .long, help: ArgumentHelp("Directories listed and compared in parallel.", valueName: "N")) var checkers = 8
    @Option(name: .long, help: ArgumentHelp("Files transferred in parallel.", valueName: "N")) var transfers = 4
    @Option(name: .long, help: ArgumentHelp("Retries of a transient failure (timeouts, resets, 5xx, throttling).", valueName: "N")) var retries = 3
    @Option(name: .long, help: ArgumentHelp("First retry delay; doubled each time, with jitter.", valueName: "seconds")) var retryDelay = 1.0

    @Option(name: .long, help: ArgumentHelp("The state file (hash cache, manifests). Default: $XDG_STATE_HOME/dctc/state.sqlite.", valueName: "file")) var state: String?
    @Flag(name: .long, help: "Use no state file (every run starts from scratch).") var noState = false
    @Option(name: .long, help: ArgumentHelp("Exit with this code when there was nothing to do.", valueName: "N")) var exitCodeIfNothingDone: Int32?

    func validate() throws {
        if [checksum, sizeOnly, update].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --checksum, --size-only and --update")
        }
        if compress != nil && decompress { throw ValidationError("--compress and --decompress cannot be used together") }
        if level != nil && compress == nil { throw ValidationError("--level needs --compress") }
        if checkers < 1 || transfers < 1 { throw ValidationError("--checkers and --transfers must be at least 1") }
        if retries < 0 || retryDelay < 0 { throw ValidationError("--retries and --retry-delay cannot be negative") }
        if let shard { _ = try Shard(parse: shard) }
        _ = try pathRange()
        if copyLinks && links { throw ValidationError("choose one of --copy-links and --links") }
        if links { throw ValidationError(TreeCopier.linksRefusal) }
    }

    /// `--start-after` and `--end-at`, relative to the source root (a leading `/` is dropped).
    func pathRange() throws -> PathRange {
        func relative(_ p: String?) -> String? { p.map { String($0.drop(while: { $0 == "/" })) } }
        return try PathRange(after: relative(startAfter), through: relative(endAt))
    }

    /// --include/--exclude in the order they were given, as parsed (from the alias-expanded
    /// arguments: an alias's rules keep their place).
    func orderedRules() throws -> [FilterRule] {
        try (include + exclude).sorted { $0.sequence < $1.sequence }.map { try FilterRule($0.action, $0.glob) }
    }
}

/// One `--include`/`--exclude` value with its place on the command line. ArgumentParser keeps
/// each option's list in order but not the order between the two lists; it parses arguments
/// left to right and calls the option's transform for each value as it goes, so a sequence
/// number taken there is the command line's order.
struct OrderedRule: Sendable {
    let action: FilterRule.Action
    let glob: String
    let sequence: Int

    private static let counter = Locked(0)

    init(_ action: FilterRule.Action, _ glob: String) {
        self.action = action
        self.glob = glob
        self.sequence = OrderedRule.counter.withLock { n in n += 1; return n }
    }
}

/// The work shared by the three verbs.
struct SyncRunner {
    let global: GlobalOptions
    let flags: SyncFlags
    let mode: SyncMode
    let source: String
    let destination: String
    let backupDir: String?
    let maxDelete: Int?
    let allowEmptySource: Bool
    var upload: UploadOptions? = nil
    var streams: MultiThreadOptions? = nil

    func run() async throws {
        let ctx = try await CommandContext.make(global, upload: upload, streams: streams)
        let src = try await ctx.location(source)
        let dst = try await ctx.location(destination)
        var options = SyncOptions()
        options.mode = mode
        options.compare = flags.checksum ? .checksum : flags.sizeOnly ? .sizeOnly : flags.update ? .update : .sizeAndTime
        options.dryRun = flags.dryRun || flags.explain != nil
        options.modifyWindow = flags.modifyWindow
        options.checkers = flags.checkers
        options.transfers = flags.transfers
        options.retries = flags.retries
        options.retryDelay = flags.retryDelay
        options.maxDelete = maxDelete
        options.allowEmptySource = allowEmptySource
        options.ignoreExisting = flags.ignoreExisting
        options.immutable = flags.immutable
        options.createEmptySourceDirectories = flags.createEmptySrcDirs
        options.maxTransfer = try flags.maxTransfer.map(SizeParser.parse)
        options.maxDuration = try flags.maxDuration.map { try AgeParser.parse($0, now: Date()) }
        options.deleteExcluded = flags.deleteExcluded
        options.copyLinks = flags.copyLinks
        options.links = flags.links
        options.preservePermissions = flags.perms ?? true
        if flags.interactive && !options.dryRun && mode != .check {
            try Confirmation.requireTerminal()
            options.confirm = { await Confirmation.askAsync($0.question) }
        }
        if let c = flags.compress { options.transform = .compress(c.codec, level: flags.level) }
        if flags.decompress { options.transform = .decompress }
        if let shard = flags.shard { options.shard = try Shard(parse: shard) }
        options.range = try flags.pathRange()
        if let b = backupDir { options.backupDirectory = try await ctx.location(b) }

        var rules = try flags.orderedRules()
        for file in flags.filterFrom {
            let loc = try await ctx.location(file)
            rules += try FilterSet.parseRules(String(decoding: try await loc.fs.readAll(loc.path), as: UTF8.self), path: file)
        }
        for (files, action) in [(flags.includeFrom, FilterRule.Action.include), (flags.excludeFrom, .exclude)] {
            for file in files {
                let loc = try await ctx.location(file)
                let text = String(decoding: try await loc.fs.readAll(loc.path), as: UTF8.self)
                for line in text.split(whereSeparator: \.isNewline) {
                    let glob = line.trimmingCharacters(in: .whitespaces)
                    if glob.isEmpty || glob.hasPrefix("#") || glob.hasPrefix(";") { continue }
                    rules.append(try FilterRule(action, glob))
                }
            }
        }
        if let warning = FilterSet.unreachableRulesWarning(rules) { printError(warning) }
        var filesFrom: [String]?
        if let f = flags.filesFrom {
            let loc = try await ctx.location(f)
            filesFrom = try FilterSet.parseFilesFrom(String(decoding: try await loc.fs.readAll(loc.path), as: UTF8.self), path: f)
        }
        if let explain = flags.explain {
            filesFrom = [try relativePath(explain, under: src)]
        }
        options.filters = try FilterSet(rules: rules, minSize: try flags.minSize.map(SizeParser.parse),
                                        maxSize: try flags.maxSize.map(SizeParser.parse),
                                        minAge: try flags.minAge.map { try AgeParser.parse($0, now: Date()) },
                                        maxAge: try flags.maxAge.map { try AgeParser.parse($0, now: Date()) },
                                        filesFrom: filesFrom,
                                        // As rclone: --include implies "exclude everything else"; '+' lines of a filter file do not.
                                        defaultAction: flags.include.isEmpty && flags.includeFrom.isEmpty ? .include : .exclude)
        if !flags.noState {
            let path = flags.state ?? StateStore.defaultPath()
            do { options.state = try StateStore(path: path) } catch {
                printError("warning: \(VFSError.wrap(error, path: path)); continuing without state (only speed is lost)")
            }
        }
        let events = try flags.events.map { try EventSink(path: $0) }
        defer { events?.close() }

        let verbose = global.verbose
        let json = flags.json
        let dryRun = options.dryRun
        let explaining = flags.explain != nil
        let explained = ExplainBox()
        let engine = SyncEngine(
            source: followingLinks(src, flags.copyLinks), destination: dst, options: options, events: events,
            log: { message in printError(message) },
            onAction: { action in
                if explaining { explained.set(action); return }
                if dryRun || mode == .check {
                    if json {
                        if let line = try? jsonLine(action) { Output.standard.line(line) }
                    } else if action.kind != .skip {
                        Output.standard.line(SyncRunner.describe(action))
                    }
                } else if verbose && action.kind != .skip {
                    Output.error.line(SyncRunner.describe(action))
                }
            })
        let showProgress = options.confirm == nil && (global.progress ?? (Output.error.isTerminal && !global.quiet && !explaining && !json))
        let progress = showProgress ? ProgressLine(counters: engine.counters) : nil
        progress?.start()
        let summary: SyncSummary
        do {
            summary = try await engine.run()
        } catch {
            progress?.stop()
            throw error
        }
        progress?.stop()

        if let explain = flags.explain {
            let rel = try relativePath(explain, under: src)
            if let action = explained.get() {
                Output.standard.line("\(rel): \(action.kind.rawValue) — \(action.reason)")
            } else {
                let probe = try await src.fs.infoIfExists(src.path.appending(relative: rel))
                let why = probe == nil ? "not at the source (nothing to do)"
                    : options.filters.explain(file: rel, size: probe?.size, modificationTime: probe?.modificationTime)
                Output.standard.line("\(rel): skip — \(why)")
            }
            Output.standard.flush()
            return
        }
        try? await options.state?.recordRun(RunRecord(
            id: UUID().uuidString, command: mode.rawValue, source: summary.source, destination: summary.destination,
            startedAt: summary.startedAt, finishedAt: Date(), filesTransferred: summary.filesTransferred,
            bytesTransferred: summary.bytesTransferred, filesDeleted: summary.filesDeleted,
            errors: summary.errors.count, exitCode: summary.exitStatus.rawValue))
        if json {
            Output.standard.line(try jsonLine(summary))
        } else if verbose || (!dryRun && mode != .check && Output.error.isTerminal) {
            Output.error.line(SyncRunner.describe(summary))
        }
        Output.standard.flush()

        // One rule for every command (ExitStatus.forBatch): all failed → the failures' class,
        // some failed or names refused → 4, Ctrl-C → 130.
        let status = summary.exitStatus
        if status == .interrupted {
            printError("interrupted: \(summary.filesTransferred) file(s) transferred; every file is complete or untouched")
        }
        if status != .success { throw CommandFailure(status) }
        if mode == .check && summary.differences > 0 {
            if !json { printError("\(summary.differences) difference(s) found") }
            throw CommandFailure(.negative)
        }
        if let code = flags.exitCodeIfNothingDone, summary.nothingDone {
            throw ExitCode(code)
        }
    }

    /// A path given to --explain: relative to the source root, or an address below it.
    func relativePath(_ text: String, under src: Location) throws -> String {
        if let address = try? Address.parse(text), address.storeKey == src.address.storeKey,
           let rel = address.path.relative(to: src.address.path), !rel.isEmpty, text.contains("/") && (text.hasPrefix("/") || text.contains("://") || text.contains(":")) {
            return rel
        }
        return VPath(text).components.joined(separator: "/")
    }

    static func describe(_ a: SyncAction) -> String {
        let target = a.destinationPath == a.path ? a.path : "\(a.path) -> \(a.destinationPath)"
        return "\(a.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(target)  (\(a.reason))"
    }

    static func describe(_ s: SyncSummary) -> String {
        var parts = ["\(s.filesTransferred) transferred (\(humanSize(s.bytesTransferred)))"]
        if s.filesDeleted > 0 { parts.append("\(s.filesDeleted) deleted") }
        if s.timesSet > 0 { parts.append("\(s.timesSet) times set") }
        parts.append("\(s.filesChecked) checked")
        if !s.errors.isEmpty { parts.append("\(s.errors.count) error(s)") }
        if !s.skipped.isEmpty { parts.append("\(s.skipped.count) unsafe name(s) skipped") }
        if s.interrupted { parts.append("interrupted") }
        return "\(s.mode): " + parts.joined(separator: ", ") + String(format: " in %.1f s", s.durationSeconds)
            + (s.dryRun ? " (dry run: nothing changed)" : "")
    }
}

final class ExplainBox: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var action: SyncAction?
    func set(_ a: SyncAction) { lock.withLock { if action == nil { action = a } } }
    func get() -> SyncAction? { lock.withLock { action } }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make DST look like SRC: transfer what changed, delete what SRC no longer has.",
        discussion: """
        Compares by size and modification time (or --checksum, --size-only, --update), moves only
        what differs, verifies every transfer, and remembers what it saw in a state file so a
        repeat run costs one listing of each side. Deletions run last, and never when anything
        failed, when SRC is empty (--allow-empty-source), or beyond --max-delete.
        See Docs/sync.md.

        Examples:
          dctc sync ./photos s3://bucket/photos
          dctc sync --dry-run ./site sftp://me@host/var/www
          dctc sync --checksum --backup-dir s3://bucket/trash ./data s3://bucket/data
          dctc sync --compress gz ./logs backup:logs --exclude '*.tmp'
          dctc sync --explain 2024/05/report.csv ./data s3://bucket/data
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: SyncFlags
    @OptionGroup(title: "Object options") var upload: UploadOptions
    @OptionGroup(title: "Download options") var streams: MultiThreadOptions
    @Option(name: .long, help: ArgumentHelp("Move replaced and deleted files here instead of losing them.", valueName: "address")) var backupDir: String?
    @Option(name: .long, help: ArgumentHelp("Skip all deletions when more than N would happen.", valueName: "N")) var maxDelete: Int?
    @Flag(name: .long, help: "Allow an empty source (which empties the destination).") var allowEmptySource = false
    @Argument(help: "The source directory.") var source: String
    @Argument(help: "The destination directory.") var destination: String

    func run() async throws {
        try await SyncRunner(global: global, flags: flags, mode: .sync, source: source, destination: destination,
                             backupDir: backupDir, maxDelete: maxDelete, allowEmptySource: allowEmptySource, upload: upload, streams: streams).run()
    }
}

struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Like sync, without deleting anything at DST.",
        discussion: """
        Examples:
          dctc copy ./incoming s3://bucket/archive
          dctc copy --max-age 24h sftp://me@host/exports ./exports
          dctc copy --decompress s3://bucket/raw/ ./plain
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: SyncFlags
    @OptionGroup(title: "Object options") var upload: UploadOptions
    @OptionGroup(title: "Download options") var streams: MultiThreadOptions
    @Option(name: .long, help: ArgumentHelp("Move replaced files here instead of losing them.", valueName: "address")) var backupDir: String?
    @Argument(help: "The source directory.") var source: String
    @Argument(help: "The destination directory.") var destination: String

    func run() async throws {
        try await SyncRunner(global: global, flags: flags, mode: .copy, source: source, destination: destination,
                             backupDir: backupDir, maxDelete: nil, allowEmptySource: true, upload: upload, streams: streams).run()
    }
}

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare SRC and DST and list the differences; change nothing.",
        discussion: """
        Exit status 0 when they match, 1 when they differ (Docs/exit-codes.md).

        Examples:
          dctc check ./data s3://bucket/data
          dctc check --checksum --json ./data sftp://me@host/data
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var flags: SyncFlags
    @Argument(help: "The source directory.") var source: String
    @Argument(help: "The destination directory.") var destination: String

    func run() async throws {
        try await SyncRunner(global: global, flags: flags, mode: .check, source: source, destination: destination,
                             backupDir: nil, maxDelete: nil, allowEmptySource: true).run()
    }
}
