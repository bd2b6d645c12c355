import ArgumentParser
import DCTCCore

/// `dctc du`: space used by trees.
struct Du: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the total size of files below each directory.",
        discussion: """
        Sizes are the sum of file sizes in bytes (not disk blocks), so they mean the same on \
        every store. Directories are printed after their contents, like du(1).

        Examples:
          dctc du -sh ./data
          dctc du -h s3://bucket/logs
        """,
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customShort("h"), help: "Sizes in K, M, G.") var human = false
    @Flag(name: .customShort("s"), help: "Only a total for each argument.") var summarize = false
    @Argument(help: "Addresses to measure (default: the current directory).", completion: .address) var addresses: [String] = []

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        func show(_ size: Int64, _ address: String) {
            Output.standard.line("\(human ? humanSize(size) : String(size))\t\(address)")
        }
        for (loc, info) in await ctx.expandAll(addresses.isEmpty ? ["."] : addresses, reporter: reporter) {
            guard info.isDirectory else {
                show(info.size ?? 0, loc.address.description)
                reporter.success()
                continue
            }
            do {
                // A stack of open directories with their running totals; a directory is
                // printed when the walk leaves it, so memory is bounded by the depth.
                var stack: [(path: VPath, total: Int64)] = [(loc.path, 0)]
                func closeUntil(parentOf path: VPath?) {
                    while let top = stack.last, stack.count > 1, path.map({ !$0.hasPrefix(top.path) || $0 == top.path }) ?? true {
                        stack.removeLast()
                        stack[stack.count - 1].total += top.total
                        if !summarize { show(top.total, loc.with(path: top.path).address.description) }
                    }
                }
                for try await entry in loc.fs.walk(loc.path) {
                    closeUntil(parentOf: entry.path)
                    if entry.isDirectory { stack.append((entry.path, 0)) } else { stack[stack.count - 1].total += entry.size ?? 0 }
                }
                closeUntil(parentOf: nil)
                show(stack[0].total, loc.address.description)
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }
}
