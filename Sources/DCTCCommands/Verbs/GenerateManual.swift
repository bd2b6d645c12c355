import ArgumentParser
import DCTCCore
import Foundation

/// `dctc generate-manual DIR` (hidden): writes the man pages of every command into DIR.
///
/// `make man` runs it into `Docs/man/`; a test compares its output with the committed pages.
struct GenerateManual: DCTCCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-manual",
        abstract: "Write the man pages of every command (mdoc) into a directory.",
        discussion: """
        Writes dctc.1 and one page per subcommand (dctc-sync.1, dctc-config-add.1), \
        generated from the same definitions as --help. Pages of commands that no longer \
        exist are not removed: start from an empty directory (`make man` does).

        Examples:
          dctc generate-manual Docs/man
          dctc generate-manual /tmp/man && man -l /tmp/man/dctc-sync.1
        """,
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("The directory to write the pages into (created when missing).", valueName: "directory"))
    var directory: String

    func run(_ context: CommandContext) async throws {
        let pages = try ManualPages.generate()
        let folder = URL(fileURLWithPath: directory)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for page in pages {
                try Data(page.text.utf8).write(to: folder.appendingPathComponent(page.fileName), options: .atomic)
            }
        } catch {
            throw VFSError(.io, "cannot write the man pages: \(error.localizedDescription)", path: directory,
                           remedy: "check that the directory is writable")
        }
        Output.standard.line("\(pages.count) pages written to \(directory)")
        Output.standard.flush()
    }
}
