import CDCTCZlib
import DCTCCore

/// A failure of zlib, or of the gzip framing around the deflate data.
///
/// Each case documents the zlib return code it corresponds to. Codecs throw these converted
/// with `toVFSError(path:)`, so users see the file name and a remedy, and `--verbose` shows
/// the zlib code in `cause`.
public enum ZlibError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Z_DATA_ERROR` (-3) from `inflate` inside a member: invalid deflate data, or the CRC-32
    /// or length in the gzip trailer does not match. Carries zlib's `msg`.
    case dataError(String?)
    /// `Z_DATA_ERROR` (-3) while reading the header of the first member: the input is not gzip.
    case notGzip(String?)
    /// The input ends inside a member: `inflate` returned `Z_BUF_ERROR` (-5) with no input left.
    case truncated
    /// Bytes after the last member that are neither another gzip member nor zero padding.
    case trailingGarbage
    /// `Z_MEM_ERROR` (-4): zlib could not allocate its state.
    case outOfMemory
    /// `Z_STREAM_ERROR` (-2): an invalid parameter (such as the level) or an inconsistent stream.
    case streamError(String?)
    /// `Z_VERSION_ERROR` (-6): the zlib library does not match the headers dctc was built with.
    case versionError
    /// Any other return code, with zlib's `msg`.
    case unexpected(Int32, String?)

    /// Maps a zlib return code (other than `Z_OK`/`Z_STREAM_END`) to an error.
    init(code: Int32, message: String?) {
        switch code {
        case Z_DATA_ERROR: self = .dataError(message)
        case Z_MEM_ERROR: self = .outOfMemory
        case Z_STREAM_ERROR: self = .streamError(message)
        case Z_VERSION_ERROR: self = .versionError
        case Z_BUF_ERROR: self = .truncated
        default: self = .unexpected(code, message)
        }
    }

    /// The name of the zlib constant, such as `Z_DATA_ERROR`.
    public var codeName: String {
        switch self {
        case .dataError, .notGzip: "Z_DATA_ERROR"
        case .truncated: "Z_BUF_ERROR"
        case .trailingGarbage: "trailing data"
        case .outOfMemory: "Z_MEM_ERROR"
        case .streamError: "Z_STREAM_ERROR"
        case .versionError: "Z_VERSION_ERROR"
        case .unexpected(let code, _): "zlib code \(code)"
        }
    }

    private var zlibMessage: String? {
        switch self {
        case .dataError(let m), .notGzip(let m), .streamError(let m), .unexpected(_, let m): m
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .dataError(let m): "corrupt gzip data: Z_DATA_ERROR" + (m.map { " (\($0))" } ?? "")
        case .notGzip: "not gzip data"
        case .truncated: "truncated gzip data: the input ends in the middle of a compressed member"
        case .trailingGarbage: "unexpected data after the end of the gzip data"
        case .outOfMemory: "zlib ran out of memory (Z_MEM_ERROR)"
        case .streamError(let m): "zlib rejected its parameters: Z_STREAM_ERROR" + (m.map { " (\($0))" } ?? "")
        case .versionError: "the zlib library is incompatible with this build of dctc (Z_VERSION_ERROR)"
        case .unexpected(let code, let m): "zlib failed with code \(code)" + (m.map { " (\($0))" } ?? "")
        }
    }

    /// This error as the `VFSError` users see.
    ///
    /// Damaged, truncated and non-gzip input is `.corruptData` with a remedy that offers reading
    /// the bytes as they are; library failures are `.io`.
    /// - Parameter path: the file being decoded or encoded, as the user named it.
    public func toVFSError(path: String?) -> VFSError {
        let cause = "zlib: \(codeName)" + (zlibMessage.map { ": \($0)" } ?? "")
        switch self {
        case .dataError, .notGzip, .truncated, .trailingGarbage:
            return VFSError(.corruptData, description, path: path,
                            remedy: "the file is damaged or not gzip; read it as is with --raw", cause: cause)
        case .outOfMemory, .streamError, .versionError, .unexpected:
            return VFSError(.io, description, path: path, cause: cause)
        }
    }
}

/// zlib's `msg` for the stream, if it set one.
func zlibMessage(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
    stream.pointee.msg.map { String(cString: $0) }
}
