import DCTCCore
@testable import DCTCState
import DCTCTestSupport
import Foundation

/// A fresh state file in a fresh temporary folder.
func temporaryStatePath(_ label: String = "dctc-state") throws -> String {
    try TestData.temporaryDirectory(label) + "/state.sqlite"
}

/// A store on a fresh file.
func makeStore() throws -> StateStore {
    try StateStore(path: temporaryStatePath())
}

/// Runs raw SQL against a state file (a second connection, as another tool would).
func withRawConnection<T>(_ path: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
    let db = try SQLiteConnection(path: path)
    defer { db.close() }
    try db.setBusyTimeout(milliseconds: 10_000)
    return try body(db)
}

/// POSIX permission bits of a file or folder.
func permissions(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Byte-wise `VPath` order of relative paths, the order manifests must return.
func vpathSorted(_ paths: [String]) -> [String] {
    paths.map { VPath($0) }.sorted().map { $0.components.joined(separator: "/") }
}

/// Paths as byte arrays, so that comparisons never use `String ==` (which equates NFC and NFD).
func bytes(_ strings: [String]) -> [[UInt8]] { strings.map { Array($0.utf8) } }

/// A fully populated entry for `path`.
func sampleEntry(_ path: String, size: Int64 = 42, seed: Int = 0) -> ManifestEntry {
    let hex = String(format: "%08x", seed)
    return ManifestEntry(
        path: path, size: size,
        modificationTime: Date(timeIntervalSince1970: 1_700_000_000.123_456_789 + Double(seed)),
        etag: "etag-\(hex)", version: "v\(seed)",
        hashes: [.md5: String(repeating: "a", count: 24) + hex, .sha256: String(repeating: "b", count: 56) + hex],
        sourceSize: size * 3, sourceHashes: [.sha1: String(repeating: "c", count: 32) + hex],
        sourceModificationTime: Date(timeIntervalSinceReferenceDate: 123_456.000_000_1),
        recordedAt: Date(timeIntervalSinceReferenceDate: 700_000_000.5))
}
