import Foundation

/// A store that records a whole-content hash when a write starts, before the first byte is
/// sent: S3 sets `x-amz-meta-md5chksum` (rclone's key) when it creates a multipart upload, so
/// the object can be verified later (`check`, `sync --checksum`) without being read.
///
/// The copy engine asks for that hash and, when the source is a local file (whose bytes can
/// be read a second time cheaply, from the page cache for files that fit in memory), hashes it
/// first and passes it in `WriteAttributes.expectedHashes`; the store verifies the streamed
/// bytes against it, so a file changed between the two reads fails the write. rclone does the
/// same for local sources.
public protocol UpfrontHashWanting: VirtualFileSystem {
    /// The hash kind wanted before a write of `size` bytes (nil: the store computes what it
    /// needs while streaming, e.g. a single PUT).
    func hashWantedUpfront(for path: VPath, size: Int64?) -> HashKind?
}

public enum UpfrontHash {
    /// Adds the hash `destination` wants up front to `attributes.expectedHashes`, computed
    /// from a local source file; does nothing for other sources or when it is already known.
    ///
    /// - Throws: what reading the source throws.
    public static func fill(_ attributes: inout WriteAttributes, source: any VirtualFileSystem, info: FileInfo,
                            destination: any VirtualFileSystem, path: VPath) async throws {
        guard let wanting = destination as? any UpfrontHashWanting,
              let kind = wanting.hashWantedUpfront(for: path, size: info.size),
              attributes.expectedHashes[kind] == nil, info.localIdentity != nil,
              let hasher = source as? any HashProviding, source.capabilities.remoteHashes.contains(kind) else { return }
        attributes.expectedHashes[kind] = try await hasher.hash(info.path, kind: kind)
    }
}
