import DCTCBackendFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

@Suite("FTP errors name the address and a remedy", vsftpdTrait)
struct FTPErrorTests {
    @Test("a wrong password fails the login as authenticationFailed naming ftp://user@host:port, never the password")
    func wrongPassword() async throws {
        let server = try await FTPTestServer.vsftpd()
        let wrong = "not-the-password-\(UUID().uuidString.prefix(6))"
        let e = await expectVFSError { _ = try await FTPFileSystem.connect(try server.configuration(password: wrong)) }
        #expect(e?.code == .authenticationFailed)
        let text = e.map { "\($0) \($0.cause ?? "")" } ?? ""
        #expect(text.contains("ftp://\(server.user)@\(server.host):\(server.port)"))
        #expect(e?.remedy?.contains("netrc") == true)
        #expect(!text.contains(wrong))
        #expect(!text.contains(try server.password()))
    }

    @Test("a refused connection is unavailable and retryable")
    func refusedConnection() async throws {
        let port = try closedPort()
        let e = await expectVFSError {
            _ = try await FTPFileSystem.connect(FTPConfiguration(host: "127.0.0.1", port: port, user: "u", password: "p"))
        }
        #expect(e?.code == .unavailable)
        #expect(e?.isRetryable == true)
        #expect(e?.path?.hasPrefix("ftp://u@127.0.0.1:\(port)") == true)
    }

    @Test("FTPS with an untrusted (self-signed) certificate is refused with a certificate message and how to trust it")
    func untrustedCertificate() async throws {
        let server = try await FTPTestServer.vsftpdTLS()
        var c = try server.configuration()
        c.caFile = nil
        let e = await expectVFSError { _ = try await FTPFileSystem.connect(c) }
        #expect(e?.code == .authenticationFailed)
        #expect(e?.message.contains("certificate") == true)
        #expect(e?.remedy?.contains("ca_file") == true)
        #expect(e?.remedy?.contains("--insecure") == true)
        #expect(e?.path?.hasPrefix("ftps://") == true)
    }

    @Test("FTPS trusts the test certificate through ca_file, or anything with insecure TLS")
    func trustedCertificate() async throws {
        let server = try await FTPTestServer.vsftpdTLS()
        let trusted = try await FTPFileSystem.connect(try server.configuration())
        #expect(try await trusted.info(server.home).isDirectory)
        var c = try server.configuration()
        c.caFile = nil
        c.insecureTLS = true
        let insecure = try await FTPFileSystem.connect(c)
        #expect(try await insecure.info(server.home).isDirectory)
        #expect(insecure.kind == .ftps)
    }

    @Test("ftps to a server without TLS refuses to fall back to plain FTP")
    func noSilentPlainFallback() async throws {
        let server = try await FTPTestServer.vsftpd()
        var c = try server.configuration()
        c.explicitTLS = true
        let e = await expectVFSError { _ = try await FTPFileSystem.connect(c) }
        #expect(e?.code == .unsupported)
        #expect(e?.message.contains("TLS") == true)
    }

    @Test("operations on missing paths are notFound; on folders isADirectory; the messages name the full address")
    func missingAndWrongKind() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("errors")
        let missing = dir.appending("nope")
        let checks: [(String, @Sendable () async throws -> Void)] = [
            ("info", { _ = try await fs.info(missing) }),
            ("read", { _ = try await fs.read(missing, range: nil) }),
            ("remove", { try await fs.remove(missing) }),
            ("removeDirectory", { try await fs.removeDirectory(missing) }),
            ("list", { _ = try await fs.listAll(missing) }),
        ]
        for (what, body) in checks {
            let e = await expectVFSError { try await body() }
            #expect(e?.code == .notFound, "\(what)")
            #expect(e?.path == fs.display(missing), "\(what)")
        }
        let e = await expectVFSError { try await fs.makeDirectory(dir.appending("a").appending("b")) }
        #expect(e?.code == .notFound)
        let sub = dir.appending("sub")
        try await fs.makeDirectory(sub)
        #expect(await expectVFSError { try await fs.makeDirectory(sub) }?.code == .alreadyExists)
        #expect(await expectVFSError { _ = try await fs.read(sub, range: nil) }?.code == .isADirectory)
        #expect(await expectVFSError { try await fs.remove(sub) }?.code == .isADirectory)
        try await fs.write(dir.appending("file"), bytes: [1])
        #expect(await expectVFSError { try await fs.removeDirectory(dir.appending("file")) }?.code == .notADirectory)
        #expect(await expectVFSError { _ = try await fs.listAll(dir.appending("file")) }?.code == .notADirectory)
        _ = try await fs.removeTree(dir)
    }
}
