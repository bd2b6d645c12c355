import DCTCTestSupport
import Foundation
import Testing

/// Runs `dctc ARGS` under `timeout`, so a command that would loop fails the test (exit 124)
/// instead of hanging it.
func runBounded(_ args: [String], environment: [String: String], seconds: Int = 120) throws -> BoundedResult {
    let dir = try TestData.temporaryDirectory("dctc-bounded")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    p.arguments = [String(seconds), CLI.binary] + args
    var env = ProcessInfo.processInfo.environment
    env["DCTC_CONFIG"] = "/nonexistent/dctc-test-config.toml"
    for (k, v) in environment { env[k] = v }
    p.environment = env
    _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    p.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
    p.standardError = FileHandle(forWritingAtPath: dir + "/err")
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let exited = p.waitForExit()
    let out = FileManager.default.contents(atPath: dir + "/out") ?? Data()
    let err = FileManager.default.contents(atPath: dir + "/err") ?? Data()
    return BoundedResult(status: exited.status, stdout: String(decoding: out, as: UTF8.self),
                         stderr: String(decoding: err, as: UTF8.self))
}

/// What `runBounded` saw (exit 124: the command did not end in time).
struct BoundedResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// A bucket on the moto server filled through the S3 API itself (boto3, which moto brings),
/// so keys dctc would never write (`k/./x.txt`, `../up.txt`) can be put there.
struct HostileBucket {
    let bucket: String
    let env: [String: String]

    static let keys = ["k/./x.txt", "./dot.txt", "t/../../escape.txt", "../up.txt", "a/../../up2.txt",
                       "/abs.txt", "a//b.txt", "ok/fine.txt"]

    static func make(_ s: Scratch) throws -> HostileBucket {
        if let why = TestServers.ensure("moto", port: 17090) { throw TestSkip(why) }
        let moto = try TestServers.environment(of: "moto")
        let endpoint = moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "http://127.0.0.1:17090"
        let bucket = "dctc-hostile-\(UUID().uuidString.lowercased().prefix(8))"
        let config = try s.write("moto.toml", """
        [accounts.moto]
        type = "s3"
        endpoint = "\(endpoint)"
        region = "us-east-1"
        access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
        secret_access_key_env = "TEST_MOTO_SECRET"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let script = """
        import boto3, sys
        s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2],
                          aws_secret_access_key=sys.argv[3], region_name='us-east-1')
        s3.create_bucket(Bucket=sys.argv[4])
        for key in sys.argv[5:]:
            s3.put_object(Bucket=sys.argv[4], Key=key, Body=b'data of ' + key.encode())
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, endpoint, moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "",
                       moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "", bucket] + keys
        try p.run()
        let exited = p.waitForExit()
        guard exited.status == 0 else { throw TestSkip("python3 with boto3 could not put keys on moto") }
        return HostileBucket(bucket: bucket, env: [
            "DCTC_CONFIG": config, "XDG_STATE_HOME": s.url("state"),
            "TEST_MOTO_SECRET": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "",
        ])
    }

    func run(_ args: [String]) throws -> BoundedResult { try runBounded(args, environment: env) }
}

/// Every regular file below a local folder, relative.
func filesBelow(_ root: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
    var out: [String] = []
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
    }
    return out.sorted()
}

@Suite("one engine for sync, copy, check, cp -r and mv -r")
struct EngineCommandTests {
    @Test("S3 keys with '.', '..' or empty segments: sync, copy, check, dry-run, cp -r and ls -R end, skip and report them, exit 4",
          arguments: [["sync"], ["copy"], ["check"], ["sync", "--dry-run"], ["cp", "-r"], ["ls", "-R"]])
    func hostileKeysAreSkipped(command: [String]) throws {
        let s = try Scratch(); defer { s.cleanup() }
        let bucket: HostileBucket
        do { bucket = try HostileBucket.make(s) } catch let skip as TestSkip {
            if TestServers.inHarness { Issue.record("\(skip)") }
            return
        }
        defer { _ = try? bucket.run(["rm", "-r", "--force", "moto:\(bucket.bucket)"]) }
        if command == ["check"] { _ = try bucket.run(["copy", "moto:\(bucket.bucket)", s.url("out")]) }
        let target = s.url(command == ["cp", "-r"] ? "out/" : "out")
        let r = try bucket.run(command + ["moto:\(bucket.bucket)"] + (command == ["ls", "-R"] ? [] : [target]))
        #expect(r.status == 4, "\(r)")
        #expect(r.stderr.contains("'..' is not a name") && r.stderr.contains("'.' is not a name"), "\(r)")
        // Each refused name once.
        let lines = r.stderr.split(separator: "\n")
        #expect(Set(lines).count == lines.count, "\(r.stderr)")
        if command == ["ls", "-R"] {
            #expect(!r.stdout.contains("/.:") && !r.stdout.contains("/..:"), "\(r.stdout)")
            return
        }
        // Nothing but the one safe key was written, under its own name; nothing escaped the target.
        let written = filesBelow(s.url("out"))
        #expect(written.allSatisfy { $0.hasSuffix("fine.txt") }, "\(written)")
        for name in ["up.txt", "up2.txt", "escape.txt", "dot.txt", "x.txt", "abs.txt"] {
            #expect(!FileManager.default.fileExists(atPath: s.url(name)) && !FileManager.default.fileExists(atPath: s.url("out/" + name)))
        }
    }

    @Test("an alias with --exclude keeps its rule")
    func aliasKeepsExclude() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/keep.txt", "k")
        try s.write("src/skip.tmp", "t")
        let config = try s.write("cfg.toml", """
        [aliases]
        nightly = "sync --exclude *.tmp"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let r = try CLI.run(["nightly", s.url("src"), s.url("dst")],
                            environment: ["DCTC_CONFIG": config, "XDG_STATE_HOME": s.url("state")])
        #expect(r.status == 0, "\(r)")
        #expect(try s.list("dst") == ["keep.txt"])
    }

    @Test("--include and --exclude keep their command-line order across the two flags")
    func ruleOrderFromParsedArguments() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a.csv", "a")
        try s.write("src/b.txt", "b")
        let env = ["XDG_STATE_HOME": s.url("state")]
        // First match wins: the exclude comes first, so a.csv is excluded although included later.
        let r = try CLI.run(["copy", "--exclude", "a.*", "--include", "*.csv", "--include", "*.txt", s.url("src"), s.url("dst")], environment: env)
        #expect(r.status == 0, "\(r)")
        #expect(try s.list("dst") == ["b.txt"])
    }

    @Test("the dry-run plan equals the applied actions on S3 and SFTP", arguments: ["lake", "box"])
    func dryRunEqualsAppliedOnNetworkStores(account: String) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            let id = UUID().uuidString.lowercased().prefix(8)
            let dest = account == "lake" ? "lake:plan-\(id)/t" : "box:/tmp/dctc-plan-\(id)"
            try s.write("src/a.txt", "a")
            try s.write("src/d/e/b.txt", "b")
            try s.write("src/same.txt", "same")
            try s.write("old/same.txt", "same")
            try s.write("old/extra.txt", "x")
            try s.write("old/gone/c.txt", "c")
            #expect(try a.run(["copy", s.url("old"), dest]).status == 0)
            let dry = try a.run(["sync", "--dry-run", "--events", s.url("dry.ndjson"), s.url("src"), dest])
            #expect(dry.status == 0, "\(dry)")
            let real = try a.run(["sync", "--events", s.url("real.ndjson"), s.url("src"), dest])
            #expect(real.status == 0, "\(real)")
            func steps(_ file: String) throws -> [String] {
                try s.readString(file).split(separator: "\n").map { line in
                    let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
                    return "\(obj["action"] ?? "") \(obj["destinationPath"] ?? obj["path"] ?? "")"
                }.sorted()
            }
            let planned = try steps("dry.ndjson"), applied = try steps("real.ndjson")
            #expect(planned == applied)
            #expect(planned.contains("copy d/e/b.txt") && planned.contains("delete extra.txt") && planned.contains("delete gone/c.txt"), "\(planned)")
            let again = try a.run(["sync", "--dry-run", s.url("src"), dest])
            #expect(again.stdout.isEmpty, "\(again)")
            _ = try a.run(["rm", "-r", "--force", account == "lake" ? "lake:plan-\(id)" : dest])
        }
    }

    @Test("cp -n and mv -n print the plan and change nothing; --no-clobber keeps existing files")
    func cpAndMvDryRun() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("src/a.txt", "new")
        try s.write("src/d/b.txt", "b")
        let cp = try CLI.run(["cp", "-r", "-n", s.url("src"), s.url("dst")])
        #expect(cp.status == 0, "\(cp)")
        #expect(cp.stdout.contains("copy") && cp.stdout.contains("d/b.txt"), "\(cp)")
        #expect(!s.exists("dst"))
        let mv = try CLI.run(["mv", "-n", s.url("src"), s.url("moved")])
        #expect(mv.status == 0 && mv.stdout.contains("move"), "\(mv)")
        #expect(s.exists("src/a.txt") && !s.exists("moved"))
        try s.write("dst2/src/a.txt", "old")
        let keep = try CLI.run(["cp", "-r", "--no-clobber", s.url("src"), s.url("dst2")])
        #expect(keep.status == 0, "\(keep)")
        #expect(try s.readString("dst2/src/a.txt") == "old" && s.exists("dst2/src/d/b.txt"))
        let move = try CLI.run(["mv", s.url("src"), s.url("moved")])
        #expect(move.status == 0, "\(move)")
        #expect(!s.exists("src"))
        #expect(try s.readString("moved/d/b.txt") == "b")
    }
}

@Suite("Ctrl-C during sync")
struct InterruptTests {
    @Test("Ctrl-C during sync exits 130, says interrupted, and leaves every file complete or absent")
    func interruptedSync() throws {
        let s = try Scratch(); defer { s.cleanup() }
        for i in 0..<30 { _ = try s.write("src/f\(i).bin", bytes: TestData.bytes(8 << 20, seed: UInt64(i + 1))) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["sync", "--transfers", "1", s.url("src"), s.url("dst")]
        var env = ProcessInfo.processInfo.environment
        env["DCTC_CONFIG"] = "/nonexistent/dctc-test-config.toml"
        env["XDG_STATE_HOME"] = s.url("state")
        p.environment = env
        _ = FileManager.default.createFile(atPath: s.url("err"), contents: nil)
        p.standardError = FileHandle(forWritingAtPath: s.url("err"))
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Wait (bounded) until the first file has arrived, then press Ctrl-C.
        for _ in 0..<600 where ((try? s.list("dst")) ?? []).filter({ !$0.hasPrefix(".") }).isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(p.processIdentifier, SIGINT)
        let exited = p.waitForExit()
        let err = try s.readString("err")
        #expect(exited.status == 130, "\(err)")
        #expect(err.contains("interrupted"), "\(err)")
        let left = try s.list("dst")
        #expect(!left.contains { $0.hasPrefix(".dctc-") }, "\(left)")
        #expect(left.count < 30, "the run ended before the interrupt; nothing was tested")
        for name in left {
            #expect(try s.read("dst/" + name) == s.read("src/" + name), "\(name) is not a complete copy")
        }
    }
}

@Suite("mv -r between stores")
struct MoveTreeTests {
    @Test("mv -r from local to S3 and SFTP moves every file, then removes the emptied source folders", arguments: ["lake", "box"])
    func moveTreeAcrossStores(account: String) throws {
        let s = try Scratch(); defer { s.cleanup() }
        try withServers(s) { a in
            let id = UUID().uuidString.lowercased().prefix(8)
            let dest = account == "lake" ? "lake:mv-\(id)/t" : "box:/tmp/dctc-mv-\(id)"
            try s.write("src/a.txt", "a")
            try s.write("src/d/e/b.txt", "b")
            let r = try a.run(["mv", s.url("src"), dest])
            #expect(r.status == 0, "\(r)")
            #expect(!s.exists("src"), "the source tree should be gone")
            #expect(try a.run(["cat", dest + "/d/e/b.txt"]).stdout == "b")
            #expect(try a.run(["cat", dest + "/a.txt"]).stdout == "a")
            _ = try a.run(["rm", "-r", "--force", account == "lake" ? "lake:mv-\(id)" : dest])
        }
    }
}
