import Foundation

/// Copying and moving files between any two stores (derived from the primitives).
public enum Transfer {
    /// Copies one file from `source` to `destination`, in another store or the same one.
    ///
    /// Uses the store's server-side copy when both locations are in the same store and it has
    /// one; otherwise streams the bytes (constant memory). The modification time is kept, and
    /// the size and every hash the source already knows are verified by the destination while
    /// it writes, so a damaged copy never appears under the final name.
    /// - Parameters:
    ///   - sourceInfo: the source's info when the caller already has it (saves a round trip).
    ///   - transform: applied to the bytes on the way (compression); disables size/hash checks
    ///     against the source, since the content changes.
    ///   - watch: sees the bytes as they are read without changing them (a progress display);
    ///     unlike `transform` it keeps every check. Not called for a server-side copy.
    ///   - keepPermissions: give the destination the source's permission bits (never wider:
    ///     a 0600 file stays 0600, the exec bit is kept, setuid/setgid are dropped) when both
    ///     stores have modes; false (`--no-perms`) leaves the destination store's default.
    /// - Returns: the destination's info.
    @discardableResult
    public static func copyFile(from source: Location, to destination: Location,
                                sourceInfo: FileInfo? = nil,
                                attributes extra: WriteAttributes = .none,
                                keepPermissions: Bool = true,
                                watch: (@Sendable (ByteStream) -> ByteStream)? = nil,
                                transform: (@Sendable (ByteStream) async throws -> ByteStream)? = nil) async throws -> FileInfo {
        let info: FileInfo
        if let sourceInfo {
            info = try await source.fs.withKeptModificationTime(sourceInfo)
        } else {
            info = try await source.fs.info(source.path)
        }
        guard !info.isDirectory else {
            throw VFSError(.isADirectory, "is a directory", path: source.fs.display(source.path),
                           remedy: "use -r to copy a directory tree")
        }
        var attributes = extra
        attributes.modificationTime = attributes.modificationTime ?? info.modificationTime
        if keepPermissions, attributes.mode == nil, let mode = info.mode { attributes.mode = mode & 0o777 }
        if transform == nil {
            attributes.expectedSize = info.size
            attributes.sizeHint = info.size
            for (kind, value) in info.hashes where attributes.expectedHashes[kind] == nil {
                attributes.expectedHashes[kind] = value
            }
            if source.fs === destination.fs, source.fs.capabilities.serverSideCopy {
                return try await source.fs.copy(from: source.path, to: destination.path, attributes: attributes)
            }
            try await UpfrontHash.fill(&attributes, source: source.fs, info: info, destination: destination.fs, path: destination.path)
        }
        let direction = destination.bandwidthDirection
        if transform == nil, let resumable = destination.fs as? any ResumableWriting,
           let key = PartialDownload.key(source: source.fs, path: source.path, info: info) {
            // A large download keeps its partial file when interrupted; the next copy of the
            // same content reads only the rest.
            return try await resumable.writeResuming(destination.path, key: key, attributes: attributes) { offset, length in
                let range = offset > 0 || length != nil ? ByteRange(offset: offset, length: length) : nil
                var stream = try await source.fs.read(source.path, range: range).limited(direction)
                if let watch { stream = watch(stream) }
                return stream
            }
        }
        var stream = try await source.fs.read(source.path, range: nil).limited(direction)
        if let watch { stream = watch(stream) }
        if let transform { stream = try await transform(stream) }
        return try await destination.fs.write(destination.path, from: stream, attributes: attributes)
    }

    /// Moves one file: a rename when both are in the same store and it can rename, else a
    /// verified copy followed by removal of the source.
    @discardableResult
    public static func moveFile(from source: Location, to destination: Location) async throws -> FileInfo {
        if source.fs === destination.fs, source.fs.capabilities.serverSideMove {
            try await source.fs.move(from: source.path, to: destination.path)
            return try await destination.fs.info(destination.path)
        }
        let result = try await copyFile(from: source, to: destination)
        try await source.fs.remove(source.path)
        return result
    }
}
