import DCTCCore
import DCTCDigest
import DCTCState
import Foundation

/// Decides whether a source file and its destination counterpart are the same, and why.
///
/// Cheap evidence first: sizes, then times (from the listing, the manifest, or a HEAD when
/// the store keeps times only in metadata), then hashes (from listings, the manifest, the
/// local hash cache, a remote hash, and only then by reading).
struct Comparator: Sendable {
    let options: SyncOptions
    let source: Location
    let destination: Location
    let hashes: HashSource
    let window: TimeInterval
    let notices: Notices

    struct Decision: Sendable {
        var kind: SyncAction.Kind
        var reason: String
        /// Source hashes learnt while deciding (reused for verification and the manifest).
        var sourceHashes: [HashKind: String] = [:]
        /// A fresh manifest entry to record when the decision learnt something worth keeping.
        var manifestUpdate: ManifestEntry?
    }

    /// The destination manifest entry still describes the destination file when its size and
    /// identity (ETag, or modification time) are unchanged: nothing changed it out of band.
    ///
    /// When the destination's listings carry no exact times (FTP servers with LIST only show
    /// minutes, S3 shows the upload time) and no ETag either, the size is all a listing can
    /// confirm; that is the documented limit of such stores.
    static func manifestMatches(_ entry: ManifestEntry?, _ dst: FileInfo, listingHasTimes: Bool = true) -> ManifestEntry? {
        guard let entry, entry.size == dst.size else { return nil }
        if let a = entry.etag, let b = dst.etag { return a == b ? entry : nil }
        guard listingHasTimes else { return entry }
        if let a = entry.modificationTime, let b = dst.modificationTime {
            return abs(a.timeIntervalSince(b)) < 1 ? entry : nil
        }
        return nil
    }

    func decide(path: String, src: FileInfo, dst: FileInfo, manifest: ManifestEntry?, transformed: Bool) async throws -> Decision {
        let recorded = Comparator.manifestMatches(manifest, dst,
                                                  listingHasTimes: destination.fs.capabilities.listingHasModificationTime)
        if transformed { return try await decideTransformed(path: path, src: src, dst: dst, recorded: recorded) }

        let srcSize = src.size ?? 0, dstSize = dst.size ?? 0
        if srcSize != dstSize {
            return Decision(kind: .update, reason: "size differs (source \(srcSize), destination \(dstSize) bytes)")
        }
        switch options.compare {
        case .sizeOnly:
            return Decision(kind: .skip, reason: "same size")
        case .checksum:
            return try await decideByHash(path: path, src: src, dst: dst, recorded: recorded)
        case .sizeAndTime, .update:
            return try await decideByTime(path: path, src: src, dst: dst, recorded: recorded)
        }
    }

    // MARK: - Time

    private func decideByTime(path: String, src: FileInfo, dst: FileInfo, recorded: ManifestEntry?) async throws -> Decision {
        guard let srcTime = src.modificationTime else {
            return Decision(kind: .skip, reason: "same size (the source has no modification time)")
        }
        var manifestUpdate: ManifestEntry?
        var dstTime: Date?
        if let recorded, let t = recorded.modificationTime {
            dstTime = t
        } else if destination.fs.capabilities.listingHasModificationTime {
            dstTime = dst.modificationTime
        } else if destination.fs.capabilities.preservesModificationTime {
            // The listing has the upload time only: ask the store (HEAD) once, then remember it.
            let full = try await destination.fs.info(destination.path.appending(relative: path))
            dstTime = full.modificationTime
            manifestUpdate = ManifestEntry(path: path, size: full.size ?? 0, modificationTime: full.modificationTime,
                                           etag: full.etag ?? dst.etag, version: full.version,
                                           hashes: full.hashes.merging(dst.hashes) { a, _ in a }, recordedAt: Date())
        } else {
            notices.once("destination-no-times",
                         "\(destination.fs.display(destination.path)) does not keep modification times: comparing by size only")
            return Decision(kind: .skip, reason: "same size (the destination keeps no modification times)")
        }
        guard let dstTime else {
            return Decision(kind: .update, reason: "the destination has no modification time", manifestUpdate: manifestUpdate)
        }
        let diff = dstTime.timeIntervalSince(srcTime)
        if abs(diff) <= window {
            return Decision(kind: .skip, reason: "same size and modification time", manifestUpdate: manifestUpdate)
        }
        if options.compare == .update && diff > 0 {
            return Decision(kind: .skip, reason: "the destination is newer (--update)", manifestUpdate: manifestUpdate)
        }
        // Same size, different time: when both hashes are known cheaply, equal content only needs its time fixed.
        if let (kind, s, d) = try await cheapHashes(src: src, dst: dst, recorded: recorded), s == d {
            let settable = destination.fs is any ModificationTimeSetting && destination.fs.capabilities.preservesModificationTime
            return Decision(kind: settable ? .setTime : .skip,
                            reason: "same content (\(kind) \(s)), modification time differs by \(Comparator.describe(diff))",
                            sourceHashes: [kind: s], manifestUpdate: manifestUpdate)
        }
        return Decision(kind: .update, reason: "modification time differs by \(Comparator.describe(diff))",
                        manifestUpdate: manifestUpdate)
    }

    /// Hashes of both sides that cost no reading of remote content.
    private func cheapHashes(src: FileInfo, dst: FileInfo, recorded: ManifestEntry?) async throws -> (HashKind, String, String)? {
        var dstKnown = dst.hashes
        if let recorded { dstKnown.merge(recorded.hashes) { a, _ in a } }
        for kind in dstKnown.keys.sorted() {
            if let s = try await hashes.cheap(src, kind: kind, in: source), let d = dstKnown[kind] { return (kind, s, d) }
        }
        return nil
    }

    // MARK: - Hash

    private func decideByHash(path: String, src: FileInfo, dst: FileInfo, recorded: ManifestEntry?) async throws -> Decision {
        var dstKnown = dst.hashes
        if let recorded { dstKnown.merge(recorded.hashes) { a, _ in a } }
        // Prefer a kind the destination already knows; then MD5, which stores can compute remotely.
        let kind = dstKnown.keys.sorted().first
            ?? (destination.fs.capabilities.remoteHashes.contains(.md5) ? .md5 : destination.fs.capabilities.remoteHashes.sorted().first)
        guard let kind else {
            notices.once("no-common-hash",
                         "no common hash between \(source.fs.display(source.path)) and \(destination.fs.display(destination.path)): --checksum falls back to comparing sizes")
            return Decision(kind: .skip, reason: "same size (no common hash; --checksum fell back to size)")
        }
        let srcHash = try await hashes.full(src, kind: kind, in: source)
        var manifestUpdate: ManifestEntry?
        let dstHash: String
        if let known = dstKnown[kind] {
            dstHash = known
        } else if let remote = destination.fs as? any HashProviding {
            dstHash = try await remote.hash(destination.path.appending(relative: path), kind: kind)
            manifestUpdate = ManifestEntry(path: path, size: dst.size ?? 0, modificationTime: dst.modificationTime,
                                           etag: dst.etag, version: dst.version, hashes: [kind: dstHash], recordedAt: Date())
        } else {
            return Decision(kind: .skip, reason: "same size (the destination cannot hash)")
        }
        if srcHash == dstHash {
            return Decision(kind: .skip, reason: "same \(kind) \(srcHash)", sourceHashes: [kind: srcHash], manifestUpdate: manifestUpdate)
        }
        return Decision(kind: .update, reason: "content differs (\(kind) \(srcHash) at the source, \(dstHash) at the destination)",
                        sourceHashes: [kind: srcHash], manifestUpdate: manifestUpdate)
    }

    // MARK: - Transformed (compress/decompress)

    private func decideTransformed(path: String, src: FileInfo, dst: FileInfo, recorded: ManifestEntry?) async throws -> Decision {
        guard let recorded, recorded.sourceSize != nil || !recorded.sourceHashes.isEmpty else {
            return Decision(kind: .update, reason: "no record of which source content the destination holds (first run, or the state was lost)")
        }
        if let size = recorded.sourceSize, size != src.size {
            return Decision(kind: .update, reason: "size differs (source \(src.size ?? 0), recorded \(size) bytes)")
        }
        switch options.compare {
        case .sizeOnly:
            return Decision(kind: .skip, reason: "same source size as recorded")
        case .checksum:
            guard let kind = recorded.sourceHashes.keys.sorted().first, let want = recorded.sourceHashes[kind] else {
                return Decision(kind: .update, reason: "no source hash recorded")
            }
            let have = try await hashes.full(src, kind: kind, in: source)
            return have == want
                ? Decision(kind: .skip, reason: "same source \(kind) as recorded", sourceHashes: [kind: have])
                : Decision(kind: .update, reason: "source content changed (\(kind) \(have), recorded \(want))", sourceHashes: [kind: have])
        case .sizeAndTime, .update:
            guard let a = src.modificationTime, let b = recorded.sourceModificationTime else {
                return Decision(kind: .update, reason: "no modification time to compare")
            }
            let diff = a.timeIntervalSince(b)
            if abs(diff) <= window { return Decision(kind: .skip, reason: "same source size and time as recorded") }
            if options.compare == .update && diff < 0 { return Decision(kind: .skip, reason: "the destination is newer (--update)") }
            return Decision(kind: .update, reason: "source modification time changed by \(Comparator.describe(diff))")
        }
    }

    static func describe(_ seconds: TimeInterval) -> String {
        let s = abs(seconds)
        if s < 1 { return String(format: "%.3f s", s) }
        if s < 120 { return String(format: "%.0f s", s) }
        if s < 7200 { return String(format: "%.0f min", s / 60) }
        if s < 172_800 { return String(format: "%.0f h", s / 3600) }
        return String(format: "%.0f days", s / 86400)
    }
}

/// Messages said once per run ("no common hash: comparing sizes").
final class Notices: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var said: Set<String> = []
    private(set) var messages: [String] = []
    private let sink: @Sendable (String) -> Void

    init(sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    func once(_ key: String, _ message: String) {
        let first = lock.withLock { said.insert(key).inserted }
        if first {
            lock.withLock { messages.append(message) }
            sink(message)
        }
    }

    var all: [String] { lock.withLock { messages } }
}
