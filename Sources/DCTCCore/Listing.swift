/// The entries of one directory, delivered in pages as the store returns them.
///
/// Pulled page by page, so a directory of a million entries never has to sit in memory at
/// once. Entries inside a page, and pages, come in the store's own order; use
/// `VirtualFileSystem.listAll` for a sorted array.
public struct Listing: AsyncSequence, Sendable {
    public typealias Element = [FileInfo]

    private let source: ListingSource

    /// - Parameter next: returns the next page, or nil at the end.
    public init(_ next: @escaping @Sendable () async throws -> [FileInfo]?) {
        source = ListingSource(next)
    }

    /// A listing that fails on the first page (for errors found before listing starts).
    public static func failing(_ error: any Error) -> Listing {
        Listing { throw error }
    }

    /// A listing served from entries already in memory, in pages of `pageSize`.
    public static func entries(_ entries: [FileInfo], pageSize: Int) -> Listing {
        let size = Swift.max(1, pageSize)
        let pages = stride(from: 0, to: entries.count, by: size).map {
            Array(entries[$0..<Swift.min(entries.count, $0 + size)])
        }
        let box = PageQueue(pages)
        return Listing { await box.pop() }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: ListingSource
        public mutating func next() async throws -> [FileInfo]? { try await source.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
}

actor ListingSource {
    private let pull: @Sendable () async throws -> [FileInfo]?
    private var done = false
    init(_ pull: @escaping @Sendable () async throws -> [FileInfo]?) { self.pull = pull }

    func next() async throws -> [FileInfo]? {
        guard !done else { return nil }
        do {
            guard let page = try await pull() else { done = true; return nil }
            return page
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
