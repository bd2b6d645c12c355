import DCTCCore
import DCTCSync
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Progress, one design for every long command (cp, mv, sync, copy, check, dispatch, edit):
//
// - `TransferProgress` is the model: a `TransferObserver` (Core) that counts every chunk of every
//   transfer in flight, plus the expected totals from whoever planned the work (`ProgressTotals`).
// - `ProgressDisplay` draws it: on a terminal, a block of lines on standard error refreshed four
//   times a second (totals with percentage, moving-average rate and ETA; one line per large file
//   in flight), like `rclone -P`; off a terminal nothing while running unless `--stats`; at the
//   end one summary line unless `-q`. The block lives in `Output.error`, which clears it before
//   any other line, so messages never share a line with it.
// - Commands call `CommandContext.withProgress(...)`; the sync engine's `SyncCounters` plug in
//   through `ProgressTotals(counters:)`.
//
// Written by hand: the only Swift terminal libraries (e.g. swift-tui, Rainbow) draw full-screen
// apps or colour text; what is needed here is two ANSI sequences (cursor up, erase below) and
// TIOCGWINSZ, which no dependency would make shorter.

/// What is expected in all, as known so far (a listing may still be running).
public struct ProgressTotals: Sendable {
    /// Files to transfer, when known.
    public var files: Int?
    /// Bytes to transfer, when known.
    public var bytes: Int64?
    /// False while the totals may still grow (listing in progress): no ETA then.
    public var complete: Bool
    /// Files compared (sync/check), shown when present.
    public var checked: Int?
    /// Files done and bytes done as counted by the planner's own counters, for work that does
    /// not report per-chunk events yet; the display shows the larger of these and its own count.
    public var filesDone: Int?
    public var bytesDone: Int64?
    /// Errors counted by the planner's own counters.
    public var errors: Int?

    public init(files: Int? = nil, bytes: Int64? = nil, complete: Bool = true, checked: Int? = nil,
                filesDone: Int? = nil, bytesDone: Int64? = nil, errors: Int? = nil) {
        self.files = files
        self.bytes = bytes
        self.complete = complete
        self.checked = checked
        self.filesDone = filesDone
        self.bytesDone = bytesDone
        self.errors = errors
    }

    /// The totals of the sync engine's counters.
    public init(counters: SyncCounters) {
        let v = counters.values
        self.init(files: v.filesToTransfer, bytes: v.bytesToTransfer, complete: v.listingDone, checked: v.filesChecked,
                  filesDone: v.filesTransferred, bytesDone: v.bytesTransferred, errors: v.errors)
    }
}

/// The progress model: counts the bytes of every transfer as they move.
public final class TransferProgress: TransferObserver, Sendable {
    struct Flight: Sendable {
        var path: String
        var size: Int64?
        var bytes: Int64 = 0
        var started: Date
    }

    struct State: Sendable {
        var flights: [TransferID: Flight] = [:]
        var filesDone = 0
        var bytesDone: Int64 = 0
        var errors = 0
        /// Paths whose last attempt failed, with the bytes it had moved (a retry takes them back).
        var failed: Set<String> = []
    }

    /// A consistent copy of the counts.
    struct Snapshot: Sendable {
        var flights: [(TransferID, Flight)]
        var filesDone: Int
        var bytesMoved: Int64
        var errors: Int
    }

    private let state = Locked(State())
    let totals: @Sendable () -> ProgressTotals
    let started = Date()

    public init(totals: @escaping @Sendable () -> ProgressTotals = { ProgressTotals(complete: false) }) {
        self.totals = totals
    }

    public func transferStarted(_ id: TransferID, path: String, size: Int64?) {
        state.withLock { s in
            if s.failed.remove(path) != nil { s.errors -= 1 }
            s.flights[id] = Flight(path: path, size: size, started: Date())
        }
    }

    public func transferProgressed(_ id: TransferID, bytes: Int64) {
        state.withLock { s in s.flights[id]?.bytes += bytes }
    }

    public func transferFinished(_ id: TransferID, error: (any Error)?) {
        state.withLock { s in
            guard let flight = s.flights.removeValue(forKey: id) else { return }
            if error == nil {
                s.filesDone += 1
                s.bytesDone += flight.bytes
            } else {
                s.errors += 1
                s.failed.insert(flight.path)
            }
        }
    }

    /// Counts a file done without per-chunk events (a server-side copy, a rename).
    public func transferSkippedBytes(path: String, bytes: Int64) {
        let id = TransferID.next()
        transferStarted(id, path: path, size: bytes)
        transferProgressed(id, bytes: bytes)
        transferFinished(id, error: nil)
    }

    func snapshot() -> Snapshot {
        state.withLock { s in
            let inFlight = s.flights.values.reduce(Int64(0)) { $0 + $1.bytes }
            return Snapshot(flights: s.flights.sorted { $0.value.started < $1.value.started },
                            filesDone: s.filesDone, bytesMoved: s.bytesDone + inFlight, errors: s.errors)
        }
    }
}

/// Draws a `TransferProgress`: live on a terminal, periodic `--stats` lines, the final summary.
final class ProgressDisplay: Sendable {
    enum Mode: Sendable {
        /// The refreshed block on standard error (a terminal, or forced with -P).
        case live
        /// One line every `interval` seconds (`--stats`), on standard error and in the log.
        case stats(Double)
        /// Nothing while running.
        case silent
    }

    /// Files at least this large get a line of their own while in flight.
    static let fileLineThreshold: Int64 = 1024 * 1024
    /// At most this many file lines.
    static let maxFileLines = 8
    /// The rate is averaged over this many seconds.
    static let rateWindow: Double = 5

    let model: TransferProgress
    let mode: Mode
    /// "copied", "uploaded", "transferred": the verb of the summary line.
    let verb: String
    let summary: Bool

    private struct Sample: Sendable { var time: Date; var bytes: Int64 }
    private struct DrawState: Sendable {
        var samples: [Sample] = []
        var fileSamples: [TransferID: [Sample]] = [:]
        var stopped = false
    }
    private let draw = Locked(DrawState())

    init(model: TransferProgress, mode: Mode, verb: String, summary: Bool) {
        self.model = model
        self.mode = mode
        self.verb = verb
        self.summary = summary
    }

    func start() {
        let interval: Double
        switch mode {
        case .live: interval = 0.25
        case .stats(let seconds): interval = seconds
        case .silent: return
        }
        // A thread of our own: drawing writes to the terminal, which may block.
        let thread = Thread { [self] in
            var next = Date().addingTimeInterval(isLive ? 0.1 : interval)
            while !draw.withLock({ $0.stopped }) {
                if Date() >= next {
                    tick()
                    next = Date().addingTimeInterval(interval)
                }
                usleep(50_000)
            }
        }
        thread.name = "dctc-progress"
        thread.start()
    }

    private var isLive: Bool { if case .live = mode { true } else { false } }

    private func tick() {
        let stopped = draw.withLock { $0.stopped }
        guard !stopped else { return }
        let snap = model.snapshot()
        let totals = model.totals()
        let rates = sampleRates(snap)
        switch mode {
        case .live:
            let lines = liveLines(snap, totals, rates, width: ProgressDisplay.terminalWidth())
            // Under the lock that `stop` sets: a last tick never draws after the block was removed.
            draw.withLock { d in if !d.stopped { Output.error.setStatus(lines) } }
        case .stats:
            let line = statsLine(snap, totals, rate: rates.total)
            Log.shared.plain(.notice, line)
        case .silent:
            break
        }
    }

    /// Stops drawing, removes the block, and prints the summary line unless quiet.
    /// - Returns: the summary line (also when it was not printed).
    @discardableResult
    func stop(printSummary: Bool? = nil) -> String {
        draw.withLock { $0.stopped = true }
        if isLive { Output.error.clearStatus() }
        let line = summaryLine(model.snapshot(), model.totals())
        if printSummary ?? summary { Log.shared.plain(.notice, line) } else { Log.shared.fileOnly(.notice, line) }
        return line
    }

    // MARK: - Rates

    private func sampleRates(_ snap: TransferProgress.Snapshot) -> (total: Double?, files: [TransferID: Double]) {
        let now = Date()
        return draw.withLock { d in
            d.samples.append(Sample(time: now, bytes: snap.bytesMoved))
            d.samples.removeAll { now.timeIntervalSince($0.time) > ProgressDisplay.rateWindow }
            let total = ProgressDisplay.rate(d.samples)
            var files: [TransferID: Double] = [:]
            var kept: [TransferID: [Sample]] = [:]
            for (id, flight) in snap.flights {
                var list = d.fileSamples[id] ?? [Sample(time: flight.started, bytes: 0)]
                list.append(Sample(time: now, bytes: flight.bytes))
                if list.count > 2 { list.removeAll { now.timeIntervalSince($0.time) > ProgressDisplay.rateWindow } }
                if let r = ProgressDisplay.rate(list) { files[id] = r }
                kept[id] = list
            }
            d.fileSamples = kept
            return (total, files)
        }
    }

    /// Bytes per second over the samples, nil until they span a quarter second.
    private static func rate(_ samples: [Sample]) -> Double? {
        guard let first = samples.first, let last = samples.last else { return nil }
        let span = last.time.timeIntervalSince(first.time)
        guard span >= 0.25 else { return nil }
        return Double(last.bytes - first.bytes) / span
    }

    // MARK: - Text

    private func counts(_ snap: TransferProgress.Snapshot, _ totals: ProgressTotals) -> (files: Int, bytes: Int64, errors: Int) {
        (max(snap.filesDone, totals.filesDone ?? 0), max(snap.bytesMoved, totals.bytesDone ?? 0), max(snap.errors, totals.errors ?? 0))
    }

    /// `48.0M / 256M, 18%, 24.5M/s, ETA 8s`
    private func bytesPart(_ done: Int64, _ totals: ProgressTotals, rate: Double?) -> String {
        var s = ProgressDisplay.size(done)
        if let total = totals.bytes, total > 0 {
            s += " / \(ProgressDisplay.size(total))\(totals.complete ? "" : "+")"
            s += ", \(Int(min(100, Double(done) * 100 / Double(total))))%"
        }
        s += ", " + (rate.map { "\(humanSize(Int64($0)))/s" } ?? "-/s")
        if let total = totals.bytes, totals.complete, let rate, rate > 0 {
            s += ", ETA " + ProgressDisplay.duration(Double(max(0, total - done)) / rate)
        } else {
            s += ", ETA -"
        }
        return s
    }

    private func filesPart(_ done: Int, _ totals: ProgressTotals, errors: Int, inFlight: Int) -> String {
        var s = "\(done)"
        if let files = totals.files { s += " / \(files)\(totals.complete ? "" : "+")" }
        if inFlight > 0 { s += ", \(inFlight) in flight" }
        if let checked = totals.checked { s += ", \(checked) checked" }
        if errors > 0 { s += ", " + plural(errors, "error") }
        return s
    }

    func liveLines(_ snap: TransferProgress.Snapshot, _ totals: ProgressTotals,
                   _ rates: (total: Double?, files: [TransferID: Double]), width: Int) -> [String] {
        let c = counts(snap, totals)
        let elapsed = Date().timeIntervalSince(model.started)
        var lines = [
            "Transferred:  " + bytesPart(c.bytes, totals, rate: rates.total),
            "Files:        " + filesPart(c.files, totals, errors: c.errors, inFlight: snap.flights.count),
            "Elapsed:      " + ProgressDisplay.duration(elapsed),
        ]
        let big = snap.flights.filter { ($0.1.size ?? .max) >= ProgressDisplay.fileLineThreshold }
        for (id, flight) in big.prefix(ProgressDisplay.maxFileLines) {
            var tail = ""
            if let size = flight.size, size > 0 {
                tail += "\(Int(min(100, Double(flight.bytes) * 100 / Double(size))))% of \(humanSize(size))"
            } else {
                tail += humanSize(flight.bytes)
            }
            tail += ", " + (rates.files[id].map { "\(humanSize(Int64($0)))/s" } ?? "-/s")
            lines.append(" * " + ProgressDisplay.fit(flight.path, width - 3 - 2 - tail.count) + ": " + tail)
        }
        if big.count > ProgressDisplay.maxFileLines { lines.append(" * and \(big.count - ProgressDisplay.maxFileLines) more") }
        return lines.map { ProgressDisplay.fit($0, width - 1) }
    }

    func statsLine(_ snap: TransferProgress.Snapshot, _ totals: ProgressTotals, rate: Double?) -> String {
        let c = counts(snap, totals)
        return "Transferred: " + bytesPart(c.bytes, totals, rate: rate) + "; files: "
            + filesPart(c.files, totals, errors: c.errors, inFlight: snap.flights.count)
            + "; elapsed " + ProgressDisplay.duration(Date().timeIntervalSince(model.started))
    }

    /// `copied 3 files (256M) in 10.2 s, 25.1M/s` (with `, 1 error` when any failed).
    func summaryLine(_ snap: TransferProgress.Snapshot, _ totals: ProgressTotals) -> String {
        let c = counts(snap, totals)
        let elapsed = max(0.001, Date().timeIntervalSince(model.started))
        var s = "\(verb) \(plural(c.files, "file")) (\(ProgressDisplay.size(c.bytes))) in \(String(format: "%.1f", elapsed)) s"
        if c.bytes > 0 { s += ", \(humanSize(Int64(Double(c.bytes) / elapsed)))/s" }
        if c.errors > 0 { s += ", " + plural(c.errors, "error") }
        return s
    }

    /// `812 B`, `1.5K`, `256M`.
    static func size(_ bytes: Int64) -> String { bytes < 1024 ? "\(bytes) B" : humanSize(bytes) }

    /// `8s`, `1m05s`, `2h03m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    /// The text cut to `width` characters, with `…` in the middle of what was cut.
    static func fit(_ text: String, _ width: Int) -> String {
        let chars = Array(text)
        let width = max(8, width)
        guard chars.count > width else { return text }
        let head = (width - 1) / 2
        let tail = width - 1 - head
        return String(chars.prefix(head)) + "…" + String(chars.suffix(tail))
    }

    /// The width of the terminal on standard error (TIOCGWINSZ), else `$COLUMNS`, else 80.
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 80
    }
}

/// The live progress of `sync`, `copy` and `check`, fed by the engine's counters (and by its
/// per-chunk events once it reports them through `observer`).
final class ProgressLine: Sendable {
    let observer: TransferProgress
    private let display: ProgressDisplay

    init(counters: SyncCounters) {
        observer = TransferProgress { ProgressTotals(counters: counters) }
        display = ProgressDisplay(model: observer, mode: .live, verb: "transferred", summary: false)
    }

    func start() { display.start() }

    /// Removes the display; the command prints its own summary.
    func stop() { display.stop(printSummary: false) }
}
