import ArgumentParser
import DCTCCore

/// `dctc rm`: remove files and trees.
struct Rm: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove files, or directory trees with -r.",
        discussion: """
        A pattern that matches nothing is an error, never its parent folder. Removing the \
        root of a store, a bucket or an account (`rm -r s3://bucket`, `rm -r NAME:`) needs \
        --force; the local root / is never removed. --dry-run prints what would be removed; \
        -i asks before each removal.

        Examples:
          dctc rm ./tmp/old.csv
          dctc rm -r s3://bucket/staging/2024-05-01
          dctc rm -f 'sftp://me@host/tmp/*.part'
          dctc rm -r --force s3://scratch-bucket
          dctc rm -r --dry-run s3://bucket/staging
        """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Remove directories and everything below them.") var recursive = false
    @Flag(name: .shortAndLong, help: "Ignore missing files; allow removing the root of a store or bucket.") var force = false
    @OptionGroup var dryRun: DryRunOptions
    @Flag(name: .shortAndLong, help: "Ask before removing each file or tree (on the terminal).") var interactive = false
    @Argument(help: "Addresses to remove.", completion: .address) var addresses: [String]

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        for text in addresses {
            let targets: [(Location, FileInfo)]
            do {
                targets = try await ctx.expand(text)
            } catch let e as VFSError where e.code == .notFound && force {
                continue
            } catch {
                reporter.report(error, path: text)
                continue
            }
            for (loc, info) in targets {
                do {
                    try await remove(loc, info, ctx: ctx)
                    reporter.success()
                } catch let e as VFSError where e.code == .notFound && force {
                    continue
                } catch {
                    reporter.report(error, path: loc.fs.display(loc.path))
                }
            }
        }
        try reporter.finish()
    }

    private func remove(_ loc: Location, _ info: FileInfo, ctx: CommandContext) async throws {
        let shown = loc.fs.display(loc.path)
        guard info.isDirectory else {
            if dryRun.dryRun {
                dryRun.report("remove \(loc.address)")
                return
            }
            if interactive, try !Confirmation.ask("remove \(loc.address)?") { return }
            try await loc.fs.remove(loc.path)
            ctx.note("removed \(shown)")
            return
        }
        guard recursive else {
            throw VFSError(.isADirectory, "is a directory", path: shown, remedy: "use -r to remove it and everything below it")
        }
        if loc.address.isLocal && loc.path.isRoot {
            throw VFSError(.permissionDenied, "refusing to remove the local root", path: "/")
        }
        let isStoreRoot = loc.path.isRoot || (loc.fs.kind == .s3 && loc.path.depth == 1)
            || (loc.address.scheme == .account && loc.address.path.isRoot)
        if isStoreRoot && !force {
            throw VFSError.invalid("this is the root of a store or bucket", path: shown,
                                   remedy: "add --force if you really mean to remove everything in it")
        }
        if dryRun.dryRun {
            var files = 0
            for try await entry in loc.fs.walk(loc.path) where !entry.isDirectory { files += 1 }
            dryRun.report("remove \(loc.address) and everything below it (\(plural(files, "file")))")
            return
        }
        if interactive, try !Confirmation.ask("remove \(loc.address) and everything below it?") { return }
        let count = try await loc.fs.removeTree(loc.path)
        ctx.note("removed \(shown) (\(plural(count, "file")))")
    }
}
