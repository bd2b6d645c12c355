import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The whole-file hash and the part hashes of an upload, in one read of the file
/// (`PartHashProviding`, for S3 multipart uploads: see `UpfrontHash`).
///
/// Two threads of our own: one reads the file and hashes the whole; the other hashes the
/// parts from the same buffers, handed over through a bounded `ByteChannel` (8 MiB), so the
/// two hashes take the time of one.
extension LocalFileSystem: PartHashProviding {
    public func hash(_ path: VPath, kind: HashKind, partSizes: [Int64]) async throws -> (whole: String, parts: [String]) {
        let shown = display(path)
        let fd = open(path.string, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(errno, "open", path: shown) }
        defer { close(fd) }
        let total = partSizes.reduce(0, +)
        let handoff = ByteChannel(capacity: 8 << 20)
        async let parts = IOThread.detached(name: "dctc-part-hash") {
            do {
                return try Self.hashParts(from: handoff, kind: kind, sizes: partSizes, display: shown)
            } catch {
                handoff.cancelNow()  // the reading thread stops at its next hand-over
                throw error
            }
        }
        let whole: String
        do {
            whole = try await IOThread.detached(name: "dctc-file-hash") {
                do {
                    let digest = try Self.hashFile(fd, total: total, kind: kind, into: handoff, display: shown)
                    handoff.finish()
                    return digest
                } catch {
                    handoff.finish(throwing: error)
                    throw error
                }
            }
        } catch {
            // When the parts failed first (and stopped the reading), theirs is the error to show.
            do { _ = try await parts } catch let partsError as VFSError where partsError.code != .cancelled { throw partsError } catch {}
            throw error
        }
        return (whole, try await parts)
    }

    /// Reads `fd` to its end in 1 MiB buffers, hashing them and handing each to `handoff`.
    /// - Throws: `.checksumMismatch` when the file is not `total` bytes long.
    private static func hashFile(_ fd: Int32, total: Int64, kind: HashKind, into handoff: ByteChannel,
                                 display shown: String) throws -> String {
        let digest = try Digest(kind)
        var offset: Int64 = 0
        while true {
            let chunk = try [UInt8](unsafeUninitializedCapacity: 1 << 20) { buffer, initialized in
                initialized = try preadRetrying(fd, buffer.baseAddress, buffer.count, at: offset, path: shown)
            }
            if chunk.isEmpty { break }
            offset += Int64(chunk.count)
            guard offset <= total else { break }
            digest.update(chunk)
            try handoff.sendBlocking(chunk)
        }
        guard offset == total else {
            throw VFSError(.checksumMismatch, "the file is \(offset > total ? "longer" : "shorter") than the \(total) bytes it had when the copy began",
                           path: shown, remedy: "the file changed while it was being read; run the command again once nothing writes it")
        }
        return digest.finalize()
    }

    /// Hashes consecutive parts of the given lengths from what `handoff` delivers.
    private static func hashParts(from handoff: ByteChannel, kind: HashKind, sizes: [Int64],
                                  display shown: String) throws -> [String] {
        var digests: [String] = []
        digests.reserveCapacity(sizes.count)
        var part = try Digest(kind)
        var filled: Int64 = 0
        while let chunk = try handoff.receiveBlocking() {
            try chunk.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    guard digests.count < sizes.count else {
                        throw VFSError(.checksumMismatch, "the file is longer than its parts", path: shown,
                                       remedy: "the file changed while it was being read; run the command again")
                    }
                    let take = Int(min(Int64(raw.count - at), sizes[digests.count] - filled))
                    part.update(UnsafeRawBufferPointer(rebasing: raw[at..<(at + take)]))
                    at += take
                    filled += Int64(take)
                    if filled == sizes[digests.count] {
                        digests.append(part.finalize())
                        part = try Digest(kind)
                        filled = 0
                    }
                }
            }
        }
        return digests
    }
}
