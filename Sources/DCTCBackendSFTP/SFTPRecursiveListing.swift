import DCTCCore
import DCTCSSH
import Foundation

/// A whole tree in one round trip: GNU `find` over an SSH exec channel, instead of an
/// OPENDIR/READDIR/CLOSE per directory.
///
/// Offered only when the server proved it runs commands (the hash-tool probe found at least
/// one tool, so exec works and the shell is POSIX). Symbolic links are followed (`find -L`),
/// as the per-directory listing follows them. Times are cut to whole seconds, which is what
/// SFTP v3 listings give, so both listings describe a file alike. Anything unexpected (exec
/// refused, no GNU `find`, an unreadable folder, a link loop, output over 64 MiB) fails the
/// listing with `.unsupported`, and the caller lists per directory with the usual messages.
enum SFTPRecursiveListing {
    /// Most output accepted (about a million entries).
    static let maxOutputBytes = 64 << 20

    /// The command: one record per entry, `TYPE SIZE MTIME MODE PATH` and a NUL (a name may
    /// hold anything but NUL and `/`, so the path goes last and NUL ends it).
    static func command(remoteRoot: String) -> String {
        // A starting point beginning with `-` would be read as an option: anchor relative ones.
        let start = remoteRoot.hasPrefix("/") ? remoteRoot : "./" + remoteRoot
        return "find -L \(SSHSession.shellQuoted(start)) -mindepth 1 -printf '%y %s %T@ %m %P\\0'"
    }

    /// Parses `find`'s records into entries below `root`.
    /// - Returns: the entries, or nil when a record is malformed.
    static func parse(_ output: [UInt8], root: VPath) -> [FileInfo]? {
        var out: [FileInfo] = []
        var start = 0
        let space = UInt8(ascii: " ")
        while start < output.count {
            guard let end = output[start...].firstIndex(of: 0) else { return nil }
            let record = output[start..<end]
            start = end + 1
            // Four fields without spaces, then the path.
            var fields: [ArraySlice<UInt8>] = []
            var cursor = record.startIndex
            for _ in 0..<4 {
                guard let sp = record[cursor...].firstIndex(of: space) else { return nil }
                fields.append(record[cursor..<sp])
                cursor = sp + 1
            }
            let relative = record[cursor...]
            guard !relative.isEmpty, let type = fields[0].first else { return nil }
            let components = relative.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
                .map { String(decoding: $0, as: UTF8.self) }
            let kind: FileInfo.Kind
            let typeBits: UInt32
            switch type {
            case UInt8(ascii: "f"): kind = .file; typeBits = 0o100000
            case UInt8(ascii: "d"): kind = .directory; typeBits = 0o040000
            case UInt8(ascii: "l"): kind = .symlink; typeBits = 0o120000
            default: kind = .other; typeBits = 0
            }
            let size = Int64(String(decoding: fields[1], as: UTF8.self))
            let seconds = String(decoding: fields[2], as: UTF8.self).split(separator: ".").first.flatMap { Int64($0) }
            let mode = UInt32(String(decoding: fields[3], as: UTF8.self), radix: 8)
            out.append(FileInfo(path: VPath(components: root.components + components), kind: kind,
                                size: kind == .file ? size : nil,
                                modificationTime: seconds.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                                mode: mode.map { $0 | typeBits }))
        }
        return out
    }
}

extension SFTPFileSystem: RecursiveListing {
    /// Every entry below `root` from one remote `find` (see `SFTPRecursiveListing`), in one
    /// page, in the server's directory order.
    ///
    /// - Throws (from the listing): `.unsupported` when the server cannot run it or anything went
    ///   wrong (list per directory then); connection errors as for other operations.
    public func listRecursive(_ root: VPath) -> Listing {
        let shown = display(root)
        guard !capabilities.remoteHashes.isEmpty else {
            return .failing(VFSError(.unsupported, "this server runs no commands over ssh: list per directory", path: shown,
                                     backend: kind))
        }
        let done = LockedFlag()
        return Listing(display: { [self] in display($0) }) { [self] in
            guard done.set() else { return nil }
            let command = SFTPRecursiveListing.command(remoteRoot: remotePath(root))
            let result = try await withConnection(root) { sftp in
                try await sftp.session.exec(command, maxOutputBytes: SFTPRecursiveListing.maxOutputBytes, timeout: 120)
            }
            guard result.exitStatus == 0, result.stderr.isEmpty,
                  let entries = SFTPRecursiveListing.parse(result.stdout, root: root) else {
                let reason = result.stderrText.split(separator: "\n").first.map(String.init) ?? "exit status \(result.exitStatus)"
                throw VFSError(.unsupported, "the server's find could not list the tree: \(reason)", path: shown,
                               remedy: "list per directory", backend: kind)
            }
            return entries
        }
    }
}

/// A flag set once, from any thread.
final class LockedFlag: @unchecked Sendable {
    // Guarded by `lock`.
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; true when it was not set before.
    func set() -> Bool { lock.withLock { defer { value = true }; return !value } }
}
