import Foundation

/// `--bwlimit`, as rclone reads it: a rate, an upload:download pair, or a timetable.
///
/// - `2M` is 2 MiB/s; a bare number is KiB/s (`512` is 512 KiB/s, rclone's default unit); units are
///   those of `SizeParser` (`K`, `M`, `G`, `KiB`, `MB`...). `off` is no limit.
/// - `10M:512k` limits uploads to 10 MiB/s and downloads to 512 KiB/s; either side may be `off`.
/// - A timetable is space-separated `HH:MM,RATE` entries, each rate holding from its time until the
///   next entry (`08:00,512k 19:00,off`: 512 KiB/s from 08:00 to 19:00, unlimited overnight). An
///   entry may name a day (`Mon-08:00,512k`, `Sat-00:00,off`): it then holds from that day and
///   time until the next entry of the week. Times are local, as rclone's.
///
/// One limit covers the whole process: N parallel transfers share the rate.
public struct BandwidthSchedule: Sendable, Equatable, CustomStringConvertible {
    /// Bytes per second in each direction; nil is no limit.
    public struct Rate: Sendable, Equatable {
        public var upload: Int64?
        public var download: Int64?

        public init(upload: Int64?, download: Int64?) {
            self.upload = upload
            self.download = download
        }

        public static let unlimited = Rate(upload: nil, download: nil)
    }

    /// One entry of a timetable.
    public struct Entry: Sendable, Equatable {
        /// 1 (Monday) to 7 (Sunday); nil for every day.
        public var weekday: Int?
        /// Minutes after midnight.
        public var minute: Int
        public var rate: Rate
    }

    /// The entries in the order given; one entry at 00:00 every day for a plain rate.
    public let entries: [Entry]
    /// The text it was parsed from.
    public let text: String

    public var description: String { text }

    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// Parses a `--bwlimit` value.
    /// - Throws: `VFSError(.invalidArgument)` naming the text and the part that is wrong.
    public init(parse text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func invalid(_ why: String) -> VFSError {
            VFSError.invalid("'\(text)' is not a bandwidth limit: \(why)",
                             remedy: "write a rate (2M, 512k, off), UP:DOWN (10M:512k), or a timetable (08:00,512k 19:00,off)")
        }
        guard !trimmed.isEmpty else { throw invalid("it is empty") }
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count <= 1000 else { throw invalid("more than 1000 timetable entries") }
        if words.count == 1, !words[0].contains(",") {
            entries = [Entry(weekday: nil, minute: 0, rate: try Self.rate(words[0], invalid: invalid))]
            self.text = trimmed
            return
        }
        var out: [Entry] = []
        for word in words {
            let parts = word.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw invalid("'\(word)' is not HH:MM,RATE") }
            var when = parts[0]
            var weekday: Int?
            if let dash = when.firstIndex(of: "-") {
                let day = String(when[..<dash]).lowercased()
                guard let index = Self.weekdays.firstIndex(where: { $0 == day || $0.prefix(3) == day }) else {
                    throw invalid("'\(when[..<dash])' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
                }
                weekday = index + 1
                when = String(when[when.index(after: dash)...])
            }
            let clock = when.split(separator: ":", omittingEmptySubsequences: false)
            guard clock.count == 2, clock.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) }),
                  let h = Int(clock[0]), let m = Int(clock[1]), (0..<24).contains(h), (0..<60).contains(m) else {
                throw invalid("'\(when)' is not a time HH:MM (00:00 to 23:59)")
            }
            out.append(Entry(weekday: weekday, minute: h * 60 + m, rate: try Self.rate(parts[1], invalid: invalid)))
        }
        entries = out
        self.text = trimmed
    }

    /// `RATE` or `UP:DOWN`.
    static func rate(_ text: String, invalid: (String) -> VFSError) throws -> Rate {
        let sides = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard sides.count <= 2 else { throw invalid("'\(text)' has more than one ':'") }
        let up = try bytesPerSecond(sides[0], invalid: invalid)
        let down = sides.count == 2 ? try bytesPerSecond(sides[1], invalid: invalid) : up
        return Rate(upload: up, download: down)
    }

    /// Bytes per second, nil for `off`; a bare number is KiB/s.
    static func bytesPerSecond(_ text: String, invalid: (String) -> VFSError) throws -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "off" { return nil }
        guard let last = t.last else { throw invalid("a rate is empty") }
        let bytes: Int64
        do {
            bytes = try SizeParser.parse(last.isASCIIDigit || last == "." ? t + "K" : t)
        } catch {
            throw invalid("'\(t)' is not a rate")
        }
        guard bytes > 0 else { throw invalid("'\(t)' is zero: write off for no limit") }
        return bytes
    }

    /// The rate in force at `date` (local time unless another calendar is given).
    public func rate(at date: Date, calendar: Calendar = .current) -> Rate {
        guard entries.count > 1 || entries.first?.weekday != nil else { return entries.first?.rate ?? .unlimited }
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: date)
        // Calendar weekdays are 1 = Sunday ... 7 = Saturday; here 1 = Monday ... 7 = Sunday.
        let day = ((parts.weekday ?? 2) + 5) % 7 + 1
        let now = (day - 1) * 1440 + (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        // Every entry as minutes of the week (a daily entry on each of the seven days); the last
        // one at or before now holds, else the last of the week (it runs on over Sunday night).
        var best: (at: Int, rate: Rate)?
        var latest: (at: Int, rate: Rate)?
        for entry in entries {
            for d in entry.weekday.map({ [$0] }) ?? Array(1...7) {
                let at = (d - 1) * 1440 + entry.minute
                if at <= now, at >= (best?.at ?? Int.min) { best = (at, entry.rate) }
                if at >= (latest?.at ?? Int.min) { latest = (at, entry.rate) }
            }
        }
        return (best ?? latest)?.rate ?? .unlimited
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

/// The process-wide `--bwlimit`: every transfer takes its bytes from here, so parallel transfers
/// share the rate. A token bucket kept as a virtual clock per direction: a chunk of `n` bytes
/// is let through when the clock is not ahead of now, and moves it on by `n / rate` seconds;
/// an idle stretch banks at most `burst` seconds of credit.
public final class BandwidthLimiter: Sendable {
    public enum Direction: Sendable { case upload, download }

    /// The limiter of `--bwlimit`.
    public static let shared = BandwidthLimiter()

    /// Credit an idle link may bank, in seconds of the rate.
    static let burst: Double = 0.1

    private struct State {
        var schedule: BandwidthSchedule?
        var clock: [Direction: Double] = [:]
    }
    private let state = Locked(State())
    private let now: @Sendable () -> Double
    private let date: @Sendable () -> Date

    /// - Parameters:
    ///   - now: a monotonic clock in seconds (tests pass their own).
    ///   - date: the wall clock for timetables.
    public init(now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
                date: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.date = date
    }

    /// Sets or clears (nil) the limit.
    public func configure(_ schedule: BandwidthSchedule?) {
        state.withLock { $0 = State(schedule: schedule) }
    }

    /// Whether any limit is set (a stream is wrapped only then).
    public var isActive: Bool { state.withLock { $0.schedule != nil } }

    /// Books `bytes` in `direction` and returns how long to wait before they may pass (0: now).
    public func reserve(_ bytes: Int, _ direction: Direction) -> Double {
        let t = now()
        let rate = state.withLock { $0.schedule }?.rate(at: date())
        return state.withLock { s -> Double in
            let perSecond = direction == .upload ? rate?.upload : rate?.download
            guard let perSecond, perSecond > 0 else {
                s.clock[direction] = nil
                return 0
            }
            let start = max(s.clock[direction] ?? t, t - Self.burst)
            let end = start + Double(bytes) / Double(perSecond)
            s.clock[direction] = end
            return max(0, start - t)
        }
    }

    /// Waits until `bytes` may pass in `direction`.
    /// - Throws: `CancellationError` when the task is cancelled while waiting.
    public func take(_ bytes: Int, _ direction: Direction) async throws {
        let wait = reserve(bytes, direction)
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
    }
}

extension ByteStream {
    /// This stream, held to the process's `--bwlimit` (itself when there is none).
    public func limited(_ direction: BandwidthLimiter.Direction, by limiter: BandwidthLimiter = .shared) -> ByteStream {
        guard limiter.isActive else { return self }
        return ByteStream(LimitedSource(upstream: self, limiter: limiter, direction: direction))
    }
}

/// Passes chunks on at the limiter's pace.
final class LimitedSource: ByteSource {
    let upstream: ByteStream
    let limiter: BandwidthLimiter
    let direction: BandwidthLimiter.Direction

    init(upstream: ByteStream, limiter: BandwidthLimiter, direction: BandwidthLimiter.Direction) {
        self.upstream = upstream
        self.limiter = limiter
        self.direction = direction
    }

    func next() async throws -> [UInt8]? {
        guard let chunk = try await upstream.source.next() else { return nil }
        try await limiter.take(chunk.count, direction)
        return chunk
    }

    func cancel() async { await upstream.cancel() }
}

extension Location {
    /// The direction `--bwlimit UP:DOWN` counts a copy to `self` in: an upload when it goes to
    /// another machine, a download when it lands on this one.
    public var bandwidthDirection: BandwidthLimiter.Direction {
        fs.kind == .local || fs.kind == .memory ? .download : .upload
    }
}
