import DCTCCore

/// Output names: a template relative to the output folder with a `{key}` placeholder, and the
/// escaping that keeps every key inside that folder.
///
/// The template may hold `/` to make folders (`{key}/events.csv.gz`, `year={key}/part.csv`);
/// it may not be absolute or hold `.` or `..` components, and must use `{key}` at least once.
/// A key never adds folders and never climbs out: before it is put in the template it is
/// escaped with percent signs, injectively (two different keys always give two different
/// names):
/// - `%` becomes `%25`, `/` becomes `%2F`, control bytes (0x00-0x1F, 0x7F) become `%XX`;
/// - a key that is exactly `.` or `..` becomes `%2E` or `%2E%2E`.
/// Everything else (spaces, `:`, non-Latin letters) is kept as it is.
public struct OutputNameTemplate: Sendable, Hashable, CustomStringConvertible {
    public static let placeholder = "{key}"

    public let template: String
    private let components: [String]

    /// Checks and keeps a template.
    /// - Throws: `VFSError(.invalidArgument)` for a template without `{key}`, an absolute one,
    ///   or one with a `.` or `..` component.
    public init(_ template: String) throws {
        guard template.contains(Self.placeholder) else {
            throw VFSError.invalid("the name template '\(template)' has no {key}",
                                   remedy: "every output needs its own name, e.g. --name '{key}.csv' or '{key}/part.csv'")
        }
        guard !template.hasPrefix("/") else {
            throw VFSError.invalid("the name template '\(template)' is absolute", remedy: "names are relative to OUTDIR; drop the leading /")
        }
        let parts = template.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.contains(where: { $0 == "." || $0 == ".." }) else {
            throw VFSError.invalid("the name template '\(template)' has a . or .. component",
                                   remedy: "outputs stay inside OUTDIR; write the folder names plainly")
        }
        self.template = template
        self.components = parts
    }

    public var description: String { template }

    /// The output path of a key below `directory`.
    public func path(for key: String, in directory: VPath) -> VPath {
        let escaped = Self.escape(key)
        var path = directory
        for component in components {
            path = path.appending(component.replacingOccurrences(of: Self.placeholder, with: escaped))
        }
        return path
    }

    /// The key as it appears in names (see the type's discussion).
    public static func escape(_ key: String) -> String {
        if key == "." { return "%2E" }
        if key == ".." { return "%2E%2E" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count)
        var changed = false
        for byte in key.utf8 {
            if byte == UInt8(ascii: "%") || byte == UInt8(ascii: "/") || byte < 0x20 || byte == 0x7F {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                changed = true
            } else {
                out.append(byte)
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : key
    }
}
