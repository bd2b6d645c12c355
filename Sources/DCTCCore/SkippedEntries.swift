import Foundation

/// Entries a listing or a walk left out, each reported once, one line, escaped.
///
/// The side channel of `Listing` for what `SafeName` refuses (a key `k/./x.txt`, `a//b`,
/// `../up`, a name with `/` or NUL), for filesystem loops met while following symbolic links,
/// and for broken links. Stores and walks call `SkippedEntries.report`; the entry goes to
/// `SkippedEntries.current`, the sink of the running task (the sync engine installs its own to
/// count them in its summary), else to the process-wide `SkippedEntries.process`, which prints
/// each entry once as a notice. A command ends with `.partial` (4) when `process.counted > 0`.
public final class SkippedEntries: Sendable {
    /// One entry left out.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// Where, as the user would type it (not escaped).
        public let address: String
        /// Why, in words ("'..' is not a name but a path step").
        public let reason: String
        /// True when the entry counts as a skipped item (the exit status says so); false for a
        /// notice only (a symbolic link skipped by default).
        public let counts: Bool

        public init(address: String, reason: String, counts: Bool = true) {
            self.address = address
            self.reason = reason
            self.counts = counts
        }

        /// `ADDRESS: skipped, REASON`, control characters escaped: always one line.
        public var description: String { "\(SafeName.escaped(address)): skipped, \(SafeName.escaped(reason))" }
    }

    private let state = Locked<(seen: Set<String>, entries: [Entry])>(([], []))
    private let notice: (@Sendable (Entry) -> Void)?

    /// - Parameter notice: called once for each new entry (printing it, usually).
    public init(notice: (@Sendable (Entry) -> Void)? = nil) {
        self.notice = notice
    }

    /// Records an entry unless its address was recorded before.
    /// - Returns: true when it is new.
    @discardableResult
    public func record(_ entry: Entry) -> Bool {
        let new = state.withLock { s -> Bool in
            guard s.seen.insert(entry.address).inserted else { return false }
            s.entries.append(entry)
            return true
        }
        if new { notice?(entry) }
        return new
    }

    /// Every entry recorded, in order.
    public var entries: [Entry] { state.withLock { $0.entries } }
    /// How many recorded entries count as skipped items.
    public var counted: Int { state.withLock { $0.entries.filter(\.counts).count } }

    // MARK: - Where reports go

    /// The sink of the running task; `process` when none was installed
    /// (`SkippedEntries.$current.withValue(mine) { … }`).
    @TaskLocal public static var current: SkippedEntries = process

    /// The process-wide sink: prints each entry once (through `printer`) and keeps the count.
    public static let process = SkippedEntries(notice: { entry in
        if let printer = printer.value {
            printer(entry.description)
        } else {
            FileHandle.standardError.write(Data("dctc: \(entry)\n".utf8))
        }
    })

    /// How `process` prints an entry's one-line description (the CLI sets its own error
    /// printer, which adds the `dctc: ` prefix and keeps stdout and stderr in order).
    public static let printer = Locked<(@Sendable (String) -> Void)?>(nil)

    /// Reports one entry to the current sink.
    public static func report(address: String, reason: String, counts: Bool = true) {
        current.record(Entry(address: address, reason: reason, counts: counts))
    }

    /// The page without entries whose path has an unsafe component (see `SafeName`); each one
    /// left out is reported to the current sink, named by `display`.
    public static func filter(_ page: [FileInfo], display: (VPath) -> String) -> [FileInfo] {
        // Fast path: nothing to remove (the usual case) costs one scan, no copy.
        guard page.contains(where: { unsafeComponent(of: $0.path) != nil }) else { return page }
        return page.filter { info in
            guard let problem = unsafeComponent(of: info.path) else { return true }
            report(address: display(info.path), reason: problem)
            return false
        }
    }

    /// Why `path` holds a component that is not a safe name, or nil.
    public static func unsafeComponent(of path: VPath) -> String? {
        for component in path.components {
            if let problem = SafeName.problem(with: component) { return problem }
        }
        return nil
    }
}
