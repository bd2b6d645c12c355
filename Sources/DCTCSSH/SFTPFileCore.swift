import CDCTCSSH2
import DCTCCore
import Foundation

/// An open `LIBSSH2_SFTP_HANDLE` and its read buffer. Lives on the session's thread.
///
/// libssh2 pipelines SFTP reads only up to the length asked for in one `libssh2_sftp_read`
/// call and writes only up to the length given to one `libssh2_sftp_write`, so both are
/// called with half a megabyte to a megabyte at a time (64 KiB buffers ran at a third of the speed).
final class SFTPFileCore: SessionResource {
    /// Bytes asked for per `libssh2_sftp_read`. libssh2 keeps four times that requested ahead
    /// (2 MiB, what OpenSSH's `sftp` keeps in flight: 64 requests of 32 KiB), and buffers the
    /// answers: 1 MiB reads held 4 MiB per stream for no more speed (1 GiB over loopback,
    /// 4 streams: 73 MiB peak RSS at 1 MiB, 57 MiB at 512 KiB, the same 3.0–3.2 s).
    static let ioSize = 512 << 10
    /// Bytes kept in flight by streaming writes (`drain`).
    static let writeWindow = 1 << 20

    let sftp: SFTPCore
    private var handle: OpaquePointer?
    let path: String
    /// Attributes at open time (read handles).
    var attributes: SFTPAttributes?
    private var buffer: UnsafeMutableRawPointer?

    init(sftp: SFTPCore, handle: OpaquePointer, path: String) {
        self.sftp = sftp
        self.handle = handle
        self.path = path
    }

    deinit { release() }

    /// Closes the handle ignoring errors and frees the buffer.
    func release() {
        if let handle, sftp.sftp != nil, sftp.session.isOpen { _ = CDCTCSSH2_sftp_close(handle) }
        handle = nil
        buffer?.deallocate()
        buffer = nil
    }

    private func live() throws -> OpaquePointer {
        try sftp.session.ensureUsable(path: path)
        guard let handle, sftp.sftp != nil else {
            throw SSH2Error(.invalidArgument, "the file is already closed", path: path, function: "libssh2_sftp_close_handle")
        }
        return handle
    }

    /// Wraps `libssh2_sftp_fstat_ex`.
    func fstat() throws -> SFTPAttributes {
        var raw = LIBSSH2_SFTP_ATTRIBUTES()
        let rc = CDCTCSSH2_sftp_fstat(try live(), &raw)
        if rc != 0 { throw sftp.failure(rc, function: "libssh2_sftp_fstat_ex", path: path) }
        return SFTPAttributes(raw)
    }

    /// Moves the read/write offset. Wraps `libssh2_sftp_seek64` (which also drops read-ahead).
    func seek(to offset: UInt64) throws {
        libssh2_sftp_seek64(try live(), offset)
    }

    /// Reads up to `maxLength` bytes (at most `ioSize`) into the handle's buffer and returns a
    /// copy; empty at the end of the file. Wraps `libssh2_sftp_read`.
    func read(maxLength: Int) throws -> [UInt8] {
        let handle = try live()
        let want = max(1, min(maxLength, Self.ioSize))
        let buffer = self.buffer ?? UnsafeMutableRawPointer.allocate(byteCount: Self.ioSize, alignment: 16)
        self.buffer = buffer
        let n = libssh2_sftp_read(handle, buffer.assumingMemoryBound(to: CChar.self), want)
        if n < 0 { throw sftp.failure(Int32(n), function: "libssh2_sftp_read", path: path) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: n))
    }

    /// Reads `count` bytes, or fewer at the end of the file, straight into a new array (empty at
    /// the end). Calls `libssh2_sftp_read` until the array is full: one call returns only the
    /// packets that have arrived, so a chunk would otherwise be a fraction of its buffer, and
    /// the bytes would be copied once more. The read-ahead libssh2 keeps (four times the length
    /// asked for) is topped up by the first call of each chunk.
    /// - Throws: `SSH2Error` for read failures or a closed file.
    func readFilling(_ count: Int) throws -> [UInt8] {
        let handle = try live()
        var failure: Int?
        let bytes = [UInt8](unsafeUninitializedCapacity: max(1, count)) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            while initialized < count {
                let n = libssh2_sftp_read(handle, UnsafeMutableRawPointer(base + initialized).assumingMemoryBound(to: CChar.self),
                                          count - initialized)
                if n < 0 { failure = n; return }
                if n == 0 { break }
                initialized += n
            }
        }
        if let failure { throw sftp.failure(Int32(failure), function: "libssh2_sftp_read", path: path) }
        return bytes
    }

    /// Writes all `count` bytes, calling `libssh2_sftp_write` again after each partial
    /// (acknowledged) write with the rest of the data.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        let handle = try live()
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = libssh2_sftp_write(handle, (base + offset).assumingMemoryBound(to: CChar.self), bytes.count - offset)
            if n < 0 { throw sftp.failure(Int32(n), function: "libssh2_sftp_write", path: path) }
            offset += n
        }
    }

    /// Asks the server to flush the file to disk (`fsync@openssh.com`). Wraps `libssh2_sftp_fsync`.
    func sync() throws {
        let rc = libssh2_sftp_fsync(try live())
        if rc != 0 { throw sftp.failure(rc, function: "libssh2_sftp_fsync", path: path) }
    }

    /// Closes the handle, reporting the server's answer (a failed close can mean lost data).
    /// Wraps `libssh2_sftp_close_handle`.
    func close() throws {
        let handle = try live()
        self.handle = nil
        buffer?.deallocate()
        buffer = nil
        let rc = CDCTCSSH2_sftp_close(handle)
        if rc != 0 { throw sftp.failure(rc, function: "libssh2_sftp_close_handle", path: path) }
    }

    // MARK: - Streaming loops (they occupy the session thread until done)

    /// Reads from the current offset until the end of the file or `length` bytes, handing
    /// each chunk to `channel` (waiting while it is full).
    ///
    /// - Throws: `SSH2Error` for read failures; `VFSError.cancelled` when the reader went away.
    func pump(into channel: ByteChannel, length: Int64?) throws {
        var remaining = length ?? Int64.max
        while remaining > 0 {
            // Never ask beyond the range: libssh2 would request (and the server send) those bytes.
            let chunk = try readFilling(Int(min(Int64(Self.ioSize), remaining)))
            if chunk.isEmpty { break }
            remaining -= Int64(chunk.count)
            try channel.sendBlocking(chunk)
        }
    }

    /// Writes everything `channel` delivers until it finishes, keeping about `writeWindow` bytes in
    /// flight: after each partial write the acknowledged bytes are dropped and new chunks are
    /// appended behind the unacknowledged ones, which libssh2 expects to be passed again
    /// (it sends only the bytes beyond those already in flight).
    ///
    /// - Returns: the number of bytes written.
    /// - Throws: `SSH2Error` for write failures, or the error the channel finished with.
    func drain(from channel: ByteChannel) throws -> Int64 {
        let handle = try live()
        let window = Self.writeWindow
        var capacity = 2 * window
        var storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { storage.deallocate() }
        var start = 0
        var end = 0
        var finished = false
        var total: Int64 = 0
        while true {
            while !finished && end - start < window {
                guard let chunk = try channel.receiveBlocking() else { finished = true; break }
                if end + chunk.count > capacity {
                    // Slide the unacknowledged bytes to the front; grow for an oversized chunk.
                    let pending = end - start
                    if pending + chunk.count > capacity {
                        capacity = pending + chunk.count + window
                        let bigger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
                        bigger.copyMemory(from: storage + start, byteCount: pending)
                        storage.deallocate()
                        storage = bigger
                    } else {
                        memmove(storage, storage + start, pending)  // the regions overlap
                    }
                    start = 0
                    end = pending
                }
                chunk.withUnsafeBytes { bytes in
                    if let base = bytes.baseAddress { (storage + end).copyMemory(from: base, byteCount: bytes.count) }
                }
                end += chunk.count
            }
            if start == end { break }
            let n = libssh2_sftp_write(handle, (storage + start).assumingMemoryBound(to: CChar.self), end - start)
            if n < 0 { throw sftp.failure(Int32(n), function: "libssh2_sftp_write", path: path) }
            start += n
            total += Int64(n)
            if start == end { start = 0; end = 0 }
        }
        return total
    }
}
