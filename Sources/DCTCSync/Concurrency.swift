/// A counting semaphore for tasks: at most `limit` holders at once, waiters resumed in order.
actor AsyncSemaphore {
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(_ limit: Int) { available = max(1, limit) }

    func acquire() async {
        if available > 0 { available -= 1; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { available += 1 } else { waiters.removeFirst().resume() }
    }

    func withPermit<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// A bounded first-in first-out queue between the walker (producer) and the transfer
/// workers (consumers), so memory stays bounded when listing outruns transferring.
actor WorkQueue<Item: Sendable> {
    private var items: [Item] = []
    private var head = 0
    private let capacity: Int
    private var closed = false
    private var producers: [CheckedContinuation<Void, Never>] = []
    private var consumers: [CheckedContinuation<Item?, Never>] = []

    init(capacity: Int) { self.capacity = max(1, capacity) }

    func put(_ item: Item) async {
        while items.count - head >= capacity && !closed {
            await withCheckedContinuation { producers.append($0) }
        }
        if !consumers.isEmpty { consumers.removeFirst().resume(returning: item); return }
        items.append(item)
    }

    func take() async -> Item? {
        if head < items.count {
            let item = items[head]
            head += 1
            if head > 1024 && head * 2 > items.count { items.removeFirst(head); head = 0 }
            if !producers.isEmpty { producers.removeFirst().resume() }
            return item
        }
        if closed { return nil }
        return await withCheckedContinuation { consumers.append($0) }
    }

    /// No more items will come; waiting consumers get nil once the queue is empty.
    func close() {
        closed = true
        for c in consumers { c.resume(returning: nil) }
        consumers.removeAll()
        for p in producers { p.resume() }
        producers.removeAll()
    }
}
