import Foundation

/// The loopback test servers of `Scripts/test-servers/`, as tests see them.
///
/// Under `make test` (`DCTC_TEST_HARNESS=1`) the servers were started before the tests, and a
/// server that does not answer is a failure. Outside the harness a test may start it through
/// its script, or skip saying why.
public enum TestServers {
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static var inHarness: Bool { ProcessInfo.processInfo.environment["DCTC_TEST_HARNESS"] == "1" }

    /// The `export NAME=value` lines of `Scripts/test-servers/NAME.sh env`, as a dictionary.
    public static func environment(of server: String) throws -> [String: String] {
        let script = packageRoot.appendingPathComponent("Scripts/test-servers/\(server).sh").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script, "env"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        var env: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard line.hasPrefix("export "), let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[line.index(line.startIndex, offsetBy: 7)..<eq])
            var value = String(line[line.index(after: eq)...])
            if value.hasPrefix("'") && value.hasSuffix("'") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            env[key] = value
        }
        return env
    }

    /// True when something accepts TCP connections on 127.0.0.1:port.
    public static func isListening(_ port: Int) -> Bool { DCTCTestSupport.isListening(port: port) }

    /// Starts a server through its script when it is not listening (outside the harness).
    /// - Returns: nil when it is up, else why not (under the harness the caller must fail).
    public static func ensure(_ server: String, port: Int) -> String? {
        if isListening(port) { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [packageRoot.appendingPathComponent("Scripts/test-servers/\(server).sh").path, "start"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run(); p.waitForExit() } catch { return "cannot run the \(server) script: \(error)" }
        return isListening(port) ? nil : "\(server) is not running on 127.0.0.1:\(port) (start it with `make test-servers`)"
    }
}
