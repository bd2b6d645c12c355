import DCTCSync
import Foundation

/// The live progress line on standard error: files and bytes done of the total known so far
/// (refined while listing continues), rate and ETA.
final class ProgressLine: @unchecked Sendable {
    private let counters: SyncCounters
    // Guarded by `lock`.
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private let started = Date()

    init(counters: SyncCounters) { self.counters = counters }

    func start() {
        let t = Task { [self] in
            while !Task.isCancelled {
                draw()
                try? await Task.sleep(nanoseconds: 500_000_000)
            }
        }
        lock.withLock { task = t }
    }

    func stop() {
        lock.withLock { task?.cancel(); task = nil }
        draw()
        Output.error.write("\n")
    }

    private func draw() {
        let v = counters.values
        let elapsed = max(0.001, Date().timeIntervalSince(started))
        let rate = Double(v.bytesTransferred) / elapsed
        var line = "\(v.filesTransferred)/\(v.filesToTransfer)\(v.listingDone ? "" : "+") files, "
            + "\(humanSize(v.bytesTransferred))/\(humanSize(v.bytesToTransfer)), \(humanSize(Int64(rate)))/s"
        if v.listingDone, rate > 0, v.bytesToTransfer > v.bytesTransferred {
            line += ", ETA \(Int(Double(v.bytesToTransfer - v.bytesTransferred) / rate)) s"
        }
        line += ", \(v.filesChecked) checked"
        if v.errors > 0 { line += ", \(v.errors) errors" }
        Output.error.write("\r\u{1b}[K" + line)
    }
}
