import DCTCCore
import Foundation

/// Reads blocks of a requested size from a `ByteChannel`, on a thread of our own.
///
/// ZIPFoundation pulls entry content through a synchronous provider that asks for a number of
/// bytes; this re-blocks the channel's chunks to that size with one copy per block.
final class ChannelBlockReader {
    private let channel: ByteChannel
    private var chunk: [UInt8] = []
    private var offset = 0
    private var ended = false
    /// Bytes handed out so far.
    private(set) var bytesRead: Int64 = 0

    init(_ channel: ByteChannel) { self.channel = channel }

    /// Up to `count` bytes; fewer only at the end of the content.
    ///
    /// - Throws: the producer's error, as `ByteChannel.receiveBlocking` reports it.
    func read(upTo count: Int) throws -> Data {
        var data = Data(capacity: count)
        while data.count < count {
            if offset == chunk.count {
                guard !ended, let next = try channel.receiveBlocking() else {
                    ended = true
                    break
                }
                chunk = next
                offset = 0
            }
            let take = min(count - data.count, chunk.count - offset)
            let start = offset
            chunk.withUnsafeBufferPointer { buffer in
                data.append(UnsafeBufferPointer(rebasing: buffer[start..<(start + take)]))
            }
            offset += take
        }
        bytesRead += Int64(data.count)
        return data
    }

    /// True when the content has no more bytes.
    func isAtEnd() throws -> Bool {
        if offset < chunk.count { return false }
        if ended { return true }
        guard let next = try channel.receiveBlocking() else {
            ended = true
            return true
        }
        chunk = next
        offset = 0
        return false
    }
}

/// An anonymous scratch file in a given folder: created exclusively, unlinked at once, and
/// closed in `deinit`. Holds content whose size must be known before it can be written.
final class SpoolFile {
    private let fd: Int32
    private(set) var size: Int64 = 0

    /// Creates the file (`open` with `O_CREAT | O_EXCL`, then `unlink`).
    ///
    /// - Parameters:
    ///   - directory: the folder to create it in (where there is room for the content).
    ///   - baseName: a name to derive the hidden scratch name from.
    ///   - displayPath: what errors name.
    /// - Throws: `VFSError` for the `open` errno.
    init(directory: String, baseName: String, displayPath: String) throws {
        var lastError: Int32 = 0
        for _ in 0..<16 {
            let candidate = directory + "/." + baseName + ".dctc-spool-" + randomSuffix()
            let fd = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                unlink(candidate)
                self.fd = fd
                return
            }
            lastError = errno
            if lastError != EEXIST { break }
        }
        throw posixError(lastError, path: displayPath, doing: "creating a scratch file")
    }

    deinit { close(fd) }

    /// Appends bytes (`write`, looping over partial writes).
    func append(_ bytes: [UInt8], displayPath: String) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                guard let base = raw.baseAddress else { return }
                let n = Foundation.write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError(errno, path: displayPath, doing: "writing a scratch file")
                }
                done += n
            }
        }
        size += Int64(bytes.count)
    }

    /// Moves back to the start for reading (`lseek`).
    func rewind(displayPath: String) throws {
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            throw posixError(errno, path: displayPath, doing: "rewinding a scratch file")
        }
    }

    /// Up to `count` bytes from the current position (`read`, looping over partial reads).
    func read(upTo count: Int, displayPath: String) throws -> Data {
        var data = Data(count: count)
        var got = 0
        try data.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            while got < count {
                let n = Foundation.read(fd, base + got, count - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError(errno, path: displayPath, doing: "reading a scratch file")
                }
                if n == 0 { break }
                got += n
            }
        }
        data.count = got
        return data
    }
}

/// Eight random hex digits for scratch names.
func randomSuffix() -> String {
    String(UInt32.random(in: .min ... .max), radix: 16)
}
