import DCTCCore
import DCTCSSH
import Foundation
import Testing

/// The loopback sshd of `Scripts/test-servers/sshd.sh`, started on first use when not running.
///
/// The address comes from `DCTC_TEST_SSH_*` variables when they are set (CI exports them),
/// else from `sshd.sh env` after `sshd.sh start` (idempotent). A server that cannot be started
/// fails the tests that need it: nothing is skipped.
struct SSHTestServer: Sendable {
    let host: String
    let port: Int
    let user: String
    let keyPath: String
    let knownHostsPath: String
    let passwordFile: String

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func shared() async throws -> SSHTestServer { try await sharedServer.value }

    /// The password of the test user, read from the generated file.
    func password() throws -> String {
        try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Options for this server: key login and its known_hosts file unless told otherwise.
    func options(auth: [SSHAuthMethod]? = nil, knownHosts: String? = nil, acceptNew: Bool = false,
                 user: String? = nil) -> SSHConnectionOptions {
        SSHConnectionOptions(host: host, port: port, username: user ?? self.user,
                             authMethods: auth ?? [.identityFile(keyPath)],
                             knownHostsFile: knownHosts ?? knownHostsPath, acceptNewHostKey: acceptNew,
                             connectTimeout: 10, timeout: 30)
    }

    /// The host key fingerprint as OpenSSH prints it (`ssh-keygen -l -E sha256`), an oracle
    /// independent of our code.
    func hostKeyFingerprint() async throws -> String {
        let result = try await runTool(["ssh-keygen", "-l", "-E", "sha256", "-f", knownHostsPath])
        guard let fingerprint = result.stdout.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
            throw VFSError(.io, "ssh-keygen printed no fingerprint: \(result.stdout) \(result.stderr)")
        }
        return String(fingerprint)
    }

    fileprivate static func locate() async throws -> SSHTestServer {
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
        return SSHTestServer(host: try value("HOST"), port: port, user: try value("USER"), keyPath: try value("KEY"),
                             knownHostsPath: try value("KNOWN_HOSTS"), passwordFile: try value("PASSWORD_FILE"))
    }
}

private let sharedServer = Task { try await SSHTestServer.locate() }

struct ToolResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a command-line tool to completion on a thread of its own (never on the cooperative pool).
func runTool(_ arguments: [String], environment: [String: String] = [:]) async throws -> ToolResult {
    try await IOThread.detached(name: "dctc-test-tool") {
        let outFile = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-tool-\(UUID().uuidString)")
        let errFile = outFile.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outFile)
            try? FileManager.default.removeItem(at: errFile)
        }
        // Files, not pipes: a daemon the tool leaves behind (sshd) cannot hold them open on us.
        let process = try spawnWithDefaultSignals(arguments, environment: environment,
                                                  stdout: try FileHandle(forWritingTo: outFile),
                                                  stderr: try FileHandle(forWritingTo: errFile))
        let exited = process.waitForExit()
        return ToolResult(status: exited.status,
                          stdout: (try? String(contentsOf: outFile, encoding: .utf8)) ?? "",
                          stderr: (try? String(contentsOf: errFile, encoding: .utf8)) ?? "")
    }
}

/// Starts a process from the calling thread after unblocking every signal on it.
///
/// A child inherits the signal mask of the thread that spawns it, and the threads of a test
/// run block nearly all signals: a daemon started from there (sshd, ssh-agent) would ignore
/// SIGTERM and never reap its children. Call this on a thread of our own (an `IOThread`).
func spawnWithDefaultSignals(_ arguments: [String], environment: [String: String] = [:],
                             stdout: FileHandle = .nullDevice, stderr: FileHandle = .nullDevice) throws -> Process {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}

/// Runs `body` with the socket of a private ssh-agent, stopped afterwards.
func withSSHAgent<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = try makeLocalTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let socket = folder + "/agent.sock"
    let thread = IOThread(name: "dctc-test-agent")
    defer { thread.shutdown() }
    let agent = try await thread.run { UncheckedProcess(try spawnWithDefaultSignals(["ssh-agent", "-D", "-a", socket])) }
    let result: Result<T, any Error>
    do {
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: socket) {
            try await Task.sleep(for: .milliseconds(50))
        }
        result = .success(try await body(socket))
    } catch {
        result = .failure(error)
    }
    try await thread.run {
        agent.process.terminate()
        agent.process.waitForExit()
    }
    return try result.get()
}

/// A `Process` handed from the thread that started it to the test (used by one task at a time).
struct UncheckedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}

/// A fresh temporary local folder.
func makeLocalTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-ssh-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Connects with the default (key) options, opens SFTP, and runs `body` in a new remote folder
/// that is removed afterwards.
func withRemoteScratch<T>(_ body: (SFTPClient, String) async throws -> T) async throws -> T {
    let server = try await SSHTestServer.shared()
    let session = try await SSHSession.connect(server.options())
    let sftp = try await session.openSFTP()
    let folder = "dctc-test-" + UUID().uuidString.prefix(8).lowercased()
    try await sftp.mkdir(folder)
    do {
        let result = try await body(sftp, folder)
        try await removeTree(sftp, folder)
        return result
    } catch {
        try? await removeTree(sftp, folder)
        throw error
    }
}

func removeTree(_ sftp: SFTPClient, _ path: String) async throws {
    for entry in try await sftp.list(path) {
        let child = path + "/" + entry.name
        if entry.attributes.kind == .directory { try await removeTree(sftp, child) } else { try await sftp.unlink(child) }
    }
    try await sftp.rmdir(path)
}

/// Deterministic pseudo-random bytes (SplitMix64), so a failure reproduces.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8]()
    out.reserveCapacity(count + 8)
    while out.count < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        withUnsafeBytes(of: z.littleEndian) { out.append(contentsOf: $0) }
    }
    return Array(out.prefix(count))
}

/// The error `body` throws, as an `SSH2Error` (fails the test when it throws something else or nothing).
func expectSSH2Error(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> SSH2Error? {
    do {
        try await body()
        Issue.record("expected an SSH2Error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as SSH2Error {
        return error
    } catch {
        Issue.record("expected an SSH2Error, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
