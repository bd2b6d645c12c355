/// A store that can list a whole tree in one stream, cheaper than a listing per directory
/// (S3 without a delimiter: one request per 1,000 objects; SFTP with a remote `find`).
///
/// The stream's order is the store's own (S3: key byte order, where `a-b` comes before `a/b`;
/// `VPath` order puts `a/b` first): callers that merge-join must group or sort the entries
/// themselves. Entries carry full paths; a store may leave out directories that hold files
/// (they are implied by the files' paths) and entries it cannot name as paths.
public protocol RecursiveListing: VirtualFileSystem {
    /// Every entry below `root` (not `root` itself), in pages, in the store's order.
    /// - Throws (from the listing): `.notFound`, `.notADirectory`, or `.unsupported` when the
    ///   store cannot list this tree in one stream after all (then list per directory).
    func listRecursive(_ root: VPath) -> Listing
}

/// A store that removes many files in few requests (S3 `DeleteObjects`: 1,000 keys each).
public protocol BatchRemoving: VirtualFileSystem {
    /// Removes files; missing ones are not errors.
    /// - Returns: how many the store reported removed.
    /// - Throws: the first failure, after every batch was tried.
    @discardableResult
    func removeMany(_ paths: [VPath]) async throws -> Int
}
