import CDCTCSSH2
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's host key as seen during the handshake.
public struct SSHHostKey: Sendable, Hashable, CustomStringConvertible {
    /// The key algorithm (`ssh-ed25519`, `ecdsa-sha2-nistp256`...).
    public var algorithm: String
    /// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the key blob's SHA-256.
    public var fingerprint: String
    /// The key blob in base64, as `known_hosts` stores it.
    public var base64: String

    public var description: String { "\(algorithm) \(fingerprint)" }

    public init(algorithm: String, fingerprint: String, base64: String) {
        self.algorithm = algorithm
        self.fingerprint = fingerprint
        self.base64 = base64
    }
}

/// A host key type as libssh2's session and known-hosts APIs number it.
struct HostKeyType {
    /// `LIBSSH2_HOSTKEY_TYPE_*` from `libssh2_session_hostkey`.
    let sessionType: Int32
    /// `LIBSSH2_KNOWNHOST_KEY_*` for `libssh2_knownhost_*`.
    let knownHostMask: Int32
    /// The name in `known_hosts` and in the protocol.
    let name: String

    /// The types libssh2 1.10 can verify, in our order of preference (OpenSSH's: ed25519 first).
    /// DSA is left out (disabled in OpenSSH since 7.0); libssh2 1.10 has no rsa-sha2-* host keys.
    static let all: [HostKeyType] = [
        HostKeyType(sessionType: LIBSSH2_HOSTKEY_TYPE_ED25519, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ED25519, name: "ssh-ed25519"),
        HostKeyType(sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_256, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_256, name: "ecdsa-sha2-nistp256"),
        HostKeyType(sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_384, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_384, name: "ecdsa-sha2-nistp384"),
        HostKeyType(sessionType: LIBSSH2_HOSTKEY_TYPE_ECDSA_521, knownHostMask: LIBSSH2_KNOWNHOST_KEY_ECDSA_521, name: "ecdsa-sha2-nistp521"),
        HostKeyType(sessionType: LIBSSH2_HOSTKEY_TYPE_RSA, knownHostMask: LIBSSH2_KNOWNHOST_KEY_SSHRSA, name: "ssh-rsa"),
    ]

    static func forSession(_ type: Int32) -> HostKeyType? { all.first { $0.sessionType == type } }
}

/// An OpenSSH `known_hosts` file loaded into a `LIBSSH2_KNOWNHOSTS` collection.
///
/// Lines are fed one by one to `libssh2_knownhost_readline` so that a line libssh2 1.10 cannot
/// parse (`@cert-authority`, security-key types) is skipped instead of ending the load, as
/// `libssh2_knownhost_readfile` would. New keys are appended as one line rather than with
/// `libssh2_knownhost_writefile`, which rewrites the file from what libssh2 parsed and would
/// drop comments and those skipped lines.
final class KnownHostsFile {
    private let hosts: OpaquePointer
    /// Kept alive while `hosts` exists: `libssh2_knownhost_free` uses the session's allocator.
    private let session: SessionCore
    let path: String
    private var contents = Data()

    /// Wraps `libssh2_knownhost_init`.
    init(session: SessionCore, path: String) throws {
        guard let hosts = libssh2_knownhost_init(session.session) else {
            throw session.error(function: "libssh2_knownhost_init", context: "cannot read known hosts")
        }
        self.hosts = hosts
        self.session = session
        self.path = path
    }

    deinit { libssh2_knownhost_free(hosts) }

    /// Loads the file; a missing file is an empty one.
    /// - Throws: `SSH2Error` `.permissionDenied`/`.io` when the file exists but cannot be read.
    func load() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSH2Error(.permissionDenied, "cannot read the known hosts file", path: path,
                            remedy: "check its permissions", function: "open")
        }
        contents = data
        for line in data.split(separator: UInt8(ascii: "\n")) {
            var bytes = Array(line)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 }), first != UInt8(ascii: "#"),
                  first != UInt8(ascii: "@") else { continue }
            // libssh2 1.10 reads the byte just past `len` (looking for a newline to drop): a
            // terminating NUL keeps it inside the buffer. Without it, a stray '\n' byte there cut
            // the key's last character, and a trusted key was intermittently reported as CHANGED.
            let length = bytes.count
            bytes.append(0)
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    _ = libssh2_knownhost_readline(hosts, chars.baseAddress, length, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
                }
            }
        }
    }

    enum CheckResult { case match, mismatch, notFound }

    /// Compares `key` with the entries for `name` (`host`, or `[host]:port` off port 22).
    ///
    /// Wraps `libssh2_knownhost_checkp` with port -1 and the already-formed name: given a port,
    /// libssh2 1.10 also accepts entries for the bare host (another port), which OpenSSH does not.
    func check(name: String, key: [UInt8], type: HostKeyType) throws -> CheckResult {
        let typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type.knownHostMask
        let rc = key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                libssh2_knownhost_checkp(hosts, name, -1, chars.baseAddress, chars.count, typemask, nil)
            }
        }
        switch rc {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH: return .match
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH: return .mismatch
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND: return .notFound
        default:
            throw SSH2Error(.io, "libssh2 could not check the host key", path: path, function: "libssh2_knownhost_checkp",
                            code: LIBSSH2_ERROR_KNOWN_HOSTS)
        }
    }

    /// True when the file has an entry of this key type for `name` (whatever its key).
    func hasEntry(name: String, type: HostKeyType) -> Bool {
        // No real key has these bytes: a mismatch means an entry of this type exists.
        (try? check(name: name, key: Array("dctc-probe".utf8), type: type)) == .mismatch
    }

    /// Appends `name TYPE BASE64` to the file, creating it (0600) and its folder (0700).
    /// Wraps `libssh2_knownhost_addc` and `libssh2_knownhost_writeline`.
    /// - Throws: `SSH2Error` `.io`/`.permissionDenied` when the file cannot be written.
    func append(name: String, key: [UInt8], type: HostKeyType) throws {
        let typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type.knownHostMask
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let added = key.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                libssh2_knownhost_addc(hosts, name, nil, chars.baseAddress, chars.count, nil, 0, typemask, &entry)
            }
        }
        var line = [CChar](repeating: 0, count: 16 * 1024)
        var length = 0
        guard added == 0, let entry,
              libssh2_knownhost_writeline(hosts, entry, &line, line.count, &length, LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0 else {
            throw SSH2Error(.io, "libssh2 could not format the known hosts entry", path: path,
                            function: "libssh2_knownhost_writeline", code: LIBSSH2_ERROR_KNOWN_HOSTS)
        }
        var bytes = line.prefix(length).map { UInt8(bitPattern: $0) }
        if !contents.isEmpty && contents.last != UInt8(ascii: "\n") { bytes.insert(UInt8(ascii: "\n"), at: 0) }
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }

        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = errno
            throw SSH2Error(e == EACCES ? .permissionDenied : .io,
                            "cannot write the known hosts file: \(String(cString: strerror(e)))",
                            path: path, function: "open", systemErrno: e)
        }
        defer { closeDescriptor(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let e = errno
            throw SSH2Error(.io, "cannot write the known hosts file: \(String(cString: strerror(e)))",
                            path: path, function: "write", systemErrno: e)
        }
        contents.append(contentsOf: bytes)
    }
}

extension SessionCore {
    /// Puts the host key types that `known_hosts` already holds for this host first in the
    /// handshake's preference list, so the server is asked for a key we can verify (libssh2
    /// would otherwise prefer ECDSA while OpenSSH records ed25519). Wraps
    /// `libssh2_session_method_pref(LIBSSH2_METHOD_HOSTKEY)`.
    func preferKnownHostKeyTypes(knownHosts: KnownHostsFile, name: String) {
        let known = HostKeyType.all.filter { knownHosts.hasEntry(name: name, type: $0) }
        let order = known + HostKeyType.all.filter { type in !known.contains { $0.name == type.name } }
        _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, order.map(\.name).joined(separator: ","))
    }

    /// The key the server presented in the handshake. Wraps `libssh2_session_hostkey` and
    /// `libssh2_hostkey_hash(LIBSSH2_HOSTKEY_HASH_SHA256)`.
    func presentedHostKey() throws -> (key: [UInt8], type: HostKeyType, info: SSHHostKey) {
        var length = 0
        var rawType: Int32 = 0
        guard let pointer = libssh2_session_hostkey(session, &length, &rawType), length > 0 else {
            throw error(function: "libssh2_session_hostkey", context: "the server sent no host key")
        }
        let key = pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        guard let type = HostKeyType.forSession(rawType) else {
            throw SSH2Error(.unsupported, "the server's host key type (\(rawType)) cannot be verified", path: address,
                            function: "libssh2_session_hostkey")
        }
        var fingerprint = "SHA256:?"
        if let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) {
            let digest = hash.withMemoryRebound(to: UInt8.self, capacity: 32) { Data(bytes: $0, count: 32) }
            fingerprint = "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
        }
        return (key, type, SSHHostKey(algorithm: type.name, fingerprint: fingerprint, base64: Data(key).base64EncodedString()))
    }

    /// Checks the presented host key against `known_hosts`; records an unknown key when
    /// `acceptNew` is set.
    ///
    /// - Throws: `SSH2Error` `.authenticationFailed` for a changed key (possible
    ///   man-in-the-middle) or an unknown key that may not be accepted; the message shows the
    ///   SHA256 fingerprint and says how to proceed.
    func verifyHostKey(knownHosts: KnownHostsFile, name: String, acceptNew: Bool,
                       ask prompter: (any SSHPrompter)? = nil) throws -> SSHHostKey {
        let (key, type, info) = try presentedHostKey()
        switch try knownHosts.check(name: name, key: key, type: type) {
        case .match:
            return info
        case .mismatch:
            throw SSH2Error(
                .authenticationFailed,
                "the host key of \(name) has CHANGED since it was recorded in \(knownHosts.path) " +
                "(possible man-in-the-middle attack, or the server was reinstalled); it now offers \(info)",
                path: address,
                remedy: "if you trust the new key, remove the old one with `ssh-keygen -R '\(name)' -f \(knownHosts.path)` and connect again",
                function: "libssh2_knownhost_checkp")
        case .notFound:
            if !acceptNew, let prompter {
                guard SSHPromptRules.trusts(info, name: name, prompter: prompter) else {
                    throw SSH2Error(.authenticationFailed,
                                    "host key verification failed: the host key of \(name) (\(info)) was not accepted",
                                    path: address, remedy: "connect again and answer `yes` if this fingerprint is the server's",
                                    function: "libssh2_knownhost_checkp")
                }
                try knownHosts.append(name: name, key: key, type: type)
                return info
            }
            guard acceptNew else {
                throw SSH2Error(
                    .authenticationFailed,
                    "the host key of \(name) is unknown (not in \(knownHosts.path)); the server offers \(info)",
                    path: address,
                    remedy: "if this fingerprint is the server's, accept it once with `--accept-new-host-key` " +
                            "or set `accept_new_host_key = true` on the account",
                    function: "libssh2_knownhost_checkp")
            }
            try knownHosts.append(name: name, key: key, type: type)
            return info
        }
    }
}
