import DCTCCore
import Foundation

// MARK: - Hash cache (local files): a file is hashed once and never again until it changes.

extension StateStore {
    private static let selectHashes = """
        SELECT \(HashColumns.list()) FROM hash_cache
        WHERE device = ? AND inode = ? AND size = ? AND mtime_ns = ?
        """

    // Same (device, inode) and same version of the file: merge the kinds. Same inode but a
    // different size or time: the file changed (or the inode was reused), so the new kinds
    // replace the old ones. In an upsert every expression reads the row as it was.
    private static let upsertHashes: String = {
        let merged = HashColumns.kinds.map { kind -> String in
            let c = HashColumns.column(kind)
            return "\(c) = CASE WHEN hash_cache.size = excluded.size AND hash_cache.mtime_ns = excluded.mtime_ns "
                + "THEN coalesce(excluded.\(c), hash_cache.\(c)) ELSE excluded.\(c) END"
        }
        return """
            INSERT INTO hash_cache (device, inode, size, mtime_ns, \(HashColumns.list()), recorded_at)
            VALUES (\(Array(repeating: "?", count: 5 + HashColumns.kinds.count).joined(separator: ", ")))
            ON CONFLICT (device, inode) DO UPDATE SET
            \(merged.joined(separator: ",\n")),
            size = excluded.size, mtime_ns = excluded.mtime_ns, recorded_at = excluded.recorded_at
            """
    }()

    /// The hashes remembered for this version of a local file.
    ///
    /// - Parameter key: the file's device, inode, size and modification time.
    /// - Returns: the kinds known, empty when the file was never hashed or changed since.
    /// - Throws: `VFSError` naming the state file.
    public func cachedHashes(_ key: HashCacheKey) async throws -> [HashKind: String] {
        try await perform { db in try StateStore.lookupHashes(db, key) }
    }

    /// The hashes remembered for several files, in one hop to the store's thread.
    ///
    /// - Parameter keys: the files' keys.
    /// - Returns: the keys with at least one known hash; the others are absent.
    /// - Throws: `VFSError` naming the state file.
    public func cachedHashes(_ keys: [HashCacheKey]) async throws -> [HashCacheKey: [HashKind: String]] {
        try await perform { db in
            var out: [HashCacheKey: [HashKind: String]] = [:]
            for key in keys {
                let hashes = try StateStore.lookupHashes(db, key)
                if !hashes.isEmpty { out[key] = hashes }
            }
            return out
        }
    }

    /// Remembers hashes of a local file, merged with the kinds already known for the same key.
    ///
    /// An entry for the same device and inode but another size or modification time is
    /// replaced: only the latest version of each file is kept.
    /// - Parameters:
    ///   - key: the file's identity as it was when hashed.
    ///   - hashes: lowercase hex digests; an empty dictionary does nothing.
    /// - Throws: `VFSError` naming the state file.
    public func rememberHashes(_ key: HashCacheKey, _ hashes: [HashKind: String]) async throws {
        guard !hashes.isEmpty else { return }
        try await perform { db in
            try StateStore.storeHashes(db, key, hashes, at: Date())
        }
    }

    /// Remembers hashes of several files in one transaction; see `rememberHashes(_:_:)`.
    ///
    /// - Throws: `VFSError` naming the state file.
    public func rememberHashes(_ entries: [HashCacheKey: [HashKind: String]]) async throws {
        guard entries.contains(where: { !$0.value.isEmpty }) else { return }
        try await perform { db in
            let now = Date()
            try db.writeTransaction {
                for (key, hashes) in entries where !hashes.isEmpty {
                    try StateStore.storeHashes(db, key, hashes, at: now)
                }
            }
        }
    }

    /// Forgets what is known about a file (for example after it was found to be deleted).
    ///
    /// - Throws: `VFSError` naming the state file.
    public func forgetHashes(device: UInt64, inode: UInt64) async throws {
        try await perform { db in
            try db.run("DELETE FROM hash_cache WHERE device = ? AND inode = ?") {
                try $0.bind(Int64(storing: device), at: 1)
                try $0.bind(Int64(storing: inode), at: 2)
            }
        }
    }

    private static func lookupHashes(_ db: SQLiteConnection, _ key: HashCacheKey) throws -> [HashKind: String] {
        try db.query(selectHashes, { s in
            try s.bind(Int64(storing: key.device), at: 1)
            try s.bind(Int64(storing: key.inode), at: 2)
            try s.bind(key.size, at: 3)
            try s.bind(key.modificationTimeNanoseconds, at: 4)
        }, row: { HashColumns.read($0, from: 0) }).first ?? [:]
    }

    private static func storeHashes(_ db: SQLiteConnection, _ key: HashCacheKey, _ hashes: [HashKind: String], at now: Date) throws {
        try db.run(upsertHashes) { s in
            try s.bind(Int64(storing: key.device), at: 1)
            try s.bind(Int64(storing: key.inode), at: 2)
            try s.bind(key.size, at: 3)
            try s.bind(key.modificationTimeNanoseconds, at: 4)
            try HashColumns.bind(hashes, to: s, from: 5)
            try s.bind(StoredDate.value(now), at: 5 + Int32(HashColumns.kinds.count))
        }
    }
}
