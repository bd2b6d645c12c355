import ArgumentParser
import DCTCBackends
import DCTCConfig
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dctc config`: the accounts and aliases in the config file.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "List, add and remove the accounts of the config file.",
        discussion: """
        The config file is $DCTC_CONFIG, else $XDG_CONFIG_HOME/dctc/config.toml, else \
        ~/.config/dctc/config.toml. Secrets are never printed.

        Examples:
          dctc config
          dctc config add backup --type sftp --host backup.example.org --user me --set key_file=~/.ssh/id_ed25519
          dctc config add lake --type s3 --region eu-west-1 --secret-env secret_access_key=LAKE_SECRET
          dctc config keys sftp
          dctc config remove backup
        """,
        subcommands: [List.self, Show.self, Add.self, Remove.self, Keys.self, Path.self],
        defaultSubcommand: List.self)

    /// The config file of the context (its warnings were printed when the context was built).
    static func load(_ context: CommandContext) throws -> DCTCConfiguration {
        let settings = context.settings
        guard let config = settings.configuration else {
            throw VFSError.invalid("the config file cannot be read", path: settings.path, remedy: "fix the error above")
        }
        return config
    }

    struct List: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts, secrets masked.",
            discussion: """
            Examples:
              dctc config list
              dctc config list --json
            """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "One JSON object per account and line.") var json = false

        func run(_ context: CommandContext) async throws {
            let config = try ConfigCommand.load(context)
            if config.accounts.isEmpty && !json {
                Output.error.line(config.exists ? "no accounts in \(config.path)" :
                    "no config file at \(config.path); add an account with `dctc config add NAME --type TYPE ...`")
            }
            for account in config.sortedAccounts {
                if json {
                    // Plain values (numbers and booleans as JSON's own); secrets masked as in the text listing.
                    var fields: [String: JSONScalar] = ["type": .string(account.type.rawValue)]
                    for (k, v) in account.fields {
                        fields[k] = Account.secretKeys.contains(k) ? .string("***") : JSONScalar(v)
                    }
                    fields["name"] = .string(account.name)
                    Output.standard.line(try jsonLine(fields))
                } else {
                    Output.standard.line(account.maskedDescription)
                }
            }
            if !config.aliases.isEmpty && !json {
                Output.standard.line("")
                for (name, words) in config.aliases.sorted(by: { $0.key < $1.key }) {
                    Output.standard.line("alias \(name) = \(words.joined(separator: " "))")
                }
            }
            Output.standard.flush()
        }
    }

    struct Show: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one account, secrets masked.",
            discussion: """
            Examples:
              dctc config show backup
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account name.") var name: String

        func run(_ context: CommandContext) async throws {
            let config = try ConfigCommand.load(context)
            guard let account = config.account(named: name) else {
                throw VFSError(.notFound, "no account named '\(name)'", path: config.path,
                               remedy: "list them with `dctc config`")
            }
            let width = account.maskedFields.map(\.key.count).max() ?? 0
            Output.standard.line("[\(name)]")
            for (k, v) in account.maskedFields {
                Output.standard.line(k + String(repeating: " ", count: width - k.count) + " = " + v)
            }
            Output.standard.flush()
        }
    }

    struct Add: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account (non-interactive with flags; prompts for what is missing on a terminal).",
            discussion: """
            Secrets are never taken from the command line (they would show in ps and shell \
            history): name an environment variable (--secret-env KEY=VAR), a command that \
            prints the secret (--secret-command KEY=CMD), or type it at the prompt on a \
            terminal (stored in the config file, which is written with mode 0600).

            Keys of each type (secrets marked *; `dctc config keys TYPE` says what each holds and does):
            \(AccountKeysText.summary)

            Examples:
              dctc config add box --type sftp --host 10.0.0.5 --user me
              dctc config add lake --type s3 --endpoint http://127.0.0.1:9000 --set path_style=true --secret-env secret_access_key=MINIO_SECRET --set access_key_id=minio
              dctc config add ftpbox --type ftp --host ftp.example.org --user up --secret-command "password=pass show ftpbox"
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account name (letters, digits, _ . -; at least 2 characters).") var name: String
        @Option(name: .long, help: ArgumentHelp("\(AccountKeysText.typeNames).")) var type: String?
        @Option(name: .long, help: "Host name (sftp, ftp, ftps).") var host: String?
        @Option(name: .long, help: "Port.") var port: Int?
        @Option(name: .long, help: "User name.") var user: String?
        @Option(name: .long, help: "Endpoint URL (s3).") var endpoint: String?
        @Option(name: .long, help: "Base URL (http, webdav).") var url: String?
        // --region is the global option (AWSOptions) here too: one option cannot have two definitions.
        @Option(name: .long, help: "A path prefix every address of the account lives under.") var root: String?
        @Option(name: .long, help: ArgumentHelp("Any other non-secret setting.", valueName: "key=value")) var set: [String] = []
        @Option(name: .long, help: ArgumentHelp("Read a secret from an environment variable when needed.", valueName: "key=VAR")) var secretEnv: [String] = []
        @Option(name: .long, help: ArgumentHelp("Run a command that prints a secret when needed.", valueName: "key=command")) var secretCommand: [String] = []
        @Flag(name: .long, help: "Replace an existing account of that name.") var replace = false
        @OptionGroup var dryRun: DryRunOptions

        func run(_ context: CommandContext) async throws {
            let config = try ConfigCommand.load(context)
            let interactive = isatty(0) == 1 && isatty(2) == 1
            var typeText = type
            if typeText == nil, interactive { typeText = prompt("type (\(AccountType.allCases.map(\.rawValue).joined(separator: ", ")))") }
            guard let typeText, var accountType = AccountType(rawValue: typeText.lowercased()) else {
                throw ValidationError("--type must be one of \(AccountType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var fields: [String: TOMLValue] = [:]
            func put(_ key: String, _ value: String?) { if let value, !value.isEmpty { fields[key] = .string(value) } }
            put("host", host); put("user", user); put("endpoint", endpoint); put("url", url); put("region", global.connection.aws.region); put("root", root)
            if let port { fields["port"] = .integer(port) }
            for pair in set {
                let (k, v) = try split(pair, "--set")
                let option = AccountKeysText.catalog.option(k, for: accountType)
                if option?.masked == true || Account.secretKeys.contains(k) || k.hasSuffix("password") || k.hasSuffix("secret") {
                    throw ValidationError("'\(k)' is a secret and cannot be given on the command line; use --secret-env \(k)=VAR or --secret-command \(k)=CMD")
                }
                fields[k] = Self.value(v, as: option?.kind)
            }
            for pair in secretEnv { let (k, v) = try split(pair, "--secret-env"); fields["\(k)_env"] = .string(v) }
            for pair in secretCommand { let (k, v) = try split(pair, "--secret-command"); fields["\(k)_command"] = .string(v) }
            if interactive {
                // As `rclone config`: what this type needs, each labelled from the backend's declaration
                // with what an empty answer means (its default) or an example.
                let asked = accountType
                func ask(_ key: String) throws {
                    guard fields[key] == nil, let option = AccountKeysText.catalog.option(key, for: asked) else { return }
                    let hint = option.defaultValue.map { "empty: \($0)" } ?? (option.required ? "e.g. \(option.example)" : "empty for none")
                    guard let text = prompt("\(key) (\(hint))"), !text.isEmpty else { return }
                    let value = Self.value(text, as: option.kind)
                    if case .integer(let range) = option.kind, value.intValue.map(range.contains) != true {
                        throw ValidationError("\(key) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
                    }
                    fields[key] = value
                }
                switch accountType {
                case .sftp, .ftp, .ftps:
                    for key in ["host", "port", "user"] { try ask(key) }
                    if accountType == .sftp { try ask("key_file") }
                    if accountType == .ftp, let answer = prompt("encrypt with TLS (AUTH TLS, as ftps)? [y/N]"),
                       answer.lowercased().hasPrefix("y") {
                        accountType = .ftps
                    }
                case .http, .webdav:
                    for key in ["url", "user"] { try ask(key) }
                case .s3:
                    for key in ["endpoint", "region", "profile"] { try ask(key) }
                case .local, .memory:
                    break
                }
                let secretKey = accountType == .s3 ? "secret_access_key" : "password"
                let usesProfile = accountType == .s3 && fields["profile"] != nil
                if accountType == .s3, !usesProfile, fields["access_key_id_env"] == nil, fields["access_key_id_command"] == nil {
                    try ask("access_key_id")
                }
                let wantsSecret = accountType == .s3 ? fields["access_key_id"] != nil : accountType != .local && accountType != .memory
                if wantsSecret, !usesProfile, fields[secretKey] == nil, fields["\(secretKey)_env"] == nil, fields["\(secretKey)_command"] == nil {
                    put(secretKey, readSecret("\(secretKey) (empty for none; not echoed)"))
                }
            }
            let account = try Account(name: name, type: accountType, fields: fields)
            for warning in try account.validate(options: DCTCBackends.accountOptions) { printError("warning: \(warning)") }
            if dryRun.dryRun {
                let exists = config.account(named: name) != nil
                if exists && !replace {
                    throw VFSError(.alreadyExists, "an account named '\(name)' exists", path: config.path,
                                   remedy: "add --replace to replace it")
                }
                let shown = account.fields.sorted { $0.key < $1.key }
                    .map { "\($0.key)=\(Account.secretKeys.contains($0.key) ? "***" : ($0.value.stringValue ?? $0.value.tomlLiteral))" }
                dryRun.report("\(exists ? "replace" : "add") account '\(name)' (\(accountType.rawValue)\(shown.isEmpty ? "" : ": " + shown.joined(separator: ", "))) in \(config.path)")
                return
            }
            let saved = try await config.save(adding: account, replace: replace)
            Output.standard.line("account '\(name)' saved in \(saved.path)")
            Output.standard.flush()
        }

        /// A `--set` value as the key's declared kind reads it: `user=1234` stays a string, `port=22`
        /// is an integer; for a key no type declares, what the text looks like.
        static func value(_ text: String, as kind: BackendOption.Kind?) -> TOMLValue {
            switch kind {
            case .string, .secret: return .string(text)
            case .integer: return Int(text).map(TOMLValue.integer) ?? .string(text)
            case .boolean: return ["true", "false"].contains(text) ? .boolean(text == "true") : .string(text)
            case .seconds: return Int(text).map(TOMLValue.integer) ?? Double(text).map(TOMLValue.float) ?? .string(text)
            case nil: return Int(text).map(TOMLValue.integer) ?? (["true", "false"].contains(text) ? .boolean(text == "true") : .string(text))
            }
        }

        private func split(_ pair: String, _ option: String) throws -> (String, String) {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw ValidationError("\(option) takes key=value, got '\(pair)'")
            }
            return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
        }

        private func prompt(_ label: String) -> String? {
            Output.error.write("\(label): ")
            return readLine(strippingNewline: true)
        }

        /// Reads a line from the terminal with echo turned off.
        private func readSecret(_ label: String) -> String? {
            Output.error.write("\(label): ")
            var old = termios()
            tcgetattr(0, &old)
            var silent = old
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(0, TCSANOW, &silent)
            defer {
                tcsetattr(0, TCSANOW, &old)
                Output.error.line("")
            }
            return readLine(strippingNewline: true)
        }
    }

    struct Remove: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove an account from the config file.",
            discussion: """
            Examples:
              dctc config remove backup
            """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account name.") var name: String
        @OptionGroup var dryRun: DryRunOptions

        func run(_ context: CommandContext) async throws {
            let config = try ConfigCommand.load(context)
            guard config.account(named: name) != nil else {
                throw VFSError(.notFound, "no account named '\(name)'", path: config.path, remedy: "list them with `dctc config`")
            }
            if dryRun.dryRun {
                dryRun.report("remove account '\(name)' from \(config.path)")
                return
            }
            _ = try await config.save(removingAccountNamed: name)
            Output.standard.line("account '\(name)' removed from \(config.path)")
            Output.standard.flush()
        }
    }

    struct Keys: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the keys an account of each type understands.",
            discussion: """
            What each key holds, its default and an example, as the backends declare them \
            (the same list `dctc config add --help` gives and the config file is checked \
            against). Types: \(AccountKeysText.typeNames).

            Examples:
              dctc config keys sftp
              dctc config keys --markdown ftp ftps
            """)
        @OptionGroup var global: GlobalOptions
        @Flag(name: .long, help: "A Markdown table (the user guide's).") var markdown = false
        @Argument(help: ArgumentHelp("Account types (default: all of them, one after the other).", valueName: "type"))
        var types: [String] = []

        func run(_ context: CommandContext) async throws {
            if markdown {
                Output.standard.line(try AccountKeysText.markdown(for: types.isEmpty ? AccountKeysText.catalog.types.map(\.type.rawValue) : types))
            } else if types.isEmpty {
                let blocks = try AccountKeysText.catalog.types.map { try AccountKeysText.text(for: [$0.type.rawValue]) }
                Output.standard.line(blocks.joined(separator: "\n\n"))
            } else {
                Output.standard.line(try AccountKeysText.text(for: types))
            }
            Output.standard.flush()
        }
    }

    struct Path: DCTCCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the path of the config file in use.",
            discussion: """
            Examples:
              dctc config path
            """)
        @OptionGroup var global: GlobalOptions

        func run(_ context: CommandContext) async throws {
            Output.standard.line(context.settings.path)
            Output.standard.flush()
        }
    }
}

/// A config value in `--json` output: numbers and booleans stay numbers and booleans.
enum JSONScalar: Encodable {
    case string(String), integer(Int), float(Double), boolean(Bool)

    init(_ value: TOMLValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .integer(let i): self = .integer(i)
        case .float(let d): self = .float(d)
        case .boolean(let b): self = .boolean(b)
        default: self = .string(value.tomlLiteral)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let i): try c.encode(i)
        case .float(let d): try c.encode(d)
        case .boolean(let b): try c.encode(b)
        }
    }
}
