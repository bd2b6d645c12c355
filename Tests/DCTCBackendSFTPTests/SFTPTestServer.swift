import DCTCBackendSFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The loopback sshd of `Scripts/test-servers/sshd.sh`, located or started on first use.
///
/// The address comes from the `DCTC_TEST_SSH_*` variables when set (`make test` exports them),
/// else from `sshd.sh env` after `sshd.sh start` (idempotent). Under the harness
/// (`DCTC_TEST_HARNESS=1`) a server that cannot be reached fails the tests with its log;
/// outside it, the tests are skipped with the reason printed (see `serverTrait`).
struct SFTPTestServer: Sendable {
    let host: String
    let port: Int
    let user: String
    let keyPath: String
    let knownHostsPath: String
    let passwordFile: String

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static var underHarness: Bool { ProcessInfo.processInfo.environment["DCTC_TEST_HARNESS"] == "1" }

    static func shared() async throws -> SFTPTestServer { try await sharedServer.value }

    /// True when the tests can run: the server is there, or we are under the harness (where a
    /// missing server must fail the tests rather than skip them).
    static func usable() async -> Bool {
        if underHarness { return true }
        do {
            _ = try await shared()
            return true
        } catch {
            print("SFTP store tests skipped: \(error)")
            return false
        }
    }

    /// The test user's password, from the file the script generated.
    func password() throws -> String {
        try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The test user's login folder on the server (the server runs on this machine).
    var home: String {
        if let pw = getpwnam(user), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/tmp/dctc-srv/home/\(user)"
    }

    /// An `sftp` account for this server; key login unless the values say otherwise.
    func account(_ values: [String: String] = [:], secrets: [String: String] = [:], name: String = "sshtest") -> AccountSettings {
        var all = ["host": host, "port": String(port), "user": user, "key_file": keyPath,
                   "known_hosts_file": knownHostsPath, "use_agent": "false"]
        for (k, v) in values { all[k] = v }
        all = all.filter { !$0.value.isEmpty }
        return AccountSettings(name: name, type: "sftp", values: all, secret: { secrets[$0] })
    }

    /// A configuration resolved like the factory does, but with an empty home folder and
    /// environment, so nothing of this machine's `~/.ssh` leaks in.
    func config(_ values: [String: String] = [:], secrets: [String: String] = [:], options: StoreOptions = StoreOptions(),
                environment: [String: String] = [:], home: String? = nil, address: String = "sshtest:/") throws -> SFTPConfig {
        let parsed = try Address.parse(address)
        let account = parsed.scheme == .account ? self.account(values, secrets: secrets) : nil
        return try SFTPConfig.resolve(address: parsed, account: account, options: options,
                                      environment: environment, home: home ?? emptyHome)
    }

    /// A store for this server (key login unless the values say otherwise).
    func store(_ values: [String: String] = [:], secrets: [String: String] = [:],
               options: StoreOptions = StoreOptions()) async throws -> SFTPFileSystem {
        try await SFTPFileSystem.connect(try config(values, secrets: secrets, options: options))
    }

    /// The server's host key line of the known_hosts file, under another name (`[127.0.0.1]:PORT`).
    func knownHostsLine(forPort otherPort: Int) throws -> String {
        let text = try String(contentsOfFile: knownHostsPath, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { !$0.hasPrefix("#") && $0.contains(" ") }) else {
            throw VFSError(.io, "no host key in \(knownHostsPath)")
        }
        let key = line.split(separator: " ").dropFirst().joined(separator: " ")
        return "[\(host)]:\(otherPort) \(key)\n"
    }

    /// The host key fingerprint as OpenSSH prints it, an oracle independent of our code.
    func hostKeyFingerprint() async throws -> String {
        let result = try await runTool(["ssh-keygen", "-l", "-E", "sha256", "-f", knownHostsPath])
        guard let fingerprint = result.stdout.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
            throw VFSError(.io, "ssh-keygen printed no fingerprint: \(result.stdout) \(result.stderr)")
        }
        return String(fingerprint)
    }

    fileprivate static func locate() async throws -> SFTPTestServer {
        let environment = ProcessInfo.processInfo.environment
        var values: [String: String] = [:]
        if environment["DCTC_TEST_SSH_HOST"] != nil {
            values = environment
        } else {
            let script = repositoryRoot + "/Scripts/test-servers/sshd.sh"
            let start = try await runTool(["bash", script, "start"])
            guard start.status == 0 else {
                throw VFSError(.unavailable, "could not start the test sshd (exit \(start.status)): \(start.stderr)",
                               remedy: "run `bash Scripts/test-servers/sshd.sh start` as root")
            }
            let env = try await runTool(["bash", script, "env"])
            for line in env.stdout.split(separator: "\n") {
                let text = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line[...]
                guard let equals = text.firstIndex(of: "=") else { continue }
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
        }
        func value(_ name: String) throws -> String {
            guard let v = values["DCTC_TEST_SSH_" + name], !v.isEmpty else {
                throw VFSError(.invalidArgument, "DCTC_TEST_SSH_\(name) is not set")
            }
            return v
        }
        guard let port = Int(try value("PORT")) else { throw VFSError(.invalidArgument, "DCTC_TEST_SSH_PORT is not a number") }
        let server = SFTPTestServer(host: try value("HOST"), port: port, user: try value("USER"), keyPath: try value("KEY"),
                                    knownHostsPath: try value("KNOWN_HOSTS"), passwordFile: try value("PASSWORD_FILE"))
        // Fail here, with the server log, when the server does not answer.
        guard isListening(port: port) else {
            let serverDir = ProcessInfo.processInfo.environment["DCTC_SRV_DIR"] ?? "/tmp/dctc-srv"
            let log = (try? String(contentsOfFile: serverDir + "/logs/sshd.out", encoding: .utf8))?
                .split(separator: "\n").suffix(20).joined(separator: "\n") ?? "(no log)"
            throw VFSError(.unavailable, "the test sshd does not answer on \(server.host):\(port); its log ends:\n\(log)",
                           remedy: "run `bash Scripts/test-servers/sshd.sh start` as root")
        }
        return server
    }
}

private let sharedServer = Task { try await SFTPTestServer.locate() }

/// An empty folder standing for `~`, so no real `~/.ssh` or `~/.netrc` is read (never written
/// to, so every test process shares it).
let emptyHome: String = {
    let path = NSTemporaryDirectory() + "dctc-sftp-empty-home"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

/// The trait of every suite that needs the server.
let serverTrait = ConditionTrait.enabled("needs the test sshd (Scripts/test-servers/sshd.sh, as root)") {
    await SFTPTestServer.usable()
}

/// A fresh temporary local folder.
func makeTemporaryDirectory() throws -> String {
    try TestData.temporaryDirectory("dctc-sftp-test")
}

/// The `VFSError` `body` throws (records an issue when it throws something else or nothing).
func expectVFSError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> VFSError? {
    do {
        try await body()
        Issue.record("expected a VFSError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as VFSError {
        return error
    } catch {
        Issue.record("expected a VFSError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A unique folder name for one test.
func scratchName(_ label: String) -> String {
    "dctc-sftp-\(label)-" + UUID().uuidString.prefix(8).lowercased()
}
