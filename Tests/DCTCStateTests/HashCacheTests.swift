import DCTCCore
import DCTCState
import DCTCTestSupport
import Foundation
import Testing

@Suite("Hash cache")
struct HashCacheTests {
    let md5 = "d41d8cd98f00b204e9800998ecf8427e"
    let sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    let sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    let key = HashCacheKey(device: 64769, inode: 1_234_567, size: 4096, modificationTimeNanoseconds: 1_700_000_000_123_456_789)

    @Test("hashes remembered for a file are returned for the same key")
    func roundTrip() async throws {
        let store = try makeStore()
        #expect(try await store.cachedHashes(key).isEmpty)
        try await store.rememberHashes(key, [.md5: md5, .sha256: sha256])
        #expect(try await store.cachedHashes(key) == [.md5: md5, .sha256: sha256])
    }

    @Test("remembering another kind for the same key adds to the kinds already known")
    func mergesKinds() async throws {
        let store = try makeStore()
        try await store.rememberHashes(key, [.md5: md5])
        try await store.rememberHashes(key, [.sha1: sha1])
        try await store.rememberHashes(key, [.sha256: sha256])
        #expect(try await store.cachedHashes(key) == [.md5: md5, .sha1: sha1, .sha256: sha256])
    }

    @Test("a changed size or modification time is a different key: no hit")
    func changedFileMisses() async throws {
        let store = try makeStore()
        try await store.rememberHashes(key, [.md5: md5])
        var touched = key
        touched.modificationTimeNanoseconds += 1
        var grown = key
        grown.size += 1
        var otherInode = key
        otherInode.inode += 1
        var otherDevice = key
        otherDevice.device += 1
        for changed in [touched, grown, otherInode, otherDevice] {
            #expect(try await store.cachedHashes(changed).isEmpty)
        }
    }

    @Test("hashes of a changed file replace the old version's, never merge with them")
    func newVersionReplaces() async throws {
        let store = try makeStore()
        try await store.rememberHashes(key, [.md5: md5, .sha1: sha1])
        var touched = key
        touched.modificationTimeNanoseconds += 1_000
        try await store.rememberHashes(touched, [.sha256: sha256])
        #expect(try await store.cachedHashes(touched) == [.sha256: sha256])
        #expect(try await store.cachedHashes(key).isEmpty)
    }

    @Test("forgetting a file drops its hashes and only its")
    func forget() async throws {
        let store = try makeStore()
        var other = key
        other.inode = 99
        try await store.rememberHashes(key, [.md5: md5])
        try await store.rememberHashes(other, [.md5: md5])
        try await store.forgetHashes(device: key.device, inode: key.inode)
        #expect(try await store.cachedHashes(key).isEmpty)
        #expect(try await store.cachedHashes(other) == [.md5: md5])
    }

    @Test("device and inode numbers above Int64.max round trip")
    func largeIdentities() async throws {
        let store = try makeStore()
        let big = HashCacheKey(device: .max, inode: UInt64(Int64.max) + 12, size: 0, modificationTimeNanoseconds: -5)
        try await store.rememberHashes(big, [.sha1: sha1])
        #expect(try await store.cachedHashes(big) == [.sha1: sha1])
        #expect(try await store.cachedHashes(HashCacheKey(device: 0, inode: UInt64(Int64.max) + 12, size: 0,
                                                           modificationTimeNanoseconds: -5)).isEmpty)
        try await store.forgetHashes(device: .max, inode: UInt64(Int64.max) + 12)
        #expect(try await store.cachedHashes(big).isEmpty)
    }

    @Test("a key comes from a listed local file's identity and size, and not from a remote one")
    func keyFromFileInfo() {
        let identity = FileInfo.LocalIdentity(device: 7, inode: 8, modificationTimeNanoseconds: 9)
        let local = FileInfo(path: VPath("/a"), kind: .file, size: 10, localIdentity: identity)
        #expect(HashCacheKey(local) == HashCacheKey(device: 7, inode: 8, size: 10, modificationTimeNanoseconds: 9))
        #expect(HashCacheKey(FileInfo(path: VPath("/a"), kind: .file, size: 10)) == nil)
        #expect(HashCacheKey(FileInfo(path: VPath("/a"), kind: .file, localIdentity: identity)) == nil)
    }

    @Test("batch lookups and batch remembering agree with the single forms")
    func batches() async throws {
        let store = try makeStore()
        let keys = (0..<50).map { HashCacheKey(device: 1, inode: UInt64($0), size: Int64($0), modificationTimeNanoseconds: 5) }
        var entries: [HashCacheKey: [HashKind: String]] = [:]
        for k in keys where k.inode % 2 == 0 { entries[k] = [.md5: String(format: "%032x", k.inode)] }
        try await store.rememberHashes(entries)
        let found = try await store.cachedHashes(keys)
        #expect(found == entries)
        #expect(try await store.cachedHashes(keys[4]) == [.md5: String(format: "%032x", 4)])
    }

    @Test("remembering nothing records nothing")
    func emptyIsNoOp() async throws {
        let store = try makeStore()
        try await store.rememberHashes(key, [.md5: md5])
        try await store.rememberHashes(key, [:])
        #expect(try await store.cachedHashes(key) == [.md5: md5])
    }
}
