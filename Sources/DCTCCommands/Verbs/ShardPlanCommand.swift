import ArgumentParser
import DCTCCore
import Foundation

/// `dctc shard-plan`: splits a tree into N ranges of about as many files, for a sync fanned out
/// over N workers that each list only their own range.
struct ShardPlanCommand: DCTCCommand {
    static let configuration = CommandConfiguration(
        commandName: "shard-plan",
        abstract: "Split a tree into N ranges of paths for a sync fanned out over N workers.",
        discussion: """
        Lists SOURCE once (names only: one request per 1,000 objects on S3) and prints N \
        ranges of paths, in byte order, holding about as many files each. Shard K then runs \
        `dctc sync SOURCE DEST --start-after A --end-at B` with its own range: on S3 it \
        lists only that run of keys (StartAfter), at the source and at the destination, so \
        N workers together list each key about once, where `--shard K/N` (a hash of each \
        path) has every worker list everything. Files added after the plan was made still \
        fall into exactly one range. The Airflow helper `sync_shards` runs this command \
        first and maps one task over each range (see "Fan-out" in the integrations guide).

        With --json, one object: source, files (how many were listed) and shards, each with \
        its shard (K/N), start_after and end_at (null for an open end), files (about how \
        many) and options (the arguments to add to `dctc sync`).

        Examples:
          dctc shard-plan ./data --shards 4
          dctc shard-plan s3://bucket/logs --shards 8 --json
        """,
        helpNames: [.long, .customShort("h")])

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("How many ranges (1 to 10000).", valueName: "N")) var shards = 4
    @Flag(name: .long, help: "One JSON object on standard output.") var json = false
    @Argument(help: "The tree to split (the source of the sync).", completion: .address) var source: String

    func validate() throws {
        _ = try Shard(index: 1, count: shards)
    }

    /// One range of the plan, as `--json` prints it.
    struct Range: Encodable {
        var shard: String
        var start_after: String?
        var end_at: String?
        var files: Int
        var options: [String]

        enum CodingKeys: String, CodingKey { case shard, start_after, end_at, files, options }

        /// Open ends are `null` rather than left out, so every shard has the same keys.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(shard, forKey: .shard)
            try c.encode(start_after, forKey: .start_after)
            try c.encode(end_at, forKey: .end_at)
            try c.encode(files, forKey: .files)
            try c.encode(options, forKey: .options)
        }
    }

    struct Result: Encodable {
        var source: String
        var files: Int
        var shards: [Range]
    }

    func run(_ ctx: CommandContext) async throws {
        let loc = try await ctx.location(source)
        let shown = loc.fs.display(loc.path)
        var sample = KeySample()
        for try await page in loc.fs.listRecursive(loc.path) {
            try Task.checkCancellation()
            for entry in page where entry.kind == .file {
                if let rel = entry.path.relative(to: loc.path), !WorkFiles.contains(entry.name) { sample.add(rel) }
            }
        }
        let plan = try ShardPlan.quantiles(of: sample.keys, count: shards)
        var ranges: [Range] = []
        for k in 1...shards {
            let shard = try Shard(index: k, count: shards)
            let (after, through) = try plan.range(of: shard)
            var options: [String] = []
            if let after { options += ["--start-after", after] }
            // The last range is open: files added after the plan past its last key are its own.
            let end = k == shards ? nil : through
            if let end { options += ["--end-at", end] }
            let range = try PathRange(after: after, through: end)
            ranges.append(Range(shard: shard.description, start_after: after, end_at: end,
                                files: sample.estimate { range.contains($0) }, options: options))
        }
        if json {
            Output.standard.line(try jsonLine(Result(source: shown, files: sample.count, shards: ranges)))
        } else {
            Output.standard.line("\(shown): \(sample.count) files in \(shards) ranges")
            for r in ranges {
                let args = stride(from: 0, to: r.options.count, by: 2)
                    .map { "\(r.options[$0]) \(shellQuoted(r.options[$0 + 1]))" }.joined(separator: " ")
                Output.standard.line("\(r.shard)\tabout \(r.files) files\t\(args.isEmpty ? "(every path)" : args)")
            }
        }
        Output.standard.flush()
    }
}

/// Every key of a listing, or every 2^k-th one when there are more than `limit`: quantiles of a
/// tree of any size in bounded memory (a key is kept or not by its place in the listing, so the
/// same listing always gives the same plan).
struct KeySample {
    static let limit = 1 << 16
    private(set) var keys: [String] = []
    private(set) var count = 0
    private var stride = 1

    mutating func add(_ key: String) {
        defer { count += 1 }
        guard count % stride == 0 else { return }
        keys.append(key)
        if keys.count >= KeySample.limit * 2 {
            keys = keys.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            stride *= 2
        }
    }

    /// About how many listed keys satisfy `test` (each kept key stands for `stride` keys).
    func estimate(_ test: (String) -> Bool) -> Int {
        keys.reduce(0) { $0 + (test($1) ? 1 : 0) } * stride
    }
}
