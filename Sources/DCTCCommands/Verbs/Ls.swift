import ArgumentParser
import DCTCCore

/// `dctc ls`: list directories and files of any store.
struct Ls: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "List directory contents.",
        discussion: """
        Directories are listed by their children, sorted by name; files by themselves.
        Glob patterns (*, ?, [..], **) are expanded by dctc; quote them.

        Examples:
          dctc ls -l ./data
          dctc ls -lh s3://bucket/logs/
          dctc ls -R sftp://me@host/project
          dctc ls --json 'backup:2024/*.csv.gz'
        """,
        helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @Flag(name: .short, help: "Long format: mode, size, modification time, name.") var long = false
    @Flag(name: .customShort("R"), help: "List subdirectories recursively.") var recursive = false
    @Flag(name: .customShort("h"), help: "Sizes in K, M, G (with -l).") var human = false
    @Flag(name: .long, help: "One JSON object per entry and line.") var json = false
    @Argument(help: "Addresses to list (default: the current directory).", completion: .address) var addresses: [String] = []

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let targets = await ctx.expandAll(addresses.isEmpty ? ["."] : addresses, reporter: reporter)
        let files = targets.filter { !$0.1.isDirectory }
        let dirs = targets.filter { $0.1.isDirectory }
        let fmt = EntryFormatter(human: human)
        if !files.isEmpty {
            try print(files.map { ($0.1, $0.0.address.description) }, fmt)
            reporter.success()
        }
        let headers = targets.count > 1 || recursive
        for (i, (loc, _)) in dirs.enumerated() {
            do {
                try await listDirectory(loc, fmt: fmt, header: headers, first: i == 0 && files.isEmpty)
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }

    private func listDirectory(_ loc: Location, fmt: EntryFormatter, header: Bool, first: Bool) async throws {
        let entries = try await loc.fs.listAll(loc.path)
        if header && !json {
            if !first { Output.standard.line("") }
            Output.standard.line("\(loc.address):")
        }
        try print(entries.map { ($0, json ? loc.with(path: $0.path).address.description : $0.name) }, fmt)
        guard recursive else { return }
        for sub in entries where sub.isDirectory {
            try await listDirectory(loc.with(path: sub.path), fmt: fmt, header: header, first: false)
        }
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
