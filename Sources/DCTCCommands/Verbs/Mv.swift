import ArgumentParser
import DCTCCore
import DCTCSync

/// `dctc mv`: move or rename files and trees, across stores too.
struct Mv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move or rename files and directories, within or between stores.",
        discussion: """
        Inside one store that can rename, a move is a rename. Between stores it is a \
        verified copy followed by removal of the source; a source is removed only after its \
        copy succeeded, and a source directory only when everything in it was moved. Trees \
        between stores go through the engine of `dctc copy` (names that are not safe path \
        segments are reported and stay at the source); -n/--dry-run prints the plan.

        Examples:
          dctc mv old.csv new.csv
          dctc mv -n ./outbox s3://bucket/inbox
          dctc mv ./outbox/*.csv s3://bucket/inbox/
          dctc mv sftp://me@host/tmp/export ./export
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup(title: "Object options") var upload: UploadOptions
    @Flag(name: [.customShort("n"), .long], help: "Print what would be moved (the plan), and change nothing.") var dryRun = false
    @Flag(name: [.customLong("no-clobber"), .customLong("ignore-existing")], help: "Never overwrite an existing destination file.") var noClobber = false
    @Flag(name: [.customShort("i"), .long], help: "Ask before replacing each existing file (on the terminal).") var interactive = false
    @Flag(name: [.customShort("L"), .long], help: "Follow symbolic links at the source (local store).") var copyLinks = false
    @Flag(name: [.customShort("l"), .long], help: "Recreate symbolic links (rclone's -l): not supported yet, refused with a message.") var links = false
    @Flag(name: .long, inversion: .prefixedNo, help: "Keep permission bits (default).") var perms: Bool?
    @Option(name: .long, help: ArgumentHelp("Files moved in parallel (between stores).", valueName: "N")) var transfers = 4
    @Argument(help: "SRC... DST") var paths: [String]

    func validate() throws {
        if links { throw ValidationError(TreeCopier.linksRefusal) }
        if paths.count < 2 { throw ValidationError("give at least one source and a destination") }
        if transfers < 1 { throw ValidationError("--transfers must be at least 1") }
    }

    func run() async throws {
        let ctx = try await CommandContext.make(global, upload: upload)
        let reporter = ErrorReporter(verbose: global.verbose)
        var sources: [(Location, FileInfo, trailingSlash: Bool)] = []
        for text in paths.dropLast() {
            do {
                for (loc, info) in try await ctx.expand(text) {
                    if loc.path.isRoot {
                        throw VFSError.invalid("cannot move the root of a store", path: text)
                    }
                    sources.append((loc, info, loc.address.trailingSlash))
                }
            } catch { reporter.report(error, path: text) }
        }
        guard !sources.isEmpty else { try reporter.finish(); return }

        // Whole directories move with one rename when the store can.
        let planner = TransferPlanner(ctx: ctx, recursive: true, rename: nil)
        let dest = try await ctx.location(paths[paths.count - 1])
        let destInfo = try await dest.fs.infoIfExists(dest.path)
        var remaining: [(Location, FileInfo, trailingSlash: Bool)] = []
        for source in sources {
            let (src, info, trailing) = source
            // A directory rename needs a store with real directories that renames on its side.
            guard info.isDirectory, !trailing, src.fs === dest.fs, src.fs.capabilities.serverSideMove,
                  src.fs.capabilities.hasDirectories else {
                remaining.append(source)
                continue
            }
            let target = destInfo?.isDirectory == true || sources.count > 1 ? dest.appending(src.path.name) : dest
            if try await target.fs.exists(target.path) { remaining.append(source); continue }
            if target.path.hasPrefix(src.path) {
                reporter.report(VFSError.invalid("cannot move a directory into itself", path: target.fs.display(target.path)))
                continue
            }
            if dryRun {
                Output.standard.line("move     \(src.address) -> \(target.address)  (rename)")
                continue
            }
            do {
                try await src.fs.move(from: src.path, to: target.path)
                ctx.note("renamed \(src.address) -> \(target.address)")
                reporter.success()
            } catch let e as VFSError where e.code == .unsupported {
                remaining.append(source)
            } catch { reporter.report(error, path: src.fs.display(src.path)) }
        }
        guard !remaining.isEmpty else { try reporter.finish(); return }

        let plan = try await planner.plan(sources: remaining, destination: paths[paths.count - 1], reporter: reporter)
        let noClobber = self.noClobber
        let dryRun = self.dryRun
        let asking = interactive && !dryRun
        if asking { try Confirmation.requireTerminal() }
        await runBounded(plan.files, limit: asking ? 1 : transfers, reporter: reporter) { job in
            if noClobber, try await job.destination.fs.exists(job.destination.path) {
                throw VFSError(.alreadyExists, "destination exists; not moved (--no-clobber)",
                               path: job.destination.fs.display(job.destination.path))
            }
            if asking, try await job.destination.fs.exists(job.destination.path),
               await !Confirmation.askAsync("replace \(job.destination.address)?") {
                ctx.note("kept \(job.source.address): \(job.destination.address) exists (not confirmed)")
                return
            }
            if dryRun {
                Output.standard.line("move     \(job.source.address) -> \(job.destination.address)")
                return
            }
            try await Transfer.moveFile(from: job.source, to: job.destination)
            ctx.note("moved \(job.source.address) -> \(job.destination.address)")
        }
        // Trees: copied by the engine, then each source file that is now at the destination
        // (copied, or equal there already) is removed, then the emptied source directories.
        var options = TreeCopier.options(dryRun: dryRun, transfers: transfers, noClobber: noClobber,
                                         copyLinks: copyLinks, links: links, perms: perms)
        if asking { options.confirm = { await Confirmation.askAsync($0.question) } }
        var trees = try await TreeCopier(options: options, verbose: global.verbose).copy(plan.trees)
        if !dryRun {
            for src in trees.settled {
                do { try await src.fs.remove(src.path) } catch {
                    reporter.report(error, path: src.fs.display(src.path))
                }
            }
            if reporter.failureCount == 0 && trees.errors.isEmpty && trees.skipped == 0 && trees.declined == 0 && !noClobber {
                for (src, _) in plan.trees where src.fs.capabilities.hasDirectories {
                    var directories: [VPath] = [src.path]
                    do {
                        for try await entry in src.fs.walk(src.path) where entry.isDirectory { directories.append(entry.path) }
                        for dir in directories.sorted(by: { $0.depth > $1.depth }) { try await src.fs.removeDirectory(dir) }
                    } catch {
                        reporter.report(error, path: src.fs.display(src.path))
                    }
                }
            }
        }
        trees.settled = []
        Output.standard.flush()
        try finish(reporter, files: plan.files.count, trees)
    }
}
