/// The entries of one directory, delivered in pages as the store returns them.
///
/// Pulled page by page, so a directory of a million entries never has to sit in memory at
/// once. Entries inside a page, and pages, come in the store's own order; use
/// `VirtualFileSystem.listAll` for a sorted array.
///
/// Every page passes `SafeName`'s rule on its way out: an entry whose path holds a component
/// that is not a safe name (`.`, `..`, empty, with `/` or NUL) is never handed on; it is
/// reported once to `SkippedEntries.current` instead, named by `display`.
public struct Listing: AsyncSequence, Sendable {
    public typealias Element = [FileInfo]

    private let source: ListingSource

    /// - Parameters:
    ///   - display: how the store names a path for the user (for reports of unsafe names);
    ///     the path's string when nil.
    ///   - next: returns the next page, or nil at the end.
    public init(display: (@Sendable (VPath) -> String)? = nil, _ next: @escaping @Sendable () async throws -> [FileInfo]?) {
        source = ListingSource(next, display: display ?? { $0.string })
    }

    /// A listing that fails on the first page (for errors found before listing starts).
    public static func failing(_ error: any Error) -> Listing {
        Listing { throw error }
    }

    /// A listing served from entries already in memory, in pages of `pageSize`.
    public static func entries(_ entries: [FileInfo], pageSize: Int,
                               display: (@Sendable (VPath) -> String)? = nil) -> Listing {
        let size = Swift.max(1, pageSize)
        let pages = stride(from: 0, to: entries.count, by: size).map {
            Array(entries[$0..<Swift.min(entries.count, $0 + size)])
        }
        let box = PageQueue(pages)
        return Listing(display: display) { await box.pop() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: ListingSource
        public mutating func next() async throws -> [FileInfo]? { try await source.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
}

actor ListingSource {
    private let pull: @Sendable () async throws -> [FileInfo]?
    private let display: @Sendable (VPath) -> String
    private var done = false
    init(_ pull: @escaping @Sendable () async throws -> [FileInfo]?, display: @escaping @Sendable (VPath) -> String) {
        self.pull = pull
        self.display = display
    }

    func next() async throws -> [FileInfo]? {
        guard !done else { return nil }
        do {
            guard let page = try await pull() else { done = true; return nil }
            return SkippedEntries.filter(page, display: display)
        } catch {
            done = true
            throw error
        }
    }
}

actor PageQueue {
    private var pages: [[FileInfo]]
    init(_ pages: [[FileInfo]]) { self.pages = pages.reversed() }
    func pop() -> [FileInfo]? { pages.popLast() }
}
