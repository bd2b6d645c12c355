import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// What ssh/scp users expect from `dctc` against the test sshd: a private `HOME` whose
/// `~/.ssh/config` is read (ProxyJump included), and, on a terminal, a password prompt and
/// the yes/no question for an unknown host key. The terminal is a tmux pane driven with
/// `send-keys` and read with `capture-pane`.
@Suite("SSH habits: private HOME, ProxyJump, terminal prompts", .serialized)
struct SSHHabitsTests {
    struct Servers {
        let ssh: [String: String]
        var port: String { ssh["DCTC_TEST_SSH_PORT"] ?? "17022" }
        var user: String { ssh["DCTC_TEST_SSH_USER"] ?? "dctctest" }
        var key: String { ssh["DCTC_TEST_SSH_KEY"] ?? "" }
        var knownHosts: String { ssh["DCTC_TEST_SSH_KNOWN_HOSTS"] ?? "" }
        var password: String {
            (try? String(contentsOfFile: ssh["DCTC_TEST_SSH_PASSWORD_FILE"] ?? "", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        /// The test user's login folder (the server runs on this machine).
        var home: String { "/tmp/dctc-srv/home/\(user)" }
    }

    /// The sshd servers, or nil (skipped outside the harness, a failure under it).
    func servers(jump: Bool = false) throws -> Servers? {
        var needed = [("sshd", 17022)]
        if jump { needed.append(("sshd-jump", 17401)) }
        for (server, port) in needed {
            if let why = TestServers.ensure(server, port: port) {
                if TestServers.inHarness { Issue.record("test server unavailable under make test: \(why)") } else {
                    print("skipping (outside the test harness): \(why)")
                }
                return nil
            }
        }
        var ssh = try TestServers.environment(of: "sshd")
        if let home = getpwnam(ssh["DCTC_TEST_SSH_USER"] ?? "dctctest")?.pointee.pw_dir {
            ssh["HOME_DIR"] = String(cString: home)
        }
        return Servers(ssh: ssh)
    }

    /// A file in the test user's home that a listing or `cat` can show.
    func marker(_ servers: Servers) throws -> (path: String, content: String) {
        let home = servers.ssh["HOME_DIR"] ?? servers.home
        let content = "marker-\(UUID().uuidString)"
        let path = home + "/\(content).txt"
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, content)
    }

    /// A private HOME folder: `.ssh` with the given files.
    func privateHome(_ s: Scratch, files: [String: String]) throws -> String {
        let home = s.url("home")
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(toFile: home + "/.ssh/" + name, atomically: true, encoding: .utf8)
            chmod(home + "/.ssh/" + name, 0o600)
        }
        return home
    }

    // MARK: - tmux

    /// A `TmuxPane` driven from async tests: every tmux call runs on a thread of its own.
    struct Pane {
        let pane: TmuxPane

        /// Starts `script` in a detached 200x50 pane.
        static func start(_ script: String) async throws -> Pane {
            Pane(pane: try await IOThread.detached(name: "dctc-test-tmux") {
                try TmuxPane.open(["-x", "200", "-y", "50", "/bin/sh " + script])
            })
        }

        func text() async throws -> String {
            let pane = pane
            return try await IOThread.detached(name: "dctc-test-tmux") { pane.text(history: 100) }
        }

        /// Waits (at most 60 s, polling) until the pane shows `needle`; returns the pane text.
        func waitFor(_ needle: String) async throws -> String {
            var last = ""
            for _ in 0..<300 {
                last = try await text()
                if last.contains(needle) { return last }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            Issue.record("the pane never showed \(needle.debugDescription); it shows:\n\(last)")
            return last
        }

        func type(_ text: String) async throws {
            let pane = pane
            try await IOThread.detached(name: "dctc-test-tmux") {
                try pane.send("-l", text)
                try pane.send("Enter")
            }
        }

        func stop() async {
            let pane = pane
            _ = try? await IOThread.detached(name: "dctc-test-tmux") { pane.kill() }
        }
    }

    /// A script that runs dctc with only the given environment, then prints its exit status.
    func script(_ s: Scratch, home: String, args: [String]) throws -> String {
        let quoted = ([CLI.binary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try s.write("run.sh", """
            env -i HOME='\(home)' PATH=/usr/bin:/bin TERM=xterm \(quoted.joined(separator: " "))
            echo "DCTC-EXIT=$?"
            sleep 120
            """)
    }

    // MARK: - Tests

    @Test("on a terminal, with no key, agent or netrc, dctc asks for the password (not echoed) and logs in")
    func passwordPrompt() async throws {
        guard let servers = try servers() else { return }
        let s = try Scratch("dctc-ssh-prompt")
        defer { s.cleanup() }
        let (path, content) = try marker(servers)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let home = try privateHome(s, files: ["known_hosts": try String(contentsOfFile: servers.knownHosts, encoding: .utf8)])
        let pane = try await Pane.start(try script(s, home: home, args: ["cat", "sftp://\(servers.user)@127.0.0.1:\(servers.port)\(path)"]))
        defer { Task { await pane.stop() } }
        _ = try await pane.waitFor("\(servers.user)@127.0.0.1's password: ")
        try await pane.type(servers.password)
        let shown = try await pane.waitFor("DCTC-EXIT=")
        await pane.stop()
        #expect(shown.contains("DCTC-EXIT=0"), "\(shown)")
        #expect(shown.contains(content))
        #expect(!shown.contains(servers.password))

        // Off a terminal the same command fails at once, as before: no prompt, no wait.
        let r = try CLI.run(["cat", "sftp://\(servers.user)@127.0.0.1:\(servers.port)\(path)"],
                            environment: ["HOME": home, "SSH_AUTH_SOCK": ""])
        #expect(r.status != 0)
        #expect(r.stderr.contains("login as \(servers.user) failed"), "\(r)")
    }

    @Test("on a terminal, an unknown host key is shown with its fingerprint; yes records it in ~/.ssh/known_hosts")
    func hostKeyQuestion() async throws {
        guard let servers = try servers() else { return }
        let s = try Scratch("dctc-ssh-hostkey")
        defer { s.cleanup() }
        let (path, content) = try marker(servers)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let home = try privateHome(s, files: ["id_ed25519": try String(contentsOfFile: servers.key, encoding: .utf8)])
        let pane = try await Pane.start(try script(s, home: home, args: ["cat", "sftp://\(servers.user)@127.0.0.1:\(servers.port)\(path)"]))
        defer { Task { await pane.stop() } }
        let question = try await pane.waitFor("Are you sure you want to continue connecting (yes/no/[fingerprint])?")
        #expect(question.contains("The authenticity of host '[127.0.0.1]:\(servers.port)' can't be established."))
        #expect(question.contains("ED25519 key fingerprint is SHA256:"))
        try await pane.type("yes")
        let shown = try await pane.waitFor("DCTC-EXIT=")
        await pane.stop()
        #expect(shown.contains("DCTC-EXIT=0"), "\(shown)")
        #expect(shown.contains(content))
        let recorded = try String(contentsOfFile: home + "/.ssh/known_hosts", encoding: .utf8)
        #expect(recorded.hasPrefix("[127.0.0.1]:\(servers.port) ssh-ed25519 "))
    }

    @Test("HOME's ~/.ssh/config is read, ProxyJump included: dctc reaches the second sshd through the first")
    func proxyJumpFromPrivateHome() throws {
        guard let servers = try servers(jump: true) else { return }
        let s = try Scratch("dctc-ssh-jump")
        defer { s.cleanup() }
        let (path, content) = try marker(servers)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jumpKnownHosts = (servers.knownHosts as NSString).deletingLastPathComponent + "/known_hosts_jump"
        let home = try privateHome(s, files: [
            "known_hosts": try String(contentsOfFile: servers.knownHosts, encoding: .utf8)
                + (try String(contentsOfFile: jumpKnownHosts, encoding: .utf8)),
            "config": """
                Host dctc-behind
                  HostName 127.0.0.1
                  Port 17401
                  ProxyJump dctc-gate
                Host dctc-gate
                  HostName 127.0.0.1
                  Port \(servers.port)
                Match exec "false"
                  User nobody
                Host *
                  User \(servers.user)
                  IdentityFile \(servers.key)
                  IdentitiesOnly yes
                  StrictHostKeyChecking yes
                """,
        ])
        let r = try CLI.run(["cat", "sftp://dctc-behind\(path)"], environment: ["HOME": home, "SSH_AUTH_SOCK": ""])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == content)
        #expect(!r.stderr.contains("Match"))
        // With -v, the Match block that was not evaluated is reported (once).
        let verbose = try CLI.run(["cat", "-v", "sftp://dctc-behind\(path)"], environment: ["HOME": home, "SSH_AUTH_SOCK": ""])
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stderr.components(separatedBy: "Match exec false").count == 2, "\(verbose)")
    }

    @Test("a host name that does not resolve exits 5 (try again later), as on every store")
    func dnsFailureExitsFive() throws {
        let r = try CLI.run(["ls", "sftp://u@no-such-host.invalid/"], environment: ["SSH_AUTH_SOCK": ""])
        #expect(r.status == 5, "\(r)")
        #expect(r.stderr.contains("cannot resolve the host name"))
    }
}
