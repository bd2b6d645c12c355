import DCTCBackendSFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// SFTP through `ProxyJump` hosts: the first sshd (`sshd.sh`, 17022) and the second
/// (`sshd-jump.sh`, 17401) jump to each other. Each has its own host key, and the private
/// known_hosts names each under its own port, so reaching the wrong server fails the host key
/// check: a session that works went where the chain says.
@Suite("SFTP through ProxyJump hosts", serverTrait)
struct SFTPJumpTests {
    var jumpPort: Int { Int(ProcessInfo.processInfo.environment["DCTC_TEST_SSH_JUMP_PORT"] ?? "") ?? 17401 }

    /// A private HOME whose ~/.ssh/config names both servers, and whose known_hosts holds both keys.
    func privateHome(_ server: SFTPTestServer, extra: String = "") throws -> String {
        let home = try makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        let jumpKnownHosts = (server.knownHostsPath as NSString).deletingLastPathComponent + "/known_hosts_jump"
        let known = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
            + (try String(contentsOfFile: jumpKnownHosts, encoding: .utf8))
        try known.write(toFile: home + "/.ssh/known_hosts", atomically: true, encoding: .utf8)
        try """
            \(extra)
            Host dctc-first
              HostName \(server.host)
              Port \(server.port)
            Host dctc-second
              HostName \(server.host)
              Port \(jumpPort)
            Host dctc-second-via-first
              HostName \(server.host)
              Port \(jumpPort)
              ProxyJump dctc-first
            Host dctc-first-via-both
              HostName \(server.host)
              Port \(server.port)
              ProxyJump dctc-first,dctc-second
            Host dctc-nowhere-via-first
              HostName \(server.host)
              Port 17449
              ProxyJump dctc-first
            Host *
              User \(server.user)
              IdentityFile \(server.keyPath)
              IdentitiesOnly yes
              StrictHostKeyChecking yes
            """.write(toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
        return home
    }

    func connect(_ address: String, home: String) async throws -> SFTPFileSystem {
        let config = try SFTPConfig.resolve(address: try Address.parse(address), account: nil, options: StoreOptions(),
                                            environment: [:], home: home)
        return try await SFTPFileSystem.connect(config)
    }

    @Test("ProxyJump from ~/.ssh/config: the jump host's direct-tcpip channel carries the SFTP session, both ways")
    func oneHop() async throws {
        let server = try await SFTPTestServer.shared()
        let home = try privateHome(server)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let config = try SFTPConfig.resolve(address: try Address.parse("sftp://dctc-second-via-first/"), account: nil,
                                            options: StoreOptions(), environment: [:], home: home)
        #expect(config.port == jumpPort)
        #expect(config.jumpHosts.map(\.port) == [server.port])
        #expect(config.jumpHosts.first?.knownHostsFile == home + "/.ssh/known_hosts")

        let fs = try await SFTPFileSystem.connect(config)
        let folder = VPath(server.home).appending("jump-\(UUID().uuidString)")
        try await fs.makeDirectory(folder)
        // Several MiB, so the tunnel's flow control (channel windows, full socket buffers) is exercised.
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 12)) }
        _ = try await fs.write(folder.appending("big.bin"), bytes: payload)
        #expect(try await fs.readAll(folder.appending("big.bin")) == payload)
        #expect(try await fs.listAll(folder).map(\.name) == ["big.bin"])
        _ = try await fs.removeTree(folder)
        await fs.close()
    }

    @Test("ProxyJump with two hops, each resolved from ~/.ssh/config like the target")
    func twoHops() async throws {
        let server = try await SFTPTestServer.shared()
        let home = try privateHome(server)
        defer { try? FileManager.default.removeItem(atPath: home) }
        let fs = try await connect("sftp://dctc-first-via-both/", home: home)
        #expect(try await fs.info(VPath(server.home)).kind == .directory)
        await fs.close()
    }

    @Test("a jump host that cannot reach the target fails as unavailable, naming the jump host and the target")
    func unreachableTarget() async throws {
        let server = try await SFTPTestServer.shared()
        let home = try privateHome(server)
        defer { try? FileManager.default.removeItem(atPath: home) }
        var failure: VFSError?
        do {
            _ = try await connect("sftp://dctc-nowhere-via-first/", home: home)
        } catch let error as VFSError {
            failure = error
        }
        #expect(failure?.code == .unavailable)
        #expect(failure?.message.contains("\(server.host):17449") == true)
        #expect(failure?.description.contains(":\(server.port)") == true)
    }
}
