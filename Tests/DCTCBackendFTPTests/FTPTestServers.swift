import DCTCBackendFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One of the loopback FTP servers of `Scripts/test-servers/` (`vsftpd.sh`: plain FTP and
/// explicit FTPS; `pyftpdlib.sh`: MLSD/MFMT), located or started on first use.
///
/// The addresses come from `NAME.sh env` after `NAME.sh start` (idempotent; the harness has
/// started them already). Under the harness (`DCTC_TEST_HARNESS=1`) a server that cannot be
/// reached fails the tests with its log; outside it, the tests are skipped with the reason
/// printed (see the traits at the end).
struct FTPTestServer: Sendable {
    enum Kind: String, Sendable {
        case vsftpd, vsftpdTLS = "vsftpd-tls", pyftpdlib
    }

    let kind: Kind
    let host: String
    let port: Int
    let user: String
    let passwordFile: String
    /// The server-side folder the tests work in (the login's home; `/` for pyftpdlib's
    /// virtual root).
    let home: VPath
    /// The FTPS certificate (vsftpd-tls only).
    let caFile: String?

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static var underHarness: Bool { ProcessInfo.processInfo.environment["DCTC_TEST_HARNESS"] == "1" }

    static func vsftpd() async throws -> FTPTestServer { try await vsftpdServers.value.plain }
    static func vsftpdTLS() async throws -> FTPTestServer { try await vsftpdServers.value.tls }
    static func pyftpdlib() async throws -> FTPTestServer { try await pyftpdlibServer.value }

    /// The test user's password, from the file the script generated.
    func password() throws -> String {
        try String(contentsOfFile: passwordFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A configuration for this server; FTPS trusts the test certificate.
    func configuration(password: String? = nil, listPageSize: Int = 1000, maxConnections: Int = 4) throws -> FTPConfiguration {
        var c = FTPConfiguration(host: host, port: port, user: user, password: try password ?? self.password(),
                                 explicitTLS: kind == .vsftpdTLS, caFile: caFile)
        c.listPageSize = listPageSize
        c.maxConnections = maxConnections
        return c
    }

    /// A connected store for this server.
    func store(listPageSize: Int = 1000, maxConnections: Int = 4) async throws -> FTPFileSystem {
        try await FTPFileSystem.connect(try configuration(listPageSize: listPageSize, maxConnections: maxConnections))
    }

    /// A fresh, empty folder on the server for one test, and the store.
    func scratch(_ label: String, listPageSize: Int = 1000, maxConnections: Int = 4) async throws -> (FTPFileSystem, VPath) {
        let fs = try await store(listPageSize: listPageSize, maxConnections: maxConnections)
        let dir = home.appending("dctc-ftp-\(label)-\(UUID().uuidString.prefix(8).lowercased())")
        try await fs.makeDirectory(dir)
        return (fs, dir)
    }

    fileprivate static func locate(script: String, names: [(Kind, String)]) async throws -> [Kind: FTPTestServer] {
        let path = repositoryRoot + "/Scripts/test-servers/\(script)"
        let start = try await runTool(["bash", path, "start"])
        let env = try await runTool(["bash", path, "env"])
        var values: [String: String] = [:]
        for line in env.stdout.split(separator: "\n") {
            let text = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line[...]
            guard let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        var out: [Kind: FTPTestServer] = [:]
        for (kind, portVariable) in names {
            let prefix = kind == .pyftpdlib ? "DCTC_TEST_PYFTP_" : "DCTC_TEST_FTP_"
            guard let host = values[prefix + "HOST"], let port = values[portVariable].flatMap(Int.init),
                  let user = values[prefix + "USER"], let passwordFile = values[prefix + "PASSWORD_FILE"] else {
                throw VFSError(.unavailable, "\(script) env printed no address for \(kind.rawValue): \(env.stdout)\(env.stderr)")
            }
            guard isListening(port: port) else {
                let serverDir = ProcessInfo.processInfo.environment["DCTC_SRV_DIR"] ?? "/tmp/dctc-srv"
                let log = (try? String(contentsOfFile: serverDir + "/logs/\(kind.rawValue).out", encoding: .utf8))?
                    .split(separator: "\n").suffix(20).joined(separator: "\n") ?? "(no log)"
                throw VFSError(.unavailable,
                               "the test server \(kind.rawValue) does not answer on \(host):\(port) (start: exit \(start.status) \(start.stderr)); its log ends:\n\(log)",
                               remedy: "run `bash Scripts/test-servers/\(script) start` (as root for vsftpd)")
            }
            let home = kind == .pyftpdlib ? VPath.root : VPath(values["DCTC_TEST_FTP_HOME"] ?? "/tmp/dctc-srv/home/\(user)")
            out[kind] = FTPTestServer(kind: kind, host: host, port: port, user: user, passwordFile: passwordFile,
                                      home: home, caFile: kind == .vsftpdTLS ? values["DCTC_TEST_FTPS_CA_FILE"] : nil)
        }
        return out
    }

    /// True when tests can run: the server is there, or we are under the harness (where a
    /// missing server must fail the tests rather than skip them).
    static func usable(_ locate: () async throws -> FTPTestServer) async -> Bool {
        if underHarness { return true }
        do {
            _ = try await locate()
            return true
        } catch {
            print("FTP store tests skipped: \(error)")
            return false
        }
    }
}

private let vsftpdServers = Task { () throws -> (plain: FTPTestServer, tls: FTPTestServer) in
    let found = try await FTPTestServer.locate(script: "vsftpd.sh",
                                               names: [(.vsftpd, "DCTC_TEST_FTP_PORT"), (.vsftpdTLS, "DCTC_TEST_FTPS_PORT")])
    guard let plain = found[.vsftpd], let tls = found[.vsftpdTLS] else {
        throw VFSError(.unavailable, "vsftpd.sh did not describe both servers")
    }
    return (plain, tls)
}

private let pyftpdlibServer = Task { () throws -> FTPTestServer in
    let found = try await FTPTestServer.locate(script: "pyftpdlib.sh", names: [(.pyftpdlib, "DCTC_TEST_PYFTP_PORT")])
    guard let server = found[.pyftpdlib] else { throw VFSError(.unavailable, "pyftpdlib.sh did not describe the server") }
    return server
}

/// The trait of suites that need vsftpd (plain and FTPS).
let vsftpdTrait = ConditionTrait.enabled("needs vsftpd (Scripts/test-servers/vsftpd.sh, as root)") {
    await FTPTestServer.usable { try await FTPTestServer.vsftpd() }
}

/// The trait of suites that need pyftpdlib.
let pyftpdlibTrait = ConditionTrait.enabled("needs pyftpdlib (Scripts/test-servers/pyftpdlib.sh)") {
    await FTPTestServer.usable { try await FTPTestServer.pyftpdlib() }
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
