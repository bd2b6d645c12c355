import ArgumentParser
import DCTCBackends
import DCTCCore
import Foundation

/// Shell completion of addresses: local paths, account names (`box:`), and one level of a
/// remote folder (`box:/srv/da` → `box:/srv/data/`), listed with a short timeout so a slow
/// or unreachable store never freezes the shell.
///
/// The generated bash, zsh and fish scripts call it through ArgumentParser's custom completion;
/// `dctc __complete WORD` prints the same candidates (for scripts and debugging).
enum AddressCompletion {
    /// How long a remote listing may take before completion gives up (nothing is offered).
    static let remoteTimeout: Double = 3

    /// The candidates for `word`, one per line in the order shown.
    /// - Parameter words: the whole command line, to find `--config`.
    static func candidates(_ word: String, words: [String] = []) -> [String] {
        let settings = try? LoadedSettings.load(configPath: ArgumentLine.configPath(in: words))
        let accounts = (settings?.accounts as? ConfiguredAccounts)?.accountNames ?? []
        if let colon = word.firstIndex(of: ":"), !word.hasPrefix("/"), !word.hasPrefix("."),
           !word[..<colon].contains("/") {
            return remote(word, settings: settings)
        }
        var out: [String] = []
        if !word.contains("/") {
            out += accounts.filter { $0.hasPrefix(word) }.map { $0 + ":" }
        }
        return out + local(word)
    }

    /// Entries of the local folder named by the word's directory part.
    static func local(_ word: String) -> [String] {
        let slash = word.lastIndex(of: "/")
        let dirPart = slash.map { String(word[...$0]) } ?? ""
        let namePrefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
        let folder = dirPart.isEmpty ? "." : Home.expandTilde(dirPart)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
            .sorted()
            .prefix(1000)
            .map { name in
                var isDir: ObjCBool = false
                let full = (folder == "." ? "" : folder.hasSuffix("/") ? folder : folder + "/") + name
                _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
                return dirPart + name + (isDir.boolValue ? "/" : "")
            }
    }

    /// One level of a remote folder, or nothing after `remoteTimeout`.
    static func remote(_ word: String, settings: LoadedSettings?) -> [String] {
        let slash = word.lastIndex(of: "/")
        let colon = word.firstIndex(of: ":") ?? word.startIndex
        // `box:` and `box:na` list the account's root; `s3://b/x` lists `s3://b/`.
        let dirPart: String
        let namePrefix: String
        if let slash {
            dirPart = String(word[...slash])
            namePrefix = String(word[word.index(after: slash)...])
        } else {
            dirPart = String(word[...colon])
            namePrefix = String(word[word.index(after: colon)...])
        }
        let box = Locked<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            defer { done.signal() }
            var options = StoreOptions()
            options.maxConnections = 1
            guard let settings else { return }
            let registry = StoreRegistry(accounts: settings.accounts, options: options)
            await DCTCBackends.registerAll(into: registry)
            guard let location = try? await registry.resolve(Address.parse(dirPart)),
                  let entries = try? await location.fs.listAll(location.path) else { return }
            let names = entries.filter { $0.name.hasPrefix(namePrefix) }
                .sorted { $0.name < $1.name }
                .prefix(1000)
                .map { dirPart + $0.name + ($0.isDirectory ? "/" : "") }
            box.value = Array(names)
        }
        if done.wait(timeout: .now() + remoteTimeout) == .timedOut {
            task.cancel()
            return []
        }
        return box.value
    }
}

extension CompletionKind {
    /// Local paths, account names and remote folders (see `AddressCompletion`).
    static var address: CompletionKind {
        .custom { words, _, prefix in
            let candidates = AddressCompletion.candidates(prefix, words: words)
            // zsh's script reads `value:description`: a colon in a value is escaped.
            guard ProcessInfo.processInfo.environment["SAP_SHELL"] == "zsh" else { return candidates }
            return candidates.map { $0.replacingOccurrences(of: ":", with: "\\:") }
        }
    }
}

/// `dctc __complete WORD` (hidden): the completion candidates of an address, one per line.
struct CompleteAddress: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__complete",
        abstract: "Print the completions of an address (used by the shell completion scripts).",
        discussion: """
        Examples:
          dctc __complete box:/srv/da
        """,
        shouldDisplay: false)

    @Option(name: .long, help: ArgumentHelp("Config file to use.", valueName: "file")) var config: String?
    @Argument(help: "The word being completed.") var word: String = ""

    func run() throws {
        for candidate in AddressCompletion.candidates(word, words: config.map { ["--config", $0] } ?? []) {
            Output.standard.line(candidate)
        }
        Output.standard.flush()
    }
}
