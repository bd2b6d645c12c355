import ArgumentParser
import DCTCCore
import DCTCSync
import Foundation

/// `dctc find`: walk trees and print the entries that match.
struct Find: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find files and directories below addresses.",
        discussion: """
        Walks each tree depth first, in sorted order, and prints every entry that matches all \
        the tests (the starting point included), its path written as the starting point was \
        typed, like find(1). --size +10M is larger than, -10M smaller than, 10M exactly; \
        --mtime +7 is older than 7 days, -1 newer than a day.

        Examples:
          dctc find ./data --name '*.csv' --type f
          dctc find s3://bucket/logs --name '2024-*' --json
          dctc find sftp://me@host/srv --type d --max-depth 2
          dctc find -L ./data --type f
          dctc find ./data --size +1M --mtime -7
        """)

    enum EntryType: String, ExpressibleByArgument, CaseIterable { case f, d }

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("Glob the entry's name must match (*, ?, [..]).", valueName: "glob")) var name: String?
    @Option(name: .long, help: "Only files (f) or directories (d).") var type: EntryType?
    @Option(name: .long, help: ArgumentHelp("Descend at most N levels below the starting points.", valueName: "N")) var maxDepth: Int?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Files of this size: +N larger, -N smaller, N exactly (suffixes K, M, G).", valueName: "[+-]size")) var size: String?
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Modified more (+N) or less (-N) than N days ago.", valueName: "[+-]days")) var mtime: String?
    @Option(name: .long, help: ArgumentHelp("Modified more recently than this file (any address).", valueName: "address")) var newer: String?
    @Option(name: .customLong("maxdepth"), help: .hidden) var maxdepthAlias: Int?
    @Flag(name: .long, help: "One JSON object per entry and line.") var json = false
    @Flag(name: [.customShort("L"), .customLong("copy-links")],
          help: "Follow symbolic links (rclone's -L); a link back to a folder on the path is reported and skipped.")
    var copyLinks = false
    @Argument(help: "Where to start (default: the current directory).", completion: .address) var addresses: [String] = []

    func validate() throws {
        if let maxDepth, maxDepth < 0 { throw ValidationError("--max-depth must be 0 or more") }
        if let maxdepthAlias, maxdepthAlias < 0 { throw ValidationError("--maxdepth must be 0 or more") }
        if let size { _ = try Find.comparison(size, what: "--size") { try SizeParser.parse($0) } }
        if let mtime { _ = try Find.comparison(mtime, what: "--mtime") { text in
            guard let days = Double(text) else { throw ValidationError("--mtime takes a number of days, e.g. +7 or -1") }
            return Int64(days * 86_400)
        } }
        if let name { _ = try Glob(name: name) }
    }

    func run(_ ctx: CommandContext) async throws {
        let reporter = ErrorReporter(verbose: global.verbose)
        let glob = try name.map { try Glob(name: $0) }
        let sizeTest = try size.map { try Find.comparison($0, what: "--size") { try SizeParser.parse($0) } }
        let ageTest = try mtime.map { try Find.comparison($0, what: "--mtime") { Int64((Double($0) ?? 0) * 86_400) } }
        var newerThan: Date?
        if let newer {
            let loc = try await ctx.location(newer)
            newerThan = try await loc.fs.info(loc.path).modificationTime
        }
        let now = Date()
        func matches(_ info: FileInfo) -> Bool {
            if let type, (type == .f) != info.isFile || (type == .d) != info.isDirectory { return false }
            if let glob, !glob.matches(name: info.name) { return false }
            if let sizeTest, info.isDirectory || !sizeTest(info.size ?? 0) { return false }
            if let ageTest, let t = info.modificationTime, !ageTest(Int64(now.timeIntervalSince(t))) { return false }
            if let newerThan, !((info.modificationTime ?? .distantPast) > newerThan) { return false }
            return true
        }
        func emit(_ info: FileInfo, _ loc: Location, _ shown: String, root: VPath) throws {
            let rel = info.path.relative(to: root) ?? ""
            let text = CommandContext.join(shown, rel)
            Output.standard.line(json ? try jsonLine(EntryJSON(info, address: loc.with(path: info.path).address.description)) : text)
        }
        let depth = maxDepth ?? maxdepthAlias ?? .max
        for (found, info, shown) in await ctx.expandAllAsTyped(addresses.isEmpty ? ["."] : addresses, reporter: reporter) {
            let loc = followingLinks(found, copyLinks)
            do {
                if matches(info) { try emit(info, loc, shown, root: loc.path) }
                if info.isDirectory {
                    for try await entry in loc.fs.walk(loc.path, maxDepth: depth) where matches(entry) {
                        try emit(entry, loc, shown, root: loc.path)
                    }
                }
                reporter.success()
            } catch {
                reporter.report(error, path: loc.fs.display(loc.path))
            }
        }
        Output.standard.flush()
        try reporter.finish()
    }

    /// `+N` (more than), `-N` (less than) or `N` (exactly), N read by `parse`.
    static func comparison(_ text: String, what: String, _ parse: (String) throws -> Int64) throws -> @Sendable (Int64) -> Bool {
        let sign = text.first
        let body = sign == "+" || sign == "-" ? String(text.dropFirst()) : text
        let n: Int64
        do { n = try parse(body) } catch { throw ValidationError("\(what): '\(text)' is not [+-]N") }
        switch sign {
        case "+": return { $0 > n }
        case "-": return { $0 < n }
        default: return { $0 == n }
        }
    }
}

/// The location with symbolic links followed when `follow` is set and its store has links (`-L`).
func followingLinks(_ loc: Location, _ follow: Bool) -> Location {
    guard follow, let links = loc.fs as? any LinkFollowing else { return loc }
    return Location(fs: links.followingLinks(), path: loc.path, address: loc.address)
}
