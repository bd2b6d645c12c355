import DCTCTestSupport
import Foundation
import Testing

/// What a tmux command printed and how it ended.
struct TmuxResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// A command run in a tmux pane (a real terminal), with its screen read while it runs. Each pane
/// has a tmux server of its own (`-L`): tests run in parallel, and clients racing to start the
/// one default server failed `new-session` now and then.
struct TmuxPane {
    let socket: String

    /// Starts `command` (a shell line) in a detached 120x40 session; the pane stays open after
    /// it ends, printing `DCTC-EXIT=<status>`.
    static func start(_ command: String, environment: [String: String]) throws -> TmuxPane {
        let env = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        return try open(["-x", "120", "-y", "40", "env \(env) \(command); echo DCTC-EXIT=$?; sleep 600"])
    }

    /// Starts an interactive program (a shell) in a detached session, in `directory`.
    static func interactive(_ command: String, environment: [String: String], directory: String) throws -> TmuxPane {
        let env = environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        return try open(["-x", "150", "-y", "40", "-c", directory, "env \(env) \(command)"])
    }

    /// `new-session -d` on a fresh socket, tried three times (a server that fails to start is
    /// the machine's trouble, not the code under test's); the last failure's words are thrown.
    static func open(_ arguments: [String]) throws -> TmuxPane {
        var last = TmuxResult(status: -1, stdout: "", stderr: "")
        for attempt in 0..<3 {
            if attempt > 0 { usleep(300_000) }
            let pane = TmuxPane(socket: "dctc-test-\(UUID().uuidString.prefix(8))")
            last = pane.tmux(["new-session", "-d"] + arguments)
            if last.status == 0 { return pane }
            pane.kill()
        }
        throw TestSkip("tmux new-session failed (\(last.status)): \(last.stderr)")
    }

    /// Types keys into the pane (tmux key names such as `Tab` and `Enter` allowed).
    func send(_ keys: String...) throws {
        _ = tmux(["send-keys"] + keys)
    }

    /// The visible screen, one string per line, trailing blank lines dropped.
    func screen() throws -> [String] {
        var lines = tmux(["capture-pane", "-p", "-J"]).stdout.components(separatedBy: "\n")
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines
    }

    /// The pane's text with up to `history` lines of scrollback.
    func text(history: Int) -> String {
        tmux(["capture-pane", "-p", "-J", "-S", "-\(history)"]).stdout
    }

    /// Reads the screen every 0.2 s until `done` holds (at most `limit` reads), handing each
    /// screen to `each`.
    func watch(limit: Int = 1500, each: ([String]) -> Void, until done: ([String]) -> Bool) throws -> [String] {
        var last: [String] = []
        for _ in 0..<limit {
            last = try screen()
            each(last)
            if done(last) { return last }
            usleep(200_000)
        }
        return last
    }

    func kill() { _ = tmux(["kill-server"]) }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// Runs tmux on this pane's socket and waits for it.
    func tmux(_ args: [String]) -> TmuxResult {
        TmuxPane.spawn(["/usr/bin/tmux", "-L", socket] + args)
    }

    /// Runs a tool and waits for it with `waitpid` (Foundation's Process never reaped the tmux
    /// client that forks the tmux server, and its wait hung). Output goes to files read after
    /// the exit; the child gets an empty signal mask, so the server it forks does too.
    static func spawn(_ args: [String]) -> TmuxResult {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-tmux-\(UUID().uuidString)").path
        let out = base + ".out", err = base + ".err"
        defer { unlink(out); unlink(err) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, args[0], &actions, &attributes, cArgs, environ)
        guard rc == 0 else { return TmuxResult(status: -1, stdout: "", stderr: "posix_spawn failed: \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return TmuxResult(status: (status >> 8) & 0xFF, stdout: read(out), stderr: read(err))
    }
}

/// An account `moto` on the moto S3 server, with a fresh bucket.
struct MotoBench {
    let env: [String: String]
    let bucket: String

    static func make(_ s: Scratch) throws -> MotoBench? {
        if let why = TestServers.ensure("moto", port: 17090) {
            if TestServers.inHarness { Issue.record("moto unavailable under make test: \(why)") } else { print("skipping: \(why)") }
            return nil
        }
        guard TmuxPane.available else {
            if TestServers.inHarness { Issue.record("tmux is missing: Scripts/install-deps.sh --test installs it") }
            return nil
        }
        let moto = try TestServers.environment(of: "moto")
        let config = try s.write("config.toml", """
        [accounts.moto]
        type = "s3"
        endpoint = "\(moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "")"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "PROGRESS_TEST_SECRET"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let env = ["DCTC_CONFIG": config, "PROGRESS_TEST_SECRET": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "",
                   "XDG_STATE_HOME": s.url("state"), "TERM": "xterm"]
        let bucket = "moto:dctc-progress-\(UUID().uuidString.prefix(8).lowercased())"
        let made = try CLI.run(["mkdir", bucket], environment: env)
        #expect(made.status == 0, "\(made)")
        return MotoBench(env: env, bucket: bucket)
    }

    func cleanup() { _ = try? CLI.run(["rm", "-r", "--force", bucket], environment: env) }
}

@Suite("Progress on a terminal", .serialized)
struct ProgressDisplayTests {
    /// `Transferred:  48M / 256M, 18%, ...` → (percent, the byte text).
    static func transferred(_ screen: [String]) -> (percent: Int, bytes: String)? {
        guard let line = screen.first(where: { $0.hasPrefix("Transferred:") }) else { return nil }
        let parts = line.dropFirst("Transferred:".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 2, let percent = Int(parts[1].dropLast()), parts[1].hasSuffix("%") else { return nil }
        return (percent, String(parts[0].split(separator: "/").first ?? "").trimmingCharacters(in: .whitespaces))
    }

    @Test("a 256 MiB copy to S3 shows bytes and percentage growing before the file completes, an ETA, then a clean summary")
    func liveProgressOfABigCopy() throws {
        let s = try Scratch(); defer { s.cleanup() }
        guard let moto = try MotoBench.make(s) else { return }
        defer { moto.cleanup() }
        let file = s.url("big.bin")
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.truncate(atOffset: 256 * 1024 * 1024)
        try handle.close()

        let pane = try TmuxPane.start("'\(CLI.binary)' cp '\(file)' '\(moto.bucket)/big.bin'", environment: moto.env)
        defer { pane.kill() }
        var seen: [(percent: Int, bytes: String)] = []
        var etas: Set<String> = []
        let last = try pane.watch(each: { screen in
            if let t = Self.transferred(screen), t.percent < 100, seen.last.map({ $0.bytes != t.bytes }) ?? true { seen.append(t) }
            for line in screen where line.hasPrefix("Transferred:") {
                if let r = line.range(of: "ETA "), line[r.upperBound...].first?.isNumber == true { etas.insert(String(line[r.upperBound...])) }
            }
        }, until: { $0.contains { $0.hasPrefix("DCTC-EXIT=") } })

        #expect(seen.count >= 3, "byte count seen growing only \(seen.count) times: \(seen)")
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.percent <= $1.percent }, "percentage never goes back: \(seen)")
        #expect(Set(seen.map(\.percent)).count >= 2, "percentage grows: \(seen)")
        #expect(!etas.isEmpty, "an ETA was shown")
        #expect(last.contains("DCTC-EXIT=0"), "\(last)")
        // Clean: the block is gone, the summary stands alone on its line.
        #expect(!last.contains { $0.contains("Transferred:") || $0.contains("Elapsed:") || $0.hasPrefix(" * ") }, "\(last)")
        #expect(last.contains { $0.hasPrefix("copied 1 file (256M) in ") }, "\(last)")
    }

    @Test("an error during a transfer is printed on a line of its own, never on a progress line")
    func errorLineNeverSharesALineWithProgress() throws {
        let s = try Scratch(); defer { s.cleanup() }
        guard let moto = try MotoBench.make(s) else { return }
        defer { moto.cleanup() }
        try FileManager.default.createDirectory(atPath: s.url("src"), withIntermediateDirectories: true)
        for (name, size) in [("a-big.bin", 64), ("c-big.bin", 128)] {
            #expect(FileManager.default.createFile(atPath: s.url("src/" + name), contents: nil))
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: s.url("src/" + name)))
            try handle.truncate(atOffset: UInt64(size) * 1024 * 1024)
            try handle.close()
        }
        try s.write("src/b-gone.txt", "planned, then removed before its turn")

        // One transfer at a time: b-gone.txt is planned, then removed while a-big.bin moves;
        // its error comes between the two big files, with the display up.
        let pane = try TmuxPane.start("'\(CLI.binary)' cp -r --transfers 1 '\(s.url("src"))' '\(moto.bucket)/t'", environment: moto.env)
        defer { pane.kill() }
        var removed = false
        var mixed: [String] = []
        var errorSeenWithProgress = false
        let last = try pane.watch(each: { screen in
            if !removed, screen.contains(where: { $0.hasPrefix("Transferred:") }) {
                try? FileManager.default.removeItem(atPath: s.url("src/b-gone.txt"))
                removed = true
            }
            for line in screen where line.contains("dctc:") && (line.contains("Transferred") || line.contains("%")) {
                mixed.append(line)
            }
            if screen.contains(where: { $0.hasPrefix("dctc:") }) && screen.contains(where: { $0.hasPrefix("Transferred:") }) {
                errorSeenWithProgress = true
            }
        }, until: { $0.contains { $0.hasPrefix("DCTC-EXIT=") } })

        #expect(removed)
        #expect(mixed.isEmpty, "lines shared by an error and progress: \(mixed)")
        let errorLines = last.filter { $0.contains("b-gone.txt") }
        #expect(errorLines.count == 1 && errorLines[0].hasPrefix("dctc: "), "\(last)")
        #expect(last.contains { $0.hasPrefix("copied 2 files (192M) in ") && $0.hasSuffix(", 1 error") }, "\(last)")
        #expect(last.contains("DCTC-EXIT=4"), "\(last)")
        // The error came while the display was up (else this test would prove nothing).
        #expect(errorSeenWithProgress, "\(last)")
    }
}

/// `-i/--interactive` on a real terminal: one question per replacement or deletion.
@Suite("-i asks on the terminal", .serialized)
struct InteractiveTests {
    /// Answers each "[y/N]" question as it appears, in order, then returns the final screen.
    static func answer(_ pane: TmuxPane, _ answers: [String]) throws -> [String] {
        var asked = 0
        for answer in answers {
            _ = try pane.watch(limit: 150, each: { _ in }, until: { lines in
                lines.filter { $0.contains("[y/N]") }.count > asked
            })
            asked += 1
            try pane.send("-l", answer)
            try pane.send("Enter")
        }
        return try pane.watch(limit: 150, each: { _ in }, until: { $0.contains { $0.hasPrefix("DCTC-EXIT=") } })
    }

    @Test("sync -i: a declined replacement keeps the file, a confirmed deletion deletes; cp -i n keeps; mv -i n keeps the source")
    func syncAndCopyAsk() throws {
        guard TmuxPane.available else { return }
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a.txt", "new a")
        try s.write("dst/a.txt", "old a, longer")
        try s.write("dst/gone.txt", "only here")
        let sync = try TmuxPane.start("'\(CLI.binary)' sync -i '\(s.url("src"))' '\(s.url("dst"))'", environment: [:])
        defer { sync.kill() }
        let screen = try Self.answer(sync, ["n", "y"])
        #expect(screen.contains("DCTC-EXIT=0"), "\(screen)")
        #expect(screen.contains { $0.contains("replace \(s.url("dst/a.txt"))? [y/N]") }, "\(screen)")
        #expect(try s.readString("dst/a.txt") == "old a, longer")
        #expect(!s.exists("dst/gone.txt"))

        let cp = try TmuxPane.start("'\(CLI.binary)' cp -i '\(s.url("src/a.txt"))' '\(s.url("dst/a.txt"))'", environment: [:])
        defer { cp.kill() }
        let cpScreen = try Self.answer(cp, ["n"])
        #expect(cpScreen.contains("DCTC-EXIT=0"), "\(cpScreen)")
        #expect(try s.readString("dst/a.txt") == "old a, longer")

        let mv = try TmuxPane.start("'\(CLI.binary)' mv -i '\(s.url("src"))/' '\(s.url("dst"))'", environment: [:])
        defer { mv.kill() }
        let mvScreen = try Self.answer(mv, ["n"])
        #expect(mvScreen.contains("DCTC-EXIT=0"), "\(mvScreen)")
        #expect(try s.readString("src/a.txt") == "new a", "a declined replacement leaves the source")
        #expect(try s.readString("dst/a.txt") == "old a, longer")
    }

    @Test("-i without a terminal is refused before anything changes")
    func needsATerminal() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a.txt", "a")
        let r = try CLI.run(["sync", "-i", s.url("src"), s.url("dst")])
        #expect(r.status == 2 && r.stderr.contains("needs a terminal"), "\(r)")
        #expect(!s.exists("dst/a.txt"))
    }
}
