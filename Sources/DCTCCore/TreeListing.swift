/// Marks a store whose `listRecursive` lists a whole tree in one stream, cheaper than a
/// listing per directory (S3 without a delimiter: one request per 1,000 objects; SFTP with a
/// remote `find`). The operation itself is a requirement of `VirtualFileSystem`, with a
/// walking default; new code reads `capabilities.recursiveListing`.
///
/// The stream's order is the store's own (S3: key byte order, where `a-b` comes before `a/b`;
/// `VPath` order puts `a/b` first): callers that merge-join must group or sort the entries
/// themselves. Entries carry full paths; a store may leave out directories that hold files
/// (they are implied by the files' paths) and entries it cannot name as paths.
public protocol RecursiveListing: VirtualFileSystem {}

/// Marks a store whose `removeMany` removes many files in few requests (S3 `DeleteObjects`).
/// New code reads `capabilities.batchRemoval`.
public protocol BatchRemoving: VirtualFileSystem {}
