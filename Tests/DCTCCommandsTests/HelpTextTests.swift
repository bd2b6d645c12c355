import ArgumentParser
@testable import DCTCCommands
import Foundation
import Testing

/// Help paragraphs are single source lines, wrapped only by the renderer (ArgumentParser for
/// --help, the formatter for man pages), and point to man pages, never to repository paths.
@Suite("Help texts")
struct HelpTextTests {
    /// Verbs whose help another part of the project owns at this point (the sync engine, flow).
    static let elsewhere: Set<String> = ["sync", "copy", "check", "cp", "mv", "flow"]

    static func commands(_ type: any ParsableCommand.Type = DCTC.self, path: [String] = []) -> [([String], any ParsableCommand.Type)] {
        var out: [([String], any ParsableCommand.Type)] = [(path, type)]
        for sub in type.configuration.subcommands where !elsewhere.contains(sub._commandName) {
            out += commands(sub, path: path + [sub._commandName])
        }
        return out
    }

    @Test("no prose paragraph of a discussion is broken over several lines")
    func paragraphsAreOneLine() {
        for (path, command) in Self.commands() {
            for paragraph in command.configuration.discussion.components(separatedBy: "\n\n") {
                let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: false)
                guard let first = lines.first, !first.hasPrefix(" "), !first.hasSuffix(":"), lines.count > 1 else { continue }
                // A list (every line its own item) is fine; a sentence running over a line break is not.
                let broken = zip(lines, lines.dropFirst()).contains { a, b in
                    !a.hasSuffix(".") && !a.hasSuffix(":") && !b.hasPrefix(" ") && b.first.map { $0.isLowercase || $0 == "-" } == true
                }
                #expect(!broken, "dctc \(path.joined(separator: " ")): hard-wrapped paragraph: \(paragraph)")
            }
        }
    }

    @Test("help names man pages, not paths of the source tree")
    func noRepositoryPaths() {
        for (path, command) in Self.commands() {
            let text = command.configuration.abstract + command.configuration.discussion
            #expect(!text.contains("Docs/"), "dctc \(path.joined(separator: " ")): \(text)")
        }
    }

    @Test("the ENVIRONMENT table names every variable the sources read")
    func environmentTableIsComplete() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let documented = Set(EnvironmentTable.variables.flatMap(\.names)).union(EnvironmentTable.internalNames)
        let pattern = try NSRegularExpression(pattern: #"(?:environment\[|env\(|getenv\()"([A-Z][A-Z0-9_]+)""#)
        var missing: Set<String> = []
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        for file in files where !file.hasPrefix("DCTCTestSupport") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let r = Range(m.range(at: 1), in: text), !documented.contains(String(text[r])) { missing.insert(String(text[r])) }
            }
        }
        #expect(missing.isEmpty, "read by the sources but not in EnvironmentTable: \(missing.sorted())")
        let page = try String(contentsOf: root.appendingPathComponent("Docs/man/dctc.1"), encoding: .utf8)
        for name in ["AWS_REGION", "AWS_CONFIG_FILE", "NETRC"] { #expect(page.contains(name), "dctc.1 names \(name)") }
    }
}
