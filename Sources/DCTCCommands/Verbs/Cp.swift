import ArgumentParser
import DCTCCompression
import DCTCCore
import DCTCSync
import Foundation

/// Compression choices for `--compress`.
enum CompressionChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case gz, bz2
    var codec: Codec { self == .gz ? .gzip : .bzip2 }
}

/// `dctc cp`: copy files and trees between any stores.
struct Cp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy files and directory trees between any stores.",
        discussion: """
        Like cp(1): with one source file the destination may be a new file name; otherwise it \
        is a directory (created when missing). `SRC/` with a trailing slash copies the \
        directory's contents rather than the directory itself. Every copy is atomic at the \
        destination, keeps the modification time, and is verified (size, and hashes the \
        source already knows). `-` reads standard input or writes standard output.

        Objects written to S3 get a Content-Type guessed from the name (/etc/mime.types), \
        and what the object options ask for (as `aws s3 cp` does); a copy inside one S3 \
        endpoint keeps the source's metadata, Content-Type, storage class and encryption.

        Directory trees are copied by the engine of `dctc copy`: files already equal at the \
        destination (size and time) are skipped, names that are not safe path segments are \
        reported and skipped, and -n/--dry-run prints the plan.

        Examples:
          dctc cp report.csv s3://bucket/reports/
          dctc cp --metadata owner=data-team --storage-class STANDARD_IA --sse AES256 report.csv s3://bucket/reports/
          dctc cp --content-type text/html --cache-control max-age=300 index s3://bucket/site/index
          dctc cp -r -n ./logs s3://bucket/logs
          dctc cp -r ./logs backup:logs --compress gz
          dctc cp -r --decompress sftp://me@host/export/ ./export
          dctc cp -r --zip bundle.zip ./docs ./README.md
          gzip -c big.log | dctc cp - s3://bucket/big.log.gz
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup(title: "Object options") var upload: UploadOptions
    @OptionGroup(title: "Download options") var streams: MultiThreadOptions
    @Flag(name: .shortAndLong, help: "Copy directories recursively.") var recursive = false
    @Option(name: .long, help: "Compress on the way (gz or bz2); the suffix is added to each name.") var compress: CompressionChoice?
    @Option(name: .long, help: ArgumentHelp("Compression level (gz: 1-9, bz2: 1-9).", valueName: "N")) var level: Int?
    @Flag(name: .long, help: "Decompress .gz/.bz2 sources on the way; the suffix is removed.") var decompress = false
    @Option(name: .long, help: ArgumentHelp("Put the sources into a new zip archive instead of copying them.", valueName: "archive.zip")) var zip: String?
    @Flag(name: [.customShort("n"), .long], help: "Print what would be copied (the plan), and change nothing.") var dryRun = false
    @Flag(name: [.customLong("no-clobber"), .customLong("ignore-existing")], help: "Never overwrite an existing destination file.") var noClobber = false
    @Flag(name: [.customShort("i"), .long], help: "Ask before replacing each existing file (on the terminal).") var interactive = false
    @Flag(name: [.customShort("L"), .long], help: "Follow symbolic links at the source (local store).") var copyLinks = false
    @Flag(name: [.customShort("l"), .long], help: "Recreate symbolic links (rclone's -l): not supported yet, refused with a message.") var links = false
    @Flag(name: .long, inversion: .prefixedNo, help: "Keep permission bits (default).") var perms: Bool?
    @Option(name: .long, help: ArgumentHelp("Files copied in parallel.", valueName: "N")) var transfers = 4
    @Argument(help: "SRC... DST (with --zip: SRC...).") var paths: [String]

    func validate() throws {
        if compress != nil && decompress { throw ValidationError("--compress and --decompress cannot be used together") }
        if zip != nil && (compress != nil || decompress) { throw ValidationError("--zip cannot be combined with --compress or --decompress") }
        if zip == nil && paths.count < 2 { throw ValidationError("give at least one source and a destination") }
        if zip != nil && paths.isEmpty { throw ValidationError("give at least one source to put into the archive") }
        if transfers < 1 { throw ValidationError("--transfers must be at least 1") }
        if links { throw ValidationError(TreeCopier.linksRefusal) }
        if dryRun && (zip != nil || paths.contains("-")) { throw ValidationError("--dry-run does not apply to --zip or '-'") }
        if let level, let c = compress, !c.codec.levels.contains(level) {
            throw ValidationError("--level for \(c.rawValue) must be in \(c.codec.levels.lowerBound)...\(c.codec.levels.upperBound)")
        }
        if level != nil && compress == nil { throw ValidationError("--level needs --compress") }
    }

    func run() async throws {
        let ctx = try await CommandContext.make(global, upload: upload, streams: streams)
        let reporter = ErrorReporter(verbose: global.verbose)
        let sourceTexts = zip == nil ? Array(paths.dropLast()) : paths
        let destinationText = zip == nil ? paths[paths.count - 1] : ""

        if sourceTexts == ["-"] || destinationText == "-" {
            try await copyStdio(ctx, source: sourceTexts, destination: destinationText)
            return
        }
        var sources: [(Location, FileInfo, trailingSlash: Bool)] = []
        for text in sourceTexts {
            if text == "-" { throw ValidationError("'-' (standard input) must be the only source") }
            do {
                for (loc, info) in try await ctx.expand(text) { sources.append((loc, info, loc.address.trailingSlash)) }
            } catch { reporter.report(error, path: text) }
        }
        guard !sources.isEmpty else { try reporter.finish(); return }

        if let zip {
            try await ZipPacker(ctx: ctx, recursive: recursive).pack(sources: sources, archive: zip, reporter: reporter)
            try reporter.finish()
            return
        }
        let codec = compress?.codec
        let decompress = self.decompress
        let mapping = NameMapping(transform: codec.map { .compress($0, level: self.level) } ?? (decompress ? .decompress : .none))
        let planner = TransferPlanner(ctx: ctx, recursive: recursive, rename: { mapping.destinationName(ofFile: $0) })
        let plan = try await planner.plan(sources: sources, destination: destinationText, reporter: reporter)
        let level = self.level
        let noClobber = self.noClobber
        let dryRun = self.dryRun
        let fileBytes = plan.files.reduce(Int64(0)) { $0 + ($1.info.size ?? 0) }
        let fileCount = plan.files.count
        let treeProgress = TreeProgress(trees: plan.trees.count)
        var options = TreeCopier.options(dryRun: dryRun, transfers: transfers, noClobber: noClobber,
                                         copyLinks: copyLinks, links: links, perms: perms)
        options.transform = mapping.transform
        let asking = interactive && !dryRun
        if asking {
            try Confirmation.requireTerminal()
            options.confirm = { await Confirmation.askAsync($0.question) }
        }
        let copier = TreeCopier(options: options, verbose: global.verbose)
        let transfers = self.transfers
        // Single files and trees under one display: its totals grow as the trees are listed.
        let trees = try await ctx.withProgress(verb: "copied", totals: {
            treeProgress.totals(adding: ProgressTotals(files: fileCount, bytes: fileBytes), otherErrors: reporter.failureCount)
        }, asking: asking) { observer in
            await runBounded(plan.files, limit: asking ? 1 : transfers, reporter: reporter) { job in
                if noClobber, try await job.destination.fs.exists(job.destination.path) {
                    ctx.note("skipped \(job.destination.address): exists (--no-clobber)")
                    return
                }
                if asking, try await job.destination.fs.exists(job.destination.path),
                   await !Confirmation.askAsync("replace \(job.destination.address)?") {
                    ctx.note("kept \(job.destination.address) (not confirmed)")
                    return
                }
                if dryRun {
                    Output.standard.line("copy     \(job.source.address) -> \(job.destination.address)")
                    return
                }
                _ = try await copy(job, codec: codec, level: level, decompress: decompress, observer: observer)
                ctx.note("copied \(job.source.address) -> \(job.destination.address)")
            }
            return try await copier.copy(plan.trees, observer: observer, progress: treeProgress)
        }
        Output.standard.flush()
        try finish(reporter, files: plan.files.count, trees)
    }

    /// Copies one file, transforming the bytes when compressing or decompressing.
    func copy(_ job: FileJob, codec: Codec?, level: Int?, decompress: Bool, observer: TransferProgress) async throws -> FileInfo {
        // Every chunk is reported to the progress display (a server-side copy all at once).
        let id = TransferID.next()
        observer.transferStarted(id, path: job.source.path.name, size: job.info.size)
        do {
            let serverSide = codec == nil && !decompress && job.source.fs === job.destination.fs && job.source.fs is any ServerSideCopying
            let result: FileInfo
            if serverSide {
                result = try await Transfer.copyFile(from: job.source, to: job.destination, sourceInfo: job.info)
                observer.transferProgressed(id, bytes: job.info.size ?? 0)
            } else {
                // Watched, not transformed: copyFile keeps its size and hash checks and the upfront hash.
                result = try await copy(job, codec: codec, level: level, decompress: decompress) {
                    $0.observed(by: observer, id: id)
                }
            }
            observer.transferFinished(id, error: nil)
            return result
        } catch {
            observer.transferFinished(id, error: error)
            throw error
        }
    }

    /// Copies one file, transforming the bytes when compressing or decompressing.
    func copy(_ job: FileJob, codec: Codec?, level: Int?, decompress: Bool, attributes: WriteAttributes = WriteAttributes(),
              observe: @escaping @Sendable (ByteStream) -> ByteStream = { $0 }) async throws -> FileInfo {
        if codec == nil && !decompress {
            return try await Transfer.copyFile(from: job.source, to: job.destination, sourceInfo: job.info, attributes: attributes,
                                               watch: observe)
        }
        if let codec {
            return try await Transfer.copyFile(from: job.source, to: job.destination, sourceInfo: job.info, transform: { stream in
                observe(stream).compressed(with: codec, level: level)
            })
        }
        if decompress {
            let shown = job.source.fs.display(job.source.path)
            let name = job.source.path.name
            return try await Transfer.copyFile(from: job.source, to: job.destination, sourceInfo: job.info, transform: { stream in
                try await observe(stream).decompressed(displayPath: shown, name: name)
            })
        }
        return try await Transfer.copyFile(from: job.source, to: job.destination, sourceInfo: job.info)
    }

    /// `cp - DST` and `cp SRC -`.
    func copyStdio(_ ctx: CommandContext, source: [String], destination: String) async throws {
        guard source.count == 1 else { throw ValidationError("with '-' give exactly one source and one destination") }
        var stream: ByteStream
        var name = "stdin"
        if source[0] == "-" {
            stream = standardInputStream()
        } else {
            let loc = try await ctx.location(source[0])
            let info = try await loc.fs.info(loc.path)
            if info.isDirectory { throw VFSError(.isADirectory, "is a directory", path: source[0], remedy: "only files can go to standard output") }
            stream = try await loc.fs.read(loc.path, range: nil).limited(.download)
            name = loc.path.name
        }
        if let codec = compress?.codec { stream = stream.compressed(with: codec, level: level) }
        if decompress { stream = try await stream.decompressed(displayPath: source[0], name: name) }
        if destination == "-" {
            try await writeToStandardOutput(stream)
            return
        }
        let dest = try await ctx.location(destination)
        if try await dest.fs.infoIfExists(dest.path)?.isDirectory == true || dest.address.trailingSlash {
            throw VFSError.invalid("standard input needs a file name as destination", path: destination,
                                   remedy: "name the file, e.g. \(dest.address.appending("data.bin"))")
        }
        try await dest.fs.write(dest.path, from: stream.limited(dest.bandwidthDirection), attributes: WriteAttributes(modificationTime: Date()))
    }
}

/// The exit status of a command that copied single files (`reporter`) and trees (`trees`), by
/// the one rule (`ExitStatus.forBatch`).
func finish(_ reporter: ErrorReporter, files fileCount: Int, _ trees: TreeCopier.Outcome) throws {
    let files: ExitStatus
    do { try reporter.finish(); files = .success } catch let failure as CommandFailure { files = failure.status }
    let tree = ExitStatus.forBatch(errors: trees.errors, succeeded: trees.succeeded, skipped: trees.skipped,
                                   interrupted: trees.interrupted)
    if files == .interrupted || tree == .interrupted { throw CommandFailure(.interrupted) }
    switch (files, tree) {
    case (.success, .success): return
    case (.success, let s) where fileCount == 0: throw CommandFailure(s)
    case (let s, .success) where trees.succeeded == 0 && trees.errors.isEmpty: throw CommandFailure(s)
    case (let a, let b) where a == b: throw CommandFailure(a)
    default: throw CommandFailure(.partial)
    }
}
