import DCTCCore
import Foundation

/// dctc's config file: named accounts and command aliases.
///
/// The file is `$DCTC_CONFIG`, else `$XDG_CONFIG_HOME/dctc/config.toml`, else
/// `~/.config/dctc/config.toml`. It is TOML (see `TOMLDocument` for the subset read):
///
/// ```toml
/// [accounts.box]
/// type = "sftp"
/// host = "box.example.com"
/// user = "me"
/// password_command = "pass show box"
///
/// [aliases]
/// ll = "ls -l -h"
/// ```
///
/// A missing file is an empty configuration. Unknown keys give warnings, so a file written for
/// a newer dctc still loads; everything else that is wrong is an error naming the file and line.
public struct DCTCConfiguration: Sendable {
    /// The config file's path (it may not exist).
    public let path: String
    /// Whether the file existed when loaded.
    public let exists: Bool
    /// Accounts by name.
    public let accounts: [String: Account]
    /// Aliases: name → the words it expands to (`ll` → `["ls", "-l", "-h"]`).
    public let aliases: [String: [String]]
    /// Things worth telling the user that do not stop dctc: a file readable by others,
    /// unknown keys. Each names the file.
    public let warnings: [String]

    /// The file's text as loaded, for edits that keep it.
    let source: String
    let sections: [TOMLSection]
    let environment: [String: String]
    /// The keys each account type understands (from the backends), used again when the file is edited.
    public let options: AccountOptionCatalog

    /// Accounts sorted by name, for listings.
    public var sortedAccounts: [Account] {
        accounts.values.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The account called `name`, if any.
    public func account(named name: String) -> Account? { accounts[name] }

    // MARK: - Locating

    /// Where the config file is: `$DCTC_CONFIG`, else `$XDG_CONFIG_HOME/dctc/config.toml` (when
    /// that variable holds an absolute path, as the XDG spec asks), else
    /// `$HOME/.config/dctc/config.toml`.
    ///
    /// - Parameters:
    ///   - environment: The environment to read the variables from.
    /// - Returns: The path; the file may not exist.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment["DCTC_CONFIG"], !explicit.isEmpty { return explicit }
        if var xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            while xdg.count > 1, xdg.hasSuffix("/") { xdg.removeLast() }
            return xdg + "/dctc/config.toml"
        }
        var home = Home.directory(environment)
        while home.count > 1, home.hasSuffix("/") { home.removeLast() }
        return home + "/.config/dctc/config.toml"
    }

    // MARK: - Loading

    /// Loads the config file found through `defaultPath(environment:)`.
    ///
    /// Reads a small file synchronously: call it once at startup.
    ///
    /// - Parameters:
    ///   - environment: Where the location variables are read and what `*_env` secrets and
    ///     `*_command` commands see later.
    ///   - options: The keys each account type understands (`DCTCBackends.accountOptions`).
    /// - Returns: The configuration; empty when the file does not exist.
    /// - Throws: `VFSError` `.invalidArgument` for a syntax or validation error (naming the
    ///   file and line), `.permissionDenied` or `.io` when the file cannot be read.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: AccountOptionCatalog) throws -> DCTCConfiguration {
        try load(path: defaultPath(environment: environment), environment: environment, options: options)
    }

    /// Loads the config file at `path`.
    ///
    /// - Parameters:
    ///   - path: The file; a missing file gives an empty configuration.
    ///   - environment: What `*_env` secrets and `*_command` commands see.
    ///   - options: The keys each account type understands (`DCTCBackends.accountOptions`).
    /// - Returns: The configuration, with a warning when the file is readable by group or others.
    /// - Throws: As `load(environment:options:)`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: AccountOptionCatalog) throws -> DCTCConfiguration {
        guard let file = try ConfigFile.read(path) else {
            return DCTCConfiguration(path: path, exists: false, accounts: [:], aliases: [:], warnings: [],
                                     source: "", sections: [], environment: environment, options: options)
        }
        var warnings: [String] = []
        if file.mode & 0o077 != 0 {
            let mode = String(file.mode & 0o7777, radix: 8)
            let shown = String(repeating: "0", count: max(0, 4 - mode.count)) + mode
            warnings.append("config file \(path) is readable by group or others (mode \(shown)); run chmod 600 \(path)")
        }
        return try parse(bytes: file.bytes, path: path, environment: environment, options: options, warnings: warnings)
    }

    /// Reads configuration text that is not (or not yet) in a file.
    ///
    /// - Parameters:
    ///   - text: TOML text.
    ///   - path: The name used in messages.
    ///   - environment: What `*_env` secrets and `*_command` commands see.
    ///   - options: The keys each account type understands (`DCTCBackends.accountOptions`).
    /// - Returns: The configuration.
    /// - Throws: `VFSError` `.invalidArgument` naming `path` and the line.
    public static func parse(_ text: String, path: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             options: AccountOptionCatalog) throws -> DCTCConfiguration {
        try parse(bytes: Array(text.utf8), path: path, environment: environment, options: options, warnings: [])
    }

    static func parse(bytes: [UInt8], path: String, environment: [String: String], options: AccountOptionCatalog,
                      warnings initialWarnings: [String]) throws -> DCTCConfiguration {
        let document = try TOMLDocument.parse(bytes: bytes, path: path)
        var warnings = initialWarnings
        var accounts: [String: Account] = [:]
        var aliases: [String: [String]] = [:]
        let root = document.root
        func invalid(_ message: String, line: Int?, remedy: String = "edit the config file") -> VFSError {
            VFSError(.invalidArgument, (line.map { "line \($0): " } ?? "") + message, path: path, remedy: remedy)
        }
        for (key, value) in root.entries {
            switch key {
            case "accounts":
                guard let table = value.tableValue else {
                    throw invalid("accounts must be a table: write each account as [accounts.NAME]", line: root.line(of: key))
                }
                for (name, accountValue) in table.entries {
                    let line = table.line(of: name)
                    guard let accountTable = accountValue.tableValue else {
                        throw invalid("accounts.\(TOMLSyntax.key(name)) must be a table ([accounts.\(TOMLSyntax.key(name))]), not \(accountValue.kindDescription)", line: line)
                    }
                    do {
                        try Account.validateName(name)
                    } catch let error as VFSError {
                        throw invalid(error.message, line: line, remedy: error.remedy ?? "rename the account")
                    }
                    let account = try Account(name: name, table: accountTable, line: line, configPath: path,
                                              environment: environment)
                    warnings += try account.validate(options: options)
                    accounts[name] = account
                }
            case "aliases":
                guard let table = value.tableValue else {
                    throw invalid("aliases must be a table: write [aliases] and then name = \"command words\"", line: root.line(of: key))
                }
                for (name, aliasValue) in table.entries {
                    let line = table.line(of: name)
                    aliases[name] = try aliasWords(name: name, value: aliasValue, line: line, invalid: invalid)
                }
            default:
                let line = root.line(of: key).map { "line \($0): " } ?? ""
                warnings.append("\(path): \(line)unknown key '\(key)' (dctc reads [accounts] and [aliases])")
            }
        }
        return DCTCConfiguration(path: path, exists: true, accounts: accounts, aliases: aliases, warnings: warnings,
                                 source: String(decoding: bytes, as: UTF8.self), sections: document.sections,
                                 environment: environment, options: options)
    }

    /// Checks an alias name and splits its value into words.
    private static func aliasWords(name: String, value: TOMLValue, line: Int?,
                                   invalid: (String, Int?, String) -> VFSError) throws -> [String] {
        let nameIsValid = !name.isEmpty && !name.hasPrefix("-") && name.utf8.allSatisfy(TOMLSyntax.isBareKeyByte)
        guard nameIsValid else {
            throw invalid("invalid alias name '\(name)'", line, "use letters, digits, _ and -, not starting with -")
        }
        let words: [String]
        switch value {
        case .string(let text):
            do {
                words = try ShellWords.split(text)
            } catch {
                throw invalid("alias '\(name)': \(error.message)", line, "close the quote, or escape it with \\")
            }
        case .array(let elements):
            words = try elements.map { element in
                guard let s = element.stringValue else {
                    throw invalid("alias '\(name)' must list strings, not \(element.kindDescription)", line, "edit the config file")
                }
                return s
            }
        default:
            throw invalid("alias '\(name)' must be a string (\"ls -l\") or an array of strings, not \(value.kindDescription)",
                          line, "edit the config file")
        }
        guard !words.isEmpty else { throw invalid("alias '\(name)' is empty", line, "give it a command, or remove it") }
        return words
    }
}
