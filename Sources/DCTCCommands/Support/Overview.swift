import ArgumentParser

/// The short overview `dctc` prints when run with no arguments, and the grouping of the
/// commands that `dctc.1` uses too.
///
/// The groups name the commands of `DCTC.configuration.subcommands`; every displayed
/// subcommand belongs to exactly one group (a test walks the tree and checks it). Each line
/// shows the command's own abstract, so the overview cannot say something its `--help` doesn't.
package enum Overview {
    /// One group of commands, in the order the overview lists them.
    package struct Group: Sendable {
        package let title: String
        package let commands: [String]
    }

    /// The groups of the overview and of the COMMANDS section of `dctc.1`.
    package static let groups: [Group] = [
        Group(title: "Inspect", commands: ["ls", "find", "stat", "du", "cat", "head", "tail", "hash", "grep"]),
        Group(title: "Move", commands: ["cp", "mv", "rm", "mkdir", "rmdir", "cleanup"]),
        Group(title: "Sync", commands: ["sync", "copy", "check", "shard-plan"]),
        Group(title: "Edit & dispatch", commands: ["edit", "dispatch"]),
        Group(title: "Pipelines", commands: ["flow"]),
        Group(title: "Setup", commands: ["config", "version", "completions"]),
    ]

    /// The address forms (the same list as the root command's discussion).
    static let addresses = [
        "/path", "./rel", "sftp://user@host/path", "ftp://host/path", "https://host/path",
        "s3://bucket/key", "NAME:path (an account)", "- (stdin/stdout)",
    ]

    /// The overview text, wrapped to `width` columns.
    ///
    /// - Parameter width: the line width to wrap abstracts at.
    static func text(width: Int = 80) -> String {
        let abstracts = Dictionary(
            DCTC.configuration.subcommands.map { ($0._commandName, $0.configuration.abstract) },
            uniquingKeysWith: { first, _ in first })
        let nameColumn = 2 + (groups.flatMap(\.commands).map(\.count).max() ?? 8) + 2
        let title = DCTC.configuration.abstract.split(separator: " ").map(String.init)
        var lines = hangingWrap(head: "dctc \(DCTCVersion.string): ", words: title, separator: " ", width: width)
        lines += [
            "",
            "Usage: dctc <command> [<options>] <address>...",
        ]
        for group in groups {
            lines.append("")
            lines.append("\(group.title):")
            for name in group.commands {
                let head = "  " + name + String(repeating: " ", count: max(1, nameColumn - 2 - name.count))
                let words = (abstracts[name] ?? "").split(separator: " ").map(String.init)
                lines += hangingWrap(head: head, words: words, separator: " ", width: width)
            }
        }
        lines += [
            "",
            "Addresses (any command, any store):",
        ]
        lines += hangingWrap(head: "  ", words: addresses, separator: "  ", width: width)
        lines += [
            "",
            "Run 'dctc <command> --help' for its options and examples, 'dctc --help' for all",
            "commands, 'man dctc' once installed; the user guide has the whole story.",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Wraps `words` after `head`, continuation lines indented to the width of `head`.
    ///
    /// - Parameters:
    ///   - head: the start of the first line.
    ///   - words: what to wrap; a word is never split.
    ///   - separator: what goes between two words on one line.
    ///   - width: the line width.
    static func hangingWrap(head: String, words: [String], separator: String, width: Int) -> [String] {
        let indent = String(repeating: " ", count: head.count)
        var lines: [String] = []
        var current = head
        var empty = true
        for word in words {
            if !empty && current.count + separator.count + word.count > width {
                lines.append(current)
                current = indent + word
            } else {
                current += (empty ? "" : separator) + word
            }
            empty = false
        }
        lines.append(current)
        return lines
    }
}
