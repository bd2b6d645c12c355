/// The one error type every store and command throws.
///
/// A `VFSError` says what failed, on which address, and what to do about it, on one line.
/// The native cause (a libcurl or libssh2 code, an errno) is kept in `cause` and shown only
/// with `--verbose`. `code` is an extensible struct, so a backend can add codes without
/// breaking exhaustive switches elsewhere.
public struct VFSError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is. Maps to an exit code through `ExitStatus`.
    public struct Code: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// ENOENT, HTTP 404, S3 NoSuchKey/NoSuchBucket, SFTP NO_SUCH_FILE, FTP 550 on RETR.
        public static let notFound = Code(rawValue: "notFound")
        /// EEXIST; a non-empty destination where an empty one is needed.
        public static let alreadyExists = Code(rawValue: "alreadyExists")
        /// ENOTDIR: a file where a directory was expected.
        public static let notADirectory = Code(rawValue: "notADirectory")
        /// EISDIR: a directory where a file was expected.
        public static let isADirectory = Code(rawValue: "isADirectory")
        /// ENOTEMPTY.
        public static let notEmpty = Code(rawValue: "notEmpty")
        /// EACCES/EPERM, HTTP 403, S3 AccessDenied.
        public static let permissionDenied = Code(rawValue: "permissionDenied")
        /// Wrong or missing credentials, refused host key.
        public static let authenticationFailed = Code(rawValue: "authenticationFailed")
        /// The store cannot do this (declared in its `Capabilities`).
        public static let unsupported = Code(rawValue: "unsupported")
        /// Bad input from the user: address, flag value, pattern.
        public static let invalidArgument = Code(rawValue: "invalidArgument")
        /// A local or remote I/O failure that retrying will not fix.
        public static let io = Code(rawValue: "io")
        /// The store is unreachable or overloaded (connection refused, 503, SlowDown). Retryable.
        public static let unavailable = Code(rawValue: "unavailable")
        /// A deadline passed. Retryable.
        public static let timedOut = Code(rawValue: "timedOut")
        /// Content did not match its expected hash or size.
        public static let checksumMismatch = Code(rawValue: "checksumMismatch")
        /// Corrupt or truncated data (e.g. a damaged gzip member).
        public static let corruptData = Code(rawValue: "corruptData")
        /// The operation was cancelled (Ctrl-C, task cancellation).
        public static let cancelled = Code(rawValue: "cancelled")
    }

    public var code: Code
    /// What failed, in words a user understands ("no such file or directory").
    public var message: String
    /// The address the failure concerns, as the user would type it.
    public var path: String?
    /// What to do about it ("check the name with `dctc ls DIR`").
    public var remedy: String?
    /// The store kind ("local", "s3", "sftp"...).
    public var backend: String?
    /// The native error, for `--verbose` ("errno 2", "CURLE_COULDNT_CONNECT (7)").
    public var cause: String?
    /// Overrides the code's default retryability (e.g. an HTTP 500 reported as `.io`).
    public var retryableOverride: Bool?
    /// The server's `Retry-After` hint in seconds, when it sent one; `RetryPolicy` waits at least this long.
    public var retryAfter: Double?

    public init(_ code: Code, _ message: String, path: String? = nil, remedy: String? = nil,
                backend: String? = nil, cause: String? = nil, retryable: Bool? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.remedy = remedy
        self.backend = backend
        self.cause = cause
        self.retryableOverride = retryable
    }

    /// An error of a store, naming its kind as the backend.
    public init(_ code: Code, _ message: String, path: String? = nil, remedy: String? = nil,
                backend: StoreKind, cause: String? = nil, retryable: Bool? = nil) {
        self.init(code, message, path: path, remedy: remedy, backend: backend.rawValue, cause: cause, retryable: retryable)
    }

    /// True when trying again later may succeed (timeouts, resets, 5xx, throttling).
    public var isRetryable: Bool {
        if let retryableOverride { return retryableOverride }
        return code == .unavailable || code == .timedOut
    }

    /// One line: `PATH: MESSAGE (REMEDY)`, control characters escaped (`SafeName.escaped`), so
    /// that a name or address holding a newline can never forge a second line of output.
    public var description: String {
        let text = SafeName.escaped(message, backslashes: false)
        var s = path.map { "\(SafeName.escaped($0)): \(text)" } ?? text
        if let remedy, !remedy.isEmpty { s += " (\(SafeName.escaped(remedy, backslashes: false)))" }
        return s
    }

    /// The same error with the path replaced, used when a layer knows a better display name.
    public func with(path: String) -> VFSError {
        var copy = self
        copy.path = path
        return copy
    }

    // MARK: - Common constructors

    public static func notFound(_ path: String, remedy: String? = nil) -> VFSError {
        VFSError(.notFound, "no such file or directory", path: path,
                 remedy: remedy ?? "check the name and its parent folder with `dctc ls`")
    }

    public static func invalid(_ message: String, path: String? = nil, remedy: String? = nil) -> VFSError {
        VFSError(.invalidArgument, message, path: path, remedy: remedy)
    }

    public static func unsupported(_ what: String, path: String? = nil, backend: StoreKind) -> VFSError {
        unsupported(what, path: path, backend: backend.rawValue)
    }

    public static func unsupported(_ what: String, path: String? = nil, backend: String? = nil) -> VFSError {
        VFSError(.unsupported, "\(what) is not supported by this store", path: path,
                 remedy: "see the Stores section of Docs/user-guide.md for what each store can do", backend: backend)
    }

    /// Wraps any error as a `VFSError`, keeping it unchanged when it already is one.
    public static func wrap(_ error: any Error, path: String? = nil) -> VFSError {
        if let e = error as? VFSError {
            if e.path == nil, let path { return e.with(path: path) }
            return e
        }
        if error is CancellationError { return VFSError(.cancelled, "cancelled", path: path) }
        if let native = error as? any VFSErrorConvertible { return native.vfsError(path: path) }
        return VFSError(.io, String(describing: error), path: path)
    }
}
