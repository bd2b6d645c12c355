import DCTCCore

/// Where in the pipeline file something was written, for messages that point at the line.
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }
    public var description: String { "\(file):\(line):\(column)" }
}

/// A partition dimension: time with a grain, or a list of discrete values.
public struct Dimension: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Time partitions of `grain`, from `start` (inclusive) to `end` (inclusive, when given).
        case time(grain: TimeGrain, start: TimePeriod, end: TimePeriod?)
        /// Discrete values, in the order written.
        case values([String])
    }
    public let name: String
    public let kind: Kind
    public let mark: SourceMark?

    public var grain: TimeGrain? {
        if case .time(let g, _, _) = kind { return g }
        return nil
    }
}

/// A dataset: an address template with partition placeholders.
public struct Dataset: Sendable, Hashable {
    public let name: String
    /// The address with placeholders, e.g. `s3://lake/raw/{country}/{date:%Y/%m/%d}.csv.gz`.
    public let template: AddressTemplate
    /// The dimensions partitioning it, in key order (`2013-06-03|FR` is date then country).
    public let dimensions: [String]
    /// Observed, never built: its partitions come from outside the pipeline.
    public let external: Bool
    public let mark: SourceMark?
}

/// How one input's partitions follow from the output partition, for one dimension.
public enum DependencyFunction: Sendable, Hashable, CustomStringConvertible {
    /// The same period (or every finer period inside it, or the coarser one containing it).
    case equals
    /// The periods from `from` to `to` relative to the output's (in `unit` grains; both inclusive).
    case window(from: Int, to: Int, unit: TimeGrain?)
    /// From the start of the enclosing week/month/year through the output's period.
    case since(SinceUnit)
    /// Every partition: all values; for time, from the dimension's start through the output's period.
    case all
    /// The newest existing input partition at or before the output's period.
    case latest

    public enum SinceUnit: String, Sendable, Hashable { case week, month, year }

    public var description: String {
        switch self {
        case .equals: return "equals"
        case .window(let a, let b, let u):
            let suffix = u.map { Self.unitLetter($0) } ?? ""
            return "window(\(a)\(suffix), \(b)\(suffix))"
        case .since(let u): return "since(\(u.rawValue))"
        case .all: return "all"
        case .latest: return "latest"
        }
    }

    static func unitLetter(_ g: TimeGrain) -> String {
        switch g {
        case .hour: "h"
        case .day: "d"
        case .month: "m"
        case .year: "y"
        }
    }
}

/// One input of a step: a dataset and, per dimension, how its partitions are chosen.
public struct StepInput: Sendable, Hashable {
    public let dataset: String
    /// Functions by dimension name; a dimension not named uses `equals` when the output has it, else `all`.
    public let functions: [String: DependencyFunction]
    /// Missing partitions of an optional input are skipped instead of stopping the build.
    public let optional: Bool
    public let mark: SourceMark?
}

/// A check run on a step's output before it replaces the previous one.
public enum OutputCheck: Sendable, Hashable, CustomStringConvertible {
    case nonEmpty
    case minSize(Int64)
    case minRows(Int)
    case shell(String)
    /// The output's size (or rows) differs from the previous partition's of the same dataset by
    /// at most `maxChange` (a fraction: 0.5 for 50%).
    case compare(measure: CompareMeasure, maxChange: Double)

    public enum CompareMeasure: String, Sendable, Hashable {
        case size, rows
    }

    public var description: String {
        switch self {
        case .nonEmpty: "non_empty"
        case .minSize(let n): "min_size \(n)"
        case .minRows(let n): "min_rows \(n)"
        case .shell(let c): "shell \(c)"
        case .compare(let m, let c): "compare previous \(m.rawValue) max_change \(Int((c * 100).rounded()))%"
        }
    }
}

/// What a step does.
public enum StepKind: Sendable, Hashable {
    /// Makes the output a copy of the input (file or folder), deleting extras.
    case sync
    /// Copies one input file, optionally compressing (`gz`/`bz2`) or decompressing on the way.
    case copy(compress: String?, decompress: Bool)
    /// Runs a shell command with `{inputs}` and `{output}` (local paths) and the partition's values.
    case shell(command: String)
    /// Splits the records of its inputs into files of a folder output, as `dctc dispatch`
    /// (the settings, by their `dctc dispatch` option names, in a canonical order).
    case dispatch(settings: [String: String])

    public var name: String {
        switch self {
        case .sync: "sync"
        case .copy: "copy"
        case .shell: "shell"
        case .dispatch: "dispatch"
        }
    }
}

/// A step: builds one output dataset partition by partition from its inputs.
public struct Step: Sendable, Hashable {
    public let name: String
    public let kind: StepKind
    public let inputs: [StepInput]
    public let output: String
    public let retries: Int
    public let retryDelay: Double
    public let checks: [OutputCheck]
    /// Only rebuilt when it is the target of a build (an existing output is used as is otherwise).
    public let explicitRebuild: Bool
    public let mark: SourceMark?
    /// Seconds one attempt may take before it is stopped and counted as failed (nil: no limit).
    public var timeout: Double? = nil
}

/// A pipeline file, parsed and validated.
public struct Pipeline: Sendable {
    /// The pipeline's name: keys its traces in the state file (default: the file name).
    public let name: String
    public let path: String
    public let dimensions: [String: Dimension]
    public let datasets: [String: Dataset]
    public let steps: [String: Step]
    /// Accounts defined in the file (name → string fields, `type` among them).
    public let accounts: [String: [String: String]]
    /// Configured accounts the file says it uses (checked to exist when the pipeline runs).
    public let accountReferences: [String]
    /// Dataset name → the step building it.
    public let producers: [String: String]
    /// Steps in dependency order (a step after every step it reads from), ties by name.
    public let stepOrder: [String]

    /// The dataset's dimensions as `Dimension` values.
    public func dimensions(of dataset: Dataset) -> [Dimension] {
        dataset.dimensions.compactMap { dimensions[$0] }
    }
}
