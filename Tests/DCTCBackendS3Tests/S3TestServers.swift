import DCTCBackendS3
import DCTCCore
import Foundation
import Testing

/// The two loopback S3 servers of `Scripts/test-servers/` (moto.sh, rclone-s3.sh).
///
/// Under `make test` (`DCTC_TEST_HARNESS=1`) the servers are already running and a server that
/// does not answer fails the tests that need it, with the tail of its log. Outside the harness
/// a missing server is started with its script; when that is impossible, the tests that need
/// it are skipped and the reason is printed.
enum S3TestServer: String, CaseIterable, Sendable, CustomStringConvertible {
    case moto
    case rclone = "rclone-s3"

    var description: String { self == .moto ? "moto" : "rclone serve s3" }

    private var variablePrefix: String { self == .moto ? "DCTC_TEST_MOTO_" : "DCTC_TEST_RCLONE_S3_" }
    private var defaultPort: Int { self == .moto ? 17090 : 17091 }

    private func variable(_ name: String) -> String? {
        guard let v = ProcessInfo.processInfo.environment[variablePrefix + name], !v.isEmpty else { return nil }
        return v
    }

    var endpoint: String { variable("ENDPOINT") ?? "http://127.0.0.1:\(defaultPort)" }
    var port: Int { Int(endpoint.split(separator: ":").last.map(String.init) ?? "") ?? defaultPort }

    /// The access key pair the server accepts (moto accepts any).
    var credentials: S3Credentials {
        switch self {
        case .moto:
            S3Credentials(accessKeyId: variable("ACCESS_KEY_ID") ?? "AKIDMOTOTEST",
                          secretAccessKey: variable("SECRET_ACCESS_KEY") ?? "SECRETMOTOTEST")
        case .rclone:
            S3Credentials(accessKeyId: variable("ACCESS_KEY_ID") ?? "AKIDSRVLAB",
                          secretAccessKey: variable("SECRET_ACCESS_KEY") ?? "SECRETSRVLAB")
        }
    }

    /// The folder rclone serves (each bucket is a folder in it).
    var dataRoot: String? {
        guard self == .rclone else { return nil }
        return variable("ROOT") ?? S3TestServer.serverDirectory + "/data/s3rclone"
    }

    static var serverDirectory: String { ProcessInfo.processInfo.environment["DCTC_SRV_DIR"] ?? "/tmp/dctc-srv" }
    static var underHarness: Bool { ProcessInfo.processInfo.environment["DCTC_TEST_HARNESS"] == "1" }
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// pip's rclone (never Debian's /usr/bin/rclone, which has no `serve s3`).
    static var rcloneExecutable: String {
        if let r = ProcessInfo.processInfo.environment["DCTC_TEST_RCLONE"], !r.isEmpty { return r }
        return (scriptsDirectory ?? "/usr/local/bin") + "/rclone"
    }

    private static let scriptsDirectory: String? = {
        let r = try? runProcess(["python3", "-c", "import sysconfig;print(sysconfig.get_path('scripts'))"])
        return r.map { $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }()

    // MARK: - Availability

    /// True when the tests of this server should run: it answers (or was just started), or we
    /// are under the harness (where a dead server must fail, not skip).
    func shouldRun() async -> Bool {
        switch await S3TestServer.readiness.check(self) {
        case .ready: return true
        case .failed(let reason):
            if S3TestServer.underHarness { return true }
            print("skipping the \(self) tests: \(reason)")
            return false
        }
    }

    /// Throws, with the server log's tail, when the server does not answer.
    func requireRunning() async throws {
        if case .failed(let reason) = await S3TestServer.readiness.check(self) {
            throw VFSError(.unavailable, "the \(self) test server is not running: \(reason)",
                           remedy: "run `bash Scripts/test-servers/\(rawValue).sh start`")
        }
    }

    static let readiness = Readiness()

    enum State: Sendable {
        case ready
        case failed(String)
    }

    /// Starts each server at most once per test run.
    actor Readiness {
        private var states: [S3TestServer: State] = [:]

        func check(_ server: S3TestServer) async -> State {
            if let s = states[server] { return s }
            let state = await server.prepare()
            states[server] = state
            return state
        }
    }

    private func prepare() async -> State {
        if S3TestServer.portOpen(port) { return .ready }
        if S3TestServer.underHarness {
            return .failed("nothing listens on 127.0.0.1:\(port) although the harness started the servers; "
                           + "last lines of its log:\n" + logTail())
        }
        let script = S3TestServer.repositoryRoot + "/Scripts/test-servers/\(rawValue).sh"
        let result = try? await IOThread.detached(name: "dctc-test-server") { try runProcess(["bash", script, "start"]) }
        guard let result, result.status == 0, S3TestServer.portOpen(port) else {
            return .failed("`bash \(script) start` failed: \(result?.stderr ?? "could not run it")")
        }
        return .ready
    }

    private func logTail() -> String {
        let path = S3TestServer.serverDirectory + "/logs/\(rawValue == "moto" ? "moto" : "rclone-s3").out"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log at \(path))" }
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func portOpen(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    // MARK: - Stores

    /// A store for this server, with optional tweaks.
    func store(_ tweak: (inout S3Configuration) -> Void = { _ in }) throws -> S3FileSystem {
        var configuration = try S3Configuration(endpoint: endpoint, region: "us-east-1", credentials: credentials)
        configuration.retryBaseDelay = .milliseconds(50)
        tweak(&configuration)
        return try S3FileSystem(configuration: configuration)
    }

    /// A store whose bucket `name` exists (created when missing).
    func storeWithBucket(_ name: String, _ tweak: (inout S3Configuration) -> Void = { _ in }) async throws -> S3FileSystem {
        try await requireRunning()
        let fs = try store(tweak)
        do {
            try await fs.makeDirectory(VPath(components: [name]))
        } catch let e as VFSError where e.code == .alreadyExists {
            // Left by an earlier run: fine.
        }
        return fs
    }
}

struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion (call it on a thread of our own, not the cooperative pool).
///
/// The signal mask is cleared first: the test runner's threads block most signals and a
/// daemon started from one (moto_server, rclone) would inherit that and ignore SIGTERM.
func runProcess(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-s3-test-\(UUID().uuidString)")
    let err = out.appendingPathExtension("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    // Files, not pipes: a daemon left running by a start script cannot hold them open on us.
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let exited = process.waitForExit()
    return ProcessResult(status: exited.status,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// Runs a program on a thread of its own.
func runTool(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
    try await IOThread.detached(name: "dctc-test-tool") { try runProcess(arguments, environment: environment) }
}

/// A short random name for a test's own prefix.
func uniqueName(_ label: String) -> String {
    "\(label)-\(UUID().uuidString.prefix(8).lowercased())"
}
