import DCTCCore
import Foundation

/// Creating the state file and its folders with private modes, before SQLite opens it.
enum StateFile {
    /// Creates missing parent folders (0700) and a missing file (0600).
    static func prepare(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try makeDirectories(parent) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            _ = fchmod(fd, 0o600)  // in case the umask removed owner bits
            close(fd)
            return
        }
        let err = errno
        if err == EEXIST { return }
        throw VFSError(.io, "cannot create the state file (\(String(cString: strerror(err))))", path: path,
                       remedy: "check the folder's permissions, or use --state to point elsewhere",
                       backend: "state", cause: "errno \(err)")
    }

    /// `mkdir -p` with mode 0700 for the folders it creates.
    static func makeDirectories(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw VFSError(.notADirectory, "the state file's folder is not a folder", path: directory,
                               remedy: "use --state to point elsewhere", backend: "state")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try makeDirectories(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            let err = errno
            throw VFSError(err == EACCES || err == EPERM ? .permissionDenied : .io,
                           "cannot create the state folder (\(String(cString: strerror(err))))", path: directory,
                           remedy: "check the permissions of its parent, or use --state to point elsewhere",
                           backend: "state", cause: "errno \(err)")
        }
    }
}
