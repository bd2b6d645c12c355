import DCTCCore
import Foundation
import ZIPFoundation

/// Converts errors from ZIPFoundation and Foundation file APIs into `VFSError`s.
///
/// ZIPFoundation's `Archive.ArchiveError` cases map to `.corruptData` (an unreadable or
/// damaged archive, a CRC mismatch), `.invalidArgument` (an entry path it cannot store),
/// `.cancelled`, or `.io`; Cocoa and POSIX file errors map by their code.
/// - Parameters:
///   - error: the error thrown by ZIPFoundation or Foundation.
///   - path: the archive as the user named it.
func zipError(_ error: any Error, path: String) -> VFSError {
    if let error = error as? VFSError { return error.path == nil ? error.with(path: path) : error }
    let cause = String(describing: error)
    let damaged = "check it with `unzip -t`; it is damaged or not a zip archive"
    if let error = error as? Archive.ArchiveError {
        switch error {
        case .unreadableArchive, .missingEndOfCentralDirectoryRecord, .invalidCentralDirectoryOffset,
             .invalidCentralDirectorySize, .invalidCentralDirectoryEntryCount, .invalidLocalHeaderDataOffset,
             .invalidLocalHeaderSize, .invalidEntrySize, .invalidCompressionMethod:
            return VFSError(.corruptData, "not a zip archive, or a damaged one", path: path,
                            remedy: damaged, cause: "ZIPFoundation: \(cause)")
        case .invalidCRC32:
            return VFSError(.corruptData, "an entry fails its CRC-32 check", path: path,
                            remedy: damaged, cause: "ZIPFoundation: \(cause)")
        case .invalidEntryPath:
            return VFSError(.invalidArgument, "an entry path cannot be stored in a zip archive", path: path,
                            cause: "ZIPFoundation: \(cause)")
        case .cancelledOperation:
            return VFSError(.cancelled, "cancelled", path: path)
        case .unwritableArchive:
            return VFSError(.io, "the archive cannot be written", path: path,
                            remedy: "check the permissions and free space of its folder", cause: "ZIPFoundation: \(cause)")
        default:
            return VFSError(.io, "zip archive failure", path: path, cause: "ZIPFoundation: \(cause)")
        }
    }
    if let error = error as? CocoaError {
        switch error.code {
        case .fileNoSuchFile, .fileReadNoSuchFile:
            return VFSError.notFound(path)
        case .fileReadNoPermission, .fileWriteNoPermission:
            return VFSError(.permissionDenied, "permission denied", path: path, cause: cause)
        case .fileWriteOutOfSpace:
            return VFSError(.io, "no space left on the device", path: path, remedy: "free some space and retry", cause: cause)
        case .fileWriteFileExists:
            return VFSError(.alreadyExists, "the file already exists", path: path, cause: cause)
        default:
            return VFSError(.io, error.localizedDescription, path: path, cause: cause)
        }
    }
    if let error = error as? POSIXError {
        return posixError(error.code.rawValue, path: path, doing: "zip archive I/O")
    }
    // ZIPFoundation's Data.CompressionError and DataError are internal: anything else that
    // comes out of reading entry data means the data could not be decoded.
    return VFSError(.corruptData, "zip entry data cannot be decoded", path: path, remedy: damaged,
                    cause: "ZIPFoundation: \(cause)")
}

/// A `VFSError` for an errno value.
func posixError(_ code: Int32, path: String, doing what: String) -> VFSError {
    let text = String(cString: strerror(code))
    let cause = "errno \(code) during \(what)"
    switch code {
    case ENOENT: return VFSError.notFound(path)
    case EACCES, EPERM: return VFSError(.permissionDenied, "permission denied", path: path, cause: cause)
    case EEXIST: return VFSError(.alreadyExists, "the file already exists", path: path, cause: cause)
    case ENOTDIR: return VFSError(.notADirectory, "a parent is not a directory", path: path, cause: cause)
    case EISDIR: return VFSError(.isADirectory, "is a directory", path: path, cause: cause)
    case ENOSPC: return VFSError(.io, "no space left on the device", path: path, remedy: "free some space and retry", cause: cause)
    default: return VFSError(.io, text, path: path, cause: cause)
    }
}
