import DCTCCompression
import DCTCCore
import Foundation
import Testing

/// Deterministic pseudo-random bytes (SplitMix64), incompressible.
func randomBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { raw in
        var i = 0
        while i < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            for k in 0..<min(8, count - i) { raw[i + k] = UInt8(truncatingIfNeeded: z >> (8 * UInt64(k))) }
            i += 8
        }
    }
    return out
}

/// Log-like text that compresses about 4:1, like real files.
func logLines(_ count: Int, seed: UInt64 = 7) -> [UInt8] {
    let noise = randomBytes(count / 4 + 64, seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(count + 128)
    var i = 0
    while out.count < count {
        let a = noise[i % noise.count], b = noise[(i + 1) % noise.count]
        let line = "2024-05-\(10 + Int(a % 18)) INFO [worker-\(b % 16)] path=/api/v1/items/\(Int(a) * 256 + Int(b)) status=200\n"
        out.append(contentsOf: line.utf8)
        i += 2
    }
    return Array(out.prefix(count))
}

/// A fresh folder under the system temporary directory, removed by `cleanUp()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "dctc-compression-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: file(name))))
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: file(name)) }

    /// Names in the folder, hidden ones included.
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

/// The result of running a tool.
struct ToolResult: Sendable {
    var status: Int32
    var output: String
}

/// Runs `/bin/sh -c command` on a thread of our own and returns its exit status and output.
func shell(_ command: String) async throws -> ToolResult {
    try await IOThread.detached(name: "test-shell") {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let outputPath = NSTemporaryDirectory() + "dctc-shell-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let exited = process.waitForExit()
        try handle.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return ToolResult(status: exited.status, output: text)
    }
}

/// True when a tool is on the PATH.
func toolExists(_ name: String) async -> Bool {
    (try? await shell("command -v \(name) >/dev/null 2>&1").status) == 0
}

/// Reads a stream to the end (up to 512 MiB).
func collect(_ stream: ByteStream) async throws -> [UInt8] {
    try await stream.collect(limit: 512 * 1024 * 1024)
}

/// Runs bytes through a chunked transform the way a stream does, in chunks of `chunkSize`.
func run(_ bytes: [UInt8], through transform: sending any ChunkedByteTransform, chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
    try await collect(ByteStream.bytes(bytes, chunkSize: chunkSize).transformed(chunkedBy: transform))
}

/// Reads a stream that must fail and returns its `VFSError`.
func expectFailure(reading stream: ByteStream, sourceLocation: SourceLocation = #_sourceLocation) async -> VFSError? {
    do {
        _ = try await collect(stream)
        Issue.record("reading succeeded where it should have failed", sourceLocation: sourceLocation)
        return nil
    } catch let error as VFSError {
        return error
    } catch {
        Issue.record("expected a VFSError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
