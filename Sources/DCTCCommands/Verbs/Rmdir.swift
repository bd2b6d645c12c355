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
    @Argument(help: "Empty directories to remove.") var addresses: [String]

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        for text in addresses {
            try await reporter.attempt(path: text) {
                let loc = try await ctx.location(text)
                try await loc.fs.removeDirectory(loc.path)
                ctx.note("removed \(loc.address)")
            }
        }
        try reporter.finish()
    }
}
