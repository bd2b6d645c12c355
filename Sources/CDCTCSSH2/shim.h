// C edge for libssh2 (Debian 12: libssh2 1.10).
//
// libssh2 spells many entry points as function-like macros over an `_ex` function, and Swift
// imports no function-like macros. Each wrapper below is a typed `static inline` function named
// `CDCTCSSH2_<macro without libssh2_>`, calling the `_ex` form the macro expands to. Paths and
// user names are passed with an explicit byte length (`utf8.count` on the Swift side), never
// with strlen, so names are sent as the exact bytes given.
#ifndef CDCTCSSH2_SHIM_H
#define CDCTCSSH2_SHIM_H

#include <libssh2.h>
#include <libssh2_sftp.h>

// The Swift side reads these as fixed-width integers.
_Static_assert(sizeof(libssh2_uint64_t) == 8, "libssh2_uint64_t must be 64 bits");
_Static_assert(sizeof(libssh2_int64_t) == 8, "libssh2_int64_t must be 64 bits");

// MARK: - Session

// Macro `libssh2_session_init()`: default allocators, no abstract pointer.
static inline LIBSSH2_SESSION *CDCTCSSH2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

// Macro `libssh2_session_disconnect()`: sends SSH_DISCONNECT_BY_APPLICATION with a reason.
static inline int CDCTCSSH2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

// `libssh2_session_last_error` returns its message through an out-parameter; this returns the
// message itself (owned by the session and valid until the next libssh2 call: copy it at once).
static inline const char *CDCTCSSH2_session_last_error_message(LIBSSH2_SESSION *session) {
    char *message = NULL;
    int length = 0;
    libssh2_session_last_error(session, &message, &length, 0);
    return message != NULL ? message : "";
}

// MARK: - Authentication

// Macro `libssh2_userauth_password()`: no password-change callback (an expired password fails
// with LIBSSH2_ERROR_PASSWORD_EXPIRED instead of prompting).
static inline int CDCTCSSH2_userauth_password(LIBSSH2_SESSION *session,
                                              const char *username, unsigned int username_len,
                                              const char *password, unsigned int password_len) {
    return libssh2_userauth_password_ex(session, username, username_len, password, password_len, NULL);
}

// Macro `libssh2_userauth_publickey_fromfile()`: `publickey` may be NULL (derived from the
// private key), `passphrase` may be NULL for an unencrypted key.
static inline int CDCTCSSH2_userauth_publickey_fromfile(LIBSSH2_SESSION *session,
                                                        const char *username, unsigned int username_len,
                                                        const char *publickey, const char *privatekey,
                                                        const char *passphrase) {
    return libssh2_userauth_publickey_fromfile_ex(session, username, username_len,
                                                  publickey, privatekey, passphrase);
}

// MARK: - Channels

// Macro `libssh2_channel_open_session()`: a "session" channel with the default window and packet size.
static inline LIBSSH2_CHANNEL *CDCTCSSH2_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1,
                                   LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT,
                                   NULL, 0);
}

// Macro `libssh2_channel_exec()`: the "exec" request, with the command's byte length.
static inline int CDCTCSSH2_channel_exec(LIBSSH2_CHANNEL *channel, const char *command, unsigned int command_len) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, command_len);
}

// Macro `libssh2_channel_read()`: reads the stdout stream (stream id 0).
static inline ssize_t CDCTCSSH2_channel_read(LIBSSH2_CHANNEL *channel, char *buffer, size_t buffer_len) {
    return libssh2_channel_read_ex(channel, 0, buffer, buffer_len);
}

// Macro `libssh2_channel_read_stderr()`: reads the stderr stream (SSH_EXTENDED_DATA_STDERR).
static inline ssize_t CDCTCSSH2_channel_read_stderr(LIBSSH2_CHANNEL *channel, char *buffer, size_t buffer_len) {
    return libssh2_channel_read_ex(channel, SSH_EXTENDED_DATA_STDERR, buffer, buffer_len);
}

// Macro `libssh2_channel_write()`: writes to the data stream (stream id 0).
static inline ssize_t CDCTCSSH2_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t buffer_len) {
    return libssh2_channel_write_ex(channel, 0, buffer, buffer_len);
}

// Macro `libssh2_channel_direct_tcpip()`: a "direct-tcpip" channel to host:port through the
// server (how ProxyJump reaches the next hop). The originator is given as 127.0.0.1:0, as the
// server only logs it.
static inline LIBSSH2_CHANNEL *CDCTCSSH2_channel_direct_tcpip(LIBSSH2_SESSION *session, const char *host, int port) {
    return libssh2_channel_direct_tcpip_ex(session, host, port, "127.0.0.1", 0);
}

// MARK: - SFTP

// Macro `libssh2_sftp_open()`: opens a file (LIBSSH2_SFTP_OPENFILE) with LIBSSH2_FXF_* flags.
static inline LIBSSH2_SFTP_HANDLE *CDCTCSSH2_sftp_open(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                                       unsigned long flags, long mode) {
    return libssh2_sftp_open_ex(sftp, path, path_len, flags, mode, LIBSSH2_SFTP_OPENFILE);
}

// Macro `libssh2_sftp_opendir()`: opens a directory handle (LIBSSH2_SFTP_OPENDIR).
static inline LIBSSH2_SFTP_HANDLE *CDCTCSSH2_sftp_opendir(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len) {
    return libssh2_sftp_open_ex(sftp, path, path_len, 0, 0, LIBSSH2_SFTP_OPENDIR);
}

// Macros `libssh2_sftp_close()` / `libssh2_sftp_closedir()`: both are `libssh2_sftp_close_handle`.
static inline int CDCTCSSH2_sftp_close(LIBSSH2_SFTP_HANDLE *handle) {
    return libssh2_sftp_close_handle(handle);
}

// Macro `libssh2_sftp_readdir()`: the next entry's name (returns its length, 0 at the end) and
// attributes; no `ls -l` long entry is requested (it could fail with BUFFER_TOO_SMALL).
static inline int CDCTCSSH2_sftp_readdir(LIBSSH2_SFTP_HANDLE *handle, char *buffer, size_t buffer_len,
                                         LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_readdir_ex(handle, buffer, buffer_len, NULL, 0, attrs);
}

// Macro `libssh2_sftp_fstat()`: attributes of an open handle.
static inline int CDCTCSSH2_sftp_fstat(LIBSSH2_SFTP_HANDLE *handle, LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_fstat_ex(handle, attrs, 0);
}

// Macro `libssh2_sftp_stat()`: follows symbolic links (LIBSSH2_SFTP_STAT).
static inline int CDCTCSSH2_sftp_stat(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                      LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_stat_ex(sftp, path, path_len, LIBSSH2_SFTP_STAT, attrs);
}

// Macro `libssh2_sftp_lstat()`: does not follow a final symbolic link (LIBSSH2_SFTP_LSTAT).
static inline int CDCTCSSH2_sftp_lstat(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                       LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_stat_ex(sftp, path, path_len, LIBSSH2_SFTP_LSTAT, attrs);
}

// Macro `libssh2_sftp_setstat()`: sets the attributes whose LIBSSH2_SFTP_ATTR_* flags are set.
static inline int CDCTCSSH2_sftp_setstat(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                         LIBSSH2_SFTP_ATTRIBUTES *attrs) {
    return libssh2_sftp_stat_ex(sftp, path, path_len, LIBSSH2_SFTP_SETSTAT, attrs);
}

// Macro `libssh2_sftp_mkdir()`.
static inline int CDCTCSSH2_sftp_mkdir(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len, long mode) {
    return libssh2_sftp_mkdir_ex(sftp, path, path_len, mode);
}

// Macro `libssh2_sftp_rmdir()`.
static inline int CDCTCSSH2_sftp_rmdir(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len) {
    return libssh2_sftp_rmdir_ex(sftp, path, path_len);
}

// Macro `libssh2_sftp_unlink()`.
static inline int CDCTCSSH2_sftp_unlink(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len) {
    return libssh2_sftp_unlink_ex(sftp, path, path_len);
}

// Macro `libssh2_sftp_rename()`: OVERWRITE|ATOMIC|NATIVE, as the macro passes. libssh2 speaks
// SFTP version 3, where these flags are not sent (only from version 5), so an OpenSSH server
// refuses to rename onto an existing file whatever the flags say.
static inline int CDCTCSSH2_sftp_rename(LIBSSH2_SFTP *sftp,
                                        const char *source, unsigned int source_len,
                                        const char *destination, unsigned int destination_len) {
    return libssh2_sftp_rename_ex(sftp, source, source_len, destination, destination_len,
                                  LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
                                  LIBSSH2_SFTP_RENAME_NATIVE);
}

// Macro `libssh2_sftp_realpath()`: the canonical absolute path (e.g. the home folder for ".");
// returns its length.
static inline int CDCTCSSH2_sftp_realpath(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                          char *target, unsigned int target_len) {
    return libssh2_sftp_symlink_ex(sftp, path, path_len, target, target_len, LIBSSH2_SFTP_REALPATH);
}

// Macro `libssh2_sftp_readlink()`: the target stored in a symbolic link; returns its length.
static inline int CDCTCSSH2_sftp_readlink(LIBSSH2_SFTP *sftp, const char *path, unsigned int path_len,
                                          char *target, unsigned int target_len) {
    return libssh2_sftp_symlink_ex(sftp, path, path_len, target, target_len, LIBSSH2_SFTP_READLINK);
}

// Macro `libssh2_sftp_symlink()`: creates the link `path` pointing to `target`. libssh2 sends
// the two in the order OpenSSH's server expects (link path first is what the macro's caller
// names "orig"): `libssh2_sftp_symlink(sftp, orig, linkpath)` creates `linkpath` -> `orig`.
static inline int CDCTCSSH2_sftp_symlink(LIBSSH2_SFTP *sftp, const char *target, unsigned int target_len,
                                         char *linkpath, unsigned int linkpath_len) {
    return libssh2_sftp_symlink_ex(sftp, target, target_len, linkpath, linkpath_len, LIBSSH2_SFTP_SYMLINK);
}

#endif
