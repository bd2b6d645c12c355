import DCTCTestSupport
import Foundation
import Testing

/// The commands of the CLI as ArgumentParser describes them (`dctc --experimental-dump-help`).
struct CommandTree {
    struct Command {
        let path: [String]
        let abstract: String
        let hidden: Bool
        let subcommands: [Command]
    }

    let root: Command

    init() throws {
        let r = try CLI.run(["--experimental-dump-help"])
        guard r.status == 0 else { throw TreeError("dctc --experimental-dump-help failed: \(r)") }
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        guard let top = json as? [String: Any], let command = top["command"] as? [String: Any] else {
            throw TreeError("unexpected --experimental-dump-help output")
        }
        root = Self.command(command, parent: [])
    }

    private static func command(_ object: [String: Any], parent: [String]) -> Command {
        let path = parent + [object["commandName"] as? String ?? "?"]
        let subs = (object["subcommands"] as? [[String: Any]] ?? [])
            .filter { $0["commandName"] as? String != "help" }   // ArgumentParser's own
            .map { command($0, parent: path) }
        return Command(path: path, abstract: object["abstract"] as? String ?? "",
                       hidden: object["shouldDisplay"] as? Bool == false, subcommands: subs)
    }

    /// Every command below the root, depth first (hidden ones included).
    var allCommands: [Command] {
        func walk(_ c: Command) -> [Command] { c.subcommands.flatMap { [$0] + walk($0) } }
        return walk(root)
    }

    struct TreeError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

@Suite("Help: the overview of `dctc`, and examples in every command's --help")
struct HelpTests {
    @Test("dctc with no arguments prints a short grouped overview of the commands and exits 0")
    func overview() throws {
        let r = try CLI.run([])
        #expect(r.status == 0, "\(r)")
        #expect(r.stderr.isEmpty, "\(r)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for group in ["Inspect:", "Move:", "Sync:", "Edit & dispatch:", "Pipelines:", "Setup:"] {
            #expect(lines.contains(group), "the overview has no group \(group)")
        }
        #expect(lines.count < 70, "the overview is meant to fit a screen; it has \(lines.count) lines")
        #expect(lines.allSatisfy { $0.count <= 80 }, "an overview line is wider than 80 columns")
        #expect(r.stdout.contains("dctc <command> --help"))
    }

    @Test("the overview names every visible command exactly once, with its abstract, and no hidden one")
    func overviewCoversEveryCommand() throws {
        let tree = try CommandTree()
        let r = try CLI.run([])
        let firstWords = r.stdout.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
        for command in tree.root.subcommands {
            let name = command.path.last ?? ""
            let count = firstWords.filter { $0 == name }.count
            if command.hidden {
                #expect(count == 0, "hidden command \(name) appears in the overview")
            } else {
                #expect(count == 1, "\(name) appears \(count) times in the overview (add it to a group of Overview.groups)")
                let firstAbstractWords = command.abstract.split(separator: " ").prefix(3).joined(separator: " ")
                #expect(r.stdout.contains(firstAbstractWords), "the overview lacks the abstract of \(name)")
            }
        }
    }

    @Test("an unknown command is a usage error that suggests the closest command and points to the overview")
    func unknownCommand() throws {
        let typo = try CLI.run(["synk", "a", "b"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("unknown command 'synk'"), "\(typo)")
        #expect(typo.stderr.contains("Did you mean 'sync'?"))
        let unrelated = try CLI.run(["frobnicate"])
        #expect(unrelated.status == 2)
        #expect(unrelated.stderr.contains("unknown command 'frobnicate'"))
        #expect(!unrelated.stderr.contains("Did you mean"))
        #expect(unrelated.stderr.contains("Run `dctc` for the list of commands"))
    }

    @Test("dctc --help still prints the full help with every subcommand")
    func fullHelp() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("SUBCOMMANDS"))
        #expect(r.stdout.contains("Exit codes"))
    }

    @Test("every command's --help, subcommands included, has an Examples: section that runs it")
    func everyHelpHasExamples() throws {
        let tree = try CommandTree()
        var missing: [String] = []
        var notRunningIt: [String] = []
        for command in tree.allCommands {
            let name = command.path.joined(separator: " ")
            let r = try CLI.run(Array(command.path.dropFirst()) + ["--help"])
            #expect(r.status == 0, "\(name) --help: \(r)")
            guard let range = r.stdout.range(of: "Examples:") else {
                missing.append(name)
                continue
            }
            if !r.stdout[range.upperBound...].contains(name + " ") && !r.stdout[range.upperBound...].contains(name + "\n") {
                notRunningIt.append(name)
            }
        }
        #expect(missing.isEmpty, "--help of these commands has no Examples: section: \(missing.joined(separator: ", "))")
        #expect(notRunningIt.isEmpty, "the Examples: of these commands never run them: \(notRunningIt.joined(separator: ", "))")
    }
}
