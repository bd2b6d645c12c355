import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the editor process ended.
public enum EditorOutcome: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status (0 means the edit is to be saved).
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    public var succeeded: Bool { self == .exited(0) }

    /// "exited with status 1", "was ended by signal 9 (Killed)".
    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "was ended by signal \(signal) (\(String(cString: strsignal(signal))))"
        }
    }
}

/// Why the editor could not be started or waited for. Each case names the C call that failed
/// and keeps its errno.
enum EditorLaunchError: Error, Sendable {
    /// `posix_spawn` failed (ENOENT, EACCES, ENOEXEC...).
    case spawn(program: String, errno: Int32)
    /// `posix_spawnattr_*` or `posix_spawn_file_actions_*` failed (ENOMEM).
    case setup(call: String, errno: Int32)
    /// `waitpid` failed (ECHILD when something else reaped the editor).
    case wait(errno: Int32)

    /// The error as users see it: a configuration problem (the editor cannot run) is a usage
    /// error; losing track of a running editor is an I/O failure.
    var vfsError: VFSError {
        switch self {
        case let .spawn(program, err):
            return VFSError(.invalidArgument, "cannot start the editor: \(String(cString: strerror(err)))", path: program,
                            remedy: "set VISUAL or EDITOR to an installed editor, e.g. export VISUAL=nano",
                            cause: "posix_spawn: errno \(err)")
        case let .setup(call, err):
            return VFSError(.io, "cannot prepare to start the editor: \(String(cString: strerror(err)))",
                            remedy: "run the command again", cause: "\(call): errno \(err)")
        case let .wait(err):
            return VFSError(.io, "lost track of the editor: \(String(cString: strerror(err)))",
                            remedy: "check that nothing else reaps dctc's child processes", cause: "waitpid: errno \(err)")
        }
    }
}

/// Runs the editor as a child process attached to the user's terminal and waits for it.
///
/// The editor is started with `posix_spawn` (no shell: the arguments are passed as they are),
/// inherits standard input, output and error, gets default signal dispositions and an empty
/// signal mask (dctc ignores SIGINT and SIGPIPE; an editor must not), and is waited for on a
/// thread of our own, never on the cooperative pool.
///
/// When standard input is a terminal on which dctc is the foreground job, the editor gets a
/// process group of its own and the terminal's foreground, the way a shell runs a job: Ctrl-C
/// in the editor then reaches the editor only (it is how vi leaves insert mode, and must not
/// interrupt dctc), and Ctrl-Z suspends the editor, then dctc's own group, so the shell sees
/// the job stopped; `fg` hands the terminal back to the editor. The terminal returns to dctc
/// when the editor ends, with its modes restored if a signal killed the editor.
public enum EditorProcess {
    /// Runs `arguments` (the program path first) and waits until it ends.
    ///
    /// - Parameters:
    ///   - executable: the program to run (a resolved path; no `$PATH` search happens here).
    ///   - arguments: the argument vector, `arguments[0]` being the name the program sees.
    /// - Returns: how the editor ended.
    /// - Throws: `EditorLaunchError` when it cannot be started or waited for.
    public static func run(executable: String, arguments: [String]) async throws -> EditorOutcome {
        try await IOThread.detached(name: "dctc-editor") {
            try runBlocking(executable: executable, arguments: arguments)
        }
    }

    /// The blocking part of `run`, on the caller's (own) thread.
    static func runBlocking(executable: String, arguments: [String]) throws -> EditorOutcome {
        // This thread may call tcsetpgrp while dctc is in the background (taking the terminal
        // back from a finished editor): blocking SIGTTOU here is what allows that. SIGTSTP and
        // SIGSTOP must reach this thread so that suspending dctc stops it right where it is.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTTOU)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGTSTP)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)

        let terminal = ForegroundTerminal.current()
        let attributes = try SpawnAttributes(ownProcessGroup: terminal != nil)
        let actions = try SpawnFileActions()
        if let terminal { actions.makeForeground(terminal.fd) }
        let argv = CStringArray(arguments)

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, actions.pointer, attributes.pointer, argv.pointer, environ)
        guard rc == 0 else { throw EditorLaunchError.spawn(program: executable, errno: rc) }
        if let terminal {
            // Both sides set the group and the foreground (the child may not have run yet).
            _ = setpgid(pid, pid)
            _ = tcsetpgrp(terminal.fd, pid)
        }
        defer { terminal?.reclaim(from: pid) }

        while true {
            var status: Int32 = 0
            let r = waitpid(pid, &status, terminal == nil ? 0 : WUNTRACED)
            if r < 0 {
                let err = errno
                if err == EINTR { continue }
                throw EditorLaunchError.wait(errno: err)
            }
            if WaitStatus.stopped(status) {
                guard let terminal else { continue }
                terminal.handleStop(of: pid, signal: WaitStatus.stopSignal(status))
                continue
            }
            if WaitStatus.exited(status) { return .exited(WaitStatus.exitStatus(status)) }
            let signal = WaitStatus.termSignal(status)
            terminal?.restoreModes()
            return .signalled(signal)
        }
    }
}

/// The terminal on standard input while dctc is its foreground job, with the modes it had
/// before the editor started.
struct ForegroundTerminal {
    let fd: Int32
    /// dctc's own process group.
    let group: pid_t
    let modes: termios?

    /// The terminal when standard input is one and dctc's group is its foreground, else nil
    /// (no job control: the editor then shares dctc's group and terminal as it is).
    static func current() -> ForegroundTerminal? {
        let fd: Int32 = 0
        guard isatty(fd) == 1 else { return nil }
        let group = getpgrp()
        guard tcgetpgrp(fd) == group else { return nil }
        var modes = termios()
        let saved = tcgetattr(fd, &modes) == 0 ? modes : nil
        return ForegroundTerminal(fd: fd, group: group, modes: saved)
    }

    /// The editor stopped: continue it when it only touched the terminal before it was handed
    /// over; otherwise (Ctrl-Z) take the terminal back, stop dctc's group as the terminal
    /// would have, and on resumption give the terminal to the editor again if dctc is in the
    /// foreground, then continue it.
    ///
    /// - Parameters:
    ///   - pid: the editor (its process group has the same id).
    ///   - signal: the signal that stopped it.
    func handleStop(of pid: pid_t, signal: Int32) {
        let owner = tcgetpgrp(fd)
        if (signal == SIGTTIN || signal == SIGTTOU) && owner == pid {
            _ = kill(-pid, SIGCONT)
            return
        }
        if owner == pid { _ = tcsetpgrp(fd, group) }
        suspendOwnGroup()
        // Continued (`fg`, or `bg`, after which the editor stops again on its first read).
        if tcgetpgrp(fd) == group { _ = tcsetpgrp(fd, pid) }
        _ = kill(-pid, SIGCONT)
    }

    /// Stops dctc's process group as Ctrl-Z would have, returning once dctc is continued.
    ///
    /// The rest of the group (a pipeline, a calling script) gets SIGTSTP from `kill(0, …)`
    /// while dctc itself ignores it for that moment; dctc then stops with a SIGTSTP to this
    /// very thread (`raise`), which takes effect before `raise` returns, so nothing below runs
    /// until SIGCONT. (A process-wide SIGTSTP to dctc would stop it at some later instant, and
    /// a second stop after `fg` would follow.) Where SIGTSTP cannot stop dctc (an orphaned
    /// group, an inherited SIG_IGN), this returns at once and the editor is simply continued.
    private func suspendOwnGroup() {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        var saved = sigaction()
        guard sigaction(SIGTSTP, &ignore, &saved) == 0 else { return }
        _ = kill(0, SIGTSTP)
        _ = sigaction(SIGTSTP, &saved, nil)
        _ = raise(SIGTSTP)
    }

    /// Takes the terminal back from the editor's group once the editor has ended (never from
    /// another job the shell put in the foreground meanwhile).
    func reclaim(from pid: pid_t) {
        let owner = tcgetpgrp(fd)
        if owner == pid || owner < 0 { _ = tcsetpgrp(fd, group) }
    }

    /// Restores the terminal modes an editor killed by a signal may have left raw.
    func restoreModes() {
        guard var modes else { return }
        _ = tcsetattr(fd, TCSADRAIN, &modes)
    }
}

/// The `wait(2)` status macros, which Swift does not import.
enum WaitStatus {
    static func exited(_ s: Int32) -> Bool { s & 0x7f == 0 }
    static func exitStatus(_ s: Int32) -> Int32 { (s >> 8) & 0xff }
    static func stopped(_ s: Int32) -> Bool { s & 0xff == 0x7f }
    static func stopSignal(_ s: Int32) -> Int32 { (s >> 8) & 0xff }
    static func termSignal(_ s: Int32) -> Int32 { s & 0x7f }
}

/// Owns a `posix_spawnattr_t` (`posix_spawnattr_init` / `posix_spawnattr_destroy`).
final class SpawnAttributes {
    let pointer: UnsafeMutablePointer<posix_spawnattr_t>

    /// Signals whose disposition the editor gets back to default: dctc ignores SIGINT and
    /// SIGPIPE, and ignored signals survive `exec`.
    static let resetSignals: [Int32] = [SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU,
                                        SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGWINCH]

    /// - Parameter ownProcessGroup: start the editor in a new process group (`POSIX_SPAWN_SETPGROUP`).
    /// - Throws: `EditorLaunchError.setup` when an attribute cannot be set.
    init(ownProcessGroup: Bool) throws {
        pointer = .allocate(capacity: 1)
        let rc = posix_spawnattr_init(pointer)
        guard rc == 0 else {
            pointer.deallocate()
            throw EditorLaunchError.setup(call: "posix_spawnattr_init", errno: rc)
        }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Self.resetSignals { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        if ownProcessGroup { flags |= Int32(POSIX_SPAWN_SETPGROUP) }
        try check(posix_spawnattr_setsigdefault(pointer, &defaults), "posix_spawnattr_setsigdefault")
        try check(posix_spawnattr_setsigmask(pointer, &mask), "posix_spawnattr_setsigmask")
        try check(posix_spawnattr_setpgroup(pointer, 0), "posix_spawnattr_setpgroup")
        try check(posix_spawnattr_setflags(pointer, Int16(flags)), "posix_spawnattr_setflags")
    }

    private func check(_ rc: Int32, _ call: String) throws {
        guard rc == 0 else { throw EditorLaunchError.setup(call: call, errno: rc) }
    }

    deinit {
        posix_spawnattr_destroy(pointer)
        pointer.deallocate()
    }
}

/// Owns a `posix_spawn_file_actions_t` (`posix_spawn_file_actions_init` / `_destroy`).
final class SpawnFileActions {
    let pointer: UnsafeMutablePointer<posix_spawn_file_actions_t>

    /// - Throws: `EditorLaunchError.setup` when it cannot be initialised.
    init() throws {
        pointer = .allocate(capacity: 1)
        let rc = posix_spawn_file_actions_init(pointer)
        guard rc == 0 else {
            pointer.deallocate()
            throw EditorLaunchError.setup(call: "posix_spawn_file_actions_init", errno: rc)
        }
    }

    deinit {
        posix_spawn_file_actions_destroy(pointer)
        pointer.deallocate()
    }

    /// Makes the child's process group the foreground of terminal `fd` before it runs the
    /// editor (`posix_spawn_file_actions_addtcsetpgrp_np`, glibc 2.35 and later, looked up at
    /// run time since Swift imports glibc without `_GNU_SOURCE`). Without it, the parent does
    /// the same right after spawning, and an editor that touches the terminal first is
    /// stopped and continued once (see `ForegroundTerminal.handleStop`).
    func makeForeground(_ fd: Int32) {
        guard let add = GNUSpawnExtensions.shared.addTcsetpgrp else { return }
        _ = add(pointer, fd)
    }
}

/// glibc extensions that Swift's Glibc module does not declare, found with `dlsym`.
struct GNUSpawnExtensions: @unchecked Sendable {
    typealias AddTcsetpgrp = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    /// Immutable after initialisation; a C function pointer is safe to call from any thread.
    let addTcsetpgrp: AddTcsetpgrp?

    static let shared: GNUSpawnExtensions = {
        guard let handle = dlopen(nil, RTLD_NOW),
              let symbol = dlsym(handle, "posix_spawn_file_actions_addtcsetpgrp_np") else {
            return GNUSpawnExtensions(addTcsetpgrp: nil)
        }
        return GNUSpawnExtensions(addTcsetpgrp: unsafeBitCast(symbol, to: AddTcsetpgrp.self))
    }()
}

/// A NULL-terminated array of C strings (an `argv`), allocated with `strdup` and freed in deinit.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count + 1
        pointer = .allocate(capacity: count)
        for (i, s) in strings.enumerated() { (pointer + i).initialize(to: strdup(s)) }
        (pointer + strings.count).initialize(to: nil)
    }

    deinit {
        for i in 0..<count { free(pointer[i]) }
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }
}
