import DCTCCore

/// Turns a step's output partition into its input partitions, per the dependency functions.
public struct DependencyResolver: Sendable {
    public let pipeline: Pipeline
    /// "Now", for time dimensions without an end that an input reads in full (`all`, `latest`).
    public let now: TimePeriod?

    public init(pipeline: Pipeline, now: Double) {
        self.pipeline = pipeline
        self.now = TimePeriod.containing(now, grain: .hour)
    }

    /// The values of an output partition by dimension name.
    public func values(of dataset: Dataset, _ key: PartitionKey) -> [String: DimensionValue] {
        var out: [String: DimensionValue] = [:]
        for (name, text) in zip(dataset.dimensions, key.values) {
            if let g = pipeline.dimensions[name]?.grain, let p = TimePeriod.parse(text) {
                out[name] = .time(p.truncated(to: g))
            } else {
                out[name] = .value(text)
            }
        }
        return out
    }

    /// The address of a partition.
    public func address(_ ref: PartitionRef) -> String? {
        guard let ds = pipeline.datasets[ref.dataset] else { return nil }
        return ds.template.render(values(of: ds, ref.key))
    }

    /// The input partitions of one input for an output partition, in key order.
    ///
    /// - Parameters:
    ///   - input: the step's input.
    ///   - output: the output dataset.
    ///   - key: the output partition.
    ///   - exists: asked only for `latest`: whether a partition of the input exists.
    public func inputPartitions(_ input: StepInput, output: Dataset, key: PartitionKey,
                                exists: (PartitionRef) async throws -> Bool) async throws -> [PartitionRef] {
        guard let ds = pipeline.datasets[input.dataset] else { return [] }
        let outValues = values(of: output, key)
        var perDimension: [[String]] = []
        for dimName in ds.dimensions {
            guard let dim = pipeline.dimensions[dimName] else { return [] }
            let fn = input.functions[dimName] ?? (outValues[dimName] != nil ? .equals : .all)
            switch dim.kind {
            case .values(let all):
                switch (fn, outValues[dimName]) {
                case (.equals, .value(let v)?): perDimension.append([v])
                default: perDimension.append(all)
                }
            case .time(let grain, let start, let end):
                let out: TimePeriod? = if case .time(let p)? = outValues[dimName] { p } else { nil }
                if fn == .latest {
                    let upper = out.map { $0.end(in: grain).advanced(by: -1) } ?? lastPeriod(grain, end)
                    var p = upper
                    var found: TimePeriod?
                    var probes = 0
                    while p >= start && probes < 100_000 {
                        var trial = perDimension.map { $0.first ?? "" }
                        trial.append(p.description)
                        let ref = PartitionRef(dataset: ds.name, key: PartitionKey(Array(trial)))
                        // `latest` only combines with single-valued dimensions before it.
                        if try await exists(ref) { found = p; break }
                        p = p.advanced(by: -1); probes += 1
                    }
                    perDimension.append(found.map { [$0.description] } ?? [])
                    continue
                }
                let (lower, upperExclusive) = range(fn, out: out, grain: grain, start: start, end: end)
                var list: [String] = []
                var p = max(lower.truncated(to: grain), start)
                let stop = end.map { min(upperExclusive, $0.advanced(by: 1)) } ?? upperExclusive
                while p < stop { list.append(p.description); p = p.advanced(by: 1) }
                perDimension.append(list)
            }
        }
        var keys: [[String]] = [[]]
        for values in perDimension {
            keys = keys.flatMap { prefix in values.map { prefix + [$0] } }
        }
        return keys.map { PartitionRef(dataset: ds.name, key: PartitionKey($0)) }
    }

    /// The time span an input covers for an output period: [lower, upper).
    func range(_ fn: DependencyFunction, out: TimePeriod?, grain: TimeGrain, start: TimePeriod, end: TimePeriod?) -> (TimePeriod, TimePeriod) {
        guard let out else {
            // The output is not partitioned by this dimension: the whole known span.
            return (start, lastPeriod(grain, end).advanced(by: 1))
        }
        let fine = min(grain, out.grain)
        switch fn {
        case .equals, .latest:
            if grain > out.grain { let c = out.truncated(to: grain); return (c, c.advanced(by: 1)) }
            return (out.truncated(to: fine), out.end(in: fine))
        case .window(let a, let b, let unit):
            // From the output's first period in the window's unit, moved by `a`, through its
            // last period, moved by `b` (both inclusive).
            let u = unit ?? out.grain
            let first = out.truncated(to: u)
            let last = u <= out.grain ? out.end(in: u).advanced(by: -1) : out.truncated(to: u)
            let lo = first.advanced(by: a)
            let hiEnd = last.advanced(by: b).advanced(by: 1)
            let f = min(grain, u)
            return (lo.truncated(to: f), hiEnd.truncated(to: f))
        case .since(let unit):
            let lo: TimePeriod
            switch unit {
            case .week:
                let day = out.truncated(to: .day)
                lo = day.advanced(by: -(day.isoWeekday - 1))
            case .month: lo = out.truncated(to: .month)
            case .year: lo = out.truncated(to: .year)
            }
            return (lo.truncated(to: min(fine, lo.grain)), out.end(in: fine))
        case .all:
            return (start, out.end(in: fine))
        }
    }

    func lastPeriod(_ grain: TimeGrain, _ end: TimePeriod?) -> TimePeriod {
        end ?? (now ?? TimePeriod(grain: .day, year: 2000)).truncated(to: grain)
    }

    /// Every partition of a dataset, as the dimensions define them (time from start through end,
    /// or through now).
    public func allPartitions(of dataset: Dataset) -> [PartitionKey] {
        var keys: [[String]] = [[]]
        for name in dataset.dimensions {
            guard let dim = pipeline.dimensions[name] else { continue }
            let values: [String]
            switch dim.kind {
            case .values(let v): values = v
            case .time(let g, let start, let end):
                var list: [String] = []
                var p = start
                let last = lastPeriod(g, end)
                while p <= last && list.count < 1_000_000 { list.append(p.description); p = p.advanced(by: 1) }
                values = list
            }
            keys = keys.flatMap { prefix in values.map { prefix + [$0] } }
        }
        return keys.map(PartitionKey.init)
    }
}
