import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a user meets with hostile input: keys that are not paths in a bucket, symbolic-link
/// loops, scp-style addresses, control characters in names. Each test reproduces an item of
/// "What was seen" in issue 11 against the real servers.
@Suite("Hostile input: names, links, addresses, one-line errors")
struct HostileInputTests {
    // MARK: - Helpers

    /// A config with an account `moto` on the moto server, and its environment.
    static func motoAccount(_ s: Scratch) throws -> (config: String, env: [String: String]) {
        if let why = TestServers.ensure("moto", port: 17090) { throw TestSkip(why) }
        let moto = try TestServers.environment(of: "moto")
        let config = try s.write("dctc.toml", """
        [accounts.moto]
        type = "s3"
        endpoint = "\(moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:17090")"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_MOTO_SECRET"
        """)
        chmod(config, 0o600)
        return (config, ["DCTC_CONFIG": config, "TEST_MOTO_SECRET": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? ""])
    }

    /// Puts raw keys into a new bucket of moto with boto3 (as `aws s3api put-object` does).
    static func putKeys(bucket: String, keys: [String]) throws {
        let moto = try TestServers.environment(of: "moto")
        let script = """
        import boto3, sys
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                          aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
        s3.create_bucket(Bucket=sys.argv[4])
        for key in sys.argv[5:]:
            s3.put_object(Bucket=sys.argv[4], Key=key, Body=key.encode())
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:17090",
                       moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "x", moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "x", bucket] + keys
        try p.run()
        let exited = p.waitForExit()
        guard exited.status == 0 else { throw TestSkip("boto3 could not put the keys into moto") }
    }

    static let hostileKeys = ["k/./x.txt", "./dot.txt", "t/../../escape.txt", "a//b.txt", "/abs.txt", "../up.txt",
                              "a/../../up2.txt"]
    static let safeKeys = ["k/ok.txt", "t/ok.txt", "a/ok.txt", "top.txt"]

    static func uniqueBucket(_ label: String) -> String {
        "dctc-\(label)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    // MARK: - Names

    @Test("ls -R of a bucket with '.', '..' and empty key segments ends, lists no such folder, reports each and exits 4")
    func lsRecursiveOfHostileBucketEnds() throws {
        let s = try Scratch("dctc-hostile-ls")
        defer { s.cleanup() }
        let (_, env) = try Self.motoAccount(s)
        let bucket = Self.uniqueBucket("ls")
        try Self.putKeys(bucket: bucket, keys: Self.hostileKeys + Self.safeKeys)
        let r = try CLI.run(["ls", "-R", "moto:\(bucket)"], environment: env)
        #expect(r.status == 4, "\(r)")
        #expect(!r.stdout.contains("/..:") && !r.stdout.contains("/.:"), "\(r)")
        #expect(r.stdout.contains("ok.txt"), "\(r)")
        // A delimited listing names the common prefix (`B/a//`), not each key below it.
        for reported in ["\(bucket)//:", "a//:", "t/..:", "k/.:", "a/..:", "\(bucket)/..:", "\(bucket)/.:"] {
            #expect(r.stderr.contains(reported), "\(reported) is reported: \(r)")
        }
        #expect(r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("dctc: ") }, "every report is one line: \(r)")
        _ = try CLI.run(["rm", "-r", "moto:\(bucket)"], environment: env)
    }

    @Test("cp -r of a bucket with keys that are not paths copies the others, renames nothing, reports each and exits 4")
    func copyOfHostileBucketReportsAndRenamesNothing() throws {
        let s = try Scratch("dctc-hostile-cp")
        defer { s.cleanup() }
        let (_, env) = try Self.motoAccount(s)
        let bucket = Self.uniqueBucket("cp")
        try Self.putKeys(bucket: bucket, keys: Self.hostileKeys + Self.safeKeys)
        let r = try CLI.run(["cp", "-r", "moto:\(bucket)/", s.url("out")], environment: env)
        #expect(r.status == 4, "\(r)")
        #expect(!s.exists("out/up.txt") && !s.exists("out/up2.txt") && !s.exists("escape.txt") && !s.exists("out/b.txt"), "\(r)")
        for key in Self.safeKeys { #expect(try s.readString("out/" + key) == key) }
        // A whole-tree listing names each key it skips (a delimited one, as ls, names the prefix).
        for reported in ["\(bucket)//abs.txt:", "a//b.txt:", "\(bucket)/../up.txt:", "a/../../up2.txt:", "t/../../escape.txt:"] {
            #expect(r.stderr.contains(reported), "\(r)")
        }
        #expect(!r.stderr.contains("copied 0 files"), "the summary counts the tree: \(r)")
    }

    // MARK: - Symbolic links

    @Test("find, du and ls -R of a tree with a link to its parent and a two-link loop end and show the links as links")
    func walksOfLinkLoopsEnd() throws {
        let s = try Scratch("dctc-hostile-links")
        defer { s.cleanup() }
        try s.write("src/d/f.txt", "f")
        try s.write("src/a/g.txt", "g")
        try s.write("src/b/h.txt", "h")
        symlink("..", s.url("src/d/up"))
        symlink("../b", s.url("src/a/to-b"))
        symlink("../a", s.url("src/b/to-a"))
        symlink("nowhere", s.url("src/broken"))
        let find = try CLI.run(["find", s.url("src")])
        #expect(find.status == 0, "\(find)")
        #expect(find.stdout.split(separator: "\n").count == 11, "\(find)")
        let du = try CLI.run(["du", s.url("src")])
        #expect(du.status == 0, "\(du)")
        let ls = try CLI.run(["ls", "-R", s.url("src")])
        #expect(ls.status == 0, "\(ls)")
        #expect(!ls.stdout.contains("up:"), "\(ls)")

        // -L follows links: each loop is reported once and skipped, the broken link reported.
        for verb in [["find", "-L"], ["du", "-L"], ["ls", "-R", "-L"]] {
            let r = try CLI.run(verb + [s.url("src")])
            #expect(r.status == 4, "\(r)")
            #expect(r.stderr.contains("src/d/up: skipped, filesystem loop"), "\(r)")
            #expect(r.stderr.contains("src/broken: skipped, a broken symbolic link"), "\(r)")
        }
        let followed = try CLI.run(["find", "-L", s.url("src"), "--type", "f"])
        #expect(followed.stdout.contains("src/a/to-b/h.txt"), "a link to a folder off the path is followed: \(followed)")
    }

    // MARK: - Modes

    @Test("cp keeps a 0600 file private and the exec bit, local to local and local to SFTP")
    func cpNeverWidensModes() throws {
        let s = try Scratch("dctc-hostile-modes")
        defer { s.cleanup() }
        chmod(try s.write("secret", "s"), 0o600)
        chmod(try s.write("tool", "t"), 0o755)
        let local = try CLI.run(["cp", s.url("secret"), s.url("tool"), s.url("out") + "/"])
        #expect(local.status == 0, "\(local)")
        #expect(Self.mode(s.url("out/secret")) == 0o600 && Self.mode(s.url("out/tool")) == 0o755, "\(local)")

        let ssh = try Self.sshEnvironment()
        let remoteDir = "/tmp/dctc-hostile-modes-\(UInt32.random(in: 0...UInt32.max))"
        let r = try CLI.run(["cp", s.url("secret"), s.url("tool"), "dctc-sshd:\(remoteDir)/"], environment: ssh)
        #expect(r.status == 0, "\(r)")
        #expect(Self.mode(remoteDir + "/secret") == 0o600 && Self.mode(remoteDir + "/tool") == 0o755, "\(r)")
        try? FileManager.default.removeItem(atPath: remoteDir)
    }

    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode & 0o7777)
    }

    // MARK: - Addresses

    /// `DCTC_SSH_CONFIG` pointing at the test server's `Host dctc-sshd` (127.0.0.1:17022).
    static func sshEnvironment() throws -> [String: String] {
        if let why = TestServers.ensure("sshd", port: 17022) { throw TestSkip(why) }
        let keys = (try TestServers.environment(of: "sshd")["DCTC_TEST_SSH_KEY"].map { ($0 as NSString).deletingLastPathComponent })
            ?? "/tmp/dctc-srv/keys"
        return ["DCTC_SSH_CONFIG": keys + "/ssh_config"]
    }

    @Test("cp f user@host:/path writes on the SSH server, never a local folder named 'user@host:'")
    func scpFormIsSFTP() throws {
        let s = try Scratch("dctc-hostile-scp")
        defer { s.cleanup() }
        let env = try Self.sshEnvironment()
        try s.write("f.txt", "scp form")
        let remote = "/tmp/dctc-hostile-scp-\(UInt32.random(in: 0...UInt32.max)).txt"
        let r = try CLI.run(["cp", "f.txt", "dctctest@dctc-sshd:\(remote)"], cwd: s.path, environment: env)
        #expect(r.status == 0, "\(r)")
        let names = try s.list()
        #expect(names.filter { $0.contains("@") }.isEmpty, "no local folder named after the host: \(names)")
        #expect(FileManager.default.contents(atPath: remote).map { String(decoding: $0, as: UTF8.self) } == "scp form")
        try? FileManager.default.removeItem(atPath: remote)
    }

    @Test("NAME:path is a Host of ~/.ssh/config when no account has that name (relative to the login folder)")
    func sshHostAlias() throws {
        let s = try Scratch("dctc-hostile-alias")
        defer { s.cleanup() }
        let env = try Self.sshEnvironment()
        try s.write("g.txt", "alias")
        let name = "dctc-hostile-alias-\(UInt32.random(in: 0...UInt32.max)).txt"
        let r = try CLI.run(["cp", "g.txt", "dctc-sshd:\(name)"], cwd: s.path, environment: env)
        #expect(r.status == 0, "\(r)")
        let cat = try CLI.run(["cat", "dctc-sshd:\(name)"], environment: env)
        #expect(cat.stdout == "alias", "\(cat)")
        _ = try CLI.run(["rm", "dctc-sshd:\(name)"], environment: env)
    }

    @Test("NAME:path with neither an account nor an SSH host is an error naming both, and writes nothing")
    func unknownNameIsAnError() throws {
        let s = try Scratch("dctc-hostile-noname")
        defer { s.cleanup() }
        let env = try Self.sshEnvironment()
        try s.write("h.txt", "x")
        let r = try CLI.run(["cp", "h.txt", "nosuchname:x"], cwd: s.path, environment: env)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("no account named 'nosuchname'") && r.stderr.contains("~/.ssh/config"), "\(r)")
        #expect(try s.list() == ["h.txt"])
    }

    // MARK: - One-line errors

    @Test("a newline in an address is escaped in the error, which stays one line")
    func newlineInAddressIsEscaped() throws {
        let r = try CLI.run(["ls", "/tmp/no-such\ndctc: forged line"])
        #expect(r.status == 3, "\(r)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r)")
        #expect(r.stderr.contains("no-such\\ndctc: forged line"), "\(r)")
    }

    // MARK: - Ctrl-C

    /// Runs `dctc cp - DEST` fed by a pipe that stays open, interrupts it once it has read
    /// something, and returns its exit status and standard error.
    static func interruptedCopy(to destination: String, environment: [String: String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["cp", "-", destination]
        var env = ProcessInfo.processInfo.environment
        env["DCTC_CONFIG"] = "/nonexistent/dctc-test-config.toml"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        // Some bytes, then the pipe stays open: the copy cannot finish before the interrupt.
        try input.fileHandleForWriting.write(contentsOf: Data(repeating: 7, count: 3 << 20))
        Thread.sleep(forTimeInterval: 1)
        process.interrupt()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        let exited = process.waitForExit()
        try? input.fileHandleForWriting.close()
        return (exited.status, String(decoding: stderr, as: UTF8.self))
    }

    @Test("Ctrl-C during cp exits 130, names the user's path and leaves nothing behind, local and SFTP")
    func interruptedCopyLeavesNothing() throws {
        let s = try Scratch("dctc-hostile-int")
        defer { s.cleanup() }
        let (local, localErr) = try Self.interruptedCopy(to: s.url("out/big.bin"), environment: [:])
        #expect(local == 130, "\(localErr)")
        #expect((try? s.list("out")) ?? [] == [], "nothing half-written: \(localErr)")

        let env = try Self.sshEnvironment()
        let remoteDir = "/tmp/dctc-hostile-int-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: remoteDir, withIntermediateDirectories: true)
        chmod(remoteDir, 0o777)
        defer { try? FileManager.default.removeItem(atPath: remoteDir) }
        let (sftp, sftpErr) = try Self.interruptedCopy(to: "dctc-sshd:\(remoteDir)/big.bin", environment: env)
        #expect(sftp == 130, "\(sftpErr)")
        #expect(!sftpErr.contains(".dctc-"), "the message names the user's path: \(sftpErr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDir) == [], "nothing half-written: \(sftpErr)")
    }

    // MARK: - Modes and links through the engine (sync, cp -r)

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }

    @Test("sync and cp -r never widen modes (0600 stays, setuid dropped); --no-perms leaves the default")
    func engineKeepsModes() throws {
        let s = try Scratch("dctc-hostile-modes")
        defer { s.cleanup() }
        try s.write("src/secret", "s")
        try s.write("src/run.sh", "r")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: s.url("src/secret"))
        try FileManager.default.setAttributes([.posixPermissions: 0o4755], ofItemAtPath: s.url("src/run.sh"))
        for args in [["sync", s.url("src"), s.url("synced")], ["cp", "-r", s.url("src/"), s.url("copied")]] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(r)")
        }
        for dir in ["synced", "copied"] {
            #expect(Self.mode(s.url("\(dir)/secret")) == 0o600, "\(dir)")
            #expect(Self.mode(s.url("\(dir)/run.sh")) == 0o755, "\(dir)")
        }
        let plain = try CLI.run(["sync", "--no-perms", s.url("src"), s.url("plain")])
        #expect(plain.status == 0, "\(plain)")
        #expect(Self.mode(s.url("plain/run.sh")) & 0o4000 == 0)
    }

    @Test("sync skips links with a notice (exit 0), follows them with -L (a loop reported, exit 4), refuses --links")
    func engineLinks() throws {
        let s = try Scratch("dctc-hostile-engine-links")
        defer { s.cleanup() }
        try s.write("src/f.txt", "f")
        try s.write("outside/o.txt", "o")
        try FileManager.default.createSymbolicLink(atPath: s.url("src/lnk"), withDestinationPath: "../outside")
        try FileManager.default.createDirectory(atPath: s.url("src/d"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: s.url("src/d/up"), withDestinationPath: "..")
        let plain = try CLI.run(["sync", s.url("src"), s.url("plain")])
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stderr.contains("src/lnk: skipped, a symbolic link"), "\(plain)")
        #expect(!s.exists("plain/lnk") && s.exists("plain/f.txt"))
        let followed = try CLI.run(["sync", "-L", s.url("src"), s.url("followed")])
        #expect(followed.status == 4, "\(followed)")
        #expect(try s.readString("followed/lnk/o.txt") == "o")
        #expect(followed.stderr.contains("filesystem loop"), "\(followed)")
        #expect(!s.exists("followed/d/up"))
        let links = try CLI.run(["cp", "-r", "--links", s.url("src"), s.url("linked")])
        #expect(links.status == 2 && links.stderr.contains("--links"), "\(links)")
        #expect(!s.exists("linked"))
    }
}
