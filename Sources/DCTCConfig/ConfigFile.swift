import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and atomically replacing the config file, with POSIX calls.
enum ConfigFile {
    struct Contents {
        var bytes: [UInt8]
        /// The permission bits (`st_mode & 0o7777`).
        var mode: UInt32
    }

    /// Reads the whole file (`open`, `fstat`, `read`).
    ///
    /// - Parameters:
    ///   - path: The file.
    /// - Returns: Its bytes and mode, or nil when it does not exist (`ENOENT`).
    /// - Throws: `VFSError` `.permissionDenied` (`EACCES`), `.isADirectory`, or `.io`.
    static func read(_ path: String) throws -> Contents? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw errnoError(code, "cannot read the config file", path: path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw errnoError(errno, "cannot read the config file", path: path) }
        if UInt32(info.st_mode) & 0o170000 == 0o040000 {
            throw VFSError(.isADirectory, "the config file is a directory", path: path,
                           remedy: "point DCTC_CONFIG at a file")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw errnoError(errno, "cannot read the config file", path: path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return Contents(bytes: bytes, mode: UInt32(info.st_mode) & 0o7777)
    }

    /// Replaces the file's content atomically: writes a temporary file with mode 0600 in the
    /// same directory (`open(O_CREAT|O_EXCL)`, `write`, `fsync`), then `rename`s it over the file.
    ///
    /// A symbolic link is followed, so the file it points at is replaced and the link stays.
    /// Missing parent directories are created with mode 0700. On failure the temporary file is
    /// removed and the old file is left as it was.
    ///
    /// - Parameters:
    ///   - text: The new content.
    ///   - path: The file.
    /// - Throws: `VFSError` `.permissionDenied` or `.io`.
    static func writeAtomically(_ text: String, to path: String) throws {
        let target = resolvingSymlink(path)
        let directory = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw VFSError(.io, "cannot create the config directory", path: directory,
                               remedy: "check the permissions of its parent", cause: String(describing: error))
            }
        }
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw errnoError(errno, "cannot write the config file", path: temporary) }
        var succeeded = false
        defer { if !succeeded { unlink(temporary) } }
        do {
            defer { close(fd) }
            // The umask can only remove bits, but make the mode exact anyway.
            guard fchmod(fd, 0o600) == 0 else { throw errnoError(errno, "cannot write the config file", path: temporary) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { posixWrite(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw errnoError(errno, "cannot write the config file", path: temporary)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw errnoError(errno, "cannot write the config file", path: temporary) }
        }
        guard rename(temporary, target) == 0 else { throw errnoError(errno, "cannot replace the config file", path: target) }
        succeeded = true
        // Make the rename durable; a failure here loses nothing that is not already written.
        let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The final target of `path` when it is a symbolic link (`realpath`), else `path`.
    private static func resolvingSymlink(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, UInt32(info.st_mode) & 0o170000 == 0o120000,
              let resolved = realpath(path, nil)
        else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func errnoError(_ code: Int32, _ message: String, path: String) -> VFSError {
        let reason = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
        switch code {
        case EACCES, EPERM:
            return VFSError(.permissionDenied, "\(message): permission denied", path: path,
                            remedy: "check the permissions of the file and its directory", cause: "errno \(code)")
        default:
            return VFSError(.io, "\(message): \(reason)", path: path, remedy: nil, cause: "errno \(code)")
        }
    }
}

// `read`/`write` qualified by module: inside `ConfigFile`, `read` names the static method.
#if canImport(Glibc)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Glibc.read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
#elseif canImport(Darwin)
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { Darwin.read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
#endif
