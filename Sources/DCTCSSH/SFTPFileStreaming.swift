import CDCTCSSH2
import DCTCCore
import Foundation

/// Streams over a file that is already open, so a caller can tell "cannot open" (missing file,
/// a folder, a missing parent) apart from a failure in the middle of the content, and can
/// retry the open (e.g. after creating the parent folder) before any content is consumed.
extension SFTPFile {
    /// The file's content from `offset`, as a stream of chunks of up to 512 KiB; the file is
    /// closed when the stream ends, fails or is cancelled.
    ///
    /// Like `SFTPClient.readStream`: one job on the session thread seeks (`libssh2_sftp_seek64`)
    /// and reads with `libssh2_sftp_read` and 512 KiB buffers, which libssh2 pipelines (up to four
    /// buffers of read-ahead), never asking past `length`, and hands each chunk to a bounded
    /// `ByteChannel` (two reads' worth: the reader fills the next one meanwhile, and libssh2
    /// keeps its own read-ahead; parallel streams each hold one), so a slow consumer holds the
    /// reader back. The job occupies the
    /// session thread until the stream ends or the consumer cancels it.
    ///
    /// - Parameters:
    ///   - offset: the first byte wanted.
    ///   - length: the most bytes wanted; to the end of the file when nil.
    ///   - errorPath: the path errors name (the address a user typed); `path` when nil.
    ///   - onEnd: runs on the session thread once the job has finished and the file is closed,
    ///     however it ended (e.g. to hand the session back to a pool).
    /// - Returns: the stream; its errors are `VFSError`s (`.unavailable` when the connection is
    ///   lost, retryable).
    public func contentStream(from offset: UInt64 = 0, length: Int64? = nil, errorPath: String? = nil,
                              onEnd: @escaping @Sendable () -> Void = {}) -> ByteStream {
        let channel = ByteChannel(capacity: 2 * SFTPClient.bufferSize)
        let core = self.core
        let shown = errorPath ?? path
        core.thread.submit { [self] in
            core.withValueOnThread { file in
                do {
                    if offset > 0 { try file.seek(to: offset) }
                    try file.pump(into: channel, length: length)
                    file.release()
                    channel.finish()
                } catch {
                    file.release()
                    channel.finish(throwing: SFTPClient.vfsError(error, path: shown))
                }
            }
            withExtendedLifetime(self) {}
            onEnd()
        }
        return channel.stream
    }

    /// Writes everything `source` delivers at the current offset, keeping about 1 MiB in flight,
    /// then closes the file.
    ///
    /// A task pulls chunks from `source` into a bounded `ByteChannel` (4 MiB); a job on the
    /// session thread writes them with pipelined `libssh2_sftp_write` calls (see
    /// `SFTPClient.writeStream`) and closes the handle (`libssh2_sftp_close_handle`). If writing
    /// fails, `source` is cancelled; if `source` fails, its error is rethrown after the handle is
    /// released. Cancelling the calling task aborts the write. The file may be left partially
    /// written: write to a temporary name and rename.
    ///
    /// - Parameter source: the content.
    /// - Returns: the number of bytes written.
    /// - Throws: `SSH2Error` for SFTP failures, `VFSError.cancelled`, or what `source` threw.
    @discardableResult
    public func write(from source: ByteStream) async throws -> Int64 {
        let channel = ByteChannel(capacity: 4 * SFTPClient.bufferSize)
        let pump = Task {
            do {
                for try await chunk in source { try await channel.send(chunk) }
                channel.finish()
            } catch {
                channel.finish(throwing: error)
                await source.cancel()
            }
        }
        let path = self.path
        @Sendable func abort(_ reason: VFSError) {
            channel.cancelNow()  // the pump's next send fails, and it cancels the source
            channel.finish(throwing: reason)  // wakes the writer if it waits for data
            pump.cancel()
        }
        do {
            let written = try await withTaskCancellationHandler {
                try await core.withValue { file in
                    do {
                        let written = try file.drain(from: channel)
                        try file.close()
                        return written
                    } catch {
                        file.release()
                        throw error
                    }
                }
            } onCancel: {
                abort(VFSError(.cancelled, "the upload was cancelled", path: path))
            }
            await pump.value
            return written
        } catch {
            abort(VFSError(.cancelled, "the upload stopped", path: path))
            await source.cancel()
            throw error
        }
    }
}
