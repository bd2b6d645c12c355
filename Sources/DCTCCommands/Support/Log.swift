import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every message a command prints besides its output: errors, notices, `-v` detail, the final
/// summary. Shown on standard error by level (errors always; notices unless `-q`; info with
/// `-v`; debug with `-vv`; or `--log-level`), and written with a timestamp to `--log-file`.
///
/// Lines go through `Output.error`, so they never share a line with the progress display.
public final class Log: Sendable {
    public static let shared = Log()

    private struct State {
        var level: LogLevel = .notice
        var file: Int32?
    }
    private let state = Locked(State())

    /// Sets the level and opens the log file (appended, created with mode 0600).
    /// - Throws: `VFSError(.permissionDenied/.notFound/.io)` naming the file when it cannot be opened.
    func configure(level: LogLevel, logFile: String?) throws {
        var fd: Int32?
        if let logFile {
            let path = Home.expandTilde(logFile)
            let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard opened >= 0 else {
                let err = errno
                throw VFSError(err == ENOENT ? .notFound : err == EACCES ? .permissionDenied : .io,
                               "cannot open the log file: \(String(cString: strerror(err)))", path: logFile,
                               remedy: "check that its folder exists and is writable")
            }
            fd = opened
        }
        state.withLock { s in
            if let old = s.file { Glibc.close(old) }
            s.level = level
            s.file = fd
        }
    }

    /// The level in force.
    public var level: LogLevel { state.withLock { $0.level } }

    public func error(_ message: String) { emit(.error, message, prefix: "dctc: ") }
    public func notice(_ message: String) { emit(.notice, message, prefix: "dctc: ") }
    public func info(_ message: String) { emit(.info, message, prefix: "") }
    public func debug(_ message: String) { emit(.debug, message, prefix: "") }

    /// A line of the given level without the `dctc: ` prefix on the terminal (summaries).
    public func plain(_ level: LogLevel, _ message: String) { emit(level, message, prefix: "") }

    /// Writes the line to the log file only (periodic `--stats` lines when nobody watches).
    func fileOnly(_ level: LogLevel, _ message: String) {
        let (current, fd) = state.withLock { ($0.level, $0.file) }
        if level <= current, let fd { writeFile(fd, level, message) }
    }

    private func emit(_ level: LogLevel, _ message: String, prefix: String) {
        let (current, fd) = state.withLock { ($0.level, $0.file) }
        // Errors are shown whatever the level: a cron job with -q still mails its failures.
        guard level == .error || level <= current else { return }
        Output.standard.flush()
        Output.error.line(prefix + message)
        if let fd { writeFile(fd, level, message) }
    }

    private func writeFile(_ fd: Int32, _ level: LogLevel, _ message: String) {
        let stamp = Log.timestamp(Date())
        let text = "\(stamp) \(level.rawValue.uppercased()) \(message.replacingOccurrences(of: "\n", with: "\\n"))\n"
        _ = FileDescriptorIO.writeAll(fd, Array(text.utf8))
    }

    /// `2026-12-04T18:30:00.123Z`: UTC with milliseconds, as rclone's --log-file lines sort.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    /// Closes the log file (at the end of the run).
    func close() {
        state.withLock { s in
            if let fd = s.file { Glibc.close(fd) }
            s.file = nil
        }
    }
}

/// `1 file`, `2 files`, `1 error`, `3 errors`.
public func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
