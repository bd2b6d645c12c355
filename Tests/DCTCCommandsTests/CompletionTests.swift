import DCTCTestSupport
import Foundation
import Testing

/// Tab completion in real shells: a local path and an account name, through the scripts
/// `dctc completions` prints (bash: the completion function called as bash does; zsh and fish:
/// typed into an interactive shell in tmux).
@Suite("Shell completion of paths and accounts", .serialized)
struct CompletionTests {
    struct Bench {
        let s: Scratch
        let env: [String: String]
        let scripts: String
    }

    static func bench(_ s: Scratch) throws -> Bench {
        try FileManager.default.createDirectory(atPath: s.url("work/project-data/sub"), withIntermediateDirectories: true)
        let config = try s.write("config.toml", """
        [accounts.boxstore]
        type = "local"
        root = "\(s.url("work"))"
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        try FileManager.default.createDirectory(atPath: s.url("scripts/zsh"), withIntermediateDirectories: true)
        for (shell, file) in [("bash", "scripts/dctc.bash"), ("zsh", "scripts/zsh/_dctc"), ("fish", "scripts/dctc.fish")] {
            let r = try CLI.run(["completions", shell])
            #expect(r.status == 0, "\(r)")
            try s.write(file, r.stdout)
        }
        let bin = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return Bench(s: s, env: ["DCTC_CONFIG": config, "PATH": path, "HOME": s.url("work")], scripts: s.url("scripts"))
    }

    /// COMPREPLY of the bash completion function for a command line (cursor at its end).
    static func bash(_ line: String, _ b: Bench) throws -> [String] {
        let script = """
        source '\(b.scripts)/dctc.bash'
        read -ra COMP_WORDS <<< "$LINE"
        [[ "$LINE" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$LINE"; COMP_POINT=${#LINE}
        COMPREPLY=()
        _dctc dctc "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
        printf '%s\\n' "${COMPREPLY[@]}"
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = URL(fileURLWithPath: b.s.url("work"))
        var env = ProcessInfo.processInfo.environment
        for (k, v) in b.env { env[k] = v }
        env["LINE"] = line
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitForExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("bash completes a local path, an account name, a remote folder and a fixed-set value")
    func bashCompletes() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let b = try Self.bench(s)
        #expect(try Self.bash("dctc ls proj", b) == ["project-data/"])
        #expect(try Self.bash("dctc ls boxs", b) == ["boxstore:"])
        #expect(try Self.bash("dctc ls boxstore:project-data/s", b) == ["boxstore:project-data/sub/"])
        #expect(try Self.bash("dctc find --type ", b).sorted() == ["d", "f"])
    }

    /// Types `line` and Tab into an interactive shell, and waits for `expected` on the screen.
    static func typeAndTab(_ pane: TmuxPane, _ line: String, expect expected: String) throws -> Bool {
        try pane.send("C-u")
        try pane.send(line, "Tab")
        let screen = try pane.watch(limit: 75, each: { _ in }, until: { $0.contains { $0.contains(expected) } })
        return screen.contains { $0.contains(expected) }
    }

    @Test("zsh completes a local path and an account name")
    func zshCompletes() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh"), TmuxPane.available else {
            Issue.record("zsh or tmux missing: Scripts/install-deps.sh --test installs them")
            return
        }
        let s = try Scratch(); defer { s.cleanup() }
        let b = try Self.bench(s)
        let pane = try TmuxPane.interactive("zsh -f", environment: b.env, directory: s.url("work"))
        defer { pane.kill() }
        try pane.send("fpath=('\(b.scripts)/zsh' $fpath); autoload -U compinit; compinit -u; PS1='> '", "Enter")
        #expect(try Self.typeAndTab(pane, "dctc ls proj", expect: "dctc ls project-data/"), "\((try? pane.screen()) ?? [])")
        #expect(try Self.typeAndTab(pane, "dctc ls boxs", expect: "dctc ls boxstore:"), "\((try? pane.screen()) ?? [])")
    }

    @Test("fish completes a local path and an account name")
    func fishCompletes() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/fish"), TmuxPane.available else {
            Issue.record("fish or tmux missing: Scripts/install-deps.sh --test installs them")
            return
        }
        let s = try Scratch(); defer { s.cleanup() }
        let b = try Self.bench(s)
        let pane = try TmuxPane.interactive("fish -N", environment: b.env, directory: s.url("work"))
        defer { pane.kill() }
        try pane.send("source '\(b.scripts)/dctc.fish'", "Enter")
        #expect(try Self.typeAndTab(pane, "dctc ls proj", expect: "dctc ls project-data/"), "\((try? pane.screen()) ?? [])")
        #expect(try Self.typeAndTab(pane, "dctc ls boxs", expect: "dctc ls boxstore:"), "\((try? pane.screen()) ?? [])")
    }
}
