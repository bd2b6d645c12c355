import ArgumentParser
import DCTCCore

/// `dctc mv`: move or rename files and trees, across stores too.
struct Mv: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move or rename files and directories, within or between stores.",
        discussion: """
        Inside one store that can rename, a move is a rename. Between stores it is a \
        verified copy followed by removal of the source; a source is removed only after its \
        copy succeeded, and a source directory only when everything in it was moved.

        Examples:
          dctc mv old.csv new.csv
          dctc mv ./outbox/*.csv s3://bucket/inbox/
          dctc mv sftp://me@host/tmp/export ./export
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup(title: "Object options") var upload: UploadOptions
    @Flag(name: [.customShort("n"), .long], help: "Never overwrite an existing destination file.") var noClobber = false
    @Option(name: .long, help: ArgumentHelp("Files moved in parallel (between stores).", valueName: "N")) var transfers = 4
    @Argument(help: "SRC... DST") var paths: [String]

    func validate() throws {
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
            guard info.isDirectory, !trailing, src.fs === dest.fs, let mover = src.fs as? any Moving else {
                remaining.append(source)
                continue
            }
            let target = destInfo?.isDirectory == true || sources.count > 1 ? dest.appending(src.path.name) : dest
            if try await target.fs.exists(target.path) { remaining.append(source); continue }
            if target.path.hasPrefix(src.path) {
                reporter.report(VFSError.invalid("cannot move a directory into itself", path: target.fs.display(target.path)))
                continue
            }
            do {
                try await mover.move(from: src.path, to: target.path)
                ctx.note("renamed \(src.address) -> \(target.address)")
                reporter.success()
            } catch let e as VFSError where e.code == .unsupported {
                remaining.append(source)
            } catch { reporter.report(error, path: src.fs.display(src.path)) }
        }
        guard !remaining.isEmpty else { try reporter.finish(); return }

        let plan = try await planner.plan(sources: remaining, destination: paths[paths.count - 1], reporter: reporter)
        for dir in plan.directories {
            do { try await dir.fs.makeDirectories(dir.path) } catch { reporter.report(error, path: dir.fs.display(dir.path)) }
        }
        let noClobber = self.noClobber
        await runBounded(plan.files, limit: transfers, reporter: reporter) { job in
            if noClobber, try await job.destination.fs.exists(job.destination.path) {
                throw VFSError(.alreadyExists, "destination exists; not moved (--no-clobber)",
                               path: job.destination.fs.display(job.destination.path))
            }
            try await Transfer.moveFile(from: job.source, to: job.destination)
            ctx.note("moved \(job.source.address) -> \(job.destination.address)")
        }
        // Remove emptied source directories, deepest first; a non-empty one means something stayed behind.
        if reporter.failureCount == 0 {
            for dir in plan.sourceDirectories.reversed() where dir.fs.capabilities.hasDirectories {
                do { try await dir.fs.removeDirectory(dir.path) } catch { reporter.report(error, path: dir.fs.display(dir.path)) }
            }
        }
        try reporter.finish()
    }
}
