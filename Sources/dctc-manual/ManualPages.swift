import ArgumentParser
import DCTCCommands
import DCTCCore
import Foundation

/// Man pages (mdoc, section 1) generated from the command definitions: `dctc.1` and one page
/// per subcommand (`dctc-sync.1`, `dctc-config-add.1`).
///
/// The source is ArgumentParser's own description of the command tree, the JSON that
/// `dctc --experimental-dump-help` prints (ToolInfo, serialization version 0), obtained in
/// process. Everything a page says comes from the same abstracts, discussions and argument
/// help as `--help`, so the pages cannot disagree with it; a test regenerates them and
/// compares with the committed `Docs/man/`.
///
/// A discussion is read as the help texts are written: paragraphs separated by blank lines,
/// indented lines shown as they are, and an `Examples:` line whose indented lines become
/// the EXAMPLES section.
enum ManualPages {
    /// One generated page.
    public struct Page: Sendable, Equatable {
        /// The file name, e.g. `dctc-config-add.1`.
        public let fileName: String
        /// The mdoc source.
        public let text: String
    }

    /// Every page of the command tree, the root first, then depth first in definition order.
    ///
    /// Hidden commands and ArgumentParser's `help` command get no page.
    /// - Throws: `VFSError` (`.io`) when the command tree cannot be described (it always can,
    ///   unless ArgumentParser changes its dump format).
    public static func generate() throws -> [Page] {
        let root = try commandTree()
        var pages: [Page] = []
        func visit(_ command: CommandDump, path: [String]) {
            pages.append(Page(fileName: path.joined(separator: "-") + ".1",
                              text: render(command, path: path, root: root)))
            for sub in command.displayedSubcommands { visit(sub, path: path + [sub.commandName]) }
        }
        visit(root, path: [root.commandName])
        return pages
    }

    /// The command tree as ArgumentParser describes it to `--experimental-dump-help`.
    static func commandTree() throws -> CommandDump {
        let json: String
        do {
            _ = try DCTC.parseAsRoot(["--experimental-dump-help"])
            throw VFSError(.io, "ArgumentParser did not describe the command tree", remedy: "report this as a bug")
        } catch let error as VFSError {
            throw error
        } catch {
            json = DCTC.fullMessage(for: error)
        }
        do {
            let dump = try JSONDecoder().decode(ToolDump.self, from: Data(json.utf8))
            guard dump.serializationVersion == 0 else {
                throw VFSError(.io, "ArgumentParser describes commands in format \(dump.serializationVersion), not 0",
                               remedy: "update ManualPages for the new ToolInfo format")
            }
            return dump.command
        } catch let error as VFSError {
            throw error
        } catch {
            throw VFSError(.io, "cannot read ArgumentParser's description of the commands: \(error)",
                           remedy: "update ManualPages for the new ToolInfo format")
        }
    }

    // MARK: - Rendering

    static func render(_ command: CommandDump, path: [String], root: CommandDump) -> String {
        let isRoot = path.count == 1
        let title = path.joined(separator: "-").uppercased()
        let name = path.joined(separator: " ")
        let text = DiscussionText(command.discussion ?? "")
        var out: [String] = [
            ".\\\" Generated from the command definitions by dctc-manual (make man); do not edit.",
            ".\\\" Regenerate with `make man`.",
            ".Dd \(mdocDate(DCTCVersion.date))",
            ".Dt \(title) 1",
            ".Os dctc \(DCTCVersion.string)",
            ".Sh NAME",
            ".Nm \(macroArgument(name))",
            ".Nd \(macroLine(sentence(command.abstract ?? "")))",
            ".Sh SYNOPSIS",
            ".Nm",
        ]
        let subcommands = command.displayedSubcommands
        let defaultName = defaultSubcommand(of: path)
        if !subcommands.isEmpty {
            let word = isRoot ? "command" : "subcommand"
            out.append(defaultName == nil ? ".Ar \(word)" : ".Op Ar \(word)")
        }
        let options = ArgumentDump.mergingInversions(command.displayedArguments(isRoot: isRoot).filter { $0.kind != "positional" })
        let positionals = command.displayedArguments(isRoot: isRoot).filter { $0.kind == "positional" }
        for required in options where !required.isOptional {
            out.append("." + required.synopsisHead)
        }
        if !options.isEmpty { out.append(".Op Ar options") }
        for p in positionals {
            let value = "Ar \(macroArgument(p.valueName ?? "value"))" + (p.isRepeating ? " ..." : "")
            out.append(p.isOptional ? ".Op \(value)" : ".\(value)")
        }
        if isRoot {
            out.append(".Op Ar address ...")
        }

        out.append(".Sh DESCRIPTION")
        out.append(textLines(fullSentence(command.abstract ?? "")))
        if !text.description.isEmpty {
            out.append(".Pp")
            out.append(contentsOf: text.description)
        }

        if isRoot {
            out.append(".Sh COMMANDS")
            out.append(contentsOf: commandList(subcommands, groups: Overview.groups, path: path))
        } else if !subcommands.isEmpty {
            out.append(".Sh SUBCOMMANDS")
            out.append(contentsOf: commandList(subcommands, groups: [], path: path))
            if let defaultName {
                out.append(".Pp")
                out.append("Without a subcommand,")
                out.append(".Cm \(macroArgument(defaultName))")
                out.append("runs.")
            }
        }

        if !positionals.isEmpty {
            out.append(".Sh ARGUMENTS")
            out.append(".Bl -tag -width Ds")
            for p in positionals {
                out.append(".It Ar \(macroArgument(p.valueName ?? "value"))")
                out.append(textLines(p.helpText))
            }
            out.append(".El")
        }
        if !options.isEmpty {
            out.append(".Sh OPTIONS")
            out.append(".Bl -tag -width Ds")
            for o in options {
                out.append(".It \(o.itemHead)")
                out.append(textLines(o.helpText))
            }
            out.append(".El")
        }

        if isRoot {
            out.append(contentsOf: rootSections)
        } else {
            out.append(".Sh EXIT STATUS")
            out.append("The exit codes are those of every dctc command, listed in")
            out.append(".Xr dctc 1 .")
        }

        if !text.examples.isEmpty {
            out.append(".Sh EXAMPLES")
            out.append(".Bd -literal -offset indent")
            out.append(contentsOf: text.examples.map(literalLine))
            out.append(".Ed")
        }

        out.append(".Sh SEE ALSO")
        var seeAlso: [String] = []
        if !isRoot { seeAlso.append("dctc") }
        if path.count > 2 { seeAlso.append(path.dropLast().joined(separator: "-")) }
        seeAlso += subcommands.map { (path + [$0.commandName]).joined(separator: "-") }
        if isRoot {
            seeAlso += ["md5sum", "rclone", "rsync", "sha256sum"]
        }
        for (i, page) in seeAlso.enumerated() {
            out.append(".Xr \(page) 1" + (i < seeAlso.count - 1 ? " ," : ""))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The name of the default subcommand of the command at `path` (ArgumentParser's dump
    /// leaves it out when the subcommand's name is derived from its type name).
    static func defaultSubcommand(of path: [String]) -> String? {
        var type: any ParsableCommand.Type = DCTC.self
        for name in path.dropFirst() {
            guard let next = type.configuration.subcommands.first(where: { $0._commandName == name }) else { return nil }
            type = next
        }
        return type.configuration.defaultSubcommand?._commandName
    }

    /// The tagged list of subcommands, in titled groups when `groups` are given.
    static func commandList(_ subcommands: [CommandDump], groups: [Overview.Group], path: [String]) -> [String] {
        var out: [String] = []
        let widest = subcommands.map(\.commandName).max { $0.count < $1.count } ?? "Ds"
        func list(_ commands: [CommandDump]) {
            out.append(".Bl -tag -width \(macroArgument(widest)) -compact")
            for c in commands {
                out.append(".It Cm \(macroArgument(c.commandName))")
                out.append(textLines(fullSentence(c.abstract ?? "")))
                out.append("See")
                out.append(".Xr \((path + [c.commandName]).joined(separator: "-")) 1 .")
            }
            out.append(".El")
        }
        if groups.isEmpty {
            list(subcommands)
            return out
        }
        var remaining = subcommands
        for group in groups {
            let members = group.commands.compactMap { name in subcommands.first { $0.commandName == name } }
            guard !members.isEmpty else { continue }
            remaining.removeAll { group.commands.contains($0.commandName) }
            out.append(".Ss \(macroLine(group.title))")
            list(members)
        }
        if !remaining.isEmpty {
            out.append(".Ss Other")
            list(remaining)
        }
        return out
    }

    /// ENVIRONMENT, FILES and EXIT STATUS of `dctc.1`.
    static var rootSections: [String] {
        var out = [
            ".Sh ENVIRONMENT",
            ".Bl -tag -width Ds",
        ]
        for variable in EnvironmentTable.variables {
            out.append(".It Ev " + variable.names.joined(separator: " , "))
            out.append(escape(variable.text))
        }
        out += [
            ".El",
            ".Sh FILES",
            ".Bl -tag -width Ds",
            ".It Pa ~/.config/dctc/config.toml",
            "Accounts and aliases (TOML); see",
            ".Xr dctc-config 1 .",
            ".It Pa ~/.ssh/config , ~/.ssh/known_hosts , ~/.netrc , ~/.aws/config , ~/.aws/credentials",
            "Honoured for SFTP, FTP and S3 addresses.",
            ".El",
            ".Sh EXIT STATUS",
            ".Bl -tag -width Ds",
        ]
        for status in ExitStatus.allCases {
            out.append(".It \(status.rawValue)")
            out.append(textLines(meaning(of: status)))
        }
        out.append(".El")
        return out
    }

    /// What an exit status means, as `Docs/exit-codes.md` says it.
    static func meaning(of status: ExitStatus) -> String {
        switch status {
        case .success: "Everything asked for was done."
        case .negative: "A negative answer, not a failure: grep found no line, check or hash --check found differences."
        case .usage: "Bad flags, arguments or addresses; nothing (more) was done."
        case .notFound: "A named file, directory, account or pattern does not exist."
        case .partial: "Some items succeeded and some failed; each failure was printed."
        case .transient: "A network or server failure persisted after retries; retrying later may work."
        case .fatal: "A permanent failure: permissions, authentication, disk full, corrupt data, checksum mismatch."
        case .nothingToDo: "Nothing to do, when the command was asked to say so."
        case .checkFailed: "flow: a check on a step's output failed; the previous output was kept."
        case .inputMissing: "flow: an input partition does not exist yet; retrying later may work."
        case .lockHeld: "flow: another run holds the lock of a unit being built; retrying later may work."
        case .interrupted: "Interrupted (Ctrl-C); temporary files were removed."
        }
    }

    // MARK: - Escaping

    /// `2026-11-21` as mdoc wants it: `November 21, 2026`.
    static func mdocDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        let months = ["January", "February", "March", "April", "May", "June", "July", "August",
                      "September", "October", "November", "December"]
        guard parts.count == 3, (1...12).contains(parts[1]) else { return iso }
        return "\(months[parts[1] - 1]) \(parts[2]), \(parts[0])"
    }

    /// Text without its trailing period (mdoc's `.Nd` and a sentence we end ourselves).
    static func sentence(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// Text ending with a period.
    static func fullSentence(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        return t.isEmpty || t.hasSuffix(".") || t.hasSuffix(")") ? t : t + "."
    }

    /// Escapes roff's special characters in running text; characters outside ASCII become
    /// `\[uXXXX]`, so the pages are plain ASCII for every formatter.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case _ where scalar.value > 127:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\[u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A text line (or several, when `s` has newlines), safe from being read as requests.
    static func textLines(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: true).map { line -> String in
            let t = escape(line.trimmingCharacters(in: .whitespaces))
            return t.hasPrefix(".") || t.hasPrefix("'") ? "\\&" + t : t
        }.joined(separator: "\n")
    }

    /// A line of a literal display: kept as it is, escaped.
    static func literalLine(_ s: String) -> String {
        let t = escape(s)
        return t.hasPrefix(".") || t.hasPrefix("'") || t.isEmpty ? "\\&" + t : t
    }

    /// One macro argument: escaped, quoted when it has spaces.
    static func macroArgument(_ s: String) -> String {
        let t = escape(s).replacingOccurrences(of: "\"", with: "\\(dq")
        return t.contains(" ") ? "\"\(t)\"" : t
    }

    /// The rest of a macro line as words; words that mdoc would take for macros are escaped.
    static func macroLine(_ s: String) -> String {
        escape(s).replacingOccurrences(of: "\"", with: "\\(dq")
            .split(separator: " ", omittingEmptySubsequences: true)
            .map { word -> String in
                let looksLikeMacro = (2...3).contains(word.count) && word.first?.isUppercase == true
                    && word.dropFirst().allSatisfy { $0.isLowercase }
                return looksLikeMacro ? "\\&" + word : String(word)
            }
            .joined(separator: " ")
    }
}

/// A discussion split into the DESCRIPTION's roff lines and the EXAMPLES' lines.
struct DiscussionText {
    /// mdoc lines: text lines, `.Pp` between paragraphs, literal displays for indented lines.
    private(set) var description: [String] = []
    /// The indented lines after `Examples:`, without their common indentation.
    private(set) var examples: [String] = []

    init(_ discussion: String) {
        var inExamples = false
        var pendingBreak = false
        var literal: [String] = []
        var exampleBlank = false

        func flushLiteral() {
            guard !literal.isEmpty else { return }
            let indent = literal.map { $0.prefix { $0 == " " }.count }.min() ?? 0
            description.append(".Bd -literal -offset indent")
            description += literal.map { ManualPages.literalLine(String($0.dropFirst(indent))) }
            description.append(".Ed")
            literal = []
        }

        for raw in discussion.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw).replacingOccurrences(of: "\t", with: "    ")
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let indented = line.first == " "
            if trimmed == "Examples:" {
                flushLiteral()
                inExamples = true
                exampleBlank = false
                continue
            }
            if inExamples {
                if trimmed.isEmpty { exampleBlank = !examples.isEmpty; continue }
                if indented {
                    if exampleBlank { examples.append(""); exampleBlank = false }
                    examples.append(line)
                    continue
                }
                inExamples = false
                pendingBreak = !description.isEmpty
            }
            if trimmed.isEmpty {
                flushLiteral()
                pendingBreak = !description.isEmpty
                continue
            }
            if indented {
                literal.append(line)
                continue
            }
            flushLiteral()
            if pendingBreak { description.append(".Pp"); pendingBreak = false }
            description.append(ManualPages.textLines(trimmed))
        }
        flushLiteral()
        let indent = examples.filter { !$0.isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        examples = examples.map { String($0.dropFirst(indent)) }
    }
}

// MARK: - ArgumentParser's description of the commands (ToolInfo V0, the fields used here)

struct ToolDump: Decodable {
    let serializationVersion: Int
    let command: CommandDump
}

struct CommandDump: Decodable {
    let commandName: String
    let abstract: String?
    let discussion: String?
    let shouldDisplay: Bool?
    let subcommands: [CommandDump]?
    let arguments: [ArgumentDump]?

    /// Subcommands that get a page: not hidden, and not ArgumentParser's `help`.
    var displayedSubcommands: [CommandDump] {
        (subcommands ?? []).filter { $0.shouldDisplay != false && $0.commandName != "help" }
    }

    /// Arguments shown in help; `--help` and `--version` only on the root page.
    func displayedArguments(isRoot: Bool) -> [ArgumentDump] {
        (arguments ?? []).filter { a in
            guard a.shouldDisplay else { return false }
            let builtIn = a.kind == "flag" && (a.names ?? []).contains { $0.kind == "long" && ($0.name == "help" || $0.name == "version") }
            return isRoot || !builtIn
        }
    }
}

struct ArgumentDump: Decodable {
    struct Name: Decodable {
        let kind: String
        let name: String
    }

    let kind: String
    let shouldDisplay: Bool
    let isOptional: Bool
    let isRepeating: Bool
    let names: [Name]?
    let valueName: String?
    let defaultValue: String?
    let allValues: [String]?
    let abstract: String?
    let discussion: String?

    /// The arguments with `--x` and `--no-x` flags (ArgumentParser's inversions, described
    /// as two flags with one abstract) folded into one item, as `--help` shows them.
    static func mergingInversions(_ arguments: [ArgumentDump]) -> [ArgumentDump] {
        var out: [ArgumentDump] = []
        for a in arguments {
            if let last = out.last, last.kind == "flag", a.kind == "flag", last.abstract == a.abstract,
               let lastNames = last.names, let names = a.names,
               names.contains(where: { n in lastNames.contains { "no-" + $0.name == n.name } }) {
                out[out.count - 1] = ArgumentDump(kind: last.kind, shouldDisplay: true, isOptional: last.isOptional,
                                                  isRepeating: last.isRepeating, names: lastNames + names,
                                                  valueName: last.valueName, defaultValue: last.defaultValue,
                                                  allValues: nil, abstract: last.abstract, discussion: last.discussion)
            } else {
                out.append(a)
            }
        }
        return out
    }

    /// `Fl c , Fl -checksum` or `Fl -config Ar file`.
    var itemHead: String {
        let flags = (names ?? []).sorted { ($0.kind == "short" ? 0 : 1) < ($1.kind == "short" ? 0 : 1) }.map { n -> String in
            switch n.kind {
            case "short": "Fl \(ManualPages.macroArgument(n.name))"
            case "longWithSingleDash": "Fl \(ManualPages.macroArgument(n.name))"
            default: "Fl -\(ManualPages.macroArgument(n.name))"
            }
        }.joined(separator: " , ")
        guard kind == "option" else { return flags }
        return flags + " Ar \(ManualPages.macroArgument(valueName ?? "value"))"
    }

    /// `Fl -by Ar by`: the long name (else the first) with its value, for the SYNOPSIS.
    var synopsisHead: String {
        let name = (names ?? []).first { $0.kind == "long" } ?? names?.first
        let flag = name.map { n in n.kind == "long" ? "Fl -\(ManualPages.macroArgument(n.name))" : "Fl \(ManualPages.macroArgument(n.name))" } ?? "Fl"
        return kind == "option" ? flag + " Ar \(ManualPages.macroArgument(valueName ?? "value"))" : flag
    }

    /// The help text with the values and the default, as `--help` shows them.
    var helpText: String {
        var parts = [abstract ?? ""]
        if let discussion, !discussion.isEmpty { parts.append(discussion) }
        var text = parts.filter { !$0.isEmpty }.joined(separator: " ")
        if let allValues, !allValues.isEmpty, !text.contains("(values:") {
            text += " (values: \(allValues.joined(separator: ", ")))"
        }
        if let defaultValue, !defaultValue.isEmpty, kind != "flag" {
            text += " (default: \(defaultValue))"
        }
        return text
    }
}
