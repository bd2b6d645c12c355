import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Maps an errno from a local file operation to a `VFSError`, naming the path and a remedy.
///
/// - Parameters:
///   - code: the errno value (ENOENT → `.notFound`, EEXIST → `.alreadyExists`, ENOTDIR →
///     `.notADirectory`, EISDIR → `.isADirectory`, ENOTEMPTY → `.notEmpty`, EACCES/EPERM/EROFS →
///     `.permissionDenied`, ENAMETOOLONG → `.invalidArgument`, ENOSPC/EDQUOT/EIO → `.io`).
///   - operation: what was being done ("open", "rename"), kept in `cause`.
func posixError(_ code: Int32, _ operation: String, path: String) -> VFSError {
    let cause = "\(operation): errno \(code) (\(String(cString: strerror(code))))"
    func e(_ c: VFSError.Code, _ message: String, _ remedy: String?) -> VFSError {
        VFSError(c, message, path: path, remedy: remedy, backend: "local", cause: cause)
    }
    switch code {
    case ENOENT: return e(.notFound, "no such file or directory", "check the name and its parent folder with `dctc ls`")
    case EEXIST: return e(.alreadyExists, "already exists", "remove it first or choose another name")
    case ENOTDIR: return e(.notADirectory, "a part of the path is a file, not a directory", "check the path")
    case EISDIR: return e(.isADirectory, "is a directory", "use -r for directories")
    case ENOTEMPTY: return e(.notEmpty, "directory is not empty", "remove its contents first, or use `dctc rm -r`")
    case EACCES, EPERM: return e(.permissionDenied, "permission denied", "check the file's owner and mode with `dctc stat`")
    case EROFS: return e(.permissionDenied, "read-only file system", "write somewhere else")
    case ENAMETOOLONG: return e(.invalidArgument, "name too long", "names are limited to 255 bytes")
    case ENOSPC, EDQUOT: return e(.io, "no space left on device", "free some space and run the command again")
    case ELOOP: return e(.io, "too many levels of symbolic links", "check the symbolic links on the path")
    case EMFILE, ENFILE: return e(.unavailable, "too many open files", "lower --transfers or raise `ulimit -n`")
    case EXDEV: return e(.unsupported, "cannot rename across file systems", nil)
    default: return e(.io, String(cString: strerror(code)), nil)
    }
}

/// pread(2) of up to `count` bytes at `offset` into `base`, retried when a signal interrupts it.
/// - Returns: the bytes read; 0 at the end of the file.
/// - Throws: the errno's `VFSError` naming `path`.
func preadRetrying(_ fd: Int32, _ base: UnsafeMutableRawPointer?, _ count: Int, at offset: Int64, path: String) throws -> Int {
    while true {
        let n = pread(fd, base, count, off_t(offset))
        if n >= 0 { return n }
        if errno != EINTR { throw posixError(errno, "read", path: path) }
    }
}
