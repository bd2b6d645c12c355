import CDCTCSSH2
import DCTCCore

/// A failure of libssh2 or of the SSH layer around it, classified for users.
///
/// `code` is the libssh2 return code (`LIBSSH2_ERROR_*`, negative; 0 when the failure is ours,
/// such as a refused host key, or a socket call with `systemErrno`). For SFTP requests that the
/// server answered with an error, `code` is `LIBSSH2_ERROR_SFTP_PROTOCOL` (-31) and
/// `sftpStatus` holds the SFTP status (`LIBSSH2_FX_*`). `kind` is the `VFSError.Code` the
/// failure maps to:
///
/// | C code | kind |
/// |---|---|
/// | `LIBSSH2_FX_NO_SUCH_FILE` (2), `LIBSSH2_FX_NO_SUCH_PATH` (10) | `.notFound` |
/// | `LIBSSH2_FX_PERMISSION_DENIED` (3), `LIBSSH2_FX_WRITE_PROTECT` (12) | `.permissionDenied` |
/// | `LIBSSH2_FX_FILE_ALREADY_EXISTS` (11) | `.alreadyExists` |
/// | `LIBSSH2_FX_DIR_NOT_EMPTY` (18) (and `FAILURE` on rmdir of a directory, see `SFTPClient`) | `.notEmpty` |
/// | `LIBSSH2_FX_NOT_A_DIRECTORY` (19) | `.notADirectory` |
/// | `LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM` (14), `LIBSSH2_FX_QUOTA_EXCEEDED` (15), `LIBSSH2_FX_FAILURE` (4), others | `.io` |
/// | `LIBSSH2_FX_OP_UNSUPPORTED` (8), `LIBSSH2_ERROR_METHOD_NOT_SUPPORTED` (-33) | `.unsupported` |
/// | `LIBSSH2_FX_NO_CONNECTION` (6), `LIBSSH2_FX_CONNECTION_LOST` (7), socket, banner, key exchange and channel-closed errors | `.unavailable` (retryable) |
/// | `LIBSSH2_ERROR_TIMEOUT` (-9), `LIBSSH2_ERROR_SOCKET_TIMEOUT` (-30) | `.timedOut` (retryable) |
/// | `LIBSSH2_ERROR_AUTHENTICATION_FAILED` (-18), `LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED` (-19), `LIBSSH2_ERROR_PASSWORD_EXPIRED` (-15), `LIBSSH2_ERROR_KEYFILE_AUTH_FAILED` (-48), `LIBSSH2_ERROR_AGENT_PROTOCOL` (-42), refused host keys | `.authenticationFailed` |
///
/// Messages never contain passwords or passphrases.
public struct SSH2Error: Error, Sendable, CustomStringConvertible, VFSErrorConvertible {
    /// The `VFSError` code this failure maps to.
    public var kind: VFSError.Code
    /// What failed, in words a user understands.
    public var message: String
    /// The remote path (or `user@host:port` for session failures) the failure concerns.
    public var path: String?
    /// What to do about it; a default per `kind` is used when nil.
    public var remedy: String?
    /// The C function that failed (`libssh2_sftp_open_ex`, `connect`...).
    public var function: String
    /// The libssh2 return code (`LIBSSH2_ERROR_*`), 0 when not from libssh2.
    public var code: Int32
    /// The SFTP status (`LIBSSH2_FX_*`) when `code` is `LIBSSH2_ERROR_SFTP_PROTOCOL`.
    public var sftpStatus: UInt?
    /// The `errno` of a failed socket call.
    public var systemErrno: Int32?

    public init(_ kind: VFSError.Code, _ message: String, path: String? = nil, remedy: String? = nil,
                function: String, code: Int32 = 0, sftpStatus: UInt? = nil, systemErrno: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.remedy = remedy
        self.function = function
        self.code = code
        self.sftpStatus = sftpStatus
        self.systemErrno = systemErrno
    }

    /// Classifies a libssh2 failure.
    ///
    /// - Parameters:
    ///   - code: the libssh2 return code (`LIBSSH2_ERROR_*`).
    ///   - sftpStatus: the SFTP status when `code` is `LIBSSH2_ERROR_SFTP_PROTOCOL`.
    ///   - function: the C function that failed.
    ///   - libraryMessage: libssh2's own message (`libssh2_session_last_error`).
    ///   - context: what we were doing, for transport failures ("reading the file").
    ///   - path: the path concerned.
    public init(code: Int32, sftpStatus: UInt? = nil, function: String, libraryMessage: String = "",
                context: String? = nil, path: String? = nil) {
        let status = code == LIBSSH2_ERROR_SFTP_PROTOCOL ? sftpStatus : nil
        let kind = status.map(Self.kind(forSFTPStatus:)) ?? Self.kind(forCode: code)
        var message: String
        if let status {
            message = Self.describe(sftpStatus: status)
        } else {
            message = libraryMessage.isEmpty ? Self.name(ofCode: code) : libraryMessage
            if let context { message = "\(context): \(message)" }
        }
        self.init(kind, message, path: path, function: function, code: code, sftpStatus: status)
    }

    /// True when trying again (on a new connection) may succeed.
    public var isRetryable: Bool { kind == .unavailable || kind == .timedOut }

    /// The native cause, for `--verbose`: `libssh2_sftp_open_ex: LIBSSH2_ERROR_SFTP_PROTOCOL (-31), LIBSSH2_FX_NO_SUCH_FILE (2)`.
    public var cause: String {
        var parts: [String] = []
        if code != 0 { parts.append("\(Self.name(ofCode: code)) (\(code))") }
        if let sftpStatus { parts.append("\(Self.name(ofSFTPStatus: sftpStatus)) (\(sftpStatus))") }
        if let systemErrno { parts.append("errno \(systemErrno)") }
        return parts.isEmpty ? function : "\(function): " + parts.joined(separator: ", ")
    }

    /// One line: `PATH: MESSAGE (REMEDY)`.
    public var description: String { toVFSError().description }

    /// `VFSErrorConvertible`: the same as `toVFSError(path:)`.
    public func vfsError(path: String?) -> VFSError { toVFSError(path: path) }

    /// The same failure as the `VFSError` every store throws.
    ///
    /// - Parameter path: the address to show (as the user typed it); defaults to `self.path`.
    public func toVFSError(path: String? = nil) -> VFSError {
        VFSError(kind, message, path: path ?? self.path, remedy: remedy ?? Self.defaultRemedy(for: kind, sftpStatus: sftpStatus),
                 backend: "sftp", cause: cause, retryable: isRetryable)
    }

    /// The same error with another path, message or kind (used when a caller knows more).
    func with(kind: VFSError.Code? = nil, message: String? = nil, path: String? = nil, remedy: String? = nil) -> SSH2Error {
        var copy = self
        if let kind { copy.kind = kind }
        if let message { copy.message = message }
        if let path { copy.path = path }
        if let remedy { copy.remedy = remedy }
        return copy
    }

    // MARK: - Classification

    /// The `VFSError` code for an SFTP status (`LIBSSH2_FX_*`).
    public static func kind(forSFTPStatus status: UInt) -> VFSError.Code {
        switch status {
        case LIBSSH2_FX_NO_SUCH_FILE, LIBSSH2_FX_NO_SUCH_PATH: .notFound
        case LIBSSH2_FX_PERMISSION_DENIED, LIBSSH2_FX_WRITE_PROTECT: .permissionDenied
        case LIBSSH2_FX_FILE_ALREADY_EXISTS: .alreadyExists
        case LIBSSH2_FX_DIR_NOT_EMPTY: .notEmpty
        case LIBSSH2_FX_NOT_A_DIRECTORY: .notADirectory
        case LIBSSH2_FX_OP_UNSUPPORTED: .unsupported
        case LIBSSH2_FX_NO_CONNECTION, LIBSSH2_FX_CONNECTION_LOST: .unavailable
        case LIBSSH2_FX_INVALID_FILENAME: .invalidArgument
        default: .io  // FAILURE, NO_SPACE_ON_FILESYSTEM, QUOTA_EXCEEDED, LOCK_CONFLICT...
        }
    }

    /// The `VFSError` code for a libssh2 return code (`LIBSSH2_ERROR_*`).
    public static func kind(forCode code: Int32) -> VFSError.Code {
        switch code {
        case LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_SOCKET_TIMEOUT:
            return .timedOut
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND,
             LIBSSH2_ERROR_INVALID_MAC, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_SOCKET_SEND,
             LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_DECRYPT, LIBSSH2_ERROR_SOCKET_DISCONNECT,
             LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_CHANNEL_CLOSED, LIBSSH2_ERROR_CHANNEL_EOF_SENT,
             LIBSSH2_ERROR_CHANNEL_FAILURE, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_ENCRYPT,
             LIBSSH2_ERROR_BAD_SOCKET:
            return .unavailable
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED,
             LIBSSH2_ERROR_PASSWORD_EXPIRED, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED,
             LIBSSH2_ERROR_AGENT_PROTOCOL, LIBSSH2_ERROR_METHOD_NONE, LIBSSH2_ERROR_PUBLICKEY_PROTOCOL:
            return .authenticationFailed
        case LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, LIBSSH2_ERROR_REQUEST_DENIED,
             LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED:
            return .unsupported
        case LIBSSH2_ERROR_INVAL, LIBSSH2_ERROR_BAD_USE:
            return .invalidArgument
        default:
            return .io
        }
    }

    static func defaultRemedy(for kind: VFSError.Code, sftpStatus: UInt?) -> String? {
        if sftpStatus == LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM || sftpStatus == LIBSSH2_FX_QUOTA_EXCEEDED {
            return "free space on the server or raise the account's quota"
        }
        switch kind {
        case .notFound: return "check the name and its parent folder with `dctc ls`"
        case .permissionDenied: return "the SSH user lacks permission here: check the remote owner and mode"
        case .alreadyExists: return "remove it first or choose another name"
        case .notEmpty: return "remove its contents first"
        case .notADirectory: return "a file is in the way where a folder is expected"
        case .isADirectory: return "this is a folder: name a file"
        case .unsupported: return "this SSH server does not offer it"
        case .unavailable: return "check that the server is running and reachable, then run the command again"
        case .timedOut: return "the server did not answer in time: run the command again, or raise the timeout for slow links"
        case .authenticationFailed: return "check the user name and credentials"
        default: return nil
        }
    }

    /// User words for an SFTP status.
    static func describe(sftpStatus status: UInt) -> String {
        switch status {
        case LIBSSH2_FX_EOF: "unexpected end of file"
        case LIBSSH2_FX_NO_SUCH_FILE, LIBSSH2_FX_NO_SUCH_PATH: "no such file or directory"
        case LIBSSH2_FX_PERMISSION_DENIED: "permission denied"
        case LIBSSH2_FX_WRITE_PROTECT: "the remote file system is read-only"
        case LIBSSH2_FX_FAILURE: "the server refused the request (SFTP failure)"
        case LIBSSH2_FX_BAD_MESSAGE: "the server did not understand the request"
        case LIBSSH2_FX_NO_CONNECTION, LIBSSH2_FX_CONNECTION_LOST: "the SFTP connection was lost"
        case LIBSSH2_FX_OP_UNSUPPORTED: "the server does not support this operation"
        case LIBSSH2_FX_INVALID_HANDLE: "the file handle is no longer valid"
        case LIBSSH2_FX_FILE_ALREADY_EXISTS: "already exists"
        case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: "no space left on the server's disk"
        case LIBSSH2_FX_QUOTA_EXCEEDED: "the account's disk quota is exceeded"
        case LIBSSH2_FX_LOCK_CONFLICT: "the file is locked"
        case LIBSSH2_FX_DIR_NOT_EMPTY: "the folder is not empty"
        case LIBSSH2_FX_NOT_A_DIRECTORY: "not a folder"
        case LIBSSH2_FX_INVALID_FILENAME: "the server refuses this file name"
        case LIBSSH2_FX_LINK_LOOP: "too many levels of symbolic links"
        default: "SFTP error \(name(ofSFTPStatus: status))"
        }
    }

    /// The C name of an SFTP status (`LIBSSH2_FX_NO_SUCH_FILE`).
    public static func name(ofSFTPStatus status: UInt) -> String {
        let names = ["OK", "EOF", "NO_SUCH_FILE", "PERMISSION_DENIED", "FAILURE", "BAD_MESSAGE",
                     "NO_CONNECTION", "CONNECTION_LOST", "OP_UNSUPPORTED", "INVALID_HANDLE", "NO_SUCH_PATH",
                     "FILE_ALREADY_EXISTS", "WRITE_PROTECT", "NO_MEDIA", "NO_SPACE_ON_FILESYSTEM",
                     "QUOTA_EXCEEDED", "UNKNOWN_PRINCIPAL", "LOCK_CONFLICT", "DIR_NOT_EMPTY",
                     "NOT_A_DIRECTORY", "INVALID_FILENAME", "LINK_LOOP"]
        return status < UInt(names.count) ? "LIBSSH2_FX_" + names[Int(status)] : "LIBSSH2_FX_\(status)"
    }

    /// The C name of a libssh2 return code (`LIBSSH2_ERROR_SOCKET_RECV`).
    public static func name(ofCode code: Int32) -> String {
        let names = ["NONE", "SOCKET_NONE", "BANNER_RECV", "BANNER_SEND", "INVALID_MAC", "KEX_FAILURE",
                     "ALLOC", "SOCKET_SEND", "KEY_EXCHANGE_FAILURE", "TIMEOUT", "HOSTKEY_INIT",
                     "HOSTKEY_SIGN", "DECRYPT", "SOCKET_DISCONNECT", "PROTO", "PASSWORD_EXPIRED", "FILE",
                     "METHOD_NONE", "AUTHENTICATION_FAILED", "PUBLICKEY_UNVERIFIED", "CHANNEL_OUTOFORDER",
                     "CHANNEL_FAILURE", "CHANNEL_REQUEST_DENIED", "CHANNEL_UNKNOWN",
                     "CHANNEL_WINDOW_EXCEEDED", "CHANNEL_PACKET_EXCEEDED", "CHANNEL_CLOSED",
                     "CHANNEL_EOF_SENT", "SCP_PROTOCOL", "ZLIB", "SOCKET_TIMEOUT", "SFTP_PROTOCOL",
                     "REQUEST_DENIED", "METHOD_NOT_SUPPORTED", "INVAL", "INVALID_POLL_TYPE",
                     "PUBLICKEY_PROTOCOL", "EAGAIN", "BUFFER_TOO_SMALL", "BAD_USE", "COMPRESS",
                     "OUT_OF_BOUNDARY", "AGENT_PROTOCOL", "SOCKET_RECV", "ENCRYPT", "BAD_SOCKET",
                     "KNOWN_HOSTS", "CHANNEL_WINDOW_FULL", "KEYFILE_AUTH_FAILED", "RANDGEN"]
        let index = -Int(code)
        return index >= 0 && index < names.count ? "LIBSSH2_ERROR_" + names[index] : "LIBSSH2_ERROR(\(code))"
    }
}
