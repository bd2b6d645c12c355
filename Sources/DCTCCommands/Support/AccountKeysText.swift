import DCTCBackends
import DCTCConfig
import DCTCCore

/// The account keys as users read them, rendered from the backends' declarations
/// (`DCTCBackends.accountOptions`): the key list of `dctc config add --help` (and so of its man
/// page), the tables of `dctc config keys`, and the user guide's tables (`--markdown`, checked
/// against Docs/user-guide.md by a test).
enum AccountKeysText {
    static var catalog: AccountOptionCatalog { DCTCBackends.accountOptions }

    /// Every type name, comma-separated.
    static var typeNames: String { catalog.types.map(\.type.rawValue).joined(separator: ", ") }

    /// Indented lines listing each type's keys (`password*` for secrets, `host (required)`),
    /// the common ones once, wrapped to 78 columns so `--help` and the man page keep them as
    /// written; for the discussion of `dctc config add`.
    static var summary: String {
        let common = Set(BackendOption.common.map(\.key))
        var lines = ["  every type: " + BackendOption.common.map(\.key).joined(separator: ", ")]
        for (type, options) in catalog.types {
            let keys = options.filter { !common.contains($0.key) }.map { o in
                o.key + (o.kind == .secret ? "*" : "") + (o.required ? " (required)" : "")
            }
            guard !keys.isEmpty else {
                lines.append("  \(type): no other keys")
                continue
            }
            var line = "  \(type):"
            for (i, key) in keys.enumerated() {
                let word = " " + key + (i == keys.count - 1 ? "" : ",")
                if line.count + word.count > 78 {
                    lines.append(line)
                    line = "     "
                }
                line += word
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The options of several types (`ftp ftps`) in order, each once, with the types it belongs
    /// to when not all of them have it.
    static func rows(for types: [String]) throws -> [(option: BackendOption, only: [String])] {
        var rows: [(option: BackendOption, only: [String])] = []
        for type in types {
            guard let options = StoreKind(rawValue: type).flatMap({ catalog.options(for: $0) }) else {
                throw VFSError.invalid("unknown account type '\(type)'", remedy: "use one of \(typeNames)")
            }
            for option in options where !rows.contains(where: { $0.option.key == option.key }) {
                let having = types.filter { StoreKind(rawValue: $0).flatMap { catalog.option(option.key, for: $0) } != nil }
                rows.append((option, having.count == types.count ? [] : having))
            }
        }
        return rows
    }

    /// What a key holds and whether it must be given: `integer 1-65535`, `string, required`.
    static func value(_ option: BackendOption) -> String {
        option.kindDescription + (option.required ? ", required" : "")
    }

    /// The help of a row, with the types it is limited to.
    static func help(_ row: (option: BackendOption, only: [String])) -> String {
        row.option.help + (row.only.isEmpty ? "" : " (\(row.only.joined(separator: ", ")) only)")
    }

    /// A table for the terminal: one block per key (key, value kind, default, help, example).
    static func text(for types: [String]) throws -> String {
        let rows = try rows(for: types)
        let width = rows.map(\.option.key.count).max() ?? 0
        var lines = ["Keys of [accounts.NAME] with type = \(types.map { "\"\($0)\"" }.joined(separator: " or ")):"]
        for row in rows {
            let o = row.option
            let pad = String(repeating: " ", count: width - o.key.count)
            lines.append("  \(o.key)\(pad)  \(value(o))" + (o.defaultValue.map { "; default \($0)" } ?? ""))
            lines.append("  \(String(repeating: " ", count: width))  \(help(row)) e.g. \(o.exampleAssignment)")
        }
        lines.append("Secrets may be written inline, as KEY_env = \"VARIABLE\" or as KEY_command = \"command\".")
        return lines.joined(separator: "\n")
    }

    /// A Markdown table (the user guide's), rows in declaration order.
    static func markdown(for types: [String]) throws -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| key | value | default | example | what it does |", "|---|---|---|---|---|"]
        for row in try rows(for: types) {
            let o = row.option
            lines.append("| `\(o.key)` | \(cell(value(o))) | \(cell(o.defaultValue ?? "—")) | `\(cell(o.exampleAssignment))` | \(cell(help(row))) |")
        }
        return lines.joined(separator: "\n")
    }
}
