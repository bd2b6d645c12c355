import ArgumentParser
import DCTCCore

/// `dctc ls`: list directories and files of any store.
struct Ls: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "List directory contents.",
        discussion: """
        Directories are listed by their children, sorted by name (by time with -t), names \
        starting with a dot only with -a; files by themselves. Glob patterns (*, ?, [..], **) \
        are expanded by dctc; quote them. `s3://` alone (or an \
        S3 account with no path, `ACCOUNT:`) lists the buckets, as `aws s3 ls` does.

        Examples:
          dctc ls -l ./data
          dctc ls s3://
          dctc ls --profile work --region eu-west-1 s3://bucket/
          dctc ls -lh s3://bucket/logs/
          dctc ls -R sftp://me@host/project
          dctc ls --json 'backup:2024/*.csv.gz'
          dctc ls -lt -r ./data
        """,
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @Flag(name: .short, help: "Long format: mode, size, modification time, name.") var long = false
    @Flag(name: .customShort("R"), help: "List subdirectories recursively.") var recursive = false
    @Flag(name: .customShort("h"), help: "Sizes in K, M, G (with -l).") var human = false
    @Flag(name: .long, help: "One JSON object per entry and line.") var json = false
    @Flag(name: [.customShort("L"), .customLong("copy-links")],
          help: "Follow symbolic links (rclone's -L); a link back to a folder on the path is reported and skipped.")
    var copyLinks = false
    @Flag(name: .customShort("a"), help: "Show entries whose names start with a dot too.") var all = false
    @Flag(name: .customShort("t"), help: "Sort by modification time, newest first.") var byTime = false
    @Flag(name: .customShort("r"), help: "Reverse the order.") var reverse = false
    @Flag(name: .customShort("1"), help: "One name per line (always so; accepted as in ls(1)).") var onePerLine = false
    @Flag(name: .customShort("d"), help: "List directories themselves, not their contents.") var directoryItself = false
    @Argument(help: "Addresses to list (default: the current directory).", completion: .address) var addresses: [String] = []

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let targets = await ctx.expandAll(addresses.isEmpty ? ["."] : addresses, reporter: reporter)
        let files = order(targets.filter { !$0.1.isDirectory || directoryItself })
        let dirs = directoryItself ? [] : targets.filter { $0.1.isDirectory }
        let fmt = EntryFormatter(human: human)
        if !files.isEmpty {
            try print(files.map { ($0.1, $0.0.address.description) }, fmt)
            reporter.success()
        }
        let headers = targets.count > 1 || recursive
        for (i, (loc, _)) in dirs.enumerated() {
            do {
                try await listDirectory(followingLinks(loc, copyLinks), fmt: fmt, header: headers, first: i == 0 && files.isEmpty, reporter: reporter)
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }

    private func listDirectory(_ loc: Location, fmt: EntryFormatter, header: Bool, first: Bool,
                               reporter: ErrorReporter) async throws {
        var entries = try await loc.fs.listAll(loc.path).filter { all || !$0.name.hasPrefix(".") }
        // Names that are not safe path segments (`.`, `..`, empty) are reported, never listed
        // as folders or entered (SafeName: the rule every listing follows).
        for e in entries {
            if let problem = SafeName.problem(with: e.name) {
                reporter.report(VFSError(.invalidArgument, "skipped: \(problem)", path: SafeName.escaped(loc.address.appending(e.name).description)))
            }
        }
        entries.removeAll { !SafeName.isSafe($0.name) }
        entries = order(entries.map { ($0, $0) }).map(\.0)
        if header && !json {
            if !first { Output.standard.line("") }
            Output.standard.line("\(loc.address):")
        }
        try print(entries.map { ($0, json ? loc.with(path: $0.path).address.description : $0.name) }, fmt)
        guard recursive else { return }
        for sub in entries where sub.isDirectory {
            try await listDirectory(loc.with(path: sub.path), fmt: fmt, header: header, first: false, reporter: reporter)
        }
    }

    /// Sorted by name (as listed), or by time newest first with -t; reversed with -r.
    private func order<T>(_ items: [(T, FileInfo)]) -> [(T, FileInfo)] {
        var out = items
        if byTime {
            out = out.enumerated().sorted { a, b in
                let ta = a.element.1.modificationTime ?? .distantPast, tb = b.element.1.modificationTime ?? .distantPast
                return ta != tb ? ta > tb : a.offset < b.offset
            }.map(\.element)
        }
        return reverse ? out.reversed() : out
    }

    private func print(_ entries: [(FileInfo, String)], _ fmt: EntryFormatter) throws {
        if json {
            for (info, address) in entries { Output.standard.line(try jsonLine(EntryJSON(info, address: address))) }
        } else if long {
            let width = entries.map { fmt.size($0.0).count }.max() ?? 0
            for (info, name) in entries { Output.standard.line(fmt.long(info, name: name, sizeWidth: width)) }
        } else {
            for (info, name) in entries { Output.standard.line(name + (info.isDirectory ? "/" : "")) }
        }
    }
}
