import Foundation

/// An upload a store holds in progress (an S3 multipart upload): parts stored, not yet an
/// object. Interrupted uploads stay so that dctc can resume them; `dctc cleanup` removes the
/// abandoned ones.
public struct PendingUpload: Sendable, Equatable {
    /// The object the upload would create.
    public var path: VPath
    /// The store's id for it.
    public var id: String
    /// When it was started, when the store says.
    public var initiated: Date?

    public init(path: VPath, id: String, initiated: Date?) {
        self.path = path
        self.id = id
        self.initiated = initiated
    }
}

/// Lists and aborts uploads in progress (`dctc cleanup`).
public protocol PendingUploadCleaning: VirtualFileSystem {
    /// The uploads in progress under `path` (a bucket, or a prefix in one).
    func uploadsInProgress(under path: VPath) async throws -> [PendingUpload]
    /// Aborts one: its stored parts are deleted.
    func abortUploadInProgress(_ upload: PendingUpload) async throws
}
