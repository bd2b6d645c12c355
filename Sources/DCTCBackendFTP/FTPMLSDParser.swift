import DCTCCore
import Foundation

/// Parses machine-readable listings: the lines of `MLSD` and the fact line of `MLST`
/// (RFC 3659 §7), e.g.
///
///     modify=20240102030405;perm=radfwMT;size=6;type=file;unique=fe00g1; a name; with spaces
///
/// Facts are `name=value;` pairs without spaces, so the name is everything after the first
/// space, kept byte for byte. Fact names are case-insensitive; `modify` is UTC, to the second
/// or with a fraction.
public enum FTPMLSDParser {
    /// Parses one MLSD line (or an MLST fact line without its leading space); nil for blank
    /// lines, for `type=cdir`/`type=pdir` entries and for `.`/`..`.
    ///
    /// - Parameter line: the line, without its line break.
    public static func parse(_ line: String) -> FTPListEntry? {
        guard let (facts, name) = split(line) else { return nil }
        guard !name.isEmpty, name != ".", name != ".." else { return nil }
        let type = facts["type"]?.lowercased() ?? ""
        let kind: FileInfo.Kind
        switch type {
        case "file": kind = .file
        case "dir": kind = .directory
        case "cdir", "pdir": return nil
        default:
            // OS.unix=symlink, OS.unix=slink:/target (ProFTPD), anything else is "other".
            if type.hasPrefix("os.unix=symlink") || type.hasPrefix("os.unix=slink") { kind = .symlink } else { kind = .other }
        }
        var target: String?
        if let original = facts["type"], let colon = original.firstIndex(of: ":"),
           original.lowercased().hasPrefix("os.unix=slink") {
            target = String(original[original.index(after: colon)...])
        }
        let size = (kind == .directory) ? nil : (facts["size"] ?? facts["sizd"]).flatMap { Int64($0) }
        let mode = facts["unix.mode"].flatMap { UInt32($0, radix: 8) }
        return FTPListEntry(name: name, kind: kind, size: size, modificationTime: facts["modify"].flatMap(FTPTime.parse),
                            timePrecision: .second, symlinkTarget: target, mode: mode)
    }

    /// The facts (lower-cased names) and the name of one line; nil when there is no name.
    static func split(_ line: String) -> ([String: String], String)? {
        guard let space = line.firstIndex(of: " ") else { return nil }
        let factText = line[..<space]
        let name = String(line[line.index(after: space)...])
        var facts: [String: String] = [:]
        for fact in factText.split(separator: ";") {
            guard let eq = fact.firstIndex(of: "=") else { continue }
            facts[fact[..<eq].lowercased()] = String(fact[fact.index(after: eq)...])
        }
        return (facts, name)
    }
}
