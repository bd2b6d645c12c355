import DCTCCompression
import DCTCCore
import DCTCDigest
import Foundation

/// A private folder (mode 0700) for one unit's staged output and downloaded inputs, removed
/// when the unit is done.
struct Staging {
    let root: String

    init(root base: String, unit: UnitID) throws {
        let safe = unit.description.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let template = (base as NSString).appendingPathComponent("dctc-flow-\(String(safe.prefix(60)))-XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else {
            throw VFSError(.io, "cannot create a staging folder (errno \(errno))", path: base, remedy: "set TMPDIR to a writable folder")
        }
        root = String(cString: made)
        // Who owns it: a later run removes it once this process is gone (a kill -9 skips `remove`).
        _ = FileManager.default.createFile(atPath: root + "/" + Staging.ownerFile, contents: Data("\(getpid())\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
        Staging.sweepOnce(base)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    static let ownerFile = ".dctc-owner"
    private static let swept = Locked<Set<String>>([])

    /// Removes, once per process and folder, the staging folders (`dctc-flow-*`) of runs that
    /// were killed: those whose owner process is gone. A folder without an owner file is not
    /// known to be ours, and is left alone.
    static func sweepOnce(_ base: String) {
        guard swept.withLock({ $0.insert(base).inserted }) else { return }
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: base) else { return }
        for name in names.prefix(100_000) where name.hasPrefix("dctc-flow-") {
            let folder = (base as NSString).appendingPathComponent(name)
            if let text = try? String(contentsOfFile: folder + "/" + ownerFile, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                if pid != getpid(), kill(pid, 0) == -1, errno == ESRCH { try? fm.removeItem(atPath: folder) }
            }
        }
    }

    func outputPath(name: String) -> String {
        try? FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: true)
        return root + "/out/" + name
    }

    func outputDirectory() -> String {
        let dir = root + "/out-dir"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Local paths of the inputs: local files as they are, others downloaded (raw) into the
    /// staging folder under their own names.
    func localInputs(_ inputs: [Location], resolve: (String) async throws -> Location) async throws -> [String] {
        // Written through the local store: atomic, and off the cooperative pool.
        func download(_ loc: Location, _ path: VPath, to dest: String) async throws {
            let target = try await resolve(dest)
            try await target.fs.write(target.path, from: try await loc.fs.read(path), attributes: .none)
        }
        var out: [String] = []
        for (i, loc) in inputs.enumerated() {
            if loc.fs.kind == .local { out.append(loc.path.string); continue }
            let dir = root + "/in/\(i)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let info = try await loc.fs.info(loc.path)
            let name = loc.path.name.isEmpty ? "input" : loc.path.name
            if info.isDirectory {
                let target = dir + "/" + name
                for try await file in loc.fs.walk(loc.path) where file.isFile {
                    let rel = file.path.components.dropFirst(loc.path.components.count).joined(separator: "/")
                    let dest = target + "/" + rel
                    try FileManager.default.createDirectory(atPath: (dest as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try await download(loc, file.path, to: dest)
                }
                out.append(target)
            } else {
                let dest = dir + "/" + name
                try await download(loc, loc.path, to: dest)
                out.append(dest)
            }
        }
        return out
    }
}

/// Quoting for `/bin/sh`: every value becomes one word, whatever it contains.
enum ShellQuote {
    static func quote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:,@%".contains($0)) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Replaces the placeholders of a shell command: `{input}`, `{output}`… from `words`
    /// (already quoted), dimension placeholders with their format (`{date:%Y/%m}`), quoted.
    /// `{{`/`}}` are literal braces. Validation refused unknown placeholders beforehand; a
    /// command that does not parse is returned as it is.
    static func substitute(_ command: String, words: [String: String], dimensions: [String: DimensionValue]) -> String {
        guard let template = try? AddressTemplate(command) else { return command }
        return template.substitute(words: words, dimensions: dimensions, quote: quote)
    }
}

/// Runs `/bin/sh -c SCRIPT` on a thread of its own; its output goes to standard error so that
/// standard output stays free for `--json`.
enum ShellRunner {
    /// The status `timeout(1)` exits with when it stopped the command.
    static let timedOut: Int32 = 124

    /// Runs the script; with `timeout`, under coreutils' `timeout`, which stops the command and
    /// its children (TERM, then KILL 10 s later) and exits with 124.
    static func run(_ script: String, environment: [String: String], directory: String, timeout: Double? = nil) async throws -> Int32 {
        try await IOThread.detached(name: "dctc-flow-shell") {
            let p = Process()
            if let timeout {
                p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
                p.arguments = ["--kill-after=10", String(format: "%.3fs", timeout), "/bin/sh", "-c", script]
            } else {
                p.executableURL = URL(fileURLWithPath: "/bin/sh")
                p.arguments = ["-c", script]
            }
            p.environment = environment
            p.currentDirectoryURL = URL(fileURLWithPath: directory)
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.standardError
            p.standardError = FileHandle.standardError
            do { try p.run() } catch {
                throw VFSError(.io, "cannot start /bin/sh: \(error)", path: directory)
            }
            let exited = p.waitForExit()
            return exited.shellStatus
        }
    }
}

