import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Buffered writes to standard output and error, by file descriptor.
///
/// `print` takes a lock and flushes per call; listing a million entries that way costs more
/// than the listing. This buffers up to 64 KiB and writes with `write(2)`, retrying short
/// writes. Standard error is written unbuffered (`fputs` to `stderr` is not allowed under
/// Swift 6 strict concurrency).
public final class Output: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private let fd: Int32
    private let limit = 64 * 1024

    public static let standard = Output(fd: 1)
    public static let error = Output(fd: 2)

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(limit)
    }

    /// True when this descriptor is a terminal.
    public var isTerminal: Bool { isatty(fd) == 1 }

    public func write(_ bytes: [UInt8]) {
        lock.withLock {
            // A message never shares a line with the progress display: clear it, write, redraw.
            let hadStatus = statusDrawn > 0
            if hadStatus { eraseStatusLocked() }
            if buffer.count + bytes.count > limit { flushLocked() }
            if bytes.count >= limit { Output.writeAll(fd, bytes) } else { buffer.append(contentsOf: bytes) }
            if fd == 2 { flushLocked() }
            if hadStatus { drawStatusLocked() }
        }
    }

    // MARK: - The status block (progress display)

    // Guarded by `lock`: the lines of the live status block, and how many are on the screen.
    private var statusLines: [String] = []
    private var statusDrawn = 0

    /// Replaces the status block drawn at the bottom of this (terminal) stream: the progress
    /// display. Lines must fit the terminal width. Every other write clears it first and draws
    /// it again after, so messages always start on a line of their own.
    public func setStatus(_ lines: [String]) {
        lock.withLock {
            if statusDrawn > 0 { eraseStatusLocked() }
            statusLines = lines
            drawStatusLocked()
        }
    }

    /// Removes the status block from the screen (the cursor returns where it began).
    public func clearStatus() {
        lock.withLock {
            if statusDrawn > 0 { eraseStatusLocked() }
            statusLines = []
        }
    }

    private func eraseStatusLocked() {
        // The cursor is at the end of the block's last line: back to the start of its first
        // line, then erase to the end of the screen.
        var s = "\r"
        if statusDrawn > 1 { s += "\u{1b}[\(statusDrawn - 1)A" }
        s += "\u{1b}[J"
        buffer.append(contentsOf: Array(s.utf8))
        flushLocked()
        statusDrawn = 0
    }

    private func drawStatusLocked() {
        guard !statusLines.isEmpty else { return }
        buffer.append(contentsOf: Array(statusLines.joined(separator: "\n").utf8))
        flushLocked()
        statusDrawn = statusLines.count
    }

    public func write(_ s: String) { write(Array(s.utf8)) }

    public func line(_ s: String) { write(Array((s + "\n").utf8)) }

    public func flush() { lock.withLock { flushLocked() } }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        Output.writeAll(fd, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        // The reader went away (`dctc cat big | head`): stop quietly with the status a shell
        // reports for a process ended by SIGPIPE, like coreutils. Other errors (a full disk
        // behind a redirection) end the command with a message and the fatal status.
        if let err = FileDescriptorIO.writeAll(fd, bytes) {
            if err == EPIPE && fd == 1 { _exit(128 + SIGPIPE) }
            if fd == 1 {
                _ = FileDescriptorIO.writeAll(2, Array("dctc: cannot write standard output: \(String(cString: strerror(err)))\n".utf8))
                _exit(ExitStatus.fatal.rawValue)
            }
        }
    }
}

/// Writes an error line (or a `warning: ...` line, at notice level) to standard error,
/// prefixed with `dctc: `, and to the log file.
public func printError(_ message: String) {
    if message.hasPrefix("warning: ") {
        Log.shared.notice(message)
    } else {
        Log.shared.error(message)
    }
}

/// Sizes for people: 1.5K, 20M, 3.1G (powers of 1024, like `ls -h`).
public func humanSize(_ bytes: Int64) -> String {
    let units = ["B", "K", "M", "G", "T", "P"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if unit == 0 { return "\(bytes)" }
    return value < 10 ? String(format: "%.1f%@", value, units[unit]) : String(format: "%.0f%@", value.rounded(), units[unit])
}

/// JSON output shared by every `--json` flag: sorted keys, ISO 8601 dates, no escaped slashes.
public func jsonLine<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
