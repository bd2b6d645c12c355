import DCTCTestSupport
import Foundation
import Testing

@Suite("CLI surface: help, version, completions, exit codes")
struct SurfaceTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the committed completion scripts match the CLI", arguments: [("bash", "dctc.bash"), ("zsh", "_dctc"), ("fish", "dctc.fish")])
    func completionsDoNotDrift(shell: String, file: String) throws {
        let generated = try CLI.run(["completions", shell])
        #expect(generated.status == 0)
        let committed = try String(contentsOf: Self.packageRoot.appendingPathComponent("completions/\(file)"), encoding: .utf8)
        #expect(generated.stdout == committed, "completions/\(file) is stale: run `make completions` and commit it")
    }

    // The overview and the examples of every command's help: HelpTests.swift.

    @Test("an unknown option is a usage error, exit 2")
    func usageError() throws {
        let r = try CLI.run(["ls", "--no-such-flag"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--no-such-flag"))
    }

    @Test("version prints the version and the C libraries")
    func version() throws {
        let r = try CLI.run(["version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("dctc "))
        for lib in ["libcurl", "libssh2", "zlib", "bzip2", "openssl"] {
            #expect(r.stdout.contains(lib), "version output lacks \(lib)")
        }
    }

    @Test("a password inside an address is refused and never echoed")
    func passwordInAddressRefused() throws {
        let r = try CLI.run(["ls", "sftp://user:hunter2@example.invalid/x"])
        #expect(r.status == 2, "\(r)")
        #expect(!r.stderr.contains("hunter2"))
        #expect(r.stderr.contains("password"))
    }

    @Test("an unknown account names the remedy")
    func unknownAccount() throws {
        let r = try CLI.run(["ls", "nosuch:path"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("no account named 'nosuch'"))
        #expect(r.stderr.contains("config add"))
    }
}
