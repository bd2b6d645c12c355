@testable import DCTCCommands
import DCTCTestSupport
import Foundation
import Testing

@Suite("config and accounts")
struct ConfigCommandTests {
    @Test("config add writes a 0600 file, config lists it with secrets masked")
    func addAndList() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = ["DCTC_CONFIG": s.url("cfg.toml"), "BOX_PW": "s3cr3t-value"]
        let add = try CLI.run(["config", "add", "box", "--type", "sftp", "--host", "h.example", "--user", "me",
                               "--secret-env", "password=BOX_PW"], environment: env)
        #expect(add.status == 0, "\(add)")
        let mode = try FileManager.default.attributesOfItem(atPath: s.url("cfg.toml"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let list = try CLI.run(["config"], environment: env)
        #expect(list.stdout.contains("box (sftp)"))
        #expect(list.stdout.contains("(from env BOX_PW)"))
        #expect(!list.stdout.contains("s3cr3t-value") && !list.stderr.contains("s3cr3t-value"))
        #expect(try CLI.run(["config", "remove", "box"], environment: env).status == 0)
        #expect(!(try CLI.run(["config"], environment: env)).stdout.contains("box"))
    }

    @Test("a secret on the command line is refused")
    func secretInArgvRefused() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let r = try CLI.run(["config", "add", "box", "--type", "ftp", "--host", "h", "--set", "password=hunter2"],
                            environment: ["DCTC_CONFIG": s.url("cfg.toml")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--secret-env"))
        #expect(!s.exists("cfg.toml"))
    }

    @Test("NAME:path addresses resolve through an account's root; aliases expand")
    func accountsAndAliases() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("data/sub/file.txt", "x")
        try s.write("cfg.toml", """
        [aliases]
        lsl = "ls -l"

        [accounts.data]
        type = "local"
        root = "\(s.url("data"))"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: s.url("cfg.toml"))
        let env = ["DCTC_CONFIG": s.url("cfg.toml")]
        let ls = try CLI.run(["ls", "data:sub"], environment: env)
        #expect(ls.stdout == "file.txt\n", "\(ls)")
        let cp = try CLI.run(["cp", "data:sub/file.txt", "data:copy.txt"], environment: env)
        #expect(cp.status == 0, "\(cp)")
        #expect(try s.readString("data/copy.txt") == "x")
        let alias = try CLI.run(["lsl", "data:sub"], environment: env)
        #expect(alias.stdout.hasPrefix("-rw"), "\(alias)")
        #expect(ls.stderr.isEmpty, "no warning for a 0600 file: \(ls.stderr)")
    }

    @Test("a config file readable by others gets a warning naming chmod 600")
    func permissionWarning() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("cfg.toml", "[accounts.data]\ntype = \"local\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: s.url("cfg.toml"))
        let r = try CLI.run(["ls", s.path], environment: ["DCTC_CONFIG": s.url("cfg.toml")])
        #expect(r.status == 0)
        #expect(r.stderr.contains("chmod 600"))
    }

    @Test("a broken config file does not block local commands, but account addresses fail with its error")
    func brokenConfig() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("cfg.toml", "bad = [\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: s.url("cfg.toml"))
        let env = ["DCTC_CONFIG": s.url("cfg.toml")]
        #expect(try CLI.run(["ls", s.path], environment: env).status == 0)
        let r = try CLI.run(["ls", "data:x"], environment: env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 1"))
    }

    @Test("the access key id is not a secret: --set takes it and config shows it")
    func accessKeyIdIsNotASecret() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let env = ["DCTC_CONFIG": s.url("cfg.toml"), "MINIO_SECRET": "s3cr3t-value"]
        let add = try CLI.run(["config", "add", "lake", "--type", "s3", "--endpoint", "http://127.0.0.1:9000", "--set", "path_style=true",
                               "--secret-env", "secret_access_key=MINIO_SECRET", "--set", "access_key_id=minio"], environment: env)
        #expect(add.status == 0, "\(add)")
        let list = try CLI.run(["config"], environment: env)
        #expect(list.stdout.contains(#"access_key_id = "minio""#), "\(list)")
        #expect(list.stdout.contains("secret_access_key = (from env MINIO_SECRET)"), "\(list)")
    }

    @Test("on a terminal, config add asks what the type needs: S3 endpoint, region and profile; FTP port and TLS")
    func interactiveAddAsksPerType() throws {
        guard TmuxPane.available else { return }
        let s = try Scratch(); defer { s.cleanup() }
        let env = ["DCTC_CONFIG": s.url("cfg.toml"), "HOME": s.url("home")]
        for (name, answers, expected) in [
            ("lake", ["s3", "http://127.0.0.1:9000", "eu-west-1", "work"],
             ["type = \"s3\"", "endpoint = \"http://127.0.0.1:9000\"", "region = \"eu-west-1\"", "profile = \"work\""]),
            ("up", ["ftp", "ftp.example.org", "2121", "me", "y", ""],
             ["type = \"ftps\"", "host = \"ftp.example.org\"", "port = 2121", "user = \"me\""]),
        ] {
            let pane = try TmuxPane.start("'\(CLI.binary)' config add \(name)", environment: env)
            defer { pane.kill() }
            var questions = 0
            for answer in answers {
                // Answer each question once it is on the screen: a line of its own, after those answered,
                // ending in ":" or "]".
                let screen = try pane.watch(limit: 150, each: { _ in }, until: { lines in
                    let last = lines.last?.trimmingCharacters(in: .whitespaces) ?? ""
                    return lines.count > questions && (last.hasSuffix(":") || last.hasSuffix("]"))
                })
                questions += 1
                #expect(screen.count >= questions, "question \(questions) asked: \(screen)")
                if answer.isEmpty { try pane.send("Enter") } else { try pane.send("-l", answer); try pane.send("Enter") }
            }
            let last = try pane.watch(limit: 150, each: { _ in }, until: { $0.contains { $0.hasPrefix("DCTC-EXIT=") } })
            #expect(last.contains("DCTC-EXIT=0"), "\(last)")
            let file = try String(contentsOfFile: s.url("cfg.toml"), encoding: .utf8)
            let section = file.components(separatedBy: "[accounts.\(name)]").last ?? ""
            for line in expected { #expect(section.contains(line), "\(line) in \(file)") }
        }
        let ftp = try String(contentsOfFile: s.url("cfg.toml"), encoding: .utf8)
        #expect(!ftp.contains("password ="), "an empty password is not written")
    }

    @Test("every example of `config add --help` runs as written")
    func helpExamplesRun() throws {
        let s = try Scratch(); defer { s.cleanup() }
        // The discussion as written (--help wraps it to the terminal's width).
        let help = ConfigCommand.Add.configuration.discussion
        let examples = help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("dctc config add ") }
        #expect(examples.count >= 3, "\(help)")
        for (i, line) in examples.enumerated() {
            let command = "'\(CLI.binary)'" + line.dropFirst("dctc".count)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", command]
            p.environment = ["DCTC_CONFIG": s.url("cfg\(i).toml"), "PATH": "/usr/bin:/bin", "HOME": s.url("home")]
            p.standardInput = FileHandle.nullDevice
            try p.run()
            let exited = p.waitForExit()
            #expect(exited.status == 0, "\(line)")
            #expect(s.exists("cfg\(i).toml"), "\(line)")
        }
    }
}
