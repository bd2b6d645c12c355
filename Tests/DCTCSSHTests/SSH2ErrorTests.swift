import DCTCCore
import DCTCSSH
import Testing

@Suite("SSH2Error maps libssh2 codes and SFTP statuses to VFSError codes")
struct SSH2ErrorTests {
    @Test("SFTP statuses map to the VFSError code a user expects", arguments: [
        (UInt(2), VFSError.Code.notFound),          // LIBSSH2_FX_NO_SUCH_FILE
        (UInt(10), VFSError.Code.notFound),         // LIBSSH2_FX_NO_SUCH_PATH
        (UInt(3), VFSError.Code.permissionDenied),  // LIBSSH2_FX_PERMISSION_DENIED
        (UInt(11), VFSError.Code.alreadyExists),    // LIBSSH2_FX_FILE_ALREADY_EXISTS
        (UInt(18), VFSError.Code.notEmpty),         // LIBSSH2_FX_DIR_NOT_EMPTY
        (UInt(14), VFSError.Code.io),               // LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM
        (UInt(8), VFSError.Code.unsupported),       // LIBSSH2_FX_OP_UNSUPPORTED
        (UInt(7), VFSError.Code.unavailable),       // LIBSSH2_FX_CONNECTION_LOST
        (UInt(4), VFSError.Code.io),                // LIBSSH2_FX_FAILURE
    ])
    func sftpStatusMapping(status: UInt, code: VFSError.Code) {
        let error = SSH2Error(code: -31, sftpStatus: status, function: "libssh2_sftp_open_ex", path: "/a")
        #expect(error.kind == code)
        #expect(error.toVFSError().code == code)
    }

    @Test("socket and timeout failures are retryable, authentication failures are not", arguments: [
        (Int32(-43), VFSError.Code.unavailable, true),            // LIBSSH2_ERROR_SOCKET_RECV
        (Int32(-13), VFSError.Code.unavailable, true),            // LIBSSH2_ERROR_SOCKET_DISCONNECT
        (Int32(-9), VFSError.Code.timedOut, true),                // LIBSSH2_ERROR_TIMEOUT
        (Int32(-18), VFSError.Code.authenticationFailed, false),  // LIBSSH2_ERROR_AUTHENTICATION_FAILED
        (Int32(-19), VFSError.Code.authenticationFailed, false),  // LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED
    ])
    func codeMapping(code: Int32, kind: VFSError.Code, retryable: Bool) {
        let error = SSH2Error(code: code, function: "libssh2_session_handshake", libraryMessage: "boom",
                              context: "the SSH handshake failed", path: "u@h:22")
        #expect(error.kind == kind)
        #expect(error.isRetryable == retryable)
        #expect(error.toVFSError().isRetryable == retryable)
        #expect(error.message == "the SSH handshake failed: boom")
    }

    @Test("the VFSError keeps the path, a remedy and the native cause for --verbose")
    func vfsErrorShape() {
        let error = SSH2Error(code: -31, sftpStatus: 2, function: "libssh2_sftp_open_ex", path: "dir/f")
        let vfs = error.toVFSError(path: "sftp://h/dir/f")
        #expect(vfs.description == "sftp://h/dir/f: no such file or directory (check the name and its parent folder with `dctc ls`)")
        #expect(vfs.backend == "sftp")
        #expect(vfs.cause == "libssh2_sftp_open_ex: LIBSSH2_ERROR_SFTP_PROTOCOL (-31), LIBSSH2_FX_NO_SUCH_FILE (2)")
    }

    @Test("secrets never show in option descriptions")
    func secretsRedacted() {
        let options = SSHConnectionOptions(host: "h", username: "u", authMethods: [
            .password(SSHSecret("hunter2")), .identityFile("/k", passphrase: SSHSecret("swordfish")),
        ])
        let text = String(describing: options) + String(reflecting: options)
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("swordfish"))
    }
}
