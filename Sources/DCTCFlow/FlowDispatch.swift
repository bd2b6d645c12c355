import DCTCCompression
import DCTCCore
import DCTCDispatch

/// The settings of a `dispatch` step, named as the `dctc dispatch` options (with `_` for `-`),
/// turned into the dispatch library's options.
enum FlowDispatch {
    static let keys: Set<String> = ["by", "column", "regex", "date_format", "grain", "time_zone", "buckets",
                                    "format", "header", "separator", "name", "on_error"]

    /// - Throws: `VFSError(.invalidArgument)` naming the setting at fault.
    static func options(_ s: [String: String]) throws -> DispatchOptions {
        func bad(_ m: String) -> VFSError { VFSError(.invalidArgument, m, path: "dispatch") }
        let partitioning: Partitioning
        switch s["by"] ?? "" {
        case "time":
            let grainText = s["grain"] ?? "day"
            guard let grain = DCTCDispatch.TimeGrain(rawValue: grainText) else { throw bad("grain must be hour, day, month or year") }
            guard let zone = TimeZoneMode(argument: s["time_zone"] ?? "utc") else { throw bad("time_zone must be utc, as-written or an offset like +02:00") }
            partitioning = .time(format: s["date_format"], grain: grain, zone: zone)
        case "value": partitioning = .value
        case "hash", "round-robin":
            guard let b = s["buckets"].flatMap(Int.init), b >= 1 else { throw bad("by \(s["by"] ?? "") needs buckets: N (1 or more)") }
            partitioning = s["by"] == "hash" ? .hash(buckets: b) : .roundRobin(buckets: b)
        case "": throw bad("a dispatch step needs by: time, value, hash or round-robin")
        case let other: throw bad("by must be time, value, hash or round-robin, not '\(other)'")
        }
        if s["column"] != nil && s["regex"] != nil { throw bad("give column or regex, not both") }
        let field: FieldSelector? = s["regex"].map { .regex($0) } ?? s["column"].map { FieldSelector(columnArgument: $0) }
        let format: RecordFormat
        switch s["format"] ?? "lines" {
        case "lines": format = .lines
        case "csv": format = .csv
        default: throw bad("format must be lines or csv")
        }
        guard let separator = DispatchOptions.separator(argument: s["separator"] ?? ",") else { throw bad("separator must be one ASCII character, tab or space") }
        let header: Bool
        switch (s["header"] ?? "false").lowercased() {
        case "true", "yes": header = true
        case "false", "no": header = false
        default: throw bad("header must be true or false")
        }
        guard let onError = ErrorPolicy(argument: s["on_error"] ?? "fail") else { throw bad("on_error must be fail, skip or file:KEY") }
        let codec: Codec?
        switch s["compress"] {
        case nil: codec = nil
        case "gz"?: codec = .gzip
        case "bz2"?: codec = .bzip2
        default: throw bad("compress must be gz or bz2")
        }
        let options = DispatchOptions(partitioning: partitioning, field: field, format: format, separator: separator,
                                      header: header, nameTemplate: s["name"], compression: codec, onError: onError)
        try options.validate()
        return options
    }
}
