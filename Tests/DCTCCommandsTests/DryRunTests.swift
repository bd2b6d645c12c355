import DCTCTestSupport
import Foundation
import Testing

/// Every command that changes something has `-n/--dry-run`, and with it changes nothing.
@Suite("Dry run everywhere", .serialized)
struct DryRunTests {
    /// The commands that change something. Every one must offer --dry-run.
    static let changing: [[String]] = [
        ["rm"], ["mkdir"], ["rmdir"], ["dispatch"], ["edit"], ["config", "add"], ["config", "remove"],
        ["sync"], ["copy"], ["cp"], ["mv"],
    ]

    /// Commands whose --dry-run comes with the engine work (helper h-engine): at this branch
    /// point `cp -n` still means --no-clobber and `mv` has none. Empty this list after the merge.
    static let awaitingEngine: Set<String> = ["cp", "mv"]

    @Test("every command that changes something documents -n/--dry-run")
    func everyChangingCommandHasDryRun() throws {
        for command in Self.changing where !Self.awaitingEngine.contains(command[0]) {
            let help = try CLI.run(command + ["--help"])
            #expect(help.stdout.contains("-n, --dry-run"), "\(command.joined(separator: " ")) --help: \(help.stdout)")
        }
        if !Self.awaitingEngine.isEmpty { print("dry run not yet checked for: \(Self.awaitingEngine.sorted()) (h-engine)") }
    }

    enum Store: String, CaseIterable { case local, s3, sftp }

    /// A tree seeded on one store: f.txt, dir/g.txt, empty/ (not on S3, which has no folders).
    struct Tree {
        let base: String
        let env: [String: String]
        let config: String
        let remove: String?
    }

    static func tree(_ store: Store, _ s: Scratch) throws -> Tree? {
        try s.write("seed/f.txt", "f")
        try s.write("seed/dir/g.txt", "g")
        try FileManager.default.createDirectory(atPath: s.url("seed/empty"), withIntermediateDirectories: true)
        for (server, port) in [("moto", 17090), ("sshd", 17022)] where store != .local {
            if let why = TestServers.ensure(server, port: port) {
                if TestServers.inHarness { Issue.record("\(server) unavailable under make test: \(why)") } else { print("skipping: \(why)") }
                return nil
            }
        }
        let moto = store == .local ? [:] : try TestServers.environment(of: "moto")
        let ssh = store == .local ? [:] : try TestServers.environment(of: "sshd")
        let config = try s.write("config.toml", """
        [accounts.moto]
        type = "s3"
        endpoint = "\(moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:1")"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "AKIDUNUSED")"
        secret_access_key_env = "DRY_TEST_S3_SECRET"

        [accounts.box]
        type = "sftp"
        host = "127.0.0.1"
        port = \(ssh["DCTC_TEST_SSH_PORT"] ?? "17022")
        user = "\(ssh["DCTC_TEST_SSH_USER"] ?? "nobody")"
        key_file = "\(ssh["DCTC_TEST_SSH_KEY"] ?? "/nonexistent/key")"
        known_hosts_file = "\(ssh["DCTC_TEST_SSH_KNOWN_HOSTS"] ?? "/nonexistent/known_hosts")"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let env = ["DCTC_CONFIG": config, "DRY_TEST_S3_SECRET": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "",
                   "XDG_STATE_HOME": s.url("state"), "VISUAL": "true"]
        let id = String(UUID().uuidString.prefix(8)).lowercased()
        switch store {
        case .local:
            return Tree(base: s.url("seed"), env: env, config: config, remove: nil)
        case .s3:
            let bucket = "moto:dctc-dry-\(id)"
            #expect(try CLI.run(["mkdir", bucket], environment: env).status == 0)
            let r = try CLI.run(["cp", "-r", s.url("seed") + "/", bucket + "/t"], environment: env)
            #expect(r.status == 0, "\(r)")
            return Tree(base: bucket + "/t", env: env, config: config, remove: bucket)
        case .sftp:
            let folder = "box:/tmp/dctc-dry-\(id)"
            let r = try CLI.run(["cp", "-r", s.url("seed") + "/", folder], environment: env)
            #expect(r.status == 0, "\(r)")
            return Tree(base: folder, env: env, config: config, remove: folder)
        }
    }

    /// Every entry below the base with its size and time, as `find --json` prints them.
    static func snapshot(_ t: Tree) throws -> String {
        let r = try CLI.run(["find", "--json", t.base], environment: t.env)
        #expect(r.status == 0, "\(r)")
        return r.stdout
    }

    @Test("with --dry-run nothing changes, on local disk, S3 and SFTP", arguments: Store.allCases)
    func dryRunChangesNothing(store: Store) throws {
        let s = try Scratch(); defer { s.cleanup() }
        guard let t = try Self.tree(store, s) else { return }
        defer { if let remove = t.remove { _ = try? CLI.run(["rm", "-r", "--force", remove], environment: t.env) } }
        let input = try s.write("in.csv", "a,1\nb,2\n")
        try s.write("other/x.txt", "x")

        var runs: [[String]] = [
            ["rm", "--dry-run", t.base + "/f.txt"],
            ["rm", "-n", "-r", t.base + "/dir"],
            ["mkdir", "-n", t.base + "/new"],
            ["dispatch", "-n", "--by", "value", "--column", "1", "--format", "csv", input, t.base + "/out/"],
            ["edit", "-n", "--new", t.base + "/new.txt"],
            ["edit", "--dry-run", t.base + "/f.txt"],
            ["sync", "--dry-run", s.url("other"), t.base],
            ["copy", "-n", s.url("other"), t.base + "/copied"],
            ["config", "add", "-n", "newbox", "--type", "sftp", "--host", "example.org"],
            ["config", "remove", "--dry-run", "box"],
        ]
        if store != .s3 { runs.append(["rmdir", "-n", t.base + "/empty"]) }
        // After the merge with h-engine: cp and mv get --dry-run; they join the list here.
        if !Self.awaitingEngine.contains("cp") { runs.append(["cp", "-r", "--dry-run", s.url("other"), t.base + "/cp"]) }
        if !Self.awaitingEngine.contains("mv") { runs.append(["mv", "--dry-run", t.base + "/f.txt", t.base + "/moved.txt"]) }

        let before = try Self.snapshot(t)
        let configBefore = try s.read("config.toml")
        for args in runs {
            let r = try CLI.run(args, environment: t.env)
            #expect(r.status == 0, "\(store) \(args): \(r)")
            #expect(!r.stdout.isEmpty, "\(store) \(args) says what it would do: \(r)")
            #expect(try Self.snapshot(t) == before, "\(store) \(args) changed the store")
        }
        #expect(try s.read("config.toml") == configBefore, "config add/remove --dry-run left the config file alone")
    }

    @Test("rm --dry-run names each file and each tree with its file count")
    func rmDryRunSaysWhat() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a", "a")
        try s.write("d/sub/b", "b")
        let r = try CLI.run(["rm", "-r", "-n", s.url("d"), s.url("d/a")])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "would remove \(s.url("d")) and everything below it (2 files)\nwould remove \(s.url("d/a"))\n")
        #expect(s.exists("d/sub/b"))
    }
}
