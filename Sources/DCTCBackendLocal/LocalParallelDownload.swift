import CDCTCXattr
import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Parallel ranged streams for one large download (`--multi-thread-streams`,
// `--multi-thread-cutoff`).
//
// Design:
// - The bytes still to come, `[from, size)`, are cut into contiguous chunks
//   (`MultiThreadDownloads.chunkSize`) handed out in order of offset to `streams` workers. Each
//   worker opens its chunk with one ranged read (`content(offset, length)`: the S3 and HTTP
//   stores retry a cut body from its last byte, `ResumingSource`) and writes what it receives
//   with pwrite(2) at its offset in the partial file: large pieces as they come, small ones
//   gathered in a 256 KiB buffer, all on one writer thread (never on the cooperative pool; one
//   thread, because writers of one file contend for its inode lock). Memory is a buffer per
//   stream plus the source's own, whatever the size.
// - The hasher, on a thread of its own, follows the contiguous prefix: the start of the first
//   unfinished chunk plus what that chunk has written from its start. It reads that prefix
//   back from the file (the page cache) in order, so the whole file is hashed exactly as a
//   single stream would be, and `finish` checks size and known hashes before the rename: a
//   mismatch never reaches the final name.
// - Resume: past the contiguous prefix the partial file has holes, so its size no longer says
//   what is there. Before the first out-of-order write the partial file gets the extended
//   attribute `user.dctc.prefix` (decimal bytes), moved forward by the hasher as the prefix
//   grows (every `prefixRecordStep` bytes); the next copy continues from
//   `min(size, user.dctc.prefix)` (and truncates the rest).
//   A partial file without the attribute was written in order, and its size is its prefix. The
//   attribute is removed before the rename. Where the file system has no extended attributes,
//   the download is one stream.
extension LocalFileSystem {
    /// The extended attribute holding the contiguous prefix of a partial file written out of order.
    static let prefixAttribute = "user.dctc.prefix"

    /// How far the contiguous prefix moves before the record follows it.
    static let prefixRecordStep: Int64 = 4 << 20

    /// The contiguous prefix recorded on a partial file written out of order, or nil when it was
    /// written in order (its size is its prefix).
    static func recordedPrefix(_ fd: Int32) -> Int64? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { fgetxattr(fd, prefixAttribute, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return Int64(String(decoding: buffer[0..<n], as: UTF8.self)) ?? 0
    }

    /// Records `prefix` as the contiguous prefix of a partial file about to be written out of order.
    /// - Returns: false when the file system cannot keep the record (then write in order).
    @discardableResult
    static func recordPrefix(_ fd: Int32, _ prefix: Int64) -> Bool {
        let text = Array(String(prefix).utf8)
        return text.withUnsafeBytes { fsetxattr(fd, prefixAttribute, $0.baseAddress, $0.count, 0) } == 0
    }

    /// Removes the record: the file is (again) written in order, or complete.
    static func clearPrefix(_ fd: Int32) {
        _ = fremovexattr(fd, prefixAttribute)
    }

    /// Downloads `[from, size)` of `fd` with parallel ranged streams, feeding `hasher` the bytes
    /// in order of offset (it has already seen `[0, from)`).
    /// - Throws: the first failure of a stream (after the source's own retries), a short or
    ///   long range as `.io`, a write failure as the errno's `VFSError`.
    func pourParallel(into fd: Int32, from: Int64, size: Int64, streams: Int, content: @escaping RangedContent,
                      hasher: HashingTransform, display shown: String) async throws {
        let chunk = multiThread.chunkSize(remaining: size - from)
        let ledger = ChunkLedger(from: from, size: size, chunk: chunk)
        let workers = min(streams, ledger.count)
        let box = ParallelHasherBox(hasher)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await IOThread.detached(name: "dctc-stream-hash") {
                        try Self.followPrefix(fd, ledger: ledger, hasher: box.hasher, from: from, size: size, display: shown)
                    }
                }
                // One writer thread for all streams: the kernel serialises writes to one file on
                // its inode lock anyway, and several threads contending for it spin (measured:
                // 4 writer threads spent more system time than the whole download needs).
                let writer = IOThread(name: "dctc-stream-write")
                defer { writer.shutdown() }
                for _ in 0..<workers {
                    group.addTask {
                        // One buffer per stream for the whole download, to gather small pieces.
                        let buffer = WriteBuffer(capacity: 256 << 10)
                        while let (index, offset, length) = ledger.take() {
                            try await Self.pourRange(content, index: index, offset: offset, length: length, into: fd,
                                                     ledger: ledger, thread: writer, buffer: buffer, display: shown)
                        }
                    }
                }
                do {
                    try await group.waitForAll()
                } catch {
                    // The hasher waits on the ledger, not on the task: wake it.
                    ledger.fail()
                    group.cancelAll()
                    throw error
                }
            }
        } catch {
            ledger.fail()
            throw VFSError.wrap(error, path: shown)
        }
    }

    /// Reads one chunk and writes it at its offset through `buffer`, telling the ledger after each write.
    private static func pourRange(_ content: RangedContent, index: Int, offset: Int64, length: Int64, into fd: Int32,
                                  ledger: ChunkLedger, thread: IOThread, buffer: WriteBuffer, display shown: String) async throws {
        let stream = try await content(offset, length)
        var position = offset
        let end = offset + length
        /// Runs `write` (count bytes at the current position) on the writer thread, then moves on.
        func commit(_ count: Int, _ write: @escaping @Sendable (Int64) -> Int32?) async throws {
            let at = position
            try await thread.run {
                if let err = write(at) { throw posixError(err, "write", path: shown) }
            }
            position += Int64(count)
            ledger.wrote(index, Int64(count))
        }
        func flush() async throws {
            guard buffer.count > 0 else { return }
            try await commit(buffer.count) { buffer.write(to: fd, at: $0) }
        }
        do {
            for try await piece in stream {
                try Task.checkCancellation()
                guard position + Int64(buffer.count) + Int64(piece.count) <= end else {
                    throw VFSError(.io, "the source sent more bytes than asked for (range \(offset)-\(end - 1))", path: shown,
                                   remedy: "run the command again with --multi-thread-streams 1")
                }
                if buffer.count == 0 && piece.count >= buffer.capacity {
                    // A large piece is written as it is: copying it into the buffer gains nothing.
                    try await commit(piece.count) { WriteBuffer.write(piece, to: fd, at: $0) }
                    continue
                }
                var taken = 0
                while taken < piece.count {
                    taken += buffer.append(piece, from: taken)
                    if buffer.isFull { try await flush() }
                }
            }
            try await flush()
        } catch {
            await stream.cancel()
            throw error
        }
        guard position == end else {
            throw VFSError(.io, "the source ended the range \(offset)-\(end - 1) after \(position - offset) bytes", path: shown,
                           remedy: "run the command again: the download continues from where it stopped")
        }
    }

    /// Hashes the contiguous prefix as it grows (blocking; on a thread of its own), until `size`
    /// bytes are hashed. The prefix record moves forward as soon as the written prefix does, not
    /// after the hashing: a resume hashes the kept prefix again from the file, so a hasher that
    /// lags behind (a busy machine) must not make a killed download lose what it had written.
    private static func followPrefix(_ fd: Int32, ledger: ChunkLedger, hasher: HashingTransform, from: Int64, size: Int64,
                                     display shown: String) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var hashed = from
        var recorded = from
        while hashed < size {
            guard let prefix = ledger.waitBeyond(hashed) else { return }
            // Every few MiB, not on every write: each record is a journalled inode update that
            // takes the lock the writes need. A record behind the real prefix only costs a resume
            // those few MiB again.
            if prefix - recorded >= prefixRecordStep {
                recordPrefix(fd, prefix)
                recorded = prefix
            }
            if hasher.computesNothing {
                // No hash wanted (a source that knows none, no hash cache): nothing to read back.
                hasher.countUnread(prefix - hashed)
                hashed = prefix
            }
            while hashed < prefix {
                let want = Int(min(Int64(buffer.count), prefix - hashed))
                let n = try buffer.withUnsafeMutableBytes { try preadRetrying(fd, $0.baseAddress, want, at: hashed, path: shown) }
                guard n > 0 else { throw posixError(EIO, "read", path: shown) }
                _ = try hasher.process(n == buffer.count ? buffer : Array(buffer[0..<n]))
                hashed += Int64(n)
            }
        }
    }
}

/// Which chunks are handed out and how far each is written; the contiguous prefix follows.
/// Shared by the workers and the hasher thread, under a condition variable (the hasher blocks
/// on its own thread, never on the cooperative pool).
final class ChunkLedger: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private let offsets: [Int64]
    private let lengths: [Int64]
    private var written: [Int64]
    private var handedOut = 0
    private var firstUnfinished = 0
    private var failed = false

    init(from: Int64, size: Int64, chunk: Int64) {
        var offsets: [Int64] = [], lengths: [Int64] = []
        var at = from
        while at < size {
            offsets.append(at)
            lengths.append(min(chunk, size - at))
            at += chunk
        }
        self.offsets = offsets
        self.lengths = lengths
        written = Array(repeating: 0, count: offsets.count)
    }

    var count: Int { offsets.count }

    /// The next chunk to read, in order of offset; nil when all are handed out or one failed.
    func take() -> (index: Int, offset: Int64, length: Int64)? {
        condition.lock()
        defer { condition.unlock() }
        guard !failed, handedOut < offsets.count else { return nil }
        handedOut += 1
        return (handedOut - 1, offsets[handedOut - 1], lengths[handedOut - 1])
    }

    /// Chunk `index` wrote `count` more bytes, after those it wrote before.
    func wrote(_ index: Int, _ count: Int64) {
        condition.lock()
        written[index] += count
        while firstUnfinished < offsets.count && written[firstUnfinished] >= lengths[firstUnfinished] {
            firstUnfinished += 1
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Stops handing out chunks and wakes the hasher.
    func fail() {
        condition.lock()
        failed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the contiguous prefix passes `offset`; nil when the download failed.
    func waitBeyond(_ offset: Int64) -> Int64? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if failed { return nil }
            let prefix = firstUnfinished < offsets.count ? offsets[firstUnfinished] + written[firstUnfinished]
                : (offsets.last ?? 0) + (lengths.last ?? 0)
            if prefix > offset { return prefix }
            condition.wait()
        }
    }
}

/// A fixed buffer a stream fills and its write thread empties with pwrite(2), taking turns (the
/// stream awaits each write): never used by two threads at once.
final class WriteBuffer: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, capacity), alignment: 16)
    }

    deinit { storage.deallocate() }

    var isFull: Bool { count == storage.count }

    var capacity: Int { storage.count }

    /// pwrite(2) of all of `bytes` at `offset`.
    /// - Returns: the errno of a failure, nil when written.
    static func write(_ bytes: [UInt8], to fd: Int32, at offset: Int64) -> Int32? {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return nil }
            return pwriteAll(fd, base, raw.count, at: offset)
        }
    }

    /// pwrite(2) until `count` bytes are written (retrying EINTR and short writes).
    static func pwriteAll(_ fd: Int32, _ base: UnsafeRawPointer, _ count: Int, at offset: Int64) -> Int32? {
        var done = 0
        while done < count {
            let n = pwrite(fd, base + done, count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            guard n > 0 else { return EIO }
            done += n
        }
        return nil
    }

    /// Copies what fits of `bytes[from...]`. - Returns: how many bytes were taken.
    func append(_ bytes: [UInt8], from: Int) -> Int {
        let n = min(storage.count - count, bytes.count - from)
        guard n > 0, let base = storage.baseAddress else { return 0 }
        bytes.withUnsafeBytes { source in
            if let src = source.baseAddress { (base + count).copyMemory(from: src + from, byteCount: n) }
        }
        count += n
        return n
    }

    /// pwrite(2) of the buffered bytes at `offset`, then empties the buffer.
    /// - Returns: the errno of a failure, nil when written.
    func write(to fd: Int32, at offset: Int64) -> Int32? {
        guard let base = storage.baseAddress else { return nil }
        if let err = Self.pwriteAll(fd, UnsafeRawPointer(base), count, at: offset) { return err }
        count = 0
        return nil
    }
}

/// Hands the hasher to the hashing thread; only that thread uses it until the download ends.
private final class ParallelHasherBox: @unchecked Sendable {
    let hasher: HashingTransform
    init(_ hasher: HashingTransform) { self.hasher = hasher }
}
