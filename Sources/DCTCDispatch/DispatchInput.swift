import DCTCCore

/// One input of a dispatch: a file of any store, or a stream (standard input).
///
/// Content is decompressed on the way when it is gzip or bzip2 (by its first bytes, else by
/// the extension of `fileName`).
public struct DispatchInput: Sendable {
    /// The input as messages name it (an address, or `-`).
    public let displayName: String
    /// The file name whose extension names the codec when the bytes do not, and gives the
    /// default output extension ("" for a stream).
    public let fileName: String
    private let opener: @Sendable () async throws -> ByteStream

    /// An input read through `open` when its turn comes.
    public init(displayName: String, fileName: String, open: @escaping @Sendable () async throws -> ByteStream) {
        self.displayName = displayName
        self.fileName = fileName
        self.opener = open
    }

    /// A file of a store.
    public static func file(_ fs: any VirtualFileSystem, _ path: VPath, displayName: String? = nil) -> DispatchInput {
        DispatchInput(displayName: displayName ?? fs.display(path), fileName: path.name) {
            try await fs.read(path, range: nil)
        }
    }

    /// A file at a resolved location.
    public static func location(_ location: Location, displayName: String? = nil) -> DispatchInput {
        file(location.fs, location.path, displayName: displayName ?? location.description)
    }

    /// Content that is already a stream (read once).
    public static func stream(_ stream: ByteStream, displayName: String, fileName: String = "") -> DispatchInput {
        DispatchInput(displayName: displayName, fileName: fileName) { stream }
    }

    /// The stored bytes (not yet decompressed).
    func open() async throws -> ByteStream { try await opener() }
}

/// The folder the outputs go into, in any writable store.
public struct DispatchDestination: Sendable {
    public let fs: any VirtualFileSystem
    public let directory: VPath
    /// Told about the bytes of every output as they are written (a progress display).
    public let observer: (any TransferObserver)?

    public init(fs: any VirtualFileSystem, directory: VPath, observer: (any TransferObserver)? = nil) {
        self.fs = fs
        self.directory = directory
        self.observer = observer
    }

    public init(location: Location, observer: (any TransferObserver)? = nil) {
        self.init(fs: location.fs, directory: location.path, observer: observer)
    }
}
