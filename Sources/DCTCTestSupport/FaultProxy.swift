import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A fault proxy of `Scripts/fault-proxy/fault_proxy.py` on a free 127.0.0.1 port, in front
/// of a test server: cuts TCP connections (`.tcp`) or answers HTTP requests with throttling
/// errors (`.http`). Seeded, bounded in connections and lifetime; `stop()` ends it early.
public final class FaultProxy: @unchecked Sendable {
    public enum Mode: Sendable {
        /// Cuts a connection after `cutAfter` bytes: the first connection only, or each with
        /// probability `fraction`; with a reset (`rst`) or a FIN.
        case tcp(cutAfter: Int, fraction: Double, firstOnly: Bool, rst: Bool)
        /// Answers a request with `status` (503 SlowDown, 500 InternalError, 429 with
        /// `Retry-After`) with probability `fraction`, else forwards it.
        case http(status: Int, fraction: Double, retryAfter: Int?)
        /// Answers exactly the first `times` requests whose request line contains `match`
        /// (`?uploads`, `HEAD `, `partNumber=`) with `status`; forwards everything else.
        case httpMatching(String, times: Int, status: Int, retryAfter: Int?)
    }

    /// The port the proxy listens on.
    public let port: Int
    private let process: Process
    private let folder: String

    /// Starts a proxy to 127.0.0.1:`targetPort`.
    ///
    /// - Parameters:
    ///   - seed: the seed of the fault draws.
    ///   - lifetime: seconds after which the proxy exits by itself.
    /// - Throws: `VFSError(.unavailable)` when it does not start within 5 s.
    public init(_ mode: Mode, targetPort: Int, seed: Int = 11, lifetime: Int = 300) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-fault-proxy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let script = TestServers.packageRoot.appendingPathComponent("Scripts/fault-proxy/fault_proxy.py").path
        let portFile = folder + "/port"
        var arguments = ["python3", script]
        switch mode {
        case let .tcp(cutAfter, fraction, firstOnly, rst):
            arguments += ["tcp", "--cut-after", String(cutAfter), "--fraction", String(fraction)]
            if firstOnly { arguments.append("--first-only") }
            if rst { arguments.append("--rst") }
        case let .http(status, fraction, retryAfter):
            arguments += ["http", "--status", String(status), "--fraction", String(fraction)]
            if let retryAfter { arguments += ["--retry-after", String(retryAfter)] }
        case let .httpMatching(match, times, status, retryAfter):
            arguments += ["http", "--status", String(status), "--match", match, "--times", String(times)]
            if let retryAfter { arguments += ["--retry-after", String(retryAfter)] }
        }
        arguments += ["--target", "127.0.0.1:\(targetPort)", "--seed", String(seed), "--lifetime", String(lifetime),
                      "--port-file", portFile, "--stats-file", folder + "/stats"]
        let args = arguments
        let boxed = try await IOThread.detached(name: "dctc-test-fault-proxy") { () -> ProcessBox in
            // A child inherits the signal mask: give it the default one, so SIGTERM ends it.
            var none = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, nil)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            try p.run()
            return ProcessBox(p)
        }
        process = boxed.process
        var found: Int?
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let n = Int(text) { found = n; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            kill(boxed.process.processIdentifier, SIGKILL)
            throw VFSError(.unavailable, "the fault proxy did not start", remedy: "check that python3 runs \(script)")
        }
        port = found
    }

    /// Connections accepted and faults made so far.
    public var stats: (connections: Int, faults: Int) {
        guard let text = try? String(contentsOfFile: folder + "/stats", encoding: .utf8) else { return (0, 0) }
        let parts = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
    }

    /// Ends the proxy and removes its folder.
    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// A `Process` handed from the thread that started it.
struct ProcessBox: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
