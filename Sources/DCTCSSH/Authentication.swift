import CDCTCSSH2
import DCTCCore
import Foundation

extension SessionCore {
    /// Logs in with the first method that works, in the order given.
    ///
    /// Asks the server which methods it accepts first (`libssh2_userauth_list`) and skips the
    /// others. Wraps `libssh2_agent_*` (ssh-agent), `libssh2_userauth_publickey_fromfile_ex`
    /// and `libssh2_userauth_password_ex`. Secrets are passed to libssh2 and appear nowhere else.
    ///
    /// - Parameters:
    ///   - username: the remote user.
    ///   - methods: the methods to try, in order.
    ///   - prompter: on a terminal, asks for the passphrase of an encrypted key that has none,
    ///     and for a password when every configured method failed (up to 3 times each, as `ssh`).
    ///   - host: the host name shown in the password prompt (`user@host's password:`).
    /// - Returns: how we logged in (`password`, `publickey /path`, `publickey (ssh-agent)`).
    /// - Throws: `SSH2Error` `.authenticationFailed` listing what was tried and why each failed
    ///   (never a secret), or the transport error that ended the attempt.
    func authenticate(username: String, methods: [SSHAuthMethod], prompter: (any SSHPrompter)? = nil,
                      host: String = "") throws -> String {
        let userLength = UInt32(username.utf8.count)
        guard let listPointer = libssh2_userauth_list(session, username, userLength) else {
            if libssh2_userauth_authenticated(session) != 0 { return "none" }
            throw error(function: "libssh2_userauth_list", context: "asking the server how to log in")
        }
        let offeredText = String(cString: listPointer)
        let offered = Set(offeredText.split(separator: ",").map(String.init))
        var attempts: [String] = []
        var refusedRSA = false

        for method in methods {
            switch method {
            case .agent(let socket):
                guard offered.contains("publickey") else { attempts.append("ssh-agent: the server takes no keys"); continue }
                let path = socket ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] ?? ""
                guard !path.isEmpty else { attempts.append("ssh-agent: SSH_AUTH_SOCK is not set"); continue }
                let outcome = try authenticateWithAgent(username: username, socket: path)
                if outcome.success { return "publickey (ssh-agent)" }
                refusedRSA = refusedRSA || outcome.refusedRSA
                attempts.append("ssh-agent: \(outcome.note)")

            case .identityFile(let path, let passphrase):
                guard offered.contains("publickey") else { attempts.append("key \(path): the server takes no keys"); continue }
                guard FileManager.default.isReadableFile(atPath: path) else {
                    attempts.append("key \(path): cannot read the file")
                    continue
                }
                let publicPath = path + ".pub"
                let hasPublic = FileManager.default.isReadableFile(atPath: publicPath)
                var rc = CDCTCSSH2_userauth_publickey_fromfile(session, username, userLength,
                                                               hasPublic ? publicPath : nil, path, passphrase?.value)
                if rc == 0 { return "publickey \(path)" }
                if passphrase == nil, let prompter, rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED,
                   IdentityFileInspector.isEncrypted(path) {
                    // As ssh: ask for the passphrase of an encrypted key, up to 3 times.
                    let outcome = try askAndTry(prompter, key: "passphrase \(path)", prompt: "Enter passphrase for key '\(path)': ",
                                                function: "libssh2_userauth_publickey_fromfile_ex",
                                                again: { $0 == LIBSSH2_ERROR_FILE || $0 == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED }) {
                        CDCTCSSH2_userauth_publickey_fromfile(self.session, username, userLength,
                                                              hasPublic ? publicPath : nil, path, $0.value)
                    }
                    if outcome.rc == 0 { return "publickey \(path)" }
                    rc = outcome.rc
                }
                try rethrowTransportFailure(rc, function: "libssh2_userauth_publickey_fromfile_ex")
                if rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_KEYFILE_AUTH_FAILED {
                    attempts.append("key \(path): libssh2 cannot load it (wrong or missing passphrase, or a key format it cannot read)")
                } else if IdentityFileInspector.keyType(ofPrivateKey: path) == "ssh-rsa" {
                    refusedRSA = true
                    attempts.append("key \(path): refused (an RSA key, see below)")
                } else {
                    attempts.append("key \(path): refused by the server")
                }

            case .password(let secret):
                guard offered.contains("password") else { attempts.append("password: the server does not accept passwords"); continue }
                let rc = CDCTCSSH2_userauth_password(session, username, userLength, secret.value,
                                                     UInt32(secret.value.utf8.count))
                if rc == 0 { return "password" }
                try rethrowTransportFailure(rc, function: "libssh2_userauth_password_ex")
                attempts.append(rc == LIBSSH2_ERROR_PASSWORD_EXPIRED ? "password: expired (change it with `ssh` first)"
                                                                      : "password: refused")
            }
        }

        if let prompter, offered.contains("password") {
            // As ssh: when nothing else worked, ask for the password on the terminal (3 tries).
            let outcome = try askAndTry(prompter, key: "password \(address)",
                                        prompt: "\(username)@\(host.isEmpty ? address : host)'s password: ",
                                        function: "libssh2_userauth_password_ex",
                                        again: { $0 != LIBSSH2_ERROR_PASSWORD_EXPIRED }) {
                CDCTCSSH2_userauth_password(self.session, username, userLength, $0.value, UInt32($0.value.utf8.count))
            }
            if outcome.rc == 0 { return "password (typed)" }
            if outcome.rc == LIBSSH2_ERROR_PASSWORD_EXPIRED { attempts.append("password: expired (change it with `ssh` first)") }
            if outcome.asked > 0 { attempts.append("typed password: refused \(outcome.asked) time(s)") }
        }

        if attempts.isEmpty { attempts.append("no login method was configured") }
        var remedy = "check the user name and credentials; the server accepts: \(offeredText)"
        if refusedRSA {
            remedy = "libssh2 1.10 cannot sign with rsa-sha2-256/512, and OpenSSH 8.8+ refuses the old ssh-rsa " +
                     "signatures: use an ed25519 key (`ssh-keygen -t ed25519`) or ECDSA key; " + remedy
        }
        throw SSH2Error(.authenticationFailed, "login as \(username) failed: " + attempts.joined(separator: "; "),
                        path: address, remedy: remedy, function: "libssh2_userauth_*",
                        code: LIBSSH2_ERROR_AUTHENTICATION_FAILED)
    }

    /// Tries the secret remembered under `key` (from an earlier session), then asks for one up
    /// to 3 times, while `again` says the refusal may be a wrong secret. A secret that works is
    /// remembered. Returns the last libssh2 code (0: logged in) and how many times it asked.
    private func askAndTry(_ prompter: any SSHPrompter, key: String, prompt: String, function: String,
                           again: (Int32) -> Bool, attempt: (SSHSecret) -> Int32) throws -> (rc: Int32, asked: Int) {
        var candidates: [SSHSecret] = prompter.remembered(key).map { [$0] } ?? []
        var asked = 0
        var rc: Int32 = LIBSSH2_ERROR_AUTHENTICATION_FAILED
        while true {
            let candidate: SSHSecret
            if !candidates.isEmpty {
                candidate = candidates.removeFirst()
            } else {
                guard asked < 3, let typed = prompter.secret(prompt) else { break }
                asked += 1
                candidate = SSHSecret(typed)
            }
            rc = attempt(candidate)
            if rc == 0 {
                prompter.remember(key, candidate)
                break
            }
            // The connection failed before the server answered: the secret was not refused, so
            // the retried connection tries it again instead of asking a second time.
            if isTransportFailure(rc) { prompter.remember(key, candidate) }
            try rethrowTransportFailure(rc, function: function)
            if !again(rc) { break }
        }
        return (rc, asked)
    }

    /// Whether `rc` is a connection failure rather than a refusal.
    private func isTransportFailure(_ rc: Int32) -> Bool {
        let kind = SSH2Error.kind(forCode: rc)
        return kind == .unavailable || kind == .timedOut
    }

    /// Throws when `rc` is a connection failure rather than a refusal (the session is then dead).
    private func rethrowTransportFailure(_ rc: Int32, function: String) throws {
        if isTransportFailure(rc) {
            throw error(rc, function: function, context: "the connection failed during login")
        }
    }

    /// Tries each key ssh-agent holds. Wraps `libssh2_agent_init`, `_set_identity_path`,
    /// `_connect`, `_list_identities`, `_get_identity`, `_userauth`, `_disconnect`, `_free`.
    private func authenticateWithAgent(username: String, socket: String) throws -> (success: Bool, refusedRSA: Bool, note: String) {
        guard let agent = libssh2_agent_init(session) else { return (false, false, "libssh2 could not start its agent client") }
        defer { libssh2_agent_free(agent) }
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0 else { return (false, false, "cannot connect to \(socket)") }
        defer { libssh2_agent_disconnect(agent) }
        guard libssh2_agent_list_identities(agent) == 0 else { return (false, false, "cannot list its keys") }

        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
        var tried = 0
        var refusedRSA = false
        while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
            tried += 1
            let rc = libssh2_agent_userauth(agent, username, current)
            if rc == 0 { return (true, false, "") }
            try rethrowTransportFailure(rc, function: "libssh2_agent_userauth")
            if IdentityFileInspector.keyType(ofBlob: current.pointee.blob, length: current.pointee.blob_len) == "ssh-rsa" {
                refusedRSA = true
            }
            previous = current
        }
        if tried == 0 { return (false, false, "holds no keys") }
        return (false, refusedRSA, "\(tried) key(s) refused" + (refusedRSA ? " (RSA keys among them, see below)" : ""))
    }
}

/// Reads the key type of a private key file without decrypting it.
enum IdentityFileInspector {
    /// `ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-nistp256`... or nil when unknown. Looks at
    /// `path.pub`, then at the PEM header or the public part of an OpenSSH-format key.
    static func keyType(ofPrivateKey path: String) -> String? {
        if let text = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
           let first = text.split(separator: " ").first {
            return String(first)
        }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else { return nil }
        if text.contains("BEGIN RSA PRIVATE KEY") { return "ssh-rsa" }
        if text.contains("BEGIN EC PRIVATE KEY") { return "ecdsa" }
        guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return nil }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let decoded = Data(base64Encoded: body) else { return nil }
        // openssh-key-v1\0, string cipher, string kdf, string kdf options, uint32 count, string public key.
        var reader = SSHWireReader(Array(decoded))
        guard reader.skip(15), reader.string() != nil, reader.string() != nil, reader.string() != nil,
              reader.uint32() != nil, let publicKey = reader.string() else { return nil }
        var keyReader = SSHWireReader(publicKey)
        return keyReader.string().flatMap { String(bytes: $0, encoding: .utf8) }
    }

    /// True when the private key is protected by a passphrase: a PEM key with `ENCRYPTED` in
    /// its header, or an OpenSSH-format key whose cipher is not `none`.
    static func isEncrypted(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20,
              let text = String(data: data, encoding: .utf8) else { return false }
        if text.contains("ENCRYPTED") { return true }
        guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return false }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined()
        guard let decoded = Data(base64Encoded: body) else { return false }
        var reader = SSHWireReader(Array(decoded))
        guard reader.skip(15), let cipher = reader.string() else { return false }
        return String(decoding: cipher, as: UTF8.self) != "none"
    }

    /// The key type at the start of a public key blob (a wire-format string).
    static func keyType(ofBlob blob: UnsafeMutablePointer<UInt8>?, length: Int) -> String? {
        guard let blob, length > 4 else { return nil }
        var reader = SSHWireReader(Array(UnsafeBufferPointer(start: blob, count: length)))
        return reader.string().flatMap { String(bytes: $0, encoding: .utf8) }
    }
}

/// Reads SSH wire-format values (RFC 4251: big-endian uint32, length-prefixed strings).
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func skip(_ count: Int) -> Bool {
        guard offset + count <= bytes.count else { return false }
        offset += count
        return true
    }

    mutating func uint32() -> UInt32? {
        guard offset + 4 <= bytes.count else { return nil }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() -> [UInt8]? {
        guard let length = uint32(), offset + Int(length) <= bytes.count else { return nil }
        defer { offset += Int(length) }
        return Array(bytes[offset..<offset + Int(length)])
    }
}
