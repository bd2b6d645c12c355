import DCTCCore
import Foundation

/// Runs the built `dctc` binary end to end, as a user would.
public struct CLIResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let stdoutBytes: [UInt8]
    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

public enum CLI {
    /// The binary under test: `$DCTC_BIN`, else `.build/debug/dctc` of this package.
    public static var binary: String {
        if let env = ProcessInfo.processInfo.environment["DCTC_BIN"], !env.isEmpty { return env }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/dctc").path
    }

    /// Runs `dctc ARGS` with the given environment additions, working directory and standard input.
    ///
    /// The environment always points `DCTC_CONFIG` at a non-existent file unless given, so the
    /// developer's own config never leaks into tests.
    public static func run(_ args: [String], cwd: String? = nil, environment: [String: String] = [:],
                           stdin: [UInt8]? = nil) throws -> CLIResult {
        // Writing a child's standard input after it exited must not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["DCTC_CONFIG"] = "/nonexistent/dctc-test-config.toml"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : inp
        try process.run()
        if let stdin {
            let handle = inp.fileHandleForWriting
            DispatchQueue.global().async {
                // write(contentsOf:) throws on EPIPE; the older write(_:) traps.
                try? handle.write(contentsOf: Data(stdin))
                try? handle.close()
            }
        }
        // Drain both pipes concurrently so a full pipe never blocks the child.
        let errData = ErrBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.set(err.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let exited = process.waitForExit()
        let stdoutBytes = [UInt8](outData)
        return CLIResult(status: exited.status,
                         stdout: String(decoding: stdoutBytes, as: UTF8.self),
                         stderr: String(decoding: errData.get(), as: UTF8.self),
                         stdoutBytes: stdoutBytes)
    }
}

final class ErrBox: Sendable {
    private let data = Locked(Data())
    func set(_ d: Data) { data.value = d }
    func get() -> Data { data.value }
}

/// A scratch directory tree for CLI tests, removed by `cleanup()`.
public struct Scratch: Sendable {
    public let path: String

    public init(_ label: String = "dctc-cli") throws {
        path = try TestData.temporaryDirectory(label)
    }

    public func url(_ rel: String) -> String { rel.isEmpty ? path : path + "/" + rel }

    /// Writes a file (creating parents) and returns its path.
    @discardableResult
    public func write(_ rel: String, _ content: String) throws -> String {
        try write(rel, bytes: Array(content.utf8))
    }

    @discardableResult
    public func write(_ rel: String, bytes: [UInt8]) throws -> String {
        let p = url(rel)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    public func read(_ rel: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: url(rel))))
    }

    public func readString(_ rel: String) throws -> String {
        String(decoding: try read(rel), as: UTF8.self)
    }

    public func exists(_ rel: String) -> Bool { FileManager.default.fileExists(atPath: url(rel)) }

    /// Entries of a directory, sorted (hidden ones included).
    public func list(_ rel: String = "") throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(rel)).sorted()
    }

    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}
