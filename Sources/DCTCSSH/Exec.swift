import CDCTCSSH2
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a remote command printed and how it ended.
public struct SSHExecResult: Sendable, Hashable {
    /// The exit status (`libssh2_channel_get_exit_status`); 0 when the server sent none.
    public var exitStatus: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    /// `stdout` decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// `stderr` decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

extension SSHSession {
    /// Runs a command on the server (an `exec` channel request) and collects its output.
    ///
    /// The command is interpreted by the user's login shell: quote arguments yourself. Standard
    /// input is closed at once. stdout and stderr are read together, so a command that writes a
    /// lot to both cannot stall.
    ///
    /// - Parameters:
    ///   - command: the command line.
    ///   - maxOutputBytes: the most each of stdout and stderr may hold.
    ///   - timeout: seconds the command may stay silent (default: the session timeout); raise
    ///     it for commands that think long before printing, such as `sha256sum` of a big file.
    /// - Returns: the exit status and the output.
    /// - Throws: `SSH2Error`: `.unsupported` when the server refuses exec requests,
    ///   `.io` when the output exceeds `maxOutputBytes`, `.timedOut` when nothing arrives for
    ///   the session timeout, `.unavailable` when the connection fails.
    public func exec(_ command: String, maxOutputBytes: Int = 16 << 20, timeout: TimeInterval? = nil) async throws -> SSHExecResult {
        let timeout = timeout ?? options.timeout
        return try await perform { core in try core.exec(command, maxOutputBytes: maxOutputBytes, timeout: timeout) }
    }
}

extension SessionCore {
    /// Wraps `libssh2_channel_open_ex("session")`, `libssh2_channel_process_startup("exec")`,
    /// `libssh2_channel_send_eof`, `libssh2_channel_read_ex` (both streams, non-blocking, with
    /// `poll` on the directions from `libssh2_session_block_directions`), `libssh2_channel_close`,
    /// `libssh2_channel_wait_closed`, `libssh2_channel_get_exit_status`, `libssh2_channel_free`.
    func exec(_ command: String, maxOutputBytes: Int, timeout: TimeInterval) throws -> SSHExecResult {
        guard let channel = CDCTCSSH2_channel_open_session(session) else {
            throw error(function: "libssh2_channel_open_ex", context: "cannot open a channel to run a command")
        }
        defer { libssh2_channel_free(channel) }
        let started = CDCTCSSH2_channel_exec(channel, command, UInt32(command.utf8.count))
        if started != 0 {
            throw error(started, function: "libssh2_channel_process_startup", context: "the server refused to run a command")
        }
        _ = libssh2_channel_send_eof(channel)

        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bufferSize)
        defer { buffer.deallocate() }

        // Non-blocking while reading, so that a full stderr window cannot stall a blocking stdout read.
        libssh2_session_set_blocking(session, 0)
        var readFailure: SSH2Error?
        reading: while true {
            var progressed = false
            for isStderr in [false, true] {
                let n = isStderr ? CDCTCSSH2_channel_read_stderr(channel, buffer, bufferSize)
                                 : CDCTCSSH2_channel_read(channel, buffer, bufferSize)
                if n > 0 {
                    progressed = true
                    let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
                    if isStderr { stderr.append(contentsOf: bytes) } else { stdout.append(contentsOf: bytes) }
                    if stdout.count > maxOutputBytes || stderr.count > maxOutputBytes {
                        readFailure = SSH2Error(.io, "the command printed more than \(maxOutputBytes) bytes", path: address,
                                                remedy: "run a command with less output", function: "libssh2_channel_read_ex")
                        break reading
                    }
                } else if n < 0 && n != Int(LIBSSH2_ERROR_EAGAIN) {
                    readFailure = error(Int32(n), function: "libssh2_channel_read_ex", context: "reading the command's output")
                    break reading
                }
            }
            if progressed { continue }
            if libssh2_channel_eof(channel) != 0 { break }
            if let failure = waitForSocket(timeout: timeout) {
                readFailure = failure
                break
            }
        }
        libssh2_session_set_blocking(session, 1)
        if let readFailure { throw readFailure }

        _ = libssh2_channel_close(channel)
        _ = libssh2_channel_wait_closed(channel)
        return SSHExecResult(exitStatus: libssh2_channel_get_exit_status(channel), stdout: stdout, stderr: stderr)
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on.
    /// - Returns: a `.timedOut` error (also marking the session broken) when nothing happens in time.
    private func waitForSocket(timeout: TimeInterval) -> SSH2Error? {
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var pfd = pollfd(fd: socket, events: events, revents: 0)
        var ready: Int32
        repeat {
            ready = poll(&pfd, 1, Int32(min(timeout * 1000, Double(Int32.max))))
        } while ready < 0 && errno == EINTR
        if ready == 0 {
            let failure = SSH2Error(.timedOut, "the command sent nothing for \(Int(timeout)) s", path: address,
                                    function: "poll", code: LIBSSH2_ERROR_TIMEOUT)
            markBroken(failure)
            return failure
        }
        return nil
    }
}

extension SSHSession {
    /// `text` as one word for a POSIX shell: in single quotes, with each `'` written as `'\''`.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
