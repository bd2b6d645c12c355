import ArgumentParser
import DCTCCompression
import DCTCCore
import DCTCDispatch
import Foundation

/// `--by` choices.
enum PartitionChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case time, value, hash
    case roundRobin = "round-robin"
}

/// `--grain` choices (mirrors `TimeGrain`).
enum GrainChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case hour, day, month, year
    var grain: TimeGrain {
        switch self {
        case .hour: .hour
        case .day: .day
        case .month: .month
        case .year: .year
        }
    }
}

/// `--format` choices (mirrors `RecordFormat`).
enum RecordFormatChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case lines, csv
    var format: RecordFormat { self == .csv ? .csv : .lines }
}

/// `dctc dispatch`: splits the records of files into partitioned files.
struct Dispatch: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Split the lines or CSV records of files into one file per day, value or hash bucket.",
        discussion: """
        Every record of the INPUTS (lines, or CSV records with --format csv) goes to the \
        output named by its key, in OUTDIR: --by time (the day, hour, month or year of a \
        time in the record), --by value (a column's value), --by hash (a stable FNV-1a hash \
        of a column, modulo --buckets), or --by round-robin (records dealt in turn to \
        --buckets outputs). The value is a column (--column N from 1, or a header name with \
        --header) or the capture group of --regex (ICU syntax; group 'key' if named, else 1).

        Times are read with --date-format (strftime-like: %Y %m %d %H %M %S %b %z %s %j %p \
        ...; the format matches the start of the value); without it ISO 8601 and epoch \
        seconds are accepted. Keys are 2013, 2013-06, 2013-06-03, 2013-06-03T14. Times with \
        an offset are keyed in UTC unless --time-zone says as-written or +HH:MM.

        Output names come from --name, a template with {key} (default: {key} plus the \
        first input's extension); keys are escaped (/ → %2F, % → %25, '..' → %2E%2E) so they \
        never leave OUTDIR. Inputs are decompressed (gzip, bzip2); --compress gz|bz2, or a \
        template ending in .gz/.bz2, compresses outputs. Records are spooled to local temporary \
        files (--spool-dir; as much disk as the uncompressed data), with at most --max-open \
        of them open and --spool-memory of buffers, and outputs are written once every input has been read: a bad record \
        (exit 6, with its file and line) or a missing input leaves OUTDIR untouched. Each \
        output is written atomically and replaces an existing file of that name; other files \
        in OUTDIR are left alone.

        Examples:
          # web logs by day (combined log format), gzip-compressed outputs
          dctc dispatch --by time --regex '\\[([^\\]]+)\\]' \\
              --date-format '%d/%b/%Y:%H:%M:%S %z' --name '{key}/access.log.gz' \\
              's3://logs/raw/*.gz' s3://logs/by-day/
          # a CSV by its country column, the header copied into every output
          dctc dispatch --by value --format csv --header --column country \\
              sales.csv by-country/
          # 16 stable hash buckets of the user id in column 2
          dctc dispatch --by hash --column 2 --buckets 16 \\
              --name 'part-{key}.csv' events.csv out/
          # hourly files from ISO 8601 times in column 1, bad lines set aside
          dctc dispatch --by time --grain hour --column 1 \\
              --on-error file:unparsed app.log out/
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var dryRun: DryRunOptions

    @Option(help: "What decides a record's output: time, value, hash or round-robin.")
    var by: PartitionChoice

    @Option(help: ArgumentHelp("The column holding the value: a number from 1, or a name from the header (with --header).", valueName: "N|name"))
    var column: String?

    @Option(help: ArgumentHelp("A regular expression whose capture group (named 'key', else the first) holds the value.", valueName: "regex"))
    var regex: String?

    @Option(name: .customLong("date-format"), help: ArgumentHelp("How times are written, strftime-like (default: ISO 8601 or epoch seconds).", valueName: "format"))
    var dateFormat: String?

    @Option(help: "The span of one output with --by time: hour, day, month or year (default: day).")
    var grain: GrainChoice?

    @Option(name: .customLong("time-zone"), help: ArgumentHelp("The clock time keys are read on: utc, as-written, or +HH:MM (default: utc).", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("The number of outputs with --by hash and --by round-robin.", valueName: "N"))
    var buckets: Int?

    @Option(help: "lines (one record per line) or csv (RFC 4180 quoting, newlines inside quotes).")
    var format: RecordFormatChoice = .lines

    @Option(help: ArgumentHelp("The column separator: one character, tab, or space.", valueName: "char"))
    var separator: String = ","

    @Flag(help: "The first line of each input is a header: copy it to the top of every output.")
    var header = false

    @Option(help: ArgumentHelp("Output names below OUTDIR, with {key}, e.g. '{key}/events.csv.gz'.", valueName: "template"))
    var name: String?

    @Option(help: "Compress outputs (gz or bz2); the suffix is added to names.")
    var compress: CompressionChoice?

    @Option(help: ArgumentHelp("Compression level (gz: 1-9, bz2: 1-9).", valueName: "N"))
    var level: Int?

    @Option(name: .customLong("on-error"), help: ArgumentHelp("Records that cannot be partitioned: fail, skip, or file:KEY to send them to KEY's output.", valueName: "policy"))
    var onError: String = "fail"

    @Option(name: .customLong("max-open"), help: ArgumentHelp("Spool files open at once; the least recently used is closed beyond this.", valueName: "N"))
    var maxOpen = 64

    @Option(name: .customLong("max-keys"), help: ArgumentHelp("The most outputs allowed (a guard against a wrong column).", valueName: "N"))
    var maxKeys = 10_000

    @Option(name: .customLong("spool-memory"), help: ArgumentHelp("Memory for buffering records before they go to the spool files (e.g. 64M).", valueName: "size"))
    var spoolMemory: ContentCount = ContentCount(16 << 20)

    @Option(name: .customLong("spool-dir"), help: ArgumentHelp("Local folder for the spool files (default: $TMPDIR, else /tmp).", valueName: "dir"))
    var spoolDir: String?

    @Option(help: ArgumentHelp("Outputs written in parallel.", valueName: "N"))
    var transfers = 4

    @Flag(help: "Print one JSON object (per key: path, records, bytes; and totals) as the last line.")
    var json = false

    @Argument(help: ArgumentHelp("INPUTS... OUTDIR: files to read (glob patterns allowed; - for standard input) and the output folder.", valueName: "address"), completion: .address)
    var paths: [String] = []

    init() {}

    func validate() throws {
        guard paths.count >= 2 else { throw ValidationError("give at least one input and the output folder (OUTDIR)") }
        if paths.last == "-" { throw ValidationError("OUTDIR must be a folder, not standard output") }
        if paths.dropLast().filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if column != nil && regex != nil { throw ValidationError("give --column or --regex, not both") }
        switch by {
        case .time, .value:
            if buckets != nil { throw ValidationError("--buckets goes with --by hash or --by round-robin") }
            if column == nil && regex == nil { throw ValidationError("--by \(by.rawValue) needs --column N or --regex") }
        case .hash:
            if buckets == nil { throw ValidationError("--by hash needs --buckets N") }
            if column == nil && regex == nil { throw ValidationError("--by hash needs --column N or --regex") }
        case .roundRobin:
            if buckets == nil { throw ValidationError("--by round-robin needs --buckets N") }
            if column != nil || regex != nil { throw ValidationError("--by round-robin takes no --column or --regex") }
        }
        if by != .time && (dateFormat != nil || grain != nil || timeZone != nil) {
            throw ValidationError("--date-format, --grain and --time-zone go with --by time")
        }
        if let timeZone, TimeZoneMode(argument: timeZone) == nil {
            throw ValidationError("--time-zone must be utc, as-written, or an offset like +02:00")
        }
        if DispatchOptions.separator(argument: separator) == nil {
            throw ValidationError("--separator must be one ASCII character, tab or space")
        }
        if ErrorPolicy(argument: onError) == nil {
            throw ValidationError("--on-error must be fail, skip or file:KEY")
        }
        if level != nil && compress == nil { throw ValidationError("--level needs --compress") }
        if spoolMemory.fromStart || spoolMemory.value < 1 { throw ValidationError("--spool-memory must be a size such as 512K or 64M") }
    }

    /// The library options these flags stand for.
    func dispatchOptions() -> DispatchOptions {
        let partitioning: Partitioning
        switch by {
        case .time:
            partitioning = .time(format: dateFormat, grain: (grain ?? .day).grain,
                                 zone: timeZone.flatMap(TimeZoneMode.init(argument:)) ?? .utc)
        case .value: partitioning = .value
        case .hash: partitioning = .hash(buckets: buckets ?? 1)
        case .roundRobin: partitioning = .roundRobin(buckets: buckets ?? 1)
        }
        let field: FieldSelector? = regex.map { .regex($0) } ?? column.map { FieldSelector(columnArgument: $0) }
        return DispatchOptions(
            partitioning: partitioning, field: field, format: format.format,
            separator: DispatchOptions.separator(argument: separator) ?? UInt8(ascii: ","), header: header,
            nameTemplate: name, compression: compress?.codec, compressionLevel: level,
            onError: ErrorPolicy(argument: onError) ?? .fail, maxOpen: maxOpen, maxKeys: maxKeys,
            spoolMemoryLimit: Int(clamping: spoolMemory.value), spoolDirectory: spoolDir, uploadConcurrency: transfers)
    }

    func run(_ context: CommandContext) async throws {
        let options = dispatchOptions()
        try options.validate()
        // Every input must be there before anything is read: a partial set of inputs would
        // give outputs that look complete and are not.
        var inputs: [DispatchInput] = []
        for text in paths.dropLast() {
            for input in try await ContentReading.expand(text, context: context) {
                if input.isStandardInput {
                    inputs.append(.stream(ContentReading.standardInput(), displayName: "-"))
                    continue
                }
                guard let location = input.location, input.info?.isDirectory != true else {
                    throw ContentReading.isADirectory(input.name)
                }
                inputs.append(.file(location.fs, location.path, displayName: input.name))
            }
        }
        let outText = paths[paths.count - 1]
        let out = try await context.location(outText)
        if let existing = try await out.fs.infoIfExists(out.path), !existing.isDirectory {
            throw VFSError(.notADirectory, "is a file; OUTDIR must be a folder", path: outText,
                           remedy: "give a folder; it is created when missing")
        }
        // A dry run dispatches into a private in-memory store, then names the real outputs.
        let target = dryRun.dryRun ? try await context.location("mem://dctc-dry-run-\(UUID().uuidString)/out") : out
        let report: DispatchReport
        if dryRun.dryRun {
            report = try await DispatchEngine.run(inputs: inputs, to: DispatchDestination(location: target), options: options)
        } else {
            report = try await context.withProgress(verb: "wrote") { observer in
                try await DispatchEngine.run(inputs: inputs, to: DispatchDestination(location: target, observer: observer), options: options)
            }
        }
        if dryRun.dryRun {
            for o in report.outputs {
                let rel = o.path.relative(to: target.path) ?? o.path.name
                dryRun.report("write \(out.with(path: out.path.appending(relative: rel)).address) (\(plural(o.records, "record")), \(Self.size(o.bytes)))")
            }
            _ = try? await target.fs.removeTree(target.path)
            Output.standard.flush()
            return
        }

        if report.unpartitionable > 0, case .skip = options.onError {
            printError("warning: \(report.unpartitionable) record(s) could not be partitioned and were skipped")
        }
        if global.verbose {
            for o in report.outputs {
                context.note("\(o.key): \(o.records) record(s), \(Self.size(o.bytes)) -> \(o.address)")
            }
            var total = "\(report.outputs.count) output(s), \(report.records) record(s) from \(report.inputs.count) input(s), \(Self.size(report.bytes))"
            if report.unpartitionable > 0 {
                let fate = if case .toKey(let key) = options.onError { "sent to \(key)" } else { "skipped" }
                total += ", \(report.unpartitionable) unpartitionable (\(fate))"
            }
            context.note(total)
        }
        if json {
            Output.standard.line(try jsonLine(DispatchSummaryJSON(report)))
        }
        Output.standard.flush()
    }

    /// `81 B`, `1.5K`, `20M`.
    static func size(_ bytes: Int64) -> String { bytes < 1024 ? "\(bytes) B" : humanSize(bytes) }
}

/// The `--json` line of `dctc dispatch`.
struct DispatchSummaryJSON: Encodable {
    struct OutputJSON: Encodable {
        let path: String
        let records: Int
        let bytes: Int64
    }

    let outputs: [String: OutputJSON]
    let inputs: Int
    let records: Int
    let unpartitionable: Int
    let blankLines: Int
    let bytes: Int64

    init(_ report: DispatchReport) {
        var outputs: [String: OutputJSON] = [:]
        for o in report.outputs { outputs[o.key] = OutputJSON(path: o.address, records: o.records, bytes: o.bytes) }
        self.outputs = outputs
        inputs = report.inputs.count
        records = report.records
        unpartitionable = report.unpartitionable
        blankLines = report.blankLines
        bytes = report.bytes
    }
}
