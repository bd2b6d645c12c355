import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Resumable downloads: a large file copied here from a store that reads from an offset is
/// written through `.dctc-<id>.partial` in the destination folder, `<id>` taken from the
/// SHA-256 of the source's identity (address, ETag or modification time, size). A copy that is
/// killed, cut off or stopped leaves the partial file; the next copy of the same content hashes
/// its bytes, asks the source for the rest only, and checks the whole before the rename. A
/// source that changed has another identity, so another partial file (the old one is swept
/// after `stalePartialAge`).
extension LocalFileSystem: ResumableWriting {
    public func writeResuming(_ path: VPath, key: String, attributes: WriteAttributes,
                              content: @escaping RangedContent) async throws -> FileInfo {
        let shown = display(path)
        // Folders, devices and FIFOs: the plain write knows what to do (and which error to give).
        var st = Glibc.stat()
        if path.isRoot || (sysStat(path.string, &st) == 0 && st.st_mode & S_IFMT != S_IFREG) {
            return try await write(path, from: try await content(0, nil), attributes: attributes)
        }
        let dir = path.parent
        if attributes.createParents { try await makeDirectories(dir) }
        sweepStaleTemporaries(in: dir)
        // `.dctc-<destination>-<content>.partial`: the first part finds the partial files of
        // this destination, the second tells which content each holds.
        let destination = ".dctc-" + String(try Digest.hash(Array(path.name.utf8), kind: .sha256).prefix(12)) + "-"
        let name = destination + String(try Digest.hash(Array(key.utf8), kind: .sha256).prefix(24)) + ".partial"
        Self.removeOtherPartials(in: dir, prefix: destination, keeping: name)
        let partial = dir.appending(name)
        let fd = open(partial.string, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, attributes.mode == nil ? 0o666 : 0o600)
        guard fd >= 0 else {
            let err = errno
            throw posixError(err, "create", path: err == ENOENT ? display(dir) : shown)
        }
        // Another dctc continuing the same download holds the lock: this one writes on its own.
        var fileStat = Glibc.stat()
        guard flock(fd, LOCK_EX | LOCK_NB) == 0, fstat(fd, &fileStat) == 0, fileStat.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return try await write(path, from: try await content(0, nil), attributes: attributes)
        }
        // On a failure the partial file stays for the next copy when it holds bytes, unless its
        // content failed the checks (`keep` false).
        var done = false
        var keep = true
        defer {
            if !done {
                var now = Glibc.stat()
                let worth = keep && fstat(fd, &now) == 0 && now.st_size > 0
                close(fd)
                if !worth { unlink(partial.string) }
            }
        }
        // A partial file written by parallel streams has holes past its contiguous prefix,
        // which it records (LocalParallelDownload.swift); one written in order is all prefix.
        var have = resumesWrites ? Int64(fileStat.st_size) : 0
        if let prefix = Self.recordedPrefix(fd) { have = min(have, max(0, prefix)) }
        if let size = attributes.expectedSize, have > size { have = 0 }
        let kinds = attributes.computeHashes.union(attributes.expectedHashes.keys)
        for attempt in 0..<2 {
            // After a failed check of a resumed file, once more from the first byte.
            if attempt > 0 { have = 0 }
            // Truncated only when longer: ext4 flushes a file truncated to zero when it is
            // closed (its `auto_da_alloc` guard for replace-by-truncate), which cost a quarter
            // of a second per GiB before the rename.
            var current = Glibc.stat()
            let alreadyThatLong = fstat(fd, &current) == 0 && Int64(current.st_size) == have
            guard alreadyThatLong || ftruncate(fd, off_t(have)) == 0, lseek(fd, off_t(have), SEEK_SET) == off_t(have) else {
                throw posixError(errno, "truncate", path: shown)
            }
            // Parallel streams when the file is large enough and the file system can record
            // the contiguous prefix; else in order (the size is the prefix: no record).
            let parallel: Bool
            if let size = attributes.expectedSize, multiThread.applies(to: size), size - have > 0 {
                parallel = Self.recordPrefix(fd, have)
            } else {
                parallel = false
            }
            if !parallel { Self.clearPrefix(fd) }
            let hasher = try await Self.hashPrefix(fd, count: have, kinds: kinds, display: shown)
            if have > 0 {
                let total = attributes.expectedSize.map { " of \(SizeParser.describe($0))" } ?? ""
                Detail.info("\(shown): resuming the partial download: \(SizeParser.describe(have))\(total) are here already")
            }
            do {
                if parallel, let size = attributes.expectedSize {
                    Detail.info("\(shown): reading with \(multiThread.streams) parallel streams")
                    try await pourParallel(into: fd, from: have, size: size, streams: multiThread.streams, content: content,
                                           hasher: hasher, display: shown)
                } else {
                    let stream: ByteStream
                    do {
                        stream = try await content(have, nil)
                    } catch let e as VFSError where have > 0 && attempt == 0 && !e.isRetryable && e.code != .cancelled {
                        throw SourceCannotContinue(error: e)
                    }
                    try await pour(stream, into: fd, hasher: hasher, display: shown)
                }
            } catch let e as SourceCannotContinue {
                // The source cannot give the rest (the range or the object is gone): start again.
                Detail.info("\(shown): the source cannot continue the partial download (\(e.error.message)); starting again")
                continue
            } catch let e as VFSError where e.code == .checksumMismatch || e.code == .corruptData {
                // The source's own check failed: these bytes are not worth keeping.
                keep = false
                throw e
            }
            let hashes: [HashKind: String]
            do {
                hashes = try finish(fd, path: path, hasher: hasher, attributes: attributes, display: shown)
            } catch let e as VFSError where have > 0 && e.code == .checksumMismatch && attempt == 0 {
                Detail.info("\(shown): the resumed download does not match the source; downloading it again")
                continue
            } catch {
                keep = false
                throw error
            }
            done = true
            Self.clearPrefix(fd)
            guard close(fd) == 0 else {
                let err = errno
                unlink(partial.string)
                throw posixError(err, "close", path: shown)
            }
            guard rename(partial.string, path.string) == 0 else {
                let err = errno
                unlink(partial.string)
                throw posixError(err, "rename", path: shown)
            }
            var info = try statEntry(path)
            info.hashes = hashes
            return info
        }
        keep = false
        throw VFSError(.checksumMismatch, "the download does not match the source", path: shown,
                       remedy: "run the command again; if it fails the same way, the source changes while it is read")
    }

    /// Removes the partial files of other content for the same destination (the source
    /// changed since they were kept), except those another dctc is writing.
    static func removeOtherPartials(in dir: VPath, prefix: String, keeping name: String) {
        guard let d = opendir(dir.string) else { return }
        defer { closedir(d) }
        var stale: [String] = []
        for _ in 0..<1_000_000 {
            guard let entry = readdir(d) else { break }
            let found = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if found.hasPrefix(prefix), found.hasSuffix(".partial"), found != name { stale.append(found) }
        }
        for found in stale {
            let fd = openat(dirfd(d), found, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlinkat(dirfd(d), found, 0) }
            close(fd)
        }
    }

    /// A hasher that has seen the first `count` bytes of `fd` (read on a thread of its own:
    /// gigabytes of local reads do not belong on the cooperative pool).
    static func hashPrefix(_ fd: Int32, count: Int64, kinds: Set<HashKind>, display shown: String) async throws -> HashingTransform {
        let box = try HasherBox(HashingTransform(kinds: kinds))
        guard count > 0 else { return box.hasher }
        if box.hasher.computesNothing {
            box.hasher.countUnread(count)
            return box.hasher
        }
        try await IOThread.detached(name: "dctc-partial-hash") {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var offset: Int64 = 0
            while offset < count {
                let want = Int(min(Int64(buffer.count), count - offset))
                let n = try buffer.withUnsafeMutableBytes { try preadRetrying(fd, $0.baseAddress, want, at: offset, path: shown) }
                guard n > 0 else { throw posixError(EIO, "read", path: shown) }
                _ = try box.hasher.process(Array(buffer[0..<n]))
                offset += Int64(n)
            }
        }
        return box.hasher
    }
}

/// The source failed to open the rest of a resumed download with a permanent error.
private struct SourceCannotContinue: Error {
    let error: VFSError
}

/// Hands a hasher to the hashing thread and back; never used by two threads at once.
private final class HasherBox: @unchecked Sendable {
    let hasher: HashingTransform
    init(_ hasher: HashingTransform) { self.hasher = hasher }
}
