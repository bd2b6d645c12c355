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

    /// The lengths of the parts a write of `size` bytes will be sent in, when the store wants
    /// each part's hash (of the `hashWantedUpfront` kind) too: S3 sends each part of a
    /// multipart upload with its `Content-MD5`. Given those (`WriteAttributes.expectedPartHashes`),
    /// the store hashes nothing while sending, and the server (and the part ETags it returns)
    /// check every part against the hashes of the bytes that were read first. nil: none.
    func partSizesWantedUpfront(for path: VPath, size: Int64) -> [Int64]?
}

extension UpfrontHashWanting {
    public func partSizesWantedUpfront(for path: VPath, size: Int64) -> [Int64]? { nil }
}

/// The hashes of consecutive parts of one content, in order.
public struct PartHashes: Sendable, Equatable {
    public var kind: HashKind
    /// Each part's length; together the whole content.
    public var sizes: [Int64]
    /// Each part's hash (lowercase hex).
    public var digests: [String]

    public init(kind: HashKind, sizes: [Int64], digests: [String]) {
        self.kind = kind
        self.sizes = sizes
        self.digests = digests
    }
}

/// A store that hashes a file and its consecutive parts in one read (local files).
public protocol PartHashProviding: HashProviding {
    /// The hash of the whole file and of each part of the given lengths.
    /// - Throws: `.checksumMismatch` when the file's length is not the parts' total (it
    ///   changed), and what reading the file throws.
    func hash(_ path: VPath, kind: HashKind, partSizes: [Int64]) async throws -> (whole: String, parts: [String])
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
        if let size = info.size, let sizes = wanting.partSizesWantedUpfront(for: path, size: size),
           let parts = source as? any PartHashProviding {
            // One read gives both: the parts are then sent without being hashed again.
            let (whole, digests) = try await parts.hash(info.path, kind: kind, partSizes: sizes)
            attributes.expectedHashes[kind] = whole
            attributes.expectedPartHashes = PartHashes(kind: kind, sizes: sizes, digests: digests)
            return
        }
        attributes.expectedHashes[kind] = try await hasher.hash(info.path, kind: kind)
    }
}
