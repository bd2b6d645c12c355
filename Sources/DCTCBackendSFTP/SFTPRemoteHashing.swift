import DCTCCore
import DCTCSSH
import Foundation

/// Hashing on the server with coreutils' `md5sum`, `sha1sum` and `sha256sum` over an SSH exec
/// channel, so comparing a remote file does not download it.
enum SFTPRemoteHashing {
    /// The digests of empty input, to check that each tool really is the hash it claims to be.
    static let emptyDigests: [HashKind: String] = [
        .md5: "d41d8cd98f00b204e9800998ecf8427e",
        .sha1: "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        .sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]

    /// The command that probes the tools: each hashes empty input, so a missing tool, a shell
    /// that is not POSIX, or a tool printing something else enables nothing. (No `2>/dev/null`:
    /// the exec channel keeps stderr apart anyway, and a broken `/dev/null` must not hide the tools.)
    static let probeCommand =
        "for t in md5sum sha1sum sha256sum; do printf '%s ' \"$t\"; printf '' | \"$t\" || echo; done"

    /// Asks the server once which hash tools work. Any failure (exec refused, no shell,
    /// `internal-sftp` only, a timeout) means none: the store then declares no remote hashes.
    static func probe(_ session: SSHSession) async -> Set<HashKind> {
        guard let result = try? await session.exec(probeCommand, maxOutputBytes: 64 * 1024, timeout: 20),
              result.exitStatus == 0 else { return [] }
        return parseProbe(result.stdoutText)
    }

    /// The kinds whose line of probe output shows the right digest of empty input.
    static func parseProbe(_ output: String) -> Set<HashKind> {
        var kinds: Set<HashKind> = []
        for line in output.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, let kind = HashKind.allCases.first(where: { $0.sumTool == words[0] }) else { continue }
            if String(words[1]) == emptyDigests[kind] { kinds.insert(kind) }
        }
        return kinds
    }

    /// The command hashing one file: the path is one single-quoted shell word after `--`, so
    /// no name (quotes, `$`, backticks, spaces, a leading `-`) can change the command.
    static func command(kind: HashKind, remotePath: String) -> String {
        "\(kind.sumTool) -- \(SSHSession.shellQuoted(remotePath))"
    }

    /// Runs the hash tool on one file over `session` and returns its digest.
    ///
    /// - Parameters:
    ///   - size: the file's size, to give a large file time (20 MiB/s at least).
    ///   - what: how the message names the run ("the server's md5sum").
    ///   - remedy: what the user can do when the tool fails.
    /// - Throws: `.io` when the command fails or prints no digest.
    static func digest(_ session: SSHSession, kind: HashKind, remotePath: String, size: Int64, what: String,
                       shown: String, remedy: String, backend: StoreKind) async throws -> String {
        let result = try await session.exec(command(kind: kind, remotePath: remotePath), maxOutputBytes: 64 * 1024,
                                            timeout: 60 + Double(size) / Double(20 << 20))
        guard result.exitStatus == 0, let digest = parseDigest(result.stdoutText, kind: kind) else {
            let reason = result.stderrText.split(separator: "\n").first.map(String.init) ?? "exit status \(result.exitStatus)"
            throw VFSError(.io, "\(what) failed: \(reason)", path: shown, remedy: remedy, backend: backend,
                           cause: "exec \(kind.sumTool): exit \(result.exitStatus)")
        }
        return digest
    }

    /// The digest at the start of a `*sum` output line. GNU tools write `\` before the digest
    /// when the file name needed escaping (a backslash or newline in it).
    static func parseDigest(_ output: String, kind: HashKind) -> String? {
        var text = Substring(output.trimmingCharacters(in: .whitespacesAndNewlines))
        if text.hasPrefix("\\") { text = text.dropFirst() }
        let digest = text.prefix(kind.hexLength).lowercased()
        guard digest.count == kind.hexLength, digest.allSatisfy(\.isHexDigit) else { return nil }
        let rest = text.dropFirst(kind.hexLength)
        guard rest.isEmpty || rest.first == " " else { return nil }
        return digest
    }
}

extension SFTPFileSystem {
    /// The shell command that hashes `remotePath` on the server (`sha256sum -- 'path'`).
    public static func remoteHashCommand(kind: HashKind, remotePath: String) -> String {
        SFTPRemoteHashing.command(kind: kind, remotePath: remotePath)
    }

    /// The lowercase digest in the output of a `*sum` tool, or nil when the output is not one.
    public static func parseRemoteDigest(_ output: String, kind: HashKind) -> String? {
        SFTPRemoteHashing.parseDigest(output, kind: kind)
    }

    /// Computes a hash on the server (`md5sum`, `sha1sum` or `sha256sum` over exec).
    ///
    /// The file is STATed first (for `.notFound`/`.isADirectory`, and to give a big file time:
    /// the command may stay silent for a while, one minute plus a second per 20 MiB is allowed).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - kind: a kind listed in `capabilities.remoteHashes`.
    /// - Returns: the lowercase hex digest.
    /// - Throws: `.unsupported` when the server cannot compute `kind` (see capabilities),
    ///   `.notFound`, `.isADirectory`, `.io` when the command fails.
    public func hash(_ path: VPath, kind: HashKind) async throws -> String {
        let shown = display(path)
        guard capabilities.remoteHashes.contains(kind) else {
            let available = capabilities.remoteHashes.sorted().map(\.rawValue)
            throw VFSError(.unsupported, "this SFTP server cannot compute \(kind) hashes on its side", path: shown,
                           remedy: available.isEmpty
                               ? "the server runs no \(kind.sumTool) over ssh (exec refused, no shell, or remote_hash = false); hash the content locally instead"
                               : "it can compute: \(available.joined(separator: ", "))",
                           backend: self.kind)
        }
        let remote = remotePath(path)
        return try await withConnection(path) { sftp in
            let attributes = try await sftp.stat(remote)
            if attributes.kind == .directory {
                throw VFSError(.isADirectory, "this is a folder, not a file", path: shown, remedy: "name a file", backend: self.kind)
            }
            return try await SFTPRemoteHashing.digest(sftp.session, kind: kind, remotePath: remote,
                                                      size: Int64(attributes.size ?? 0),
                                                      what: "the server's \(kind.sumTool)", shown: shown,
                                                      remedy: "check the file on the server, or hash the content locally",
                                                      backend: self.kind)
        }
    }
}
