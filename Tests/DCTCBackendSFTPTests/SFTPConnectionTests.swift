import DCTCBackendSFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@Suite("SFTP store connections, logins and host keys", serverTrait)
struct SFTPConnectionTests {
    /// A file the store can see, proving the login worked.
    func expectWorking(_ fs: SFTPFileSystem, server: SFTPTestServer, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let home = try await fs.info(VPath(server.home))
        #expect(home.kind == .directory, sourceLocation: sourceLocation)
    }

    @Test("an identity file from the account logs in")
    func keyLogin() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        try await expectWorking(fs, server: server)
        await fs.close()
    }

    @Test("the account's password secret logs in when no key is offered")
    func passwordLogin() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store(["key_file": ""], secrets: ["password": try server.password()])
        try await expectWorking(fs, server: server)
        await fs.close()
    }

    @Test("a wrong password is authenticationFailed, names the server, and never shows the password")
    func wrongPassword() async throws {
        let server = try await SFTPTestServer.shared()
        let wrong = "not-the-Pa55word-\(UUID().uuidString.prefix(6))"
        let error = await expectVFSError { _ = try await server.store(["key_file": ""], secrets: ["password": wrong]) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.isRetryable == false)
        #expect(error?.path == "sftp://\(server.user)@\(server.host):\(server.port)")
        #expect(error?.remedy?.isEmpty == false)
        #expect(!(error.map { "\($0) \($0.cause ?? "")" } ?? "").contains(wrong))
    }

    @Test("~/.netrc's password logs in when the account has none")
    func netrcLogin() async throws {
        let server = try await SFTPTestServer.shared()
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try "machine \(server.host) login \(server.user) password \(try server.password())\n"
            .write(toFile: home + "/.netrc", atomically: true, encoding: .utf8)
        let fs = try await SFTPFileSystem.connect(try server.config(["key_file": ""], home: home))
        try await expectWorking(fs, server: server)
        await fs.close()
    }

    @Test("an unknown host key is refused, showing its SHA256 fingerprint and both ways to accept it")
    func unknownHostKey() async throws {
        let server = try await SFTPTestServer.shared()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let knownHosts = dir + "/known_hosts"
        let error = await expectVFSError { _ = try await server.store(["known_hosts_file": knownHosts]) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.path == "sftp://\(server.user)@\(server.host):\(server.port)")
        #expect(error?.message.contains(try await server.hostKeyFingerprint()) == true)
        #expect(error?.remedy?.contains("--accept-new-host-key") == true)
        #expect(error?.remedy?.contains("accept_new_host_key = true") == true)
        #expect(!FileManager.default.fileExists(atPath: knownHosts))
    }

    @Test("accept-new records an unknown host key, then the key is trusted without the flag")
    func acceptNewHostKey() async throws {
        let server = try await SFTPTestServer.shared()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let knownHosts = dir + "/known_hosts"
        var options = StoreOptions()
        options.acceptNewHostKey = true
        let first = try await server.store(["known_hosts_file": knownHosts], options: options)
        try await expectWorking(first, server: server)
        await first.close()
        let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
        #expect(recorded.hasPrefix("[\(server.host)]:\(server.port) ssh-ed25519 "))
        let again = try await server.store(["known_hosts_file": knownHosts])
        try await expectWorking(again, server: server)
        await again.close()

        // The account setting does the same as the flag.
        let other = dir + "/known_hosts2"
        let byAccount = try await server.store(["known_hosts_file": other, "accept_new_host_key": "true"])
        await byAccount.close()
        #expect(FileManager.default.fileExists(atPath: other))
    }

    @Test("a changed host key is refused as CHANGED even with accept-new")
    func changedHostKey() async throws {
        let server = try await SFTPTestServer.shared()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let knownHosts = dir + "/known_hosts"
        // The test user's public key is an ed25519 key too, but not the server's.
        let userKey = try String(contentsOfFile: server.keyPath + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
        try "[\(server.host)]:\(server.port) \(userKey.joined(separator: " "))\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        var options = StoreOptions()
        options.acceptNewHostKey = true
        let error = await expectVFSError { _ = try await server.store(["known_hosts_file": knownHosts], options: options) }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("CHANGED") == true)
        #expect(error?.message.contains(try await server.hostKeyFingerprint()) == true)
        #expect(error?.remedy?.contains("ssh-keygen -R") == true)
    }

    @Test("a closed port is unavailable, retryable, and names the server with a remedy")
    func refusedConnection() async throws {
        let server = try await SFTPTestServer.shared()
        let port = try closedPort()
        let error = await expectVFSError { _ = try await server.store(["port": String(port)]) }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.path == "sftp://\(server.user)@\(server.host):\(port)")
        #expect(error?.remedy?.isEmpty == false)
    }

    @Test("a Host alias of an ssh_config file gives the host, port, user, key and known_hosts")
    func sshConfigAlias() async throws {
        let server = try await SFTPTestServer.shared()
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
            Host dctc-alias-*
              HostName \(server.host)
              Port \(server.port)
              User \(server.user)
              IdentityFile \(server.keyPath)
              IdentitiesOnly yes
              UserKnownHostsFile \(server.knownHostsPath)
            """.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let config = try server.config(environment: ["DCTC_SSH_CONFIG": dir + "/config"], address: "sftp://dctc-alias-test/tmp")
        #expect(config.host == server.host)
        #expect(config.port == server.port)
        let fs = try await SFTPFileSystem.connect(config)
        try await expectWorking(fs, server: server)
        #expect(fs.display(VPath("/a b/c#d")) == "sftp://\(server.user)@dctc-alias-test:\(server.port)/a%20b/c%23d")
        await fs.close()
    }

    @Test("the factory builds the store for an account through the registry")
    func factoryThroughRegistry() async throws {
        let server = try await SFTPTestServer.shared()
        let registry = StoreRegistry(accounts: OneAccount(account: server.account(name: "box")))
        for kind in SFTPBackend.kinds { await registry.register(kind: kind, factory: SFTPBackend.makeStore) }
        let location = try await registry.resolve(try Address.parse("box:\(server.home)"))
        #expect(location.fs.kind == .sftp)
        #expect(try await location.fs.info(location.path).kind == .directory)
        #expect(location.fs.display(location.path) == "sftp://\(server.user)@\(server.host):\(server.port)\(server.home)")
    }
}

struct OneAccount: AccountProvider {
    let account: AccountSettings
    func account(named name: String) throws -> AccountSettings? { name == account.name ? account : nil }
    var accountNames: [String] { [account.name] }
}
