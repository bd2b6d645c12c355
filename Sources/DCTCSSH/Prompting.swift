import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the user something during a connection: a password, a key passphrase, whether to
/// trust an unknown host key. Implementations block the calling thread (a session thread of
/// our own, never the cooperative pool) until the user answers.
public protocol SSHPrompter: Sendable {
    /// Shows `prompt` and reads one line with echo off; nil when the user ends the input
    /// (Ctrl-D) or the terminal cannot be read.
    func secret(_ prompt: String) -> String?
    /// Shows `prompt` and reads one line with echo on; nil at end of input.
    func line(_ prompt: String) -> String?
    /// A secret that worked earlier in this process (so a pool of sessions asks once).
    func remembered(_ key: String) -> SSHSecret?
    /// Keeps a secret that worked (or was cut off by a failed connection, not refused), for the
    /// next session to the same place.
    func remember(_ key: String, _ secret: SSHSecret)
}

/// Prompts on the controlling terminal (`/dev/tty`), as `ssh` does: passwords and
/// passphrases with echo off, never from the command line.
///
/// Only exists when the process runs on a terminal (standard input or standard error is a
/// terminal, and `/dev/tty` opens): under cron, CI, Airflow or a pipe from another program,
/// `forTerminal()` returns nil and connections fail with their usual message instead of
/// waiting for an answer nobody can give. Prompts are serialised: two sessions opening at
/// once ask one after the other.
public final class TerminalPrompter: SSHPrompter, @unchecked Sendable {
    // Guarded by `lock`; the lock is also held for the whole of a prompt.
    private let lock = NSLock()
    private var secrets: [String: SSHSecret] = [:]
    private let device: String

    init(device: String) { self.device = device }

    /// The prompter of this process's terminal, or nil when it has none.
    /// - Parameter environment: `DCTC_NO_PROMPT` set to anything turns prompting off.
    public static func forTerminal(environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalPrompter? {
        if let off = environment["DCTC_NO_PROMPT"], !off.isEmpty { return nil }
        guard isatty(0) == 1 || isatty(2) == 1 else { return nil }
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        closeDescriptor(fd)
        return TerminalPrompter(device: "/dev/tty")
    }

    public func secret(_ prompt: String) -> String? { ask(prompt, echo: false) }
    public func line(_ prompt: String) -> String? { ask(prompt, echo: true) }

    public func remembered(_ key: String) -> SSHSecret? { lock.withLock { secrets[key] } }
    public func remember(_ key: String, _ secret: SSHSecret) { lock.withLock { secrets[key] = secret } }

    /// Opens the terminal, writes the prompt, reads one line (at most 4 KiB), restores the
    /// terminal. Wraps `open("/dev/tty")`, `tcgetattr`/`tcsetattr` (clearing `ECHO`), `read`.
    private func ask(_ prompt: String, echo: Bool) -> String? {
        lock.lock()
        defer { lock.unlock() }
        let fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { closeDescriptor(fd) }
        var saved = termios()
        let isTerminal = tcgetattr(fd, &saved) == 0
        if !echo && isTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            quiet.c_lflag |= tcflag_t(ECHONL)
            _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        }
        defer { if !echo && isTerminal { _ = tcsetattr(fd, TCSAFLUSH, &saved) } }
        _ = FileDescriptorIO.writeAll(fd, Array(prompt.utf8))

        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        var ended = false
        while bytes.count < 4096 {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { ended = true; break }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if ended && bytes.isEmpty {
            if !echo { _ = FileDescriptorIO.writeAll(fd, Array("\n".utf8)) }
            return nil
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The questions `ssh` asks, in its words.
public enum SSHPromptRules {
    /// Asks, as `ssh` does, whether to trust a host key seen for the first time: `yes` (or
    /// the fingerprint itself) trusts it, `no` or the end of input refuses. At most 10 answers.
    public static func trusts(_ info: SSHHostKey, name: String, prompter: any SSHPrompter) -> Bool {
        let kind = info.algorithm.replacingOccurrences(of: "ssh-", with: "")
            .replacingOccurrences(of: "ecdsa-sha2-nistp", with: "ECDSA-").uppercased()
        var prompt = "The authenticity of host '\(name)' can't be established.\n" +
            "\(kind.hasPrefix("ECDSA") ? "ECDSA" : kind) key fingerprint is \(info.fingerprint).\n" +
            "Are you sure you want to continue connecting (yes/no/[fingerprint])? "
        for _ in 0..<10 {
            guard let answer = prompter.line(prompt)?.trimmingCharacters(in: .whitespaces) else { return false }
            switch answer.lowercased() {
            case "yes": return true
            case "no": return false
            default:
                if answer == info.fingerprint { return true }
                prompt = "Please type 'yes', 'no' or the fingerprint: "
            }
        }
        return false
    }

}
