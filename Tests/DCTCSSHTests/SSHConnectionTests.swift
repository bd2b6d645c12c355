import DCTCCore
import DCTCSSH
import Foundation
import Testing

@Suite("SSH sessions: login, host keys, exec")
struct SSHConnectionTests {
    @Test("an ed25519 key logs in and the session reports the verified host key")
    func keyLogin() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options())
        #expect(session.isConnected)
        #expect(session.authenticatedWith == "publickey \(server.keyPath)")
        #expect(session.hostKey.algorithm == "ssh-ed25519")
        #expect(session.hostKey.fingerprint == (try await server.hostKeyFingerprint()))
        let sftp = try await session.openSFTP()
        let home = try await sftp.realpath(".")
        #expect(home.hasSuffix("/home/\(server.user)"))
    }

    @Test("the password logs in when it is the only method")
    func passwordLogin() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options(auth: [.password(SSHSecret(try server.password()))]))
        #expect(session.authenticatedWith == "password")
        let result = try await session.exec("whoami")
        #expect(result.stdoutText == server.user + "\n")
    }

    @Test("a wrong password is authenticationFailed and the message never shows it")
    func wrongPassword() async throws {
        let server = try await SSHTestServer.shared()
        let wrong = "not-the-password-\(UUID().uuidString)"
        let error = await expectSSH2Error {
            _ = try await SSHSession.connect(server.options(auth: [.password(SSHSecret(wrong))]))
        }
        let e = try #require(error)
        #expect(e.kind == .authenticationFailed)
        #expect(!e.isRetryable)
        #expect(e.message.contains("password: refused"))
        let shown = e.toVFSError().description + e.cause + String(describing: e)
        #expect(!shown.contains(wrong))
    }

    @Test("methods are tried in order: a refused password falls through to the key")
    func fallsThroughToNextMethod() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options(auth: [
            .identityFile("/nonexistent/id_ed25519"), .password(SSHSecret("wrong")), .identityFile(server.keyPath),
        ]))
        #expect(session.authenticatedWith == "publickey \(server.keyPath)")
    }

    @Test("a refused RSA key explains that libssh2 1.10 cannot sign rsa-sha2 and suggests ed25519")
    func rsaKeyHint() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = folder + "/id_rsa"
        let generated = try await runTool(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", key])
        #expect(generated.status == 0)
        let error = await expectSSH2Error { _ = try await SSHSession.connect(server.options(auth: [.identityFile(key)])) }
        let e = try #require(error)
        #expect(e.kind == .authenticationFailed)
        let remedy = e.toVFSError().remedy ?? ""
        #expect(remedy.contains("libssh2 1.10 cannot sign with rsa-sha2"))
        #expect(remedy.contains("ed25519"))
    }

    @Test("an encrypted key logs in with its passphrase; a wrong passphrase says the key could not be loaded")
    func passphraseProtectedKey() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = folder + "/id_encrypted"  // the authorised key, re-encrypted; no .pub beside it
        try FileManager.default.copyItem(atPath: server.keyPath, toPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let encrypted = try await runTool(["ssh-keygen", "-q", "-p", "-P", "", "-N", "correct horse", "-f", key])
        #expect(encrypted.status == 0, "ssh-keygen: \(encrypted.stderr)")

        let session = try await SSHSession.connect(server.options(auth: [.identityFile(key, passphrase: SSHSecret("correct horse"))]))
        #expect(session.authenticatedWith == "publickey \(key)")

        let error = await expectSSH2Error {
            _ = try await SSHSession.connect(server.options(auth: [.identityFile(key, passphrase: SSHSecret("battery staple"))]))
        }
        let e = try #require(error)
        #expect(e.kind == .authenticationFailed)
        #expect(e.message.contains("cannot load it"))
        #expect(!e.toVFSError().description.contains("battery staple"))
    }

    @Test("ssh-agent keys log in through the agent socket")
    func agentLogin() async throws {
        let server = try await SSHTestServer.shared()
        try await withSSHAgent { socket in
            let added = try await runTool(["ssh-add", server.keyPath], environment: ["SSH_AUTH_SOCK": socket])
            #expect(added.status == 0, "ssh-add: \(added.stderr)")
            let session = try await SSHSession.connect(server.options(auth: [.agent(socket: socket)]))
            #expect(session.authenticatedWith == "publickey (ssh-agent)")
        }
    }

    @Test("an unknown host key is refused, showing its SHA256 fingerprint and how to accept it")
    func unknownHostKeyRefused() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let knownHosts = folder + "/known_hosts"
        try "# nothing trusted yet\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let error = await expectSSH2Error { _ = try await SSHSession.connect(server.options(knownHosts: knownHosts)) }
        let e = try #require(error)
        #expect(e.kind == .authenticationFailed)
        let text = e.toVFSError().description
        #expect(text.contains(try await server.hostKeyFingerprint()))
        #expect(text.contains("--accept-new-host-key"))
        #expect(text.contains("accept_new_host_key = true"))
        #expect(text.contains(knownHosts))
        #expect(try String(contentsOfFile: knownHosts, encoding: .utf8) == "# nothing trusted yet\n")
    }

    @Test("accept-new records an unknown host key in a new 0600 known_hosts file, then trusts it")
    func acceptNewRecordsKey() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let knownHosts = folder + "/ssh/known_hosts"
        let first = try await SSHSession.connect(server.options(knownHosts: knownHosts, acceptNew: true))
        let recorded = try String(contentsOfFile: knownHosts, encoding: .utf8)
        #expect(recorded == "[\(server.host)]:\(server.port) ssh-ed25519 \(first.hostKey.base64)\n")
        let mode = try FileManager.default.attributesOfItem(atPath: knownHosts)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // OpenSSH agrees with what we wrote.
        let check = try await runTool(["ssh-keygen", "-F", "[\(server.host)]:\(server.port)", "-f", knownHosts])
        #expect(check.status == 0)
        let second = try await SSHSession.connect(server.options(knownHosts: knownHosts))
        #expect(second.hostKey == first.hostKey)
    }

    @Test("a changed host key is refused as CHANGED, even with accept-new, naming the known_hosts file")
    func changedHostKeyRefused() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let otherKey = folder + "/other"
        _ = try await runTool(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey])
        let otherPublic = try String(contentsOfFile: otherKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let knownHosts = folder + "/known_hosts"
        try "[\(server.host)]:\(server.port) \(otherPublic)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        for acceptNew in [false, true] {
            let error = await expectSSH2Error {
                _ = try await SSHSession.connect(server.options(knownHosts: knownHosts, acceptNew: acceptNew))
            }
            let e = try #require(error)
            #expect(e.kind == .authenticationFailed)
            #expect(e.message.contains("CHANGED"))
            #expect(e.message.contains("man-in-the-middle"))
            #expect(e.message.contains(knownHosts))
            #expect(e.message.contains(try await server.hostKeyFingerprint()))
        }
    }

    @Test("an entry for the bare host (port 22) neither matches nor counts as a change on another port")
    func otherPortEntryIgnored() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let otherKey = folder + "/other"
        _ = try await runTool(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", otherKey])
        let otherPublic = try String(contentsOfFile: otherKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let knownHosts = folder + "/known_hosts"
        try "\(server.host) \(otherPublic)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let error = await expectSSH2Error { _ = try await SSHSession.connect(server.options(knownHosts: knownHosts)) }
        #expect(error?.message.contains("is unknown") == true)

        let trusted = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        try ("\(server.host) \(otherPublic)\n@cert-authority *.example ssh-ed25519 AAAA\n" + trusted)
            .write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let session = try await SSHSession.connect(server.options(knownHosts: knownHosts))
        #expect(session.isConnected)
    }

    @Test("a server that never sends the SSH banner times out, retryably")
    func handshakeTimeout() async throws {
        // A listening socket that never accepts: the kernel completes the TCP handshake, nobody speaks.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound && listen(fd, 4) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = await expectSSH2Error {
            _ = try await SSHSession.connect(SSHConnectionOptions(host: "127.0.0.1", port: port, username: "nobody",
                                                                  authMethods: [], connectTimeout: 5, timeout: 1))
        }
        let e = try #require(error)
        #expect(e.kind == .timedOut)
        #expect(e.toVFSError().isRetryable)
    }

    @Test("a closed port is unavailable and retryable")
    func connectionRefused() async throws {
        let error = await expectSSH2Error {
            _ = try await SSHSession.connect(SSHConnectionOptions(host: "127.0.0.1", port: 17999, username: "nobody",
                                                                  authMethods: [], connectTimeout: 5))
        }
        let e = try #require(error)
        #expect(e.kind == .unavailable)
        #expect(e.isRetryable)
        #expect(e.toVFSError().isRetryable)
    }

    @Test("exec returns stdout, stderr and the exit status")
    func execCollectsOutput() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options())
        let hi = try await session.exec("echo hi")
        #expect(hi.exitStatus == 0)
        #expect(hi.stdoutText == "hi\n")
        #expect(hi.stderr.isEmpty)
        let failing = try await session.exec("echo oops >&2; exit 3")
        #expect(failing.exitStatus == 3)
        #expect(failing.stderrText == "oops\n")
        let quoted = try await session.exec("printf %s " + SSHSession.shellQuoted("it's a \"test\" $HOME"))
        #expect(quoted.stdoutText == "it's a \"test\" $HOME")
    }

    @Test("exec drains a command that floods stdout and stderr at once")
    func execFloodsBothStreams() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options())
        let result = try await session.exec("head -c 3000000 /dev/zero >&2; head -c 3000000 /dev/zero")
        #expect(result.exitStatus == 0)
        #expect(result.stdout.count == 3_000_000)
        #expect(result.stderr.count == 3_000_000)
    }

    @Test("after disconnect, requests fail with unavailable")
    func disconnectCloses() async throws {
        let server = try await SSHTestServer.shared()
        let session = try await SSHSession.connect(server.options())
        let sftp = try await session.openSFTP()
        let file = try await sftp.openRead(".ssh/authorized_keys")
        await session.disconnect()
        #expect(!session.isConnected)
        let error = await expectSSH2Error { _ = try await sftp.stat(".") }
        #expect(error?.kind == .unavailable)
        let readError = await expectSSH2Error { _ = try await file.read() }
        #expect(readError?.kind == .unavailable)
        let execError = await expectSSH2Error { _ = try await session.exec("true") }
        #expect(execError?.kind == .unavailable)
    }
}

