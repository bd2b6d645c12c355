import DCTCTestSupport
import Foundation
import Testing

@Suite("Global options anywhere on the line, and in aliases")
struct GlobalOptionsTests {
    @Test("-v and --config are accepted before the verb as after it")
    func beforeTheVerb() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a.txt", "a")
        let config = try s.write("config.toml", "[aliases]\nll = \"ls -l\"\n")
        for args in [["-v", "ls", s.url("d")], ["ls", "-v", s.url("d")], ["--config", config, "ls", s.url("d")],
                     ["--config=\(config)", "-q", "ls", s.url("d")]] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(args): \(r)")
            #expect(r.stdout == "a.txt\n", "\(args): \(r)")
        }
    }

    @Test("-v before grep means --verbose, while grep's own -v still inverts the match")
    func verboseBeforeGrep() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let file = try s.write("f.txt", "keep\ndrop\n")
        let r = try CLI.run(["-v", "grep", "-v", "drop", file])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "keep\n")
    }

    @Test("an alias is found in the config named before it, and may carry global options")
    func aliasWithGlobalOptions() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a.txt", "a")
        let config = try s.write("config.toml", "[aliases]\nll = \"--quiet ls -l\"\n")
        let r = try CLI.run(["--config", config, "ll", s.url("d")], environment: ["DCTC_CONFIG": "/nonexistent/x.toml"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("a.txt") && r.stdout.hasPrefix("-"), "long format from the alias: \(r)")
    }

    @Test("a global option between a command group and its subcommand is accepted")
    func betweenGroupAndSubcommand() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let config = try s.write("config.toml", "")
        let r = try CLI.run(["config", "--config", config, "path"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == config + "\n")
    }

    @Test("--log-file gets timestamped lines at the level of -v, and errors always")
    func logFile() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a.txt", "a")
        let log = s.url("run.log")
        let r = try CLI.run(["-v", "--log-file", log, "rm", s.url("d/a.txt"), s.url("d/missing")])
        #expect(r.status != 0)
        let text = try s.readString("run.log")
        let lines = text.split(separator: "\n")
        #expect(lines.contains { $0.contains(" INFO ") && $0.contains("removed") }, "\(text)")
        #expect(lines.contains { $0.contains(" ERROR ") && $0.contains("missing") }, "\(text)")
        #expect(lines.allSatisfy { $0.count > 24 && $0.dropFirst(4).hasPrefix("-") && $0.contains("T") }, "timestamped: \(text)")
    }
}
