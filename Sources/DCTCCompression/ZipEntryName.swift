import DCTCCore

/// Rules for the names of entries in zip archives, so that extracting never writes outside
/// the destination folder ("zip slip").
///
/// A name is unsafe when it is empty, absolute (`/x`, `\x`, `C:x`), contains NUL, or has a
/// `..` component. Both `/` and `\` count as separators, because many extractors treat a
/// backslash as one.
public enum ZipEntryName {
    /// The components of a safe entry name (empty and `.` components dropped), or nil when
    /// the name is unsafe.
    public static func safeComponents(of name: String) -> [String]? {
        guard !name.isEmpty, !name.contains("\0") else { return nil }
        guard let first = name.first, first != "/" && first != "\\" else { return nil }
        let chars = Array(name)
        if chars.count >= 2 && chars[1] == ":" && chars[0].isASCII && chars[0].isLetter { return nil }
        let parts = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init)
        guard !parts.contains("..") else { return nil }
        let kept = parts.filter { $0 != "." }
        return kept.isEmpty ? nil : kept
    }

    /// Checks a name given for a new entry and returns it normalised (`/`-separated, without
    /// empty or `.` components).
    ///
    /// - Parameters:
    ///   - name: the entry name, relative to the archive root.
    ///   - archive: the archive as the user named it (for the message).
    /// - Throws: `VFSError(.invalidArgument)` when the name is unsafe.
    public static func validatedForWriting(_ name: String, archive: String) throws -> String {
        guard let parts = safeComponents(of: name) else {
            throw VFSError.invalid("zip entry name \"\(name)\" is empty, absolute or climbs out with `..`",
                                   path: archive,
                                   remedy: "give entries relative names without `..` components")
        }
        return parts.joined(separator: "/")
    }

    /// Checks the name of an entry found in an archive.
    ///
    /// - Throws: `VFSError(.corruptData)` when extracting it would write outside the
    ///   destination folder.
    public static func validateForReading(_ name: String, archive: String) throws {
        guard safeComponents(of: name) != nil else {
            throw VFSError(.corruptData,
                           "the archive holds an entry whose name would escape the destination folder: \"\(name)\"",
                           path: archive,
                           remedy: "do not extract this archive; inspect it with `unzip -l`")
        }
    }
}
