import DCTCBackendHTTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// The loopback web servers of `Scripts/test-servers/nginx.sh` and `rclone-webdav.sh`.
///
/// Under `make test` (`DCTC_TEST_HARNESS=1`) the harness has started them: one that does not
/// answer fails the tests that need it, with the tail of its log. Outside the harness the
/// scripts are run (`start` is idempotent) and a server that cannot start fails the test with
/// the script's explanation: nothing is skipped silently.
enum HTTPTestServers {
    struct Nginx: Sendable {
        /// Read-only, JSON autoindex (`/norange/` ignores Range).
        let jsonURL: String
        /// Read-only, HTML autoindex.
        let htmlURL: String
        /// WebDAV over the same folder.
        let davURL: String
        /// The folder the three serve.
        let root: String
    }

    struct Rclone: Sendable {
        let url: String
        let user: String
        let password: String
        let root: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func nginx() async throws -> Nginx { try await sharedNginx.value }
    static func rclone() async throws -> Rclone { try await sharedRclone.value }

    fileprivate static func locateNginx() async throws -> Nginx {
        let v = try await serverEnvironment(script: "nginx", probeVariable: "DCTC_TEST_WEBDAV_URL",
                                            logs: ["nginx.out", "nginx-error.log"])
        return Nginx(jsonURL: try v.require("DCTC_TEST_HTTP_JSON_URL"), htmlURL: try v.require("DCTC_TEST_HTTP_HTML_URL"),
                     davURL: try v.require("DCTC_TEST_WEBDAV_URL"), root: try v.require("DCTC_TEST_HTTP_ROOT"))
    }

    fileprivate static func locateRclone() async throws -> Rclone {
        let v = try await serverEnvironment(script: "rclone-webdav", probeVariable: "DCTC_TEST_RCLONE_WEBDAV_URL",
                                            logs: ["rclone-webdav.out"])
        return Rclone(url: try v.require("DCTC_TEST_RCLONE_WEBDAV_URL"), user: try v.require("DCTC_TEST_RCLONE_WEBDAV_USER"),
                      password: try v.require("DCTC_TEST_RCLONE_WEBDAV_PASSWORD"),
                      root: try v.require("DCTC_TEST_RCLONE_WEBDAV_ROOT"))
    }

    struct Variables {
        var values: [String: String]
        func require(_ name: String) throws -> String {
            guard let v = values[name], !v.isEmpty else { throw VFSError(.invalidArgument, "\(name) is not set") }
            return v
        }
    }

    /// The `export` lines of `SCRIPT.sh env`, after making sure the server answers.
    private static func serverEnvironment(script: String, probeVariable: String, logs: [String]) async throws -> Variables {
        let path = repositoryRoot + "/Scripts/test-servers/\(script).sh"
        let underHarness = ProcessInfo.processInfo.environment["DCTC_TEST_HARNESS"] == "1"
        if !underHarness {
            // Foundation's Process hands the child a socket it watches to see the child end; a
            // server started by the script would inherit it and keep `waitUntilExit` waiting
            // for as long as the server runs. Close every inherited descriptor above 2 first.
            let closeInherited = "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\" 2>/dev/null; done; exec \"$@\""
            let start = try await runTool(["bash", "-c", closeInherited, "bash", "bash", path, "start"])
            guard start.status == 0 else {
                throw VFSError(.unavailable, "could not start the test server with \(script).sh (exit \(start.status)): \(start.stderr)",
                               remedy: "run `bash Scripts/test-servers/\(script).sh start` and read its message")
            }
        }
        let env = try await runTool(["bash", path, "env"])
        var values: [String: String] = [:]
        for line in env.stdout.split(separator: "\n") {
            let text = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line[...]
            guard let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        let variables = Variables(values: values)
        let url = try variables.require(probeVariable)
        if let port = URL(string: url)?.port, !portIsOpen(port) {
            let folder = ProcessInfo.processInfo.environment["DCTC_SRV_DIR"] ?? "/tmp/dctc-srv"
            var tail = ""
            for log in logs {
                let text = (try? String(contentsOfFile: folder + "/logs/" + log, encoding: .utf8)) ?? "(no log)"
                tail += "\n--- \(log)\n" + text.split(separator: "\n").suffix(20).joined(separator: "\n")
            }
            throw VFSError(.unavailable, "the test server of \(script).sh does not answer on \(url)\(tail)",
                           remedy: "run `bash Scripts/test-servers/\(script).sh start`")
        }
        return variables
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func portIsOpen(_ port: Int) -> Bool { isListening(port: port) }
}

private let sharedNginx = Task { try await HTTPTestServers.locateNginx() }
private let sharedRclone = Task { try await HTTPTestServers.locateRclone() }

// MARK: - Stores on the test servers

extension HTTPTestServers.Nginx {
    func configuration(_ url: String, mode: HTTPStoreConfiguration.Mode = .detect) throws -> HTTPStoreConfiguration {
        var c = try HTTPStoreConfiguration(url: url)
        c.mode = mode
        return c
    }

    func jsonStore() async throws -> HTTPFileSystem { try await HTTPFileSystem.connect(configuration(jsonURL)) }
    func htmlStore() async throws -> HTTPFileSystem { try await HTTPFileSystem.connect(configuration(htmlURL)) }
    func davStore() async throws -> HTTPFileSystem { try await HTTPFileSystem.connect(configuration(davURL)) }
}

extension HTTPTestServers.Rclone {
    func configuration(user: String? = nil, password: String? = nil) throws -> HTTPStoreConfiguration {
        var c = try HTTPStoreConfiguration(url: url)
        c.user = user ?? self.user
        c.password = password ?? self.password
        return c
    }

    func store() async throws -> HTTPFileSystem { try await HTTPFileSystem.connect(configuration()) }
}

// MARK: - Tools

