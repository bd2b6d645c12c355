import DCTCBackendSFTP
import DCTCCore
import DCTCDigest
import DCTCSSH
import DCTCTestSupport
import Foundation
import Testing

@Suite("~/.ssh/config parsing")
struct SSHConfigFileTests {
    let sample = """
        # settings before any Host apply to every host
        ServerAliveInterval 30
        Host build-?? !build-99
            HostName %h.example.org
            Port 2222
            User ci
            IdentityFile ~/.ssh/ci_key

        Host *.example.org "quoted alias"
          user=someone          # the first value wins, '=' is allowed
          IdentityFile "/keys/with space"
          IdentitiesOnly yes
          UserKnownHostsFile /a/known /b/known

        Match host build-01
            User never-used

        Host *
            User fallback
            Port 22
            IdentityFile %d/.ssh/id_ed25519
            StrictHostKeyChecking accept-new
        """

    @Test("the first value of each keyword wins while IdentityFile accumulates over every matching block")
    func firstMatchWins() {
        let config = SSHConfigFile(contents: sample)
        let s = config.settings(forHost: "build-01")
        #expect(s.hostName == "%h.example.org")
        #expect(s.port == 2222)
        #expect(s.user == "ci")
        #expect(s.identityFiles == ["~/.ssh/ci_key", "%d/.ssh/id_ed25519"])
        #expect(s.identitiesOnly == nil)
        #expect(s.strictHostKeyChecking == "accept-new")
    }

    @Test("patterns: ? is one character, * any run, ! excludes, quotes group, matching ignores case")
    func patterns() {
        let config = SSHConfigFile(contents: sample)
        #expect(config.settings(forHost: "build-99").user == "fallback")  // negated
        #expect(config.settings(forHost: "build-100").user == "fallback")  // ?? is exactly two characters
        #expect(config.settings(forHost: "BUILD-07").user == "ci")
        let web = config.settings(forHost: "web.example.org")
        #expect(web.user == "someone")
        #expect(web.identityFiles == ["/keys/with space", "%d/.ssh/id_ed25519"])
        #expect(web.identitiesOnly == true)
        #expect(web.userKnownHostsFiles == ["/a/known", "/b/known"])
        #expect(config.settings(forHost: "quoted alias").user == "someone")
        #expect(config.settings(forHost: "other").port == 22)
    }

    @Test("Match blocks are never applied, so settings for other hosts cannot leak in")
    func matchBlocksAreSkipped() {
        let s = SSHConfigFile(contents: "Match host x\n  User wrong\nHost x\n  User right\n").settings(forHost: "x")
        #expect(s.user == "right")
    }

    @Test("Include reads the named files in place, relative to ~/.ssh")
    func include() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/.ssh/conf.d", withIntermediateDirectories: true)
        try "Host inc\n  HostName 10.1.2.3\n  Port 2200\n".write(toFile: dir + "/.ssh/conf.d/a.conf", atomically: true, encoding: .utf8)
        let config = SSHConfigFile(contents: "Include conf.d/*.conf\nHost *\n  Port 22\n", includeBase: dir + "/.ssh")
        let s = config.settings(forHost: "inc")
        #expect(s.hostName == "10.1.2.3")
        #expect(s.port == 2200)
    }

    @Test("wildcard matching", arguments: [
        ("*", "anything", true), ("a*c", "abbbc", true), ("a*c", "abbb", false), ("?", "", false),
        ("h?st", "host", true), ("*.org", "x.org", true), ("*.org", "x.org.uk", false), ("**x", "x", true),
    ])
    func wildcard(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(SSHConfigFile.wildcardMatch(pattern, text) == expected)
    }
}

@Suite("SFTP configuration resolution")
struct SFTPConfigResolutionTests {
    func resolve(_ address: String, account: [String: String]? = nil, secrets: [String: String] = [:],
                 options: StoreOptions = StoreOptions(), environment: [String: String] = [:], home: String) throws -> SFTPConfig {
        let settings = account.map { values in AccountSettings(name: "box", type: "sftp", values: values, secret: { secrets[$0] }) }
        return try SFTPConfig.resolve(address: try Address.parse(address), account: settings, options: options,
                                      environment: environment, home: home)
    }

    /// A home folder with the given files (relative path -> content).
    func home(_ files: [String: String] = [:]) throws -> String {
        let dir = try makeTemporaryDirectory()
        for (path, content) in files {
            let full = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test("an ssh_config alias gives host, port, user, keys and known_hosts; the address's user and port win")
    func aliasResolution() throws {
        let h = try home([".ssh/config": """
            Host box
              HostName 10.0.0.5
              Port 2222
              User deploy
              IdentityFile ~/.ssh/box_key
              IdentitiesOnly yes
              UserKnownHostsFile %d/.ssh/box_hosts
            """])
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://box/data", environment: ["SSH_AUTH_SOCK": "/tmp/agent.sock"], home: h)
        #expect(c.host == "10.0.0.5")
        #expect(c.displayHost == "box")
        #expect(c.port == 2222)
        #expect(c.user == "deploy")
        #expect(c.knownHostsFile == h + "/.ssh/box_hosts")
        #expect(c.authMethods.map(\.description) == ["key \(h)/.ssh/box_key"])  // IdentitiesOnly: no agent
        #expect(c.address == "sftp://deploy@box:2222")

        let explicit = try resolve("sftp://me@box:2022/data", home: h)
        #expect(explicit.user == "me")
        #expect(explicit.port == 2022)
        #expect(explicit.host == "10.0.0.5")
    }

    @Test("DCTC_SSH_CONFIG points at another ssh_config file")
    func configFromEnvironment() throws {
        let h = try home(["elsewhere/config": "Host alias\n  HostName 127.0.0.9\n"])
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://alias/", environment: ["DCTC_SSH_CONFIG": h + "/elsewhere/config"], home: h)
        #expect(c.host == "127.0.0.9")
    }

    @Test("without named keys, the agent and OpenSSH's default identity files that exist are tried, in that order")
    func defaultIdentities() throws {
        let h = try home([".ssh/id_ecdsa": "x", ".ssh/id_rsa": "x"])
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://u@host/", environment: ["SSH_AUTH_SOCK": "/run/agent"], home: h)
        #expect(c.authMethods.map(\.description) == ["ssh-agent at /run/agent", "key \(h)/.ssh/id_ecdsa", "key \(h)/.ssh/id_rsa"])
        #expect(c.knownHostsFile == h + "/.ssh/known_hosts")
        #expect(c.port == 22)
        #expect(c.maxConnections == 4)
    }

    @Test("account values: key file, password secret, known hosts, accept-new, sessions, timeout, use_agent")
    func accountValues() throws {
        let h = try home()
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("box:/srv", account: [
            "host": "files.example.org", "port": "2200", "user": "ops", "key_file": "~/keys/ops",
            "known_hosts_file": "~/kh", "accept_new_host_key": "true", "max_connections": "8", "timeout": "90",
            "use_agent": "false", "remote_hash": "false",
        ], secrets: ["password": "pa55", "key_passphrase": "phrase"],
            environment: ["SSH_AUTH_SOCK": "/run/agent"], home: h)
        #expect(c.host == "files.example.org")
        #expect(c.port == 2200)
        #expect(c.user == "ops")
        #expect(c.authMethods.map(\.description) == ["key \(h)/keys/ops", "password"])
        #expect(c.knownHostsFile == h + "/kh")
        #expect(c.acceptNewHostKey)
        #expect(c.maxConnections == 8)
        #expect(c.timeout == 90)
        #expect(c.remoteHash == false)
        #expect(!"\(c)".contains("pa55"))
        #expect(!"\(c)".contains("phrase"))
    }

    @Test("the command line's max connections and accept-new win over the account")
    func optionsWin() throws {
        let h = try home()
        defer { try? FileManager.default.removeItem(atPath: h) }
        var options = StoreOptions()
        options.maxConnections = 2
        options.acceptNewHostKey = true
        let c = try resolve("box:/", account: ["host": "h", "max_connections": "8"], options: options, home: h)
        #expect(c.maxConnections == 2)
        #expect(c.acceptNewHostKey)
    }

    @Test("~/.netrc supplies the password (and the user) only when no other password is configured")
    func netrcPassword() throws {
        let h = try home([".netrc": "machine files.example.org login alice password fromnetrc\n"])
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://files.example.org/x", home: h)
        #expect(c.user == "alice")
        #expect(c.authMethods.map(\.description) == ["password"])
        let other = try resolve("sftp://bob@files.example.org/x", home: h)
        #expect(other.authMethods.isEmpty)  // the entry is alice's
        let configured = try resolve("box:/", account: ["host": "files.example.org", "user": "alice"],
                                     secrets: ["password": "fromaccount"], home: h)
        #expect(configured.authMethods.map(\.description) == ["password"])
    }

    @Test("DCTC_KNOWN_HOSTS replaces the default known_hosts file, not an explicit one")
    func knownHostsOverride() throws {
        let h = try home()
        defer { try? FileManager.default.removeItem(atPath: h) }
        #expect(try resolve("sftp://u@h/", environment: ["DCTC_KNOWN_HOSTS": "/tmp/kh"], home: h).knownHostsFile == "/tmp/kh")
        #expect(try resolve("box:/", account: ["host": "h", "known_hosts_file": "/etc/kh"],
                            environment: ["DCTC_KNOWN_HOSTS": "/tmp/kh"], home: h).knownHostsFile == "/etc/kh")
    }

    @Test("bad values and a missing host are invalid arguments that say what to write")
    func invalidValues() throws {
        let h = try home()
        defer { try? FileManager.default.removeItem(atPath: h) }
        let noHost = try #require(try? Address.parse("box:/"))
        #expect(throws: VFSError.self) {
            _ = try SFTPConfig.resolve(address: noHost, account: AccountSettings(name: "box", type: "sftp", values: [:]),
                                       options: StoreOptions(), environment: [:], home: h)
        }
        do {
            _ = try resolve("box:/", account: ["host": "h", "port": "99999"], home: h)
            Issue.record("a bad port was accepted")
        } catch let e as VFSError {
            #expect(e.code == .invalidArgument)
            #expect(e.message.contains("99999"))
            #expect(e.remedy != nil)
        }
    }
}

@Suite("Remote hash command and output")
struct RemoteHashFormatTests {
    @Test("a hostile name stays one shell word: the local shell hashes the right file with the command we send")
    func commandQuoting() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = "-n it's \"$(touch pwned)\" `id` \\ *; rm -rf x\ttab é"
        let content = Array("remote hashing".utf8)
        try Data(content).write(to: URL(fileURLWithPath: dir + "/" + name))
        let command = SFTPFileSystem.remoteHashCommand(kind: .sha256, remotePath: dir + "/" + name)
        let result = try await runTool(["sh", "-c", command])
        #expect(result.status == 0)
        #expect(SFTPFileSystem.parseRemoteDigest(result.stdout, kind: .sha256) == (try Digest.hash(content, kind: .sha256)))
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned"))
        #expect(!FileManager.default.fileExists(atPath: "pwned"))
    }

    @Test("digests are read from *sum output, escaped names included; anything else is refused")
    func digestParsing() {
        let md5 = "d41d8cd98f00b204e9800998ecf8427e"
        #expect(SFTPFileSystem.parseRemoteDigest("\(md5)  /x/y\n", kind: .md5) == md5)
        #expect(SFTPFileSystem.parseRemoteDigest("\\\(md5)  /x/new\\nline\n", kind: .md5) == md5)
        #expect(SFTPFileSystem.parseRemoteDigest("md5sum: /x: No such file", kind: .md5) == nil)
        #expect(SFTPFileSystem.parseRemoteDigest(md5 + "ff  x", kind: .md5) == nil)
    }
}

/// A prompter that answers from a script and records what it was asked (no terminal needed).
final class ScriptedPrompter: SSHPrompter, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String]
    private(set) var asked: [String] = []
    init(_ answers: [String]) { self.answers = answers }
    func secret(_ prompt: String) -> String? { line(prompt) }
    func line(_ prompt: String) -> String? {
        lock.withLock {
            asked.append(prompt)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
    }
    func remembered(_ key: String) -> SSHSecret? { nil }
    func remember(_ key: String, _ secret: SSHSecret) {}
}

@Suite("~/.ssh/config keywords beyond the alias: ProxyJump, timeouts, agent, host key policy, Match notices")
struct SSHConfigKeywordTests {
    func home(_ config: String) throws -> String {
        let dir = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/.ssh", withIntermediateDirectories: true)
        try config.write(toFile: dir + "/.ssh/config", atomically: true, encoding: .utf8)
        return dir
    }

    func resolve(_ address: String, home: String, environment: [String: String] = [:],
                 options: StoreOptions = StoreOptions(), prompter: (any SSHPrompter)? = nil) throws -> SFTPConfig {
        try SFTPConfig.resolve(address: try Address.parse(address), account: nil, options: options,
                               environment: environment, home: home, prompter: prompter)
    }

    @Test("ProxyJump hops are resolved from the same file (HostName, Port, User, keys, their own ProxyJump first)")
    func jumpChain() throws {
        let h = try home("""
            Host target
              HostName 10.1.0.9
              ProxyJump alice@bastion:2200,ssh://inner
              ProxyJump ignored-second-value
            Host bastion
              HostName bastion.example.org
              Port 1
              User nobody
              IdentityFile ~/.ssh/bastion_key
              ProxyJump edge
            Host inner
              HostName 10.1.0.1
              UserKnownHostsFile ~/.ssh/inner_hosts
              StrictHostKeyChecking accept-new
            Host *
              User deploy
            """)
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://target/", home: h)
        #expect(c.host == "10.1.0.9")
        #expect(c.jumpHosts.map(\.address) == ["deploy@edge:22", "alice@bastion.example.org:2200", "deploy@10.1.0.1:22"])
        #expect(c.jumpHosts[1].authMethods.map(\.description) == ["key \(h)/.ssh/bastion_key"])
        #expect(c.jumpHosts[2].knownHostsFile == h + "/.ssh/inner_hosts")
        #expect(c.jumpHosts[2].acceptNewHostKey)
        #expect(!c.jumpHosts[1].acceptNewHostKey)
        #expect(c.connectionOptions.jumpHosts.count == 3)
    }

    @Test("ProxyJump none turns jumping off; a ProxyJump loop is an invalid argument, not a hang")
    func jumpNoneAndLoops() throws {
        let h = try home("""
            Host direct
              ProxyJump none
            Host loop-a
              ProxyJump loop-b
            Host loop-b
              ProxyJump loop-a
            Host *
              ProxyJump bastion
            """)
        defer { try? FileManager.default.removeItem(atPath: h) }
        #expect(try resolve("sftp://direct/", home: h).jumpHosts.isEmpty)
        #expect(throws: VFSError.self) { try resolve("sftp://loop-a/", home: h) }
        #expect(throws: VFSError.self) { try resolve("sftp://bad/", home: try home("Host bad\n  ProxyJump host:99999\n")) }
    }

    @Test("ConnectTimeout, ServerAliveInterval and IdentityAgent are read; IdentityAgent none drops the agent")
    func timeoutsAndAgent() throws {
        let h = try home("""
            Host a
              ConnectTimeout 7
              ServerAliveInterval 30
              IdentityAgent ~/agent.sock
            Host b
              IdentityAgent none
            Host c
              IdentityAgent $OTHER_AGENT
            """)
        defer { try? FileManager.default.removeItem(atPath: h) }
        let env = ["SSH_AUTH_SOCK": "/run/default.sock", "OTHER_AGENT": "/run/other.sock"]
        let a = try resolve("sftp://a/", home: h, environment: env)
        #expect(a.connectTimeout == 7)
        #expect(a.connectionOptions.serverAliveInterval == 30)
        #expect(a.authMethods.first?.description == "ssh-agent at \(h)/agent.sock")
        #expect(try resolve("sftp://b/", home: h, environment: env).authMethods.allSatisfy { !$0.description.contains("agent") })
        #expect(try resolve("sftp://c/", home: h, environment: env).authMethods.first?.description == "ssh-agent at /run/other.sock")
        #expect(try resolve("sftp://d/", home: h, environment: env).authMethods.first?.description == "ssh-agent at /run/default.sock")
    }

    @Test("StrictHostKeyChecking: ask (the default) asks on a terminal, yes never does, accept-new and no record new keys")
    func hostKeyPolicy() throws {
        let h = try home("""
            Host strict
              StrictHostKeyChecking yes
            Host new
              StrictHostKeyChecking accept-new
            Host off
              StrictHostKeyChecking no
            Host batch
              BatchMode yes
            """)
        defer { try? FileManager.default.removeItem(atPath: h) }
        let prompter = ScriptedPrompter([])
        let ask = try resolve("sftp://other/", home: h, prompter: prompter)
        #expect(ask.askForUnknownHostKey && !ask.acceptNewHostKey && ask.prompter != nil)
        let strict = try resolve("sftp://strict/", home: h, prompter: prompter)
        #expect(!strict.askForUnknownHostKey && !strict.acceptNewHostKey)
        #expect(try resolve("sftp://new/", home: h, prompter: prompter).acceptNewHostKey)
        #expect(try resolve("sftp://off/", home: h, prompter: prompter).acceptNewHostKey)
        // BatchMode yes: never prompt, as ssh.
        #expect(try resolve("sftp://batch/", home: h, prompter: prompter).connectionOptions.prompter == nil)
        // --accept-new-host-key wins over the file.
        var options = StoreOptions()
        options.acceptNewHostKey = true
        #expect(try resolve("sftp://strict/", home: h, options: options).acceptNewHostKey)
    }

    @Test("Match blocks are not applied, and the resolved configuration says so (for the -v notice)")
    func matchNotice() throws {
        let h = try home("""
            Match host build-* exec "true"
              User never-used
            Match all
              Port 2022
            """)
        defer { try? FileManager.default.removeItem(atPath: h) }
        let c = try resolve("sftp://build-1/", home: h)
        #expect(c.user != "never-used")
        #expect(c.port == 2022)
        #expect(c.notes.count == 1)
        #expect(c.notes.first?.contains("Match host build-* exec true") == true)
        let quiet = try resolve("sftp://x/", home: try home("Host x\n  Port 2\n"))
        #expect(quiet.notes.isEmpty)
    }

    @Test("an unknown host key is accepted by answering yes (or the fingerprint); no or end of input refuses")
    func hostKeyQuestion() {
        let key = SSHHostKey(algorithm: "ssh-ed25519", fingerprint: "SHA256:abc", base64: "")
        let yes = ScriptedPrompter(["maybe", "yes"])
        #expect(SSHPromptRules.trusts(key, name: "[h]:2", prompter: yes))
        #expect(yes.asked.first?.contains("The authenticity of host '[h]:2' can't be established.") == true)
        #expect(yes.asked.first?.contains("ED25519 key fingerprint is SHA256:abc.") == true)
        #expect(yes.asked.last == "Please type 'yes', 'no' or the fingerprint: ")
        #expect(SSHPromptRules.trusts(key, name: "h", prompter: ScriptedPrompter(["SHA256:abc"])))
        #expect(!SSHPromptRules.trusts(key, name: "h", prompter: ScriptedPrompter(["no"])))
        #expect(!SSHPromptRules.trusts(key, name: "h", prompter: ScriptedPrompter([])))
    }
}
