import ArgumentParser
import DCTCCore

/// `dctc stat`: everything a store knows about entries.
struct Stat: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an entry's type, size, modification time, mode, ETag, known hashes and object properties.",
        discussion: """
        Examples:
          dctc stat ./file.csv
          dctc stat --json s3://bucket/key.gz
          dctc stat --profile work s3://bucket/site/index.html
        """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "One JSON object per entry and line.") var json = false
    @Argument(help: "Addresses to describe.", completion: .address) var addresses: [String]

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let fmt = EntryFormatter(human: true)
        for (i, (loc, info)) in (await ctx.expandAll(addresses, reporter: reporter)).enumerated() {
            if json {
                Output.standard.line(try jsonLine(EntryJSON(info, address: loc.address.description)))
            } else {
                if i > 0 { Output.standard.line("") }
                var lines = [
                    ("Address", loc.address.description),
                    ("Type", info.kind.rawValue),
                ]
                if let size = info.size { lines.append(("Size", size >= 1024 ? "\(size) (\(humanSize(size)))" : "\(size)")) }
                lines.append(("Modified", EntryFormatter.iso(info.modificationTime)))
                if let mode = info.mode { lines.append(("Mode", "\(String(mode, radix: 8)) (\(fmt.modeString(info)))")) }
                if let etag = info.etag { lines.append(("ETag", etag)) }
                if let version = info.version { lines.append(("Version", version)) }
                for (kind, value) in info.hashes.sorted(by: { $0.key < $1.key }) { lines.append((kind.rawValue.uppercased(), value)) }
                for (key, value) in info.properties.sorted(by: { $0.key < $1.key }) { lines.append((key, value)) }
                for (key, value) in info.metadata.sorted(by: { $0.key < $1.key }) { lines.append(("Meta \(key)", value)) }
                let width = lines.map(\.0.count).max() ?? 0
                for (k, v) in lines {
                    Output.standard.line(String(repeating: " ", count: width - k.count) + k + ": " + v)
                }
            }
            reporter.success()
        }
        Output.standard.flush()
        try reporter.finish()
    }
}
