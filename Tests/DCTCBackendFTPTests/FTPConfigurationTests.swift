@testable import DCTCBackendFTP
import DCTCCore
import Foundation
import Testing

@Suite("FTP settings: addresses, accounts, netrc")
struct FTPConfigurationTests {
    /// A netrc file with the given text, in a fresh folder.
    func netrcFile(_ text: String) throws -> String {
        let dir = NSTemporaryDirectory() + "dctc-ftp-netrc-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/netrc"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func request(_ address: String, account: AccountSettings? = nil, options: StoreOptions = StoreOptions()) async throws -> StoreRequest {
        try await storeRequest(address, accounts: account.map { [$0] } ?? [], options: options)
    }

    @Test("the password comes from the account's secret before netrc")
    func accountSecretWins() async throws {
        let netrc = try netrcFile("machine 10.0.0.1 login u password fromnetrc\n")
        let account = AccountSettings(name: "box", type: "ftp", values: ["host": "10.0.0.1", "user": "u", "port": "2121"],
                                      secret: { $0 == "password" ? "fromaccount" : nil })
        let c = try FTPBackend.configuration(for: try await request("box:/data", account: account), netrc: netrc)
        #expect(c.password == "fromaccount")
        #expect(c.port == 2121)
        #expect(c.origin == "ftp://u@10.0.0.1:2121")
    }

    @Test("without an account secret the password comes from netrc, never from the address")
    func netrcFallback() async throws {
        let netrc = try netrcFile("machine 10.0.0.1 login u password fromnetrc\n")
        let c = try FTPBackend.configuration(for: try await request("ftp://u@10.0.0.1/x"), netrc: netrc)
        #expect(c.user == "u")
        #expect(c.password == "fromnetrc")
        #expect(!c.description.contains("fromnetrc"))
        var dumped = ""
        dump(c, to: &dumped)
        #expect(!dumped.contains("fromnetrc"))
        // A netrc machine entry supplies the login when the address has none, like curl --netrc.
        let bare = try FTPBackend.configuration(for: try await request("ftp://10.0.0.1/x"), netrc: netrc)
        #expect(bare.user == "u")
        #expect(bare.password == "fromnetrc")
    }

    @Test("no user and no netrc entry means an anonymous login")
    func anonymous() async throws {
        let netrc = try netrcFile("")
        let c = try FTPBackend.configuration(for: try await request("ftp://ftp.example.org/pub"), netrc: netrc)
        #expect(c.user == nil)
        #expect(c.password == nil)
        #expect(c.port == 21)
        #expect(FTPPaths.display(c, VPath("/pub/a b#1")) == "ftp://ftp.example.org:21/pub/a%20b%231")
    }

    @Test("ftps means explicit TLS with verification on; --insecure or insecure_tls turn it off")
    func tlsSettings() async throws {
        let netrc = try netrcFile("")
        let plain = try FTPBackend.configuration(for: try await request("ftps://u@h:990/x"), netrc: netrc)
        #expect(plain.explicitTLS)
        #expect(!plain.insecureTLS)
        #expect(plain.scheme == "ftps")
        var options = StoreOptions()
        options.insecureTLS = true
        #expect(try FTPBackend.configuration(for: try await request("ftps://u@h/x", options: options), netrc: netrc).insecureTLS)
        let account = AccountSettings(name: "secure", type: "ftps",
                                      values: ["host": "h", "ca_file": "/etc/my-ca.pem", "insecure_tls": "yes",
                                               "max_connections": "8", "mtime_command": "MDTM"])
        let c = try FTPBackend.configuration(for: try await request("secure:/x", account: account), netrc: netrc)
        #expect(c.explicitTLS && c.insecureTLS)
        #expect(c.caFile == "/etc/my-ca.pem")
        #expect(c.maxConnections == 8)
        #expect(c.timeCommand == .mdtm)
    }

    @Test("bad settings are refused with the setting named")
    func badSettings() async throws {
        let bad = AccountSettings(name: "bad", type: "ftp", values: ["host": "h", "mtime_command": "sometimes"])
        let badRequest = try await request("bad:/x", account: bad)
        #expect(throws: VFSError.self) { try FTPBackend.configuration(for: badRequest) }
        let badPort = AccountSettings(name: "bad", type: "ftp", values: ["host": "h", "port": "70000"])
        do {
            _ = try FTPBackend.configuration(for: try await request("bad:/x", account: badPort), netrc: "/nonexistent")
            Issue.record("a port of 70000 was accepted")
        } catch let e as VFSError {
            #expect(e.code == .invalidArgument)
            #expect(e.message.contains("70000"))
        }
        #expect(FTPBackend.kinds == [.ftp, .ftps])
    }
}

/// Accounts held in memory.
struct TestAccounts: AccountProvider {
    let accounts: [AccountSettings]
    func account(named name: String) throws -> AccountSettings? { accounts.first { $0.name == name } }
    var accountNames: [String] { accounts.map(\.name) }
}

/// Carries the request a factory received out of the registry.
struct CapturedRequest: Error {
    let request: StoreRequest
}

/// The `StoreRequest` the store registry hands an FTP factory for `address`.
func storeRequest(_ address: String, accounts: [AccountSettings] = [], options: StoreOptions = StoreOptions()) async throws -> StoreRequest {
    let registry = StoreRegistry(accounts: TestAccounts(accounts: accounts), options: options)
    for kind in FTPBackend.kinds {
        await registry.register(kind: kind) { throw CapturedRequest(request: $0) }
    }
    do {
        _ = try await registry.resolve(try Address.parse(address))
    } catch let captured as CapturedRequest {
        return captured.request
    }
    throw VFSError(.io, "the registry did not call the FTP factory for \(address)")
}
