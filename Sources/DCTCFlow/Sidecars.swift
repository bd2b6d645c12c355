import DCTCCore
import Foundation

/// The names dctc writes next to outputs, never part of a dataset's content.
///
/// Every name starts with `_`, which Hive, Spark, Trino and Athena skip when they read a
/// table over the data's prefix:
/// - a file output `day/2024-03-04.tsv.gz` has its trace in `day/_dctc/2024-03-04.tsv.gz.json`
///   and its lock in `day/_dctc/2024-03-04.tsv.gz.lock`;
/// - a folder output `day/2024-03-04/` has its trace in `day/2024-03-04/_dctc.json` and its
///   lock in `day/_dctc/2024-03-04.lock`.
///
/// Sidecars of earlier versions (`2024-03-04.tsv.gz._dctc.json` beside the file) are still
/// read; they move to the new place when the unit is next built or adopted.
enum Sidecar {
    static let folderName = "_dctc"
    static let directoryName = "_dctc.json"
    static let legacyFileSuffix = "._dctc.json"
    /// The largest sidecar read (a trace is a few kilobytes; anything larger is not ours).
    static let maximumSize = 4 * 1024 * 1024

    static func isSidecar(_ name: String) -> Bool { name == directoryName || name.hasSuffix(legacyFileSuffix) }

    static func outputName(_ output: Location) -> String { output.path.name.isEmpty ? "output" : output.path.name }

    /// Where the sidecar of an output lives.
    static func location(of output: Location, isDirectory: Bool) -> Location {
        if isDirectory { return output.appending(directoryName) }
        return output.with(path: output.path.parent.appending(folderName).appending(outputName(output) + ".json"))
    }

    /// Where earlier versions wrote the sidecar of a file output (none for folders: theirs did not move).
    static func legacyLocation(of output: Location, isDirectory: Bool) -> Location? {
        isDirectory ? nil : output.with(path: output.path.parent.appending(outputName(output) + legacyFileSuffix))
    }

    /// Where the lock of an output lives (beside it, so every machine writing it sees it).
    static func lockLocation(of output: Location) -> Location {
        output.with(path: output.path.parent.appending(folderName).appending(outputName(output) + ".lock"))
    }

    /// A sidecar's text, found at its place or, failing that, at the legacy one.
    struct Found: Sendable {
        let text: String
        let location: Location
        let isLegacy: Bool
    }

    /// Reads the sidecar of an output; nil when it has none.
    /// - Throws: `VFSError` when the store fails, or when the sidecar is implausibly large.
    static func read(of output: Location, isDirectory: Bool) async throws -> Found? {
        let candidates = [(location(of: output, isDirectory: isDirectory), false)]
            + (legacyLocation(of: output, isDirectory: isDirectory).map { [($0, true)] } ?? [])
        for (loc, legacy) in candidates {
            guard let info = try await loc.fs.infoIfExists(loc.path), info.isFile else { continue }
            if let size = info.size, size > Int64(maximumSize) {
                throw VFSError(.invalidArgument, "the sidecar is \(size) bytes, too large to be a dctc trace", path: loc.description,
                               remedy: "remove it; the next build writes a new one")
            }
            let bytes = try await loc.fs.readAll(loc.path, limit: maximumSize)
            return Found(text: String(decoding: bytes, as: UTF8.self), location: loc, isLegacy: legacy)
        }
        return nil
    }

    /// Writes an output's sidecar at its place and removes a legacy one.
    static func write(_ json: String, of output: Location, isDirectory: Bool) async throws {
        let loc = location(of: output, isDirectory: isDirectory)
        if !isDirectory { try await loc.fs.makeDirectories(loc.path.parent) }
        try await loc.fs.write(loc.path, bytes: Array((json + "\n").utf8), attributes: .none)
        try await removeLegacy(of: output, isDirectory: isDirectory)
    }

    /// Moves a legacy sidecar to its new place (the text is kept as it is).
    static func migrate(_ found: Found, of output: Location, isDirectory: Bool) async throws {
        guard found.isLegacy else { return }
        let text = found.text.hasSuffix("\n") ? String(found.text.dropLast()) : found.text
        try await write(text, of: output, isDirectory: isDirectory)
    }

    static func removeLegacy(of output: Location, isDirectory: Bool) async throws {
        guard let legacy = legacyLocation(of: output, isDirectory: isDirectory),
              try await legacy.fs.infoIfExists(legacy.path) != nil else { return }
        try await legacy.fs.remove(legacy.path)
    }
}
