import CDCTCBZip2
import DCTCCore

/// A failure of libbz2, or of the framing around bzip2 streams.
///
/// Each case documents the libbz2 return code it corresponds to. Codecs throw these converted
/// with `toVFSError(path:)`, so users see the file name and a remedy, and `--verbose` shows the
/// libbz2 code in `cause`.
public enum BZip2Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// `BZ_DATA_ERROR` (-4) from `BZ2_bzDecompress`: a block fails its integrity checks.
    case dataError
    /// `BZ_DATA_ERROR_MAGIC` (-5) at the start of the first stream: the input is not bzip2.
    case notBzip2
    /// The input ends inside a stream (`BZ2_bzDecompress` made no progress with no input left).
    case truncated
    /// Bytes after the last stream that do not start another bzip2 stream.
    case trailingGarbage
    /// `BZ_MEM_ERROR` (-3): libbz2 could not allocate its state.
    case outOfMemory
    /// `BZ_PARAM_ERROR` (-2): an invalid parameter, such as a block size outside 1...9.
    case parameterError
    /// `BZ_SEQUENCE_ERROR` (-1): calls made in the wrong order (a bug in dctc).
    case sequenceError
    /// `BZ_CONFIG_ERROR` (-9): the library was built for another platform.
    case configurationError
    /// Any other return code.
    case unexpected(Int32)

    /// Maps a libbz2 return code (a negative one) to an error.
    init(code: Int32) {
        switch code {
        case BZ_DATA_ERROR: self = .dataError
        case BZ_DATA_ERROR_MAGIC: self = .notBzip2
        case BZ_MEM_ERROR: self = .outOfMemory
        case BZ_PARAM_ERROR: self = .parameterError
        case BZ_SEQUENCE_ERROR: self = .sequenceError
        case BZ_CONFIG_ERROR: self = .configurationError
        default: self = .unexpected(code)
        }
    }

    /// The name of the libbz2 constant, such as `BZ_DATA_ERROR`.
    public var codeName: String {
        switch self {
        case .dataError: "BZ_DATA_ERROR"
        case .notBzip2: "BZ_DATA_ERROR_MAGIC"
        case .truncated: "end of input"
        case .trailingGarbage: "trailing data"
        case .outOfMemory: "BZ_MEM_ERROR"
        case .parameterError: "BZ_PARAM_ERROR"
        case .sequenceError: "BZ_SEQUENCE_ERROR"
        case .configurationError: "BZ_CONFIG_ERROR"
        case .unexpected(let code): "libbz2 code \(code)"
        }
    }

    public var description: String {
        switch self {
        case .dataError: "corrupt bzip2 data: BZ_DATA_ERROR"
        case .notBzip2: "not bzip2 data (BZ_DATA_ERROR_MAGIC)"
        case .truncated: "truncated bzip2 data: the input ends in the middle of a compressed stream"
        case .trailingGarbage: "unexpected data after the end of the bzip2 data"
        case .outOfMemory: "libbz2 ran out of memory (BZ_MEM_ERROR)"
        case .parameterError: "libbz2 rejected its parameters (BZ_PARAM_ERROR)"
        case .sequenceError: "libbz2 was called out of sequence (BZ_SEQUENCE_ERROR)"
        case .configurationError: "the libbz2 library is miscompiled for this platform (BZ_CONFIG_ERROR)"
        case .unexpected(let code): "libbz2 failed with code \(code)"
        }
    }

    /// This error as the `VFSError` users see.
    ///
    /// Damaged, truncated and non-bzip2 input is `.corruptData` with a remedy that offers
    /// reading the bytes as they are; library failures are `.io`.
    /// - Parameter path: the file being decoded or encoded, as the user named it.
    public func toVFSError(path: String?) -> VFSError {
        let cause = "libbz2: \(codeName)"
        switch self {
        case .dataError, .notBzip2, .truncated, .trailingGarbage:
            return VFSError(.corruptData, description, path: path,
                            remedy: "the file is damaged or not bzip2; read it as is with --raw", cause: cause)
        case .outOfMemory, .parameterError, .sequenceError, .configurationError, .unexpected:
            return VFSError(.io, description, path: path, cause: cause)
        }
    }
}
