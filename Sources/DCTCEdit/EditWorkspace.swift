import DCTCCompression
import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private folder (mode 0700) holding the local copy of one file being edited.
///
/// Made with `mkdtemp` under `$TMPDIR` (else `/tmp`) as `dctc-edit-XXXXXX`, one per edited
/// file, so the copy keeps the file's own name (editors pick the file type from it) even when
/// two files of the same name are edited in one run. Removed only once the edit is saved or
/// found unchanged; a copy holding unsaved work is left in place and its path printed.
public struct EditWorkspace: Sendable {
    /// The folder's absolute path.
    public let directory: String

    /// Creates a fresh private folder.
    /// - Parameter environment: the process environment (`TMPDIR`).
    /// - Throws: `VFSError(.io)` when `mkdtemp` fails (a missing or full temporary folder).
    public static func make(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EditWorkspace {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        if !base.hasPrefix("/") { base = FileManager.default.currentDirectoryPath + "/" + base }
        var template = Array((base + "/dctc-edit-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let start = buffer.baseAddress, mkdtemp(start) != nil else { return nil }
            return String(cString: start)
        }
        guard let made else {
            let err = errno
            throw VFSError(.io, "cannot create a private folder for the copy: \(String(cString: strerror(err)))", path: base,
                           remedy: "set TMPDIR to a writable folder", cause: "mkdtemp: errno \(err)")
        }
        // mkdtemp already uses 0700; say so explicitly whatever the umask did.
        _ = chmod(made, 0o700)
        return EditWorkspace(directory: made)
    }

    /// Removes the folder and everything in it.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Names

    /// The stream codec a name's extension stands for (`.gz`, `.bz2`, `.tgz`...) when the copy
    /// is to be edited decompressed, or nil.
    public static func codec(forName name: String) -> Codec? {
        guard let codec = Codec.forName(name), codec.isStream, codec.strippingExtension(from: name) != nil else { return nil }
        return codec
    }

    /// The local copy's name: the stored name without its compression extension, made safe
    /// for a local folder (`.`/`..` cannot name a file; a name longer than the local limit
    /// keeps its end, hence its extension).
    public static func localName(for name: String, codec: Codec?) -> String {
        var local = codec?.strippingExtension(from: name) ?? name
        if local == "." || local == ".." || local.isEmpty { local = "_" + local }
        let limit = 240
        if local.utf8.count > limit {
            var tail = Substring(local)
            while tail.utf8.count > limit { tail = tail.dropFirst() }
            local = "_" + tail
        }
        return local
    }

    /// A name beside `name` for keeping both versions: `notes.txt.gz` → `notes.mine.txt.gz`.
    public static func alternativeName(for name: String) -> String {
        let body = name.dropFirst()   // a leading dot (`.bashrc`) is part of the stem
        if let dot = body.firstIndex(of: ".") {
            return String(name[..<dot]) + ".mine" + String(name[dot...])
        }
        return name + ".mine"
    }
}
