import DCTCCore
import Foundation
import Testing

@testable import DCTCCurl

/// A real HTTP server on 127.0.0.1 (Fixtures/test_http_server.py) serving a fresh temporary
/// folder, started by a test and stopped by it.
final class FixtureServer: @unchecked Sendable {
    let root: URL
    let port: Int
    private let process: Process

    private init(root: URL, port: Int, process: Process) {
        self.root = root
        self.port = port
        self.process = process
    }

    /// `http://127.0.0.1:PORT/path`.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Starts the server on a free port chosen by the kernel and waits until it listens.
    static func start() async throws -> FixtureServer {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("dctc-curl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let portFile = root.appendingPathComponent(".port")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/test_http_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script.path, "--root", root.path, "--port-file", portFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return FixtureServer(root: root, port: port, process: process)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw VFSError(.unavailable, "the fixture HTTP server did not start")
    }

    /// Stops the server (SIGTERM to the process this fixture started) and removes its folder.
    func stop() {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: root)
    }

    /// Writes `bytes` under the server's root.
    func write(_ bytes: [UInt8], to name: String) throws {
        let file = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
    }

    /// The bytes of a file under the server's root.
    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(name)))
    }

    /// How many `/wait?key=` requests the server holds now, and the most it held at once.
    func waiting(_ key: String, using client: CurlClient) async throws -> (now: Int, max: Int) {
        let (_, body) = try await client.performCollecting(.get(url("waiting?key=\(key)")))
        let parts = String(decoding: body, as: UTF8.self).split(separator: " ").compactMap { Int($0) }
        return (parts.first ?? 0, parts.last ?? 0)
    }

    /// Lets every current and future `/wait?key=` request answer.
    func release(_ key: String, using client: CurlClient) async throws {
        _ = try await client.performCollecting(.get(url("release?key=\(key)")))
    }
}

/// Deterministic test content: `count` bytes of a simple pseudo-random sequence.
func testBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    return out
}

/// Waits until `condition` holds; a hang guard, not a timing assertion (gives up after ~20 s).
func eventually(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition never became true")
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound by the kernel, then released).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw VFSError(.io, "socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
            bind(fd, sp, len) == 0 && getsockname(fd, sp, &len) == 0
        }
    }
    guard bound else { throw VFSError(.io, "bind() failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
