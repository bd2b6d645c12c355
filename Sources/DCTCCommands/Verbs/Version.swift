import ArgumentParser
import DCTCCore

/// `dctc version`.
struct Version: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print dctc's version and the versions of the libraries it uses.",
        discussion: """
        Examples:
          dctc version
          dctc version --json
        """)

    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "As one JSON object.") var json = false

    func run(_ context: CommandContext) async throws {
        let libraries = LibraryVersions.all
        if json {
            var all = libraries
            all["dctc"] = DCTCVersion.string
            Output.standard.line(try jsonLine(all))
        } else {
            Output.standard.line("dctc \(DCTCVersion.string)")
            for (name, version) in libraries.sorted(by: { $0.key < $1.key }) {
                Output.standard.line("  \(name) \(version)")
            }
        }
        Output.standard.flush()
    }
}
