import ArgumentParser

/// `dctc completions`: shell completion scripts, generated from the command definitions.
struct Completions: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script (bash, zsh or fish).",
        discussion: """
        The same scripts are in the completions/ folder of the source tree.

        Examples:
          dctc completions bash > /etc/bash_completion.d/dctc
          dctc completions zsh > "${fpath[1]}/_dctc"
          dctc completions fish > ~/.config/fish/completions/dctc.fish
        """)

    enum Shell: String, ExpressibleByArgument, CaseIterable { case bash, zsh, fish }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "bash, zsh or fish.") var shell: Shell

    func run(_ context: CommandContext) async throws {
        let kind: CompletionShell = switch shell {
        case .bash: .bash
        case .zsh: .zsh
        case .fish: .fish
        }
        Output.standard.write(DCTC.completionScript(for: kind))
        Output.standard.flush()
    }
}
