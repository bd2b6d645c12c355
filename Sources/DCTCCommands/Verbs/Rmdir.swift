import ArgumentParser
import DCTCCore

/// `dctc rmdir`: remove empty directories.
struct Rmdir: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove empty directories.",
        discussion: """
        Examples:
          dctc rmdir ./out/empty
          dctc rmdir sftp://me@host/srv/old
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var dryRun: DryRunOptions
    @Argument(help: "Empty directories to remove.", completion: .address) var addresses: [String]

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        for text in addresses {
            try await reporter.attempt(path: text) {
                let loc = try await ctx.location(text)
                if dryRun.dryRun {
                    let shown = loc.fs.display(loc.path)
                    let info = try await loc.fs.info(loc.path)
                    guard info.isDirectory else { throw VFSError(.notADirectory, "not a directory", path: shown) }
                    guard try await loc.fs.listAll(loc.path).isEmpty else {
                        throw VFSError(.notEmpty, "directory not empty", path: shown, remedy: "remove its contents first, or use `dctc rm -r`")
                    }
                    dryRun.report("remove directory \(loc.address)")
                    return
                }
                try await loc.fs.removeDirectory(loc.path)
                ctx.note("removed \(loc.address)")
            }
        }
        try reporter.finish()
    }
}
