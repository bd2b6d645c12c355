import ArgumentParser
import DCTCCore

/// `dctc cat`: prints files of any store to standard output, one after the other.
struct Cat: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print files of any store to standard output, decompressing .gz and .bz2.",
        discussion: """
        Files are streamed chunk by chunk, so any size prints in constant memory. gzip and \
        bzip2 content is decompressed (recognised by its first bytes, else by its extension) \
        unless --raw is given. Glob patterns expand in the store; - (or no address) reads \
        standard input. A file that fails is reported and the others are still printed.

        Examples:
          dctc cat https://example.org/data.csv.gz | head
          dctc cat 's3://bucket/logs/2024-*.log' > all.log
          dctc cat --raw backup:dump.sql.gz > dump.sql.gz
        """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the stored bytes as they are, without decompressing.")
    var raw = false

    @Argument(help: ArgumentHelp("Files to print (glob patterns allowed; - for standard input).", valueName: "address"), completion: .address)
    var addresses: [String] = []

    init() {}

    func run(_ context: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let inputs = await ContentReading.expandAll(addresses.isEmpty ? ["-"] : addresses,
                                                    context: context, reporter: reporter)
        for input in inputs {
            do {
                let stream = try await ContentReading.open(input, raw: raw)
                try await ContentReading.forEachChunk(stream) { chunk in
                    Output.standard.write(chunk)
                    return true
                }
                reporter.success()
            } catch {
                if ContentReading.isCancellation(error) { throw error }
                reporter.report(error, path: input.name)
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }
}
