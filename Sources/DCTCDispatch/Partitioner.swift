import DCTCCore

/// Decides the output key of each record (one instance per run, used on one thread).
final class Partitioner {
    enum Outcome {
        case key(String)
        /// The record cannot be partitioned, and why (without the input and line).
        case unpartitionable(String)
    }

    private let partitioning: Partitioning
    private let selector: FieldSelector?
    private let reader: FieldReader
    private let regex: KeyRegex?
    private let timeFormat: TimestampFormat?
    /// The 0-based column, once known (from `--column N`, or from the header for a name).
    private var column: Int?
    private var dealt = 0

    /// - Throws: what `DispatchOptions.validate` throws for the field, regex and format.
    init(options: DispatchOptions) throws {
        partitioning = options.partitioning
        selector = options.field
        reader = FieldReader(csv: options.format == .csv, separator: options.separator)
        if case .regex(let pattern)? = options.field { regex = try KeyRegex(pattern) } else { regex = nil }
        if case .time(let format?, let grain, _) = options.partitioning {
            timeFormat = try TimestampFormat(format, grain: grain)
        } else {
            timeFormat = nil
        }
        if case .column(let n)? = options.field { column = n - 1 }
    }

    /// Looks the column name up in an input's header.
    /// - Throws: `VFSError(.invalidArgument)` when the header has no such column.
    func useHeader(_ header: UnsafeRawBufferPointer, displayPath: String) throws {
        guard case .columnName(let name)? = selector else { return }
        let names = reader.fields(of: header).map { String(decoding: $0, as: UTF8.self) }
        let trimmed = names.map { $0.trimmingSpaces }
        guard let index = trimmed.firstIndex(of: name) ?? trimmed.firstIndex(of: name.trimmingSpaces) else {
            throw VFSError.invalid("the header has no column '\(name)'", path: displayPath,
                                   remedy: "its columns are: \(names.prefix(30).map(Self.shown).joined(separator: ", "))")
        }
        column = index
    }

    /// The key of one record (`record` without its line terminator).
    func key(for record: UnsafeRawBufferPointer) -> Outcome {
        if case .roundRobin(let buckets) = partitioning {
            defer { dealt += 1 }
            return .key(StableHash.bucketKey(dealt % buckets, buckets: buckets))
        }
        switch value(of: record) {
        case .failure(let why): return .unpartitionable(why.text)
        case .success(let found): return key(ofValue: found.value, place: found.place)
        }
    }

    struct Reason: Error { let text: String }

    /// The value the partitioning looks at, and where it was found (for messages).
    private func value(of record: UnsafeRawBufferPointer) -> Result<(value: [UInt8], place: String), Reason> {
        switch selector {
        case .regex?:
            guard let regex else { return .failure(Reason(text: "no --regex")) }
            switch regex.capture(in: String(decoding: record, as: UTF8.self)) {
            case .success(let s): return .success((Array(s.utf8), "the regex capture"))
            case .failure(.noMatch): return .failure(Reason(text: "no match for --regex '\(regex.pattern)'"))
            case .failure(.emptyGroup): return .failure(Reason(text: "the capture group of --regex '\(regex.pattern)' matched nothing"))
            }
        case .column?, .columnName?:
            guard let column else { return .failure(Reason(text: "the column is unknown (no header was read)")) }
            guard let v = reader.field(column, of: record) else {
                return .failure(Reason(text: "no column \(column + 1) (the record has \(reader.count(of: record)))"))
            }
            return .success((v, "column \(column + 1)"))
        case nil:
            return .failure(Reason(text: "no field to partition on"))
        }
    }

    private func key(ofValue value: [UInt8], place: String) -> Outcome {
        switch partitioning {
        case .hash(let buckets), .roundRobin(let buckets):  // round-robin is dealt in key(for:)
            return .key(StableHash.bucketKey(StableHash.bucket(of: value, buckets: buckets), buckets: buckets))
        case .value:
            guard !value.isEmpty else { return .unpartitionable("\(place) is empty") }
            guard let s = String(validating: value, as: UTF8.self) else {
                return .unpartitionable("\(place) is not valid UTF-8")
            }
            return .key(s)
        case .time(_, let grain, let zone):
            let fields = timeFormat.map { $0.parse(value) } ?? TimestampFormat.parseAuto(value)
            if let fields, let key = TimeKey.key(fields, grain: grain, zone: zone) { return .key(key) }
            let how = timeFormat.map { "with --date-format '\($0.pattern)'" } ?? "as ISO 8601 or epoch seconds (give --date-format)"
            return .unpartitionable("cannot read \(Self.shown(String(decoding: value, as: UTF8.self))) in \(place) as a time \(how)")
        }
    }

    /// A value quoted for a one-line message: control characters replaced, at most 60 characters.
    static func shown(_ s: String) -> String {
        var out = String(s.unicodeScalars.prefix(60).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if s.unicodeScalars.count > 60 { out += "…" }
        return "'\(out)'"
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        if s.hasPrefix("\u{FEFF}") { s = s.dropFirst() }
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
