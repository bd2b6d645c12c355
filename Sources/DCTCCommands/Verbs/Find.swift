import ArgumentParser
import DCTCCore

/// `dctc find`: walk trees and print the entries that match.
struct Find: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find files and directories below addresses.",
        discussion: """
        Walks each tree depth first, in sorted order, and prints the address of every entry \
        that matches all the tests (the starting point included, like find(1)).

        Examples:
          dctc find ./data --name '*.csv' --type f
          dctc find s3://bucket/logs --name '2024-*' --json
          dctc find sftp://me@host/srv --type d --max-depth 2
        """)

    enum EntryType: String, ExpressibleByArgument, CaseIterable { case f, d }

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("Glob the entry's name must match (*, ?, [..]).", valueName: "glob")) var name: String?
    @Option(name: .long, help: "Only files (f) or directories (d).") var type: EntryType?
    @Option(name: .long, help: ArgumentHelp("Descend at most N levels below the starting points.", valueName: "N")) var maxDepth: Int?
    @Flag(name: .long, help: "One JSON object per entry and line.") var json = false
    @Argument(help: "Where to start (default: the current directory).", completion: .address) var addresses: [String] = []

    func validate() throws {
        if let maxDepth, maxDepth < 0 { throw ValidationError("--max-depth must be 0 or more") }
        if let name { _ = try Glob(name: name) }
    }

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let glob = try name.map { try Glob(name: $0) }
        func matches(_ info: FileInfo) -> Bool {
            if let type, (type == .f) != info.isFile || (type == .d) != info.isDirectory { return false }
            if let glob, !glob.matches(name: info.name) { return false }
            return true
        }
        func emit(_ info: FileInfo, _ loc: Location) throws {
            let address = loc.with(path: info.path).address.description
            Output.standard.line(json ? try jsonLine(EntryJSON(info, address: address)) : address)
        }
        for (loc, info) in await ctx.expandAll(addresses.isEmpty ? ["."] : addresses, reporter: reporter) {
            do {
                if matches(info) { try emit(info, loc) }
                if info.isDirectory {
                    for try await entry in loc.fs.walk(loc.path, maxDepth: maxDepth ?? .max) where matches(entry) {
                        try emit(entry, loc)
                    }
                }
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }
}
