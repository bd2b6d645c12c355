import ArgumentParser
import DCTCCore

/// Turns what the user typed into what the commands parse: global options accepted anywhere
/// (`dctc -v ls x`, `dctc --config f nightly`), and aliases from the config file expanded.
///
/// Global options before the verb (or between a command group and its subcommand) are moved
/// right after the full command path, in their long spelling (`-v` becomes `--verbose`, so it
/// keeps its meaning after `grep`, where `-v` inverts the match). A word is a global option when
/// `GlobalOptions` itself parses it (alone, or with the next word as its value): the option
/// groups are the only list of them.
enum ArgumentLine {
    /// The normalised argument list.
    /// - Parameter loadAliases: the aliases of the config file named by `--config` (or the
    ///   default one when nil).
    static func normalise(_ args: [String], loadAliases: (String?) -> [String: [String]]) -> [String] {
        var (leading, rest) = takeGlobalOptions(args)
        if let first = rest.first, !first.hasPrefix("-"), first != "help",
           !DCTC.configuration.subcommands.contains(where: { $0._commandName == first }) {
            let aliases = loadAliases(configPath(in: leading) ?? configPath(in: rest))
            if let expansion = aliases[first], !expansion.isEmpty {
                // The expansion may start with global options of its own.
                let (more, expanded) = takeGlobalOptions(expansion)
                leading += more
                rest = expanded + rest.dropFirst()
            }
        }
        // Descend the command path; global options between a group and its subcommand move too.
        var command: any ParsableCommand.Type = DCTC.self
        var path: [String] = []
        var index = 0
        while index < rest.count {
            let word = rest[index]
            if let sub = command.configuration.subcommands.first(where: { $0._commandName == word }) {
                command = sub
                path.append(word)
                index += 1
            } else if !command.configuration.subcommands.isEmpty, let taken = globalOption(at: index, in: rest) {
                leading += taken
                index += taken.count
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return rest }
        return path + longSpelling(leading) + rest[index...]
    }

    /// The global options at the start of `args`, and what follows them.
    static func takeGlobalOptions(_ args: [String]) -> (options: [String], rest: [String]) {
        var options: [String] = []
        var index = 0
        while let taken = globalOption(at: index, in: args) {
            options += taken
            index += taken.count
        }
        return (options, Array(args[index...]))
    }

    /// The words of the global option at `index` (one, or two when it takes a value), or nil.
    static func globalOption(at index: Int, in args: [String]) -> [String]? {
        guard index < args.count else { return nil }
        let word = args[index]
        guard word.hasPrefix("-"), word != "-", word != "--" else { return nil }
        if parses([word]) { return [word] }
        if index + 1 < args.count, parses([word, args[index + 1]]) { return [word, args[index + 1]] }
        return nil
    }

    private static func parses(_ words: [String]) -> Bool {
        (try? GlobalOptions.parse(words)) != nil
    }

    /// `-vq` becomes `--verbose --quiet`; long options are kept.
    static func longSpelling(_ words: [String]) -> [String] {
        words.flatMap { word -> [String] in
            guard word.hasPrefix("-"), !word.hasPrefix("--"), word.count > 1 else { return [word] }
            let letters = Array(word.dropFirst())
            let longs = letters.compactMap { VerbosityOptions.longForms[$0] }
            return longs.count == letters.count ? longs : [word]
        }
    }

    /// The value of `--config` in `args`, if any.
    static func configPath(in args: [String]) -> String? {
        for (i, a) in args.enumerated() {
            if a == "--config", i + 1 < args.count { return args[i + 1] }
            if a.hasPrefix("--config=") { return String(a.dropFirst("--config=".count)) }
        }
        return nil
    }
}
