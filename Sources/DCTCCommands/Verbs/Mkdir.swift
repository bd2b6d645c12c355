import ArgumentParser
import DCTCCore

/// `dctc mkdir`: create directories.
struct Mkdir: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create directories.",
        discussion: """
        On object stores, where directories are only key prefixes, this succeeds without \
        creating anything (a directory appears when a file is written below it).

        Examples:
          dctc mkdir ./out
          dctc mkdir -p sftp://me@host/srv/data/2024/05
        """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Create missing parents; an existing directory is not an error.") var parents = false
    @OptionGroup var dryRun: DryRunOptions
    @Argument(help: "Directories to create.", completion: .address) var addresses: [String]

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        for text in addresses {
            try await reporter.attempt(path: text) {
                let loc = try await ctx.location(text)
                if dryRun.dryRun {
                    let existing = try await loc.fs.infoIfExists(loc.path)
                    if existing == nil {
                        dryRun.report("create \(loc.address)")
                    } else if !parents || existing?.isDirectory != true {
                        throw VFSError(.alreadyExists, "already exists", path: loc.fs.display(loc.path))
                    }
                    return
                }
                if parents {
                    try await loc.fs.makeDirectories(loc.path)
                } else {
                    // Object stores decide: a bucket is created, a deeper prefix needs nothing.
                    try await loc.fs.makeDirectory(loc.path)
                }
                ctx.note("created \(loc.address)")
            }
        }
        try reporter.finish()
    }
}
