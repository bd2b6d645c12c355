import DCTCCompression
import DCTCCore
import Foundation

/// How the input is cut into records.
public enum RecordFormat: String, Sendable, Hashable, CaseIterable {
    /// One record per line (`\n`); `column` splits a line on the separator, without quoting.
    case lines
    /// RFC 4180 CSV: a record ends at a newline outside double quotes, so quoted fields may
    /// hold separators, quotes (doubled) and newlines.
    case csv
}

/// The span of time one output covers when partitioning by time.
public enum TimeGrain: String, Sendable, Hashable, CaseIterable {
    /// Keys like `2013-06-03T14`.
    case hour
    /// Keys like `2013-06-03`.
    case day
    /// Keys like `2013-06`.
    case month
    /// Keys like `2013`.
    case year
}

/// Which clock a time key is read on.
public enum TimeZoneMode: Sendable, Hashable, CustomStringConvertible {
    /// Times that carry an offset (`%z`, ISO 8601 `Z`/`+02:00`, epoch seconds) are converted
    /// to UTC; times without one are taken as written (assumed to be UTC already).
    case utc
    /// Like `.utc`, but keys are on a fixed offset east of UTC, in seconds (`+02:00` is 7200).
    case fixed(offsetSeconds: Int)
    /// The wall-clock fields as written, whatever offset they carry (epoch seconds are UTC).
    case asWritten

    /// Parses `utc` (or `Z`), `as-written`, or an offset `+HH:MM`, `+HHMM`, `-HH`.
    public init?(argument: String) {
        switch argument.lowercased() {
        case "utc", "z", "gmt": self = .utc
        case "as-written", "aswritten", "written": self = .asWritten
        default:
            guard let seconds = TimestampFormat.parseOffset(Array(argument.utf8), fullMatch: true) else { return nil }
            self = seconds == 0 ? .utc : .fixed(offsetSeconds: seconds)
        }
    }

    public var description: String {
        switch self {
        case .utc: "utc"
        case .asWritten: "as-written"
        case .fixed(let s):
            String(format: "%@%02d:%02d", s < 0 ? "-" : "+", abs(s) / 3600, (abs(s) % 3600) / 60)
        }
    }
}

/// Where in a record the partitioning value is.
public enum FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// A column, numbered from 1.
    case column(Int)
    /// A column named in the header line (needs `header`).
    case columnName(String)
    /// A regular expression (ICU syntax, as `NSRegularExpression`) matched on the whole
    /// record; the value is the capture group named `key` when there is one, else group 1.
    case regex(String)

    /// Parses a `--column` argument: a number from 1, or a header name.
    public init(columnArgument: String) {
        if let n = Int(columnArgument) { self = .column(n) } else { self = .columnName(columnArgument) }
    }

    public var description: String {
        switch self {
        case .column(let n): "column \(n)"
        case .columnName(let name): "column '\(name)'"
        case .regex(let r): "regex '\(r)'"
        }
    }
}

/// What decides a record's output key.
public enum Partitioning: Sendable, Hashable {
    /// The time in the field, read with `format` (strftime-like; nil accepts ISO 8601 and
    /// epoch seconds), cut to `grain`.
    case time(format: String?, grain: TimeGrain, zone: TimeZoneMode)
    /// The field's value itself (escaped into a safe name, see `OutputNameTemplate`).
    case value
    /// A stable hash of the field's UTF-8 bytes (`StableHash.fnv1a64`) modulo `buckets`.
    case hash(buckets: Int)
    /// Records dealt in turn to `buckets` outputs, across all inputs.
    case roundRobin(buckets: Int)
}

/// What happens to a record that cannot be partitioned (missing column, unreadable time,
/// no regex match, empty value).
public enum ErrorPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Stop with an error naming the input and the line; nothing is written.
    case fail
    /// Drop the record and count it.
    case skip
    /// Send the record to the output of this key (e.g. `unparsed`), and count it.
    case toKey(String)

    /// Parses `fail`, `skip` or `file:KEY`.
    public init?(argument: String) {
        switch argument {
        case "fail": self = .fail
        case "skip": self = .skip
        default:
            guard argument.hasPrefix("file:"), argument.count > 5 else { return nil }
            self = .toKey(String(argument.dropFirst(5)))
        }
    }

    public var description: String {
        switch self {
        case .fail: "fail"
        case .skip: "skip"
        case .toKey(let key): "file:\(key)"
        }
    }
}

/// Everything `DispatchEngine.run` needs to know besides its inputs and output folder.
public struct DispatchOptions: Sendable, Hashable {
    public var partitioning: Partitioning
    /// Where the value is; required for every partitioning but `.roundRobin`.
    public var field: FieldSelector?
    public var format: RecordFormat
    /// The column separator (one ASCII byte other than `"`, CR and LF).
    public var separator: UInt8
    /// The first record of every input is a header: it is copied to the top of every output
    /// (once), and `FieldSelector.columnName` looks names up in it.
    public var header: Bool
    /// Output names relative to the output folder, with `{key}` (see `OutputNameTemplate`).
    /// nil: `{key}` followed by the first input's extension (without a compression suffix).
    public var nameTemplate: String?
    /// Compress outputs with this stream codec; nil infers it from a template ending in
    /// `.gz`/`.bz2`, else writes plain outputs.
    public var compression: Codec?
    /// The gzip level or bzip2 block size (1...9); nil for the codec's default.
    public var compressionLevel: Int?
    public var onError: ErrorPolicy
    /// Spool files kept open at once; the least recently used is closed beyond this.
    public var maxOpen: Int
    /// Distinct keys allowed; more is an error (a guard against a wrong column).
    public var maxKeys: Int
    /// The longest record accepted, in bytes (bounds memory on a missing newline or an
    /// unterminated quote).
    public var maxRecordBytes: Int
    /// Bytes of records buffered in memory over all keys before the largest buffers are
    /// written to their spool files (fewer, larger writes and reopenings with many keys).
    public var spoolMemoryLimit: Int
    /// The local folder where spool files go (a private folder is made inside it);
    /// nil: `$TMPDIR`, else `/tmp`.
    public var spoolDirectory: String?
    /// Outputs written to the destination store at the same time.
    public var uploadConcurrency: Int

    public init(partitioning: Partitioning, field: FieldSelector? = nil, format: RecordFormat = .lines,
                separator: UInt8 = UInt8(ascii: ","), header: Bool = false, nameTemplate: String? = nil,
                compression: Codec? = nil, compressionLevel: Int? = nil, onError: ErrorPolicy = .fail,
                maxOpen: Int = 64, maxKeys: Int = 10_000, maxRecordBytes: Int = 16 << 20,
                spoolMemoryLimit: Int = 16 << 20, spoolDirectory: String? = nil, uploadConcurrency: Int = 4) {
        self.partitioning = partitioning
        self.field = field
        self.format = format
        self.separator = separator
        self.header = header
        self.nameTemplate = nameTemplate
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.onError = onError
        self.maxOpen = maxOpen
        self.maxKeys = maxKeys
        self.maxRecordBytes = maxRecordBytes
        self.spoolMemoryLimit = spoolMemoryLimit
        self.spoolDirectory = spoolDirectory
        self.uploadConcurrency = uploadConcurrency
    }

    /// Parses a separator as users write it: one ASCII character, `tab` or `\t`, `space`.
    public static func separator(argument: String) -> UInt8? {
        switch argument {
        case "tab", "\\t", "\t": return UInt8(ascii: "\t")
        case "space": return UInt8(ascii: " ")
        default:
            let bytes = Array(argument.utf8)
            guard bytes.count == 1, bytes[0] < 0x80 else { return nil }
            return bytes[0]
        }
    }

    /// Checks the options against each other.
    ///
    /// - Throws: `VFSError(.invalidArgument)` naming the option at fault: a missing or
    ///   superfluous field, a column below 1, a column name without a header, a bad regex or
    ///   one without a capture group, a bad date format or one without the fields the grain
    ///   needs, buckets below 1, a bad separator, a bad name template, zip compression, a
    ///   level out of range, limits below 1.
    public func validate() throws {
        switch partitioning {
        case .roundRobin(let n), .hash(let n):
            guard n >= 1 else { throw VFSError.invalid("--buckets must be at least 1") }
        case .time(let format, let grain, _):
            if let format { _ = try TimestampFormat(format, grain: grain) }
        case .value: break
        }
        if case .roundRobin = partitioning {
            if field != nil {
                throw VFSError.invalid("--by round-robin takes no --column or --regex", remedy: "drop them, or use --by hash")
            }
        } else {
            guard let field else {
                throw VFSError.invalid("this partitioning needs a field", remedy: "give --column N (from 1) or --regex with a capture group")
            }
            switch field {
            case .column(let n):
                guard n >= 1 else { throw VFSError.invalid("--column counts from 1", remedy: "the first column is --column 1") }
            case .columnName(let name):
                guard header else {
                    throw VFSError.invalid("--column '\(name)' names a column, which needs --header",
                                           remedy: "add --header, or give the column's number (from 1)")
                }
            case .regex(let pattern):
                _ = try KeyRegex(pattern)
            }
        }
        guard separator < 0x80, separator != UInt8(ascii: "\""), separator != 0x0A, separator != 0x0D else {
            throw VFSError.invalid("the separator must be one ASCII character other than a quote or a newline")
        }
        if let nameTemplate { _ = try OutputNameTemplate(nameTemplate) }
        if let compression {
            guard compression.isStream else { throw VFSError.invalid("outputs can be compressed with gz or bz2, not zip") }
            if let compressionLevel, !compression.levels.contains(compressionLevel) {
                throw VFSError.invalid("the level for \(compression.fileExtension) must be in \(compression.levels.lowerBound)...\(compression.levels.upperBound)")
            }
        }
        if case .toKey(let key) = onError, key.isEmpty {
            throw VFSError.invalid("--on-error file: needs a key", remedy: "e.g. --on-error file:unparsed")
        }
        guard maxOpen >= 1 else { throw VFSError.invalid("--max-open must be at least 1") }
        guard maxKeys >= 1 else { throw VFSError.invalid("--max-keys must be at least 1") }
        guard maxRecordBytes >= 1 else { throw VFSError.invalid("the longest record must be at least 1 byte") }
        guard spoolMemoryLimit >= 1 else { throw VFSError.invalid("--spool-memory must be at least 1 byte") }
        guard uploadConcurrency >= 1 else { throw VFSError.invalid("--transfers must be at least 1") }
    }

    /// The name template and the codec the outputs get, given the first input's file name.
    ///
    /// The default template is `{key}` plus the first input's extension once a compression
    /// suffix is removed (`access.log.gz` gives `{key}.log`). A template that ends in `.gz`
    /// or `.bz2` implies that codec when none is set; the codec's suffix is appended to a
    /// template that does not end with it already.
    /// - Throws: `VFSError(.invalidArgument)` for a template whose suffix names another codec
    ///   than `compression`.
    public func resolvedNaming(firstInputName: String) throws -> (template: OutputNameTemplate, codec: Codec?) {
        var template: String
        if let nameTemplate {
            template = nameTemplate
        } else {
            var name = firstInputName
            if let codec = Codec.forName(name), codec.isStream, let stripped = codec.strippingExtension(from: name) {
                name = stripped
            }
            let ext = VPath(components: [name]).pathExtension
            template = ext.isEmpty ? "{key}" : "{key}.\(ext)"
        }
        let suffixCodec = Codec.forName(template).flatMap { $0.isStream ? $0 : nil }
        var codec = compression
        if let suffixCodec {
            if let codec, codec != suffixCodec {
                throw VFSError.invalid("the name template ends in .\(suffixCodec.fileExtension) but outputs are compressed with \(codec.fileExtension)",
                                       remedy: "make them agree, or drop the suffix from the template")
            }
            codec = suffixCodec
        } else if let codec {
            template = codec.addingExtension(to: template)
        }
        return (try OutputNameTemplate(template), codec)
    }
}
