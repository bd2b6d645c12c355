import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
import DCTCEdit

/// The stores `dctc edit` is tested against.
enum EditStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local, s3, sftp
    var testDescription: String { rawValue }
}

/// A fresh folder in one store, the environment to run `dctc edit` with (a private TMPDIR,
/// a config with the `moto` and `box` accounts), and editors written as shell scripts.
struct EditBench {
    let s: Scratch
    let store: EditStore
    /// The folder's address, without a trailing slash.
    let base: String
    /// The folder on this machine's disk, for stores that keep it there (local, and the
    /// loopback SFTP server); nil for S3.
    let disk: String?
    let env: [String: String]
    /// What `cleanup` removes.
    let remove: String?

    /// The bench, or nil when the store's server is down outside the test harness (under
    /// `make test` that is recorded as a failure).
    static func make(_ store: EditStore, _ s: Scratch) throws -> EditBench? {
        let id = String(UUID().uuidString.prefix(8)).lowercased()
        for dir in ["tmp", "cwd", "editors", "seed"] {
            try FileManager.default.createDirectory(atPath: s.url(dir), withIntermediateDirectories: true)
        }
        var env = ["XDG_STATE_HOME": s.url("state"), "TMPDIR": s.url("tmp"), "VISUAL": "",
                   "DCTC_BIN": CLI.binary, "EDIT_LOG": s.url("editor.log")]
        switch store {
        case .local:
            try FileManager.default.createDirectory(atPath: s.url("data"), withIntermediateDirectories: true)
            return EditBench(s: s, store: store, base: s.url("data"), disk: s.url("data"), env: env, remove: nil)
        case .s3, .sftp:
            guard serverIsUp(store == .s3 ? "moto" : "sshd", port: store == .s3 ? 17090 : 17022) else { return nil }
            let moto = try TestServers.environment(of: "moto")
            let ssh = try TestServers.environment(of: "sshd")
            let config = try s.write("config.toml", """
            [accounts.moto]
            type = "s3"
            endpoint = "\(moto["DCTC_TEST_MOTO_ENDPOINT"] ?? "")"
            region = "us-east-1"
            access_key_id = "\(moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "")"
            secret_access_key_env = "EDIT_TEST_S3_SECRET"

            \(StoreAccounts.sftpSection("box", ssh))
            """)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
            env["DCTC_CONFIG"] = config
            env["EDIT_TEST_S3_SECRET"] = moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? ""
            if store == .s3 {
                let bucket = "moto:dctc-edit-\(id)"
                let made = try CLI.run(["mkdir", bucket], environment: env)
                #expect(made.status == 0, "mkdir \(bucket): \(made)")
                return EditBench(s: s, store: store, base: bucket + "/dir", disk: nil, env: env, remove: bucket)
            }
            let folder = "/tmp/dctc-edit-test-\(id)"
            return EditBench(s: s, store: store, base: "box:" + folder, disk: folder, env: env, remove: "box:" + folder)
        }
    }

    /// True when the server answers; outside the harness a missing server skips with a note.
    static func serverIsUp(_ server: String, port: Int) -> Bool {
        guard let why = TestServers.ensure(server, port: port) else { return true }
        if TestServers.inHarness { Issue.record("test server unavailable under make test: \(why)") } else {
            print("skipping (outside the test harness): \(why)")
        }
        return false
    }

    func address(_ rel: String) -> String { base + "/" + rel }

    /// Runs `dctc ARGS` with the bench's environment.
    @discardableResult
    func run(_ args: [String], _ extra: [String: String] = [:]) throws -> CLIResult {
        try CLI.run(args, cwd: s.url("cwd"), environment: env.merging(extra) { $1 })
    }

    /// Runs `dctc edit ARGS` with `editor` as $EDITOR.
    func edit(_ args: [String], editor: String, _ extra: [String: String] = [:]) throws -> CLIResult {
        try run(["edit"] + args, extra.merging(["EDITOR": editor]) { $1 })
    }

    /// Stores `content` at `rel` (through `dctc cp`, with `--compress` when asked).
    func put(_ rel: String, _ content: String, compress: String? = nil) throws {
        let name = (rel as NSString).lastPathComponent
        let seed = try s.write("seed/\(UUID().uuidString)/\(name)", content)
        let parent = (rel as NSString).deletingLastPathComponent
        let target = compress == nil ? address(rel) : (parent.isEmpty ? base : address(parent)) + "/"
        let r = try run(["cp"] + (compress.map { ["--compress", $0] } ?? []) + [seed, target])
        #expect(r.status == 0, "seeding \(rel): \(r)")
    }

    /// The stored bytes at `rel`, or nil when there is no such file.
    func raw(_ rel: String) throws -> [UInt8]? {
        let r = try run(["cat", "--raw", address(rel)])
        if r.status == 3 { return nil }
        #expect(r.status == 0, "cat \(rel): \(r)")
        return r.stdoutBytes
    }

    /// The stored content at `rel` as text (decompressed by `dctc cat`), or nil.
    func text(_ rel: String) throws -> String? {
        let r = try run(["cat", address(rel)])
        if r.status == 3 { return nil }
        #expect(r.status == 0, "cat \(rel): \(r)")
        return r.stdout
    }

    /// Writes an editor script and returns the $EDITOR value that runs it (quoted, so the
    /// word splitter is exercised on every run).
    func editor(_ name: String, _ body: String) throws -> String {
        let path = try s.write("editors/\(name).sh", "#!/bin/sh\n" + body + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return "'\(path)'"
    }

    /// Appends a line, logging the path it was given and its folder's mode.
    var appending: String {
        get throws {
            try editor("append", """
            printf '%s\\n' "$1" >> "$EDIT_LOG"
            stat -c %a "$(dirname -- "$1")" >> "$EDIT_LOG"
            printf 'added line\\n' >> "$1"
            """)
        }
    }

    /// The lines the editors logged.
    var log: [String] {
        ((try? s.readString("editor.log")) ?? "").split(separator: "\n").map(String.init)
    }

    /// The private folders left in TMPDIR (kept copies).
    var leftovers: [String] { (try? s.list("tmp")) ?? [] }

    func cleanup() {
        if let remove {
            _ = try? run(["rm", "-r", "--force", remove])
            if store == .s3 { _ = try? run(["rmdir", remove]) }
        }
        s.cleanup()
    }
}

/// The kept copy named in an error line (`... kept in PATH)`), the last `)` ending the line.
func keptCopy(_ stderr: String) -> String? {
    for line in stderr.split(separator: "\n") {
        guard let r = line.range(of: "kept in "), line.hasSuffix(")") else { continue }
        return String(line[r.upperBound...].dropLast())
    }
    return nil
}

/// Runs a bench for each store, skipping a store whose server is down outside the harness.
func onBench(_ store: EditStore, _ body: (EditBench) throws -> Void) throws {
    let s = try Scratch("dctc-edit")
    guard let bench = try EditBench.make(store, s) else { s.cleanup(); return }
    defer { bench.cleanup() }
    try body(bench)
}

@Suite("edit: editing files of any store in the user's editor")
struct EditTests {
    // MARK: - Saving and not saving

    @Test("a changed file is written back under its own name; the private copy was 0700 and is removed", arguments: EditStore.allCases)
    func changedIsSaved(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("notes.txt", "line one\n")
            let r = try b.edit([b.address("notes.txt")], editor: try b.appending)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains(": saved"), "\(r)")
            #expect(try b.text("notes.txt") == "line one\nadded line\n")
            let log = b.log
            #expect(log.count == 2, "\(log)")
            #expect(log.first.map { ($0 as NSString).lastPathComponent } == "notes.txt")
            #expect(log.first?.hasPrefix(b.s.url("tmp") + "/dctc-edit-") == true, "\(log)")
            #expect(log.last == "700")
            #expect(b.leftovers.isEmpty, "the private folder is removed after saving: \(b.leftovers)")
        }
    }

    @Test("an unchanged file is not uploaded: 'unchanged, nothing uploaded', exit 0, the stored file untouched", arguments: EditStore.allCases)
    func unchangedIsNotUploaded(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("same.txt", "keep me\n")
            let before = try b.run(["stat", "--json", b.address("same.txt")]).stdout
            let noop = try b.editor("noop", "printf '%s\\n' \"$1\" >> \"$EDIT_LOG\"")
            let r = try b.edit([b.address("same.txt")], editor: noop)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.contains("unchanged, nothing uploaded"), "\(r)")
            #expect(b.log.count == 1, "the editor ran")
            #expect(try b.run(["stat", "--json", b.address("same.txt")]).stdout == before, "size, time and ETag are the same")
            #expect(b.leftovers.isEmpty)
        }
    }

    @Test("a .gz file is edited decompressed as NAME without .gz and stays gzip with the edit inside", arguments: EditStore.allCases)
    func gzipRoundTrip(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("notes.txt", "line one\n", compress: "gz")
            let r = try b.edit([b.address("notes.txt.gz")], editor: try b.appending)
            #expect(r.status == 0, "\(r)")
            #expect(b.log.first.map { ($0 as NSString).lastPathComponent } == "notes.txt")
            let stored = try b.raw("notes.txt.gz") ?? []
            #expect(Array(stored.prefix(2)) == [0x1f, 0x8b], "still gzip")
            #expect(try b.text("notes.txt.gz") == "line one\nadded line\n")
            #expect(try b.raw("notes.txt") == nil, "no uncompressed sibling appears")
        }
    }

    @Test("a .bz2 file is recompressed with bzip2")
    func bzip2RoundTrip() throws {
        try onBench(.local) { b in
            try b.put("list.csv", "a,b\n", compress: "bz2")
            let r = try b.edit([b.address("list.csv.bz2")], editor: try b.appending)
            #expect(r.status == 0, "\(r)")
            #expect(b.log.first.map { ($0 as NSString).lastPathComponent } == "list.csv")
            #expect(Array((try b.raw("list.csv.bz2") ?? []).prefix(3)) == Array("BZh".utf8))
            #expect(try b.text("list.csv.bz2") == "a,b\nadded line\n")
        }
    }

    @Test("editing a local symbolic link rewrites the file it points to and keeps the link")
    func localSymlink() throws {
        try onBench(.local) { b in
            try b.put("real.conf", "x=1\n")
            try FileManager.default.createSymbolicLink(atPath: b.s.url("data/link.conf"), withDestinationPath: "real.conf")
            let r = try b.edit([b.address("link.conf")], editor: try b.appending)
            #expect(r.status == 0, "\(r)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: b.s.url("data/link.conf")) == "real.conf")
            #expect(try b.s.readString("data/real.conf") == "x=1\nadded line\n")
        }
    }

    // MARK: - Conflicts

    @Test("a file changed on the store meanwhile is not overwritten: exit 6, the copy kept and named; --force overwrites", arguments: EditStore.allCases)
    func conflictKeepsCopy(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("shared.txt", "original\n")
            let theirs = try b.s.write("theirs.txt", "their change\n")
            let racing = try b.editor("racing", """
            printf 'added line\\n' >> "$1"
            "$DCTC_BIN" cp "$EDIT_THEIRS" "$EDIT_ADDRESS" >/dev/null
            """)
            let extra = ["EDIT_THEIRS": theirs, "EDIT_ADDRESS": b.address("shared.txt")]
            let r = try b.edit([b.address("shared.txt")], editor: racing, extra)
            #expect(r.status == 6, "\(r)")
            #expect(r.stderr.contains("changed on the store while you edited it"), "\(r)")
            #expect(r.stderr.contains("nothing was overwritten"))
            #expect(r.stderr.contains("dctc cp "), "the command that saves the copy is printed: \(r)")
            #expect(r.stderr.contains("--force"))
            #expect(try b.text("shared.txt") == "their change\n", "the other change survives")
            let kept = try #require(keptCopy(r.stderr), "\(r)")
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == "original\nadded line\n")
            #expect(b.leftovers.count == 1)

            let forced = try b.edit(["--force", b.address("shared.txt")], editor: racing, extra)
            #expect(forced.status == 0, "\(forced)")
            #expect(try b.text("shared.txt") == "their change\nadded line\n", "--force writes the edited copy over the change")
        }
    }

    @Test("a change that keeps size and modification time is still caught by the content digest", arguments: [EditStore.local, .sftp])
    func sameSizeAndTimeConflict(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("twin.txt", "abcdef\n")
            let disk = try #require(b.disk) + "/twin.txt"
            let sneaky = try b.editor("sneaky", """
            printf 'added line\\n' >> "$1"
            touch -r "$EDIT_TARGET" "$EDIT_REF"
            printf 'X' | dd of="$EDIT_TARGET" bs=1 count=1 conv=notrunc 2>/dev/null
            touch -r "$EDIT_REF" "$EDIT_TARGET"
            """)
            let r = try b.edit([b.address("twin.txt")], editor: sneaky, ["EDIT_TARGET": disk, "EDIT_REF": b.s.url("ref")])
            #expect(r.status == 6, "\(r)")
            #expect(r.stderr.contains("content differs"), "\(r)")
            #expect(try b.text("twin.txt") == "Xbcdef\n")
        }
    }

    @Test("a file removed meanwhile is not re-created: exit 6 and the copy kept; with --force the write fails on the missing folder and the copy is still kept", arguments: EditStore.allCases)
    func removedMeanwhile(store: EditStore) throws {
        try onBench(store) { b in
            try b.put("sub/gone.txt", "doomed\n")
            let gone = store == .s3 ? try #require(b.remove) : b.address("sub")
            let vanishing = try b.editor("vanishing", """
            printf 'added line\\n' >> "$1"
            "$DCTC_BIN" rm -r --force "$EDIT_GONE" >/dev/null
            "$DCTC_BIN" rmdir "$EDIT_GONE" >/dev/null 2>&1 || true
            """)
            let r = try b.edit([b.address("sub/gone.txt")], editor: vanishing, ["EDIT_GONE": gone])
            #expect(r.status == 6, "\(r)")
            #expect(r.stderr.contains("was removed from the store while you edited it"), "\(r)")
            let kept = try #require(keptCopy(r.stderr), "\(r)")
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == "doomed\nadded line\n")

            if store == .s3 { #expect(try b.run(["mkdir", gone]).status == 0) }
            try b.put("sub/gone.txt", "doomed\n")
            let forced = try b.edit(["--force", b.address("sub/gone.txt")], editor: vanishing, ["EDIT_GONE": gone])
            #expect(forced.status != 0, "\(forced)")
            #expect(forced.stderr.contains("your edits were not saved"), "\(forced)")
            let keptAgain = try #require(keptCopy(forced.stderr), "\(forced)")
            #expect(try String(contentsOfFile: keptAgain, encoding: .utf8) == "doomed\nadded line\n")
            #expect(forced.stderr.contains("to upload it later:  dctc cp "), "\(forced)")
            #expect(try b.raw("sub/gone.txt") == nil, "nothing re-created the folder or the file")
        }
    }

    // MARK: - New files

    @Test("--new creates a file; it refuses an existing one; a missing file without --new is exit 3 suggesting --new", arguments: EditStore.allCases)
    func newFiles(store: EditStore) throws {
        try onBench(store) { b in
            let create = try b.editor("create", "printf 'fresh\\n' > \"$1\"")
            let missing = try b.edit([b.address("todo.md")], editor: create)
            #expect(missing.status == 3, "\(missing)")
            #expect(missing.stderr.contains("--new"), "\(missing)")

            let made = try b.edit(["--new", b.address("todo.md")], editor: create)
            #expect(made.status == 0, "\(made)")
            #expect(made.stdout.contains(": created"))
            #expect(try b.text("todo.md") == "fresh\n")

            let again = try b.edit(["--new", b.address("todo.md")], editor: create)
            #expect(again.status == 6, "\(again)")
            #expect(again.stderr.contains("already exists"), "\(again)")
            #expect(again.stderr.contains("leave out --new"))

            let noop = try b.editor("noop", "true")
            let abandoned = try b.edit(["--new", b.address("never.md")], editor: noop)
            #expect(abandoned.status == 0, "\(abandoned)")
            #expect(abandoned.stdout.contains("not created"))
            #expect(try b.raw("never.md") == nil)

            let gz = try b.edit(["--new", b.address("new/notes.txt.gz")], editor: create)
            #expect(gz.status == 0, "\(gz)")
            #expect(Array((try b.raw("new/notes.txt.gz") ?? []).prefix(2)) == [0x1f, 0x8b])
            #expect(try b.text("new/notes.txt.gz") == "fresh\n")
            #expect(b.leftovers.isEmpty)
        }
    }

    // MARK: - Hostile names

    @Test("a name with spaces, quotes, $(...), backticks and a leading dash reaches the editor intact, runs nothing, and the printed cp command works", arguments: EditStore.allCases)
    func hostileNames(store: EditStore) throws {
        try onBench(store) { b in
            let name = "-x $(touch PWNED) 'q' \"d\" `touch PWNED2`; a&b.txt"
            try b.put(name, "hostile\n")
            let r = try b.edit([b.address(name)], editor: try b.appending)
            #expect(r.status == 0, "\(r)")
            #expect(try b.text(name) == "hostile\nadded line\n")
            #expect(b.log.first.map { ($0 as NSString).lastPathComponent } == name, "\(b.log)")
            #expect(!FileManager.default.fileExists(atPath: b.s.url("cwd/PWNED")))
            #expect(!FileManager.default.fileExists(atPath: b.s.url("cwd/PWNED2")))

            // A conflict prints `dctc cp COPY ADDRESS`: pasted into a shell, it saves the copy.
            let theirs = try b.s.write("theirs.txt", "theirs\n")
            let racing = try b.editor("racing", """
            printf 'mine\\n' >> "$1"
            "$DCTC_BIN" cp "$EDIT_THEIRS" "$EDIT_ADDRESS" >/dev/null
            """)
            let c = try b.edit([b.address(name)], editor: racing, ["EDIT_THEIRS": theirs, "EDIT_ADDRESS": b.address(name)])
            #expect(c.status == 6, "\(c)")
            let line = try #require(c.stderr.split(separator: "\n").first { $0.contains("overwrite the store's version") })
            let command = try #require(line.range(of: "dctc cp ").map { String(line[$0.lowerBound...]) })
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "dctc() { \"$DCTC_BIN\" \"$@\"; }; " + command]
            shell.environment = ProcessInfo.processInfo.environment.merging(b.env) { $1 }
            shell.currentDirectoryURL = URL(fileURLWithPath: b.s.url("cwd"))
            try shell.run()
            let exited = shell.waitForExit()
            #expect(exited.status == 0, "\(command)")
            #expect(try b.text(name) == "hostile\nadded line\nmine\n")
            #expect(!FileManager.default.fileExists(atPath: b.s.url("cwd/PWNED")))
        }
    }

    // MARK: - The editor

    @Test("an editor that exits non-zero uploads nothing, keeps the copy and says where: exit 6")
    func failingEditor() throws {
        try onBench(.local) { b in
            try b.put("cfg.ini", "a=1\n")
            let failing = try b.editor("fail", "printf 'half\\n' >> \"$1\"\nexit 3")
            let r = try b.edit([b.address("cfg.ini")], editor: failing)
            #expect(r.status == 6, "\(r)")
            #expect(r.stderr.contains("exited with status 3"), "\(r)")
            #expect(r.stderr.contains("nothing was uploaded"))
            #expect(try b.text("cfg.ini") == "a=1\n")
            let kept = try #require(keptCopy(r.stderr), "\(r)")
            #expect(try String(contentsOfFile: kept, encoding: .utf8) == "a=1\nhalf\n")
        }
    }

    @Test("$VISUAL wins over $EDITOR and is split like a shell would: sh -c 'SCRIPT' NAME gets the file as $1")
    func editorWordSplitting() throws {
        try onBench(.local) { b in
            try b.put("w.txt", "w\n")
            let log = b.s.url("split.log")
            let visual = "sh -c 'printf \"%s|%s\\n\" \"$0\" \"$1\" >> \"$SPLIT_LOG\"; echo split >> \"$1\"' \"zero word\""
            let r = try b.edit([b.address("w.txt")], editor: "false", ["VISUAL": visual, "SPLIT_LOG": log])
            #expect(r.status == 0, "\(r)")
            let logged = try String(contentsOfFile: log, encoding: .utf8)
            #expect(logged.hasPrefix("zero word|" + b.s.url("tmp") + "/dctc-edit-"), "\(logged)")
            #expect(logged.hasSuffix("/w.txt\n"))
            #expect(try b.text("w.txt") == "w\nsplit\n")
        }
    }

    @Test("an editor that does not exist or a $EDITOR with a broken quote is a usage error before anything is downloaded")
    func badEditor() throws {
        try onBench(.local) { b in
            try b.put("x.txt", "x\n")
            let missing = try b.edit([b.address("x.txt")], editor: "no-such-editor-anywhere --wait")
            #expect(missing.status == 2, "\(missing)")
            #expect(missing.stderr.contains("no-such-editor-anywhere"))
            #expect(missing.stderr.contains("VISUAL"), "the remedy names the variables")
            let broken = try b.edit([b.address("x.txt")], editor: "vim 'unterminated")
            #expect(broken.status == 2, "\(broken)")
            #expect(broken.stderr.contains("$EDITOR"), "\(broken)")
            #expect(b.leftovers.isEmpty)
        }
    }

    @Test("Ctrl-C on the terminal reaches the editor only (its own process group in the foreground); dctc still saves")
    func controlCGoesToTheEditor() throws {
        try onBench(.local) { b in
            try b.put("t.txt", "base\n")
            let mark = b.s.url("ready")
            let editor = try b.s.write("editors/tty.sh", """
            #!/bin/bash
            trap 'echo int > "$MARK.int"' INT
            echo ready > "$MARK"
            n=0
            until read -r line; do n=$((n+1)); [ $n -gt 50 ] && exit 9; done
            printf '%s\\n' "$line" >> "$1"
            """)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
            let driver = try b.s.write("drive.py", """
            import os, pty, select, sys, time
            binary, target, editor, mark = sys.argv[1:5]
            pid, fd = pty.fork()
            if pid == 0:
                os.environ.update({"EDITOR": editor, "VISUAL": "", "MARK": mark})
                os.execv(binary, [binary, "edit", target])
            out = b""
            def pump(done):
                global out
                deadline = time.time() + 60
                while not done():
                    if time.time() > deadline:
                        sys.exit("timed out; output so far: %r" % out)
                    if select.select([fd], [], [], 0.05)[0]:
                        try:
                            data = os.read(fd, 4096)
                        except OSError:
                            return
                        if not data:
                            return
                        out += data
            pump(lambda: os.path.exists(mark))
            os.write(fd, b"\\x03")
            pump(lambda: os.path.exists(mark + ".int"))
            os.write(fd, b"typed after ctrl-c\\n")
            pump(lambda: False)
            _, status = os.waitpid(pid, 0)
            print("exit", os.waitstatus_to_exitcode(status))
            print(out.decode(errors="replace"))
            """)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", driver, CLI.binary, b.address("t.txt"), editor, mark]
            p.environment = ProcessInfo.processInfo.environment.merging(b.env) { $1 }
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitForExit()
            #expect(text.hasPrefix("exit 0"), "\(text)")
            #expect(text.contains(": saved"), "\(text)")
            #expect(FileManager.default.fileExists(atPath: mark + ".int"), "the editor got the Ctrl-C")
            #expect(try b.text("t.txt") == "base\ntyped after ctrl-c\n")
        }
    }

    // MARK: - Several files, stores that cannot be written

    @Test("several addresses and glob matches are edited one after the other, same-named files in separate copies; a missing one makes exit 4")
    func severalFiles() throws {
        try onBench(.local) { b in
            try b.put("a/notes.txt", "a\n")
            try b.put("b/notes.txt", "b\n")
            try b.put("logs/1.log", "1\n")
            try b.put("logs/2.log", "2\n")
            let r = try b.edit([b.address("a/notes.txt"), b.address("b/notes.txt"), b.address("missing.txt"), b.address("logs/*.log")],
                               editor: try b.appending)
            #expect(r.status == 4, "\(r)")
            #expect(r.stderr.contains("missing.txt"))
            for (rel, first) in [("a/notes.txt", "a"), ("b/notes.txt", "b"), ("logs/1.log", "1"), ("logs/2.log", "2")] {
                #expect(try b.text(rel) == "\(first)\nadded line\n", "\(rel)")
            }
            let paths = b.log.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            #expect(paths.count == 4)
            #expect(Set(paths).count == 4, "each file had its own copy: \(paths)")
            #expect(b.leftovers.isEmpty)
        }
    }

    @Test("a read-only store (plain HTTP) is refused before the editor starts: exit 6")
    func readOnlyStore() throws {
        guard EditBench.serverIsUp("nginx", port: 17080) else { return }
        let nginx = try TestServers.environment(of: "nginx")
        let root = try #require(nginx["DCTC_TEST_HTTP_ROOT"])
        let url = try #require(nginx["DCTC_TEST_HTTP_JSON_URL"])
        let folder = "edit-ro-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root + "/" + folder) }
        try Data("served\n".utf8).write(to: URL(fileURLWithPath: root + "/" + folder + "/ro.txt"))
        try onBench(.local) { b in
            let r = try b.edit(["\(url)/\(folder)/ro.txt"], editor: try b.appending)
            #expect(r.status == 6, "\(r)")
            #expect(r.stderr.contains("read-only"), "\(r)")
            #expect(b.log.isEmpty, "the editor never started")
            #expect(b.leftovers.isEmpty)
        }
    }

    @Test("edit --help explains the command with examples")
    func help() throws {
        let r = try CLI.run(["edit", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:"))
        #expect(r.stdout.contains("dctc edit --new"))
        #expect(r.stdout.contains("--force"))
    }
}

@Suite("edit: the editor command and names")
struct EditUnitTests {
    @Test("the editor is $VISUAL, else $EDITOR, else vi; blank values fall through")
    func editorChoice() throws {
        #expect(try EditorCommand.fromEnvironment(["VISUAL": "code --wait", "EDITOR": "vim"]).words == ["code", "--wait"])
        #expect(try EditorCommand.fromEnvironment(["VISUAL": "  ", "EDITOR": "vim -u NONE"]).words == ["vim", "-u", "NONE"])
        #expect(try EditorCommand.fromEnvironment(["EDITOR": ""]).words == ["vi"])
        #expect(try EditorCommand.fromEnvironment([:]).origin == "the default (vi)")
    }

    @Test("the editor command is split with quotes and backslashes, nothing expanded", arguments: [
        ("sh -c 'vim \"$1\"' --", ["sh", "-c", "vim \"$1\"", "--"]),
        ("'/opt/my editor/bin/ed' -n", ["/opt/my editor/bin/ed", "-n"]),
        ("emacs\\ client -t", ["emacs client", "-t"]),
        ("nano \"$HOME/x\" ~ *", ["nano", "$HOME/x", "~", "*"]),
    ])
    func splitting(text: String, words: [String]) throws {
        let command = try EditorCommand.fromEnvironment(["EDITOR": text])
        #expect(command.words == words)
        #expect(command.arguments(editing: "/tmp/d/-rf x.txt") == words + ["/tmp/d/-rf x.txt"])
    }

    @Test("a broken quote in $VISUAL is an invalid-argument error naming the variable")
    func brokenQuote() {
        #expect {
            try EditorCommand.fromEnvironment(["VISUAL": "vim 'oops"])
        } throws: { error in
            (error as? VFSError)?.code == .invalidArgument && (error as? VFSError)?.path == "$VISUAL"
        }
    }

    @Test("the program is found on $PATH, or taken as a path when it has a slash; a missing one is an error")
    func programLookup() throws {
        #expect(try EditorCommand(words: ["sh"], origin: "$EDITOR").executable(searchPath: "/nonexistent:/bin") == "/bin/sh")
        #expect(try EditorCommand(words: ["/bin/sh"], origin: "$EDITOR").executable(searchPath: "") == "/bin/sh")
        #expect(throws: VFSError.self) { try EditorCommand(words: ["no-such-editor-xyz"], origin: "$EDITOR").executable(searchPath: "/bin") }
        #expect(throws: VFSError.self) { try EditorCommand(words: ["/etc/passwd"], origin: "$EDITOR").executable(searchPath: nil) }
    }

    @Test("the editor process gets its arguments verbatim and its exit status or signal is reported")
    func editorProcess() async throws {
        let dir = try TestData.temporaryDirectory("dctc-edit-proc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hostile = dir + "/-n $(echo no) 'a' \"b\".txt"
        let wrote = try await EditorProcess.run(executable: "/bin/sh",
                                                arguments: ["sh", "-c", "printf %s \"$1\" > \"$1\"", "sh", hostile])
        #expect(wrote == .exited(0))
        #expect(try String(contentsOfFile: hostile, encoding: .utf8) == hostile)
        #expect(try await EditorProcess.run(executable: "/bin/sh", arguments: ["sh", "-c", "exit 7"]) == .exited(7))
        #expect(try await EditorProcess.run(executable: "/bin/sh", arguments: ["sh", "-c", "kill -TERM $$"]) == .signalled(SIGTERM))
    }

    @Test("printed commands quote every hostile name so that a shell gives it back unchanged", arguments: HostileNames.all + ["-rf", "$(id)", "a'b", ""])
    func quoting(name: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "printf %s " + shellQuoted(name)]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let back = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitForExit()
        #expect(back.utf8.elementsEqual(name.utf8))
    }

    @Test("local copy names drop the compression extension and stay valid; the keep-both name goes before the extensions")
    func names() {
        #expect(EditWorkspace.localName(for: "notes.txt.gz", codec: EditWorkspace.codec(forName: "notes.txt.gz")) == "notes.txt")
        #expect(EditWorkspace.localName(for: "a.tgz", codec: EditWorkspace.codec(forName: "a.tgz")) == "a.tar")
        #expect(EditWorkspace.codec(forName: "archive.zip") == nil)
        #expect(EditWorkspace.codec(forName: ".gz") == nil)
        #expect(EditWorkspace.localName(for: "..", codec: nil) == "_..")
        let long = String(repeating: "x", count: 400) + ".yaml"
        let local = EditWorkspace.localName(for: long, codec: nil)
        #expect(local.utf8.count <= 241 && local.hasSuffix(".yaml"))
        #expect(EditWorkspace.alternativeName(for: "notes.txt.gz") == "notes.mine.txt.gz")
        #expect(EditWorkspace.alternativeName(for: ".bashrc") == ".bashrc.mine")
        #expect(EditWorkspace.alternativeName(for: "README") == "README.mine")
    }
}
