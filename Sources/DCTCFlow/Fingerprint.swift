import DCTCCore
import DCTCDigest
import Foundation

/// What dctc knows about one partition's content, from cheap to sure.
///
/// `stat` comes from one `info` call (size, modification time, ETag/version; for a folder, a
/// digest of its listing). `hash` is the content's MD5 (for a folder, a digest of its files'
/// MD5s) and is computed only when the stat changed since the trace was recorded.
public struct Fingerprint: Sendable, Hashable, Codable {
    public var stat: String
    public var hash: String?
    public var size: Int64

    public init(stat: String, hash: String?, size: Int64) { self.stat = stat; self.hash = hash; self.size = size }
}

/// Computes fingerprints of partitions, remembering each address's stat for the run.
///
/// A class with a lock rather than an actor: a no-op build asks for thousands of cached stats,
/// and a lookup under a lock costs far less than a hop to an actor on a busy machine.
final class Fingerprinter: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var stats: [String: (FileInfo?, String?, Int64)] = [:]
    private var hashes: [String: String] = [:]

    /// The stat of an address: nil when it does not exist.
    func stat(_ loc: Location) async throws -> (info: FileInfo, stat: String, size: Int64)? {
        let key = loc.description
        if let cached = lock.withLock({ stats[key] }) {
            guard let info = cached.0, let s = cached.1 else { return nil }
            return (info, s, cached.2)
        }
        guard let info = try await loc.fs.infoIfExists(loc.path) else {
            lock.withLock { stats[key] = (nil, nil, 0) }
            return nil
        }
        let result: (String, Int64)
        if info.isDirectory {
            result = try await directoryStat(loc)
        } else {
            result = (Self.fileStat(info), info.size ?? 0)
        }
        lock.withLock { stats[key] = (info, result.0, result.1) }
        return (info, result.0, result.1)
    }

    /// Forgets what was learnt of an address (after it was written).
    func invalidate(_ loc: Location) {
        lock.withLock {
            stats[loc.description] = nil
            hashes[loc.description] = nil
        }
    }

    /// Remembers a content hash learnt while writing.
    func remember(hash: String, for loc: Location) { lock.withLock { hashes[loc.description] = hash } }

    static func fileStat(_ info: FileInfo) -> String {
        let mtime: String
        if let ns = info.localIdentity?.modificationTimeNanoseconds {
            mtime = String(ns)
        } else if let t = info.modificationTime {
            mtime = String(Int64((t.timeIntervalSince1970 * 1_000_000).rounded())) + "us"
        } else {
            mtime = ""
        }
        return "f:\(info.size ?? -1):\(mtime):\(info.etag ?? ""):\(info.version ?? "")"
    }

    private func directoryStat(_ loc: Location) async throws -> (String, Int64) {
        let digest = try Digest(.sha256)
        var count = 0
        var total: Int64 = 0
        for entry in try await files(under: loc) {
            count += 1
            total += entry.1.size ?? 0
            digest.update(Array("\(entry.0)\t\(Self.fileStat(entry.1))\n".utf8))
        }
        return ("d:\(count):\(digest.finalize())", total)
    }

    /// The regular files under a folder, relative paths sorted, sidecars left out.
    func files(under loc: Location) async throws -> [(String, FileInfo)] {
        var out: [(String, FileInfo)] = []
        let base = loc.path.components.count
        for try await info in loc.fs.walk(loc.path) where info.isFile {
            let relative = info.path.components.dropFirst(base)
            guard !Sidecar.isSidecar(info.name), !relative.contains(Sidecar.folderName) else { continue }
            out.append((relative.joined(separator: "/"), info))
        }
        return out.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
    }

    /// The content hash of an address (MD5 of a file; a digest of the files' MD5s for a folder).
    func contentHash(_ loc: Location) async throws -> String {
        if let h = lock.withLock({ hashes[loc.description] }) { return h }
        guard let (info, _, _) = try await stat(loc) else { throw VFSError.notFound(loc.fs.display(loc.path)) }
        let h: String
        if info.isDirectory {
            let digest = try Digest(.sha256)
            for (rel, file) in try await files(under: loc) {
                let md5 = try await Self.fileHash(loc.with(path: file.path), info: file)
                digest.update(Array("\(rel)\t\(md5)\n".utf8))
            }
            h = "dir-sha256:" + digest.finalize()
        } else {
            h = try await Self.fileHash(loc, info: info)
        }
        lock.withLock { hashes[loc.description] = h }
        return h
    }

    static func fileHash(_ loc: Location, info: FileInfo) async throws -> String {
        if let md5 = info.hashes[.md5] { return md5 }
        if let provider = loc.fs as? any HashProviding, loc.fs.capabilities.remoteHashes.contains(.md5) {
            return try await provider.hash(loc.path, kind: .md5)
        }
        return try await loc.fs.read(loc.path).hashes([.md5]).hashes[.md5] ?? ""
    }
}
