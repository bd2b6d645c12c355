import ArgumentParser
import DCTCCore

/// `dctc du`: space used by trees.
struct Du: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the total size of files below each directory.",
        discussion: """
        Sizes are the sum of file sizes in bytes (not disk blocks), so they mean the same on \
        every store. Directories are printed after their contents, with their paths written \
        as the argument was typed, like du(1); --json adds the number of files and \
        directories below each. Symbolic links are not followed unless -L is given.

        Examples:
          dctc du -sh ./data
          dctc du -h s3://bucket/logs
          dctc du -s --json ./data
        """,
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customShort("h"), help: "Sizes in K, M, G.") var human = false
    @Flag(name: .customShort("s"), help: "Only a total for each argument.") var summarize = false
    @Flag(name: [.customShort("L"), .customLong("copy-links")],
          help: "Follow symbolic links (rclone's -L); a link back to a folder on the path is reported and skipped.")
    var copyLinks = false
    @Flag(name: .long, help: "One JSON object per line: path, bytes, files, directories (numbers as numbers).") var json = false
    @Argument(help: "Addresses to measure (default: the current directory).", completion: .address) var addresses: [String] = []

    /// One line of `--json`.
    struct Usage: Encodable {
        var path: String
        var bytes: Int64
        var files: Int
        var directories: Int
    }

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        func show(_ u: Usage) throws {
            if json {
                Output.standard.line(try jsonLine(u))
            } else {
                Output.standard.line("\(human ? humanSize(u.bytes) : String(u.bytes))\t\(u.path)")
            }
        }
        for (found, info, shown) in await ctx.expandAllAsTyped(addresses.isEmpty ? ["."] : addresses, reporter: reporter) {
            let loc = followingLinks(found, copyLinks)
            guard info.isDirectory else {
                try show(Usage(path: shown, bytes: info.size ?? 0, files: 1, directories: 0))
                reporter.success()
                continue
            }
            do {
                // A stack of open directories with their running totals; a directory is
                // printed when the walk leaves it, so memory is bounded by the depth.
                var stack: [(path: VPath, usage: Usage)] = [(loc.path, Usage(path: shown, bytes: 0, files: 0, directories: 0))]
                func closeUntil(parentOf path: VPath?) throws {
                    while let top = stack.last, stack.count > 1, path.map({ !$0.hasPrefix(top.path) || $0 == top.path }) ?? true {
                        stack.removeLast()
                        stack[stack.count - 1].usage.bytes += top.usage.bytes
                        stack[stack.count - 1].usage.files += top.usage.files
                        stack[stack.count - 1].usage.directories += top.usage.directories + 1
                        if !summarize { try show(top.usage) }
                    }
                }
                for try await entry in loc.fs.walk(loc.path) {
                    try closeUntil(parentOf: entry.path)
                    if entry.isDirectory {
                        let rel = entry.path.relative(to: loc.path) ?? entry.name
                        stack.append((entry.path, Usage(path: CommandContext.join(shown, rel), bytes: 0, files: 0, directories: 0)))
                    } else {
                        stack[stack.count - 1].usage.bytes += entry.size ?? 0
                        stack[stack.count - 1].usage.files += 1
                    }
                }
                try closeUntil(parentOf: nil)
                try show(stack[0].usage)
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }
}
