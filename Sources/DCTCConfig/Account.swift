import DCTCCore
import Foundation

/// A named account from the config file: what `NAME:path` addresses resolve through.
///
/// An account is one `[accounts.NAME]` table: a `type` (see `AccountType`) and keys that the
/// type's backend reads (`host`, `port`, `user`, `endpoint`, ...). Values are kept as TOML values
/// and read through typed accessors; validation (`validate(options:)`) has already checked the types of
/// known keys when an account comes from `DCTCConfiguration.load`.
///
/// Secrets (`password`, `secret_access_key`, ... see `secretKeys`) are read with `secret(_:)`,
/// which resolves them only when a backend asks. `description`, `debugDescription` and the
/// mirror used by `dump` mask them; so does `maskedFields`.
public struct Account: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The name used in addresses (`NAME:path`).
    public let name: String
    public let type: AccountType
    /// Every key of the table except `type`.
    public private(set) var fields: [String: TOMLValue]
    /// The config file the account was read from, for error messages.
    public private(set) var configPath: String?
    /// The line of the account's `[accounts.NAME]` header (or of its key), when read from a file.
    public private(set) var line: Int?

    var fieldLines: [String: Int] = [:]
    /// The environment `*_env` keys and `*_command` commands see.
    var environment: [String: String]
    /// Secrets resolved so far, shared by copies of this value.
    var cache = SecretCache()

    /// Makes an account, checking its name (not its fields: see `validate(options:)`).
    ///
    /// - Parameters:
    ///   - name: The account name; see `validateName(_:)`.
    ///   - type: The store kind.
    ///   - fields: Keys other than `type`.
    ///   - environment: What `KEY_env` names are looked up in and `KEY_command` runs with.
    /// - Throws: `VFSError` `.invalidArgument` when the name is not allowed.
    public init(name: String, type: AccountType, fields: [String: TOMLValue] = [:],
                environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try Account.validateName(name)
        self.name = name
        self.type = type
        self.fields = fields
        self.environment = environment
    }

    /// Reads one `[accounts.NAME]` table; `name` must already be valid.
    init(name: String, table: TOMLTable, line: Int?, configPath: String,
         environment: [String: String]) throws {
        let prefix = line.map { "line \($0): " } ?? ""
        func problem(_ message: String, at key: String? = nil) -> VFSError {
            let at = key.flatMap { table.line(of: $0) }.map { "line \($0): " } ?? prefix
            return VFSError(.invalidArgument, "\(at)account '\(name)' \(message)", path: configPath,
                            remedy: "edit the account in the config file")
        }
        guard let typeValue = table["type"] else {
            throw problem("has no type; add type = \"sftp\" (or one of \(AccountType.allNames))")
        }
        guard let typeName = typeValue.stringValue else {
            throw problem("has a type that is \(typeValue.kindDescription), not a string", at: "type")
        }
        guard let type = AccountType(rawValue: typeName) else {
            throw problem("has unknown type '\(typeName)'; use one of \(AccountType.allNames)", at: "type")
        }
        self.name = name
        self.type = type
        var fields: [String: TOMLValue] = [:]
        for (key, value) in table.entries where key != "type" {
            fields[key] = value
            fieldLines[key] = table.line(of: key)
        }
        self.fields = fields
        self.configPath = configPath
        self.line = line
        self.environment = environment
    }

    public static func == (lhs: Account, rhs: Account) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.fields == rhs.fields
    }

    /// Sets or (with nil) removes a key. Secrets resolved earlier are forgotten.
    ///
    /// - Parameters:
    ///   - key: The key (not `type`).
    ///   - value: The new value, or nil.
    public mutating func set(_ key: String, _ value: TOMLValue?) {
        fields[key] = value
        fieldLines[key] = nil
        cache = SecretCache()
    }

    // MARK: - Names

    /// Names that read as URL schemes and so cannot be account names (`Address.reservedNames`).
    public static var reservedNames: Set<String> { Address.reservedNames }

    /// Checks an account name: two or more of `A-Z a-z 0-9 _ . -`, starting with a letter, digit
    /// or `_`, and not a URL scheme (`reservedNames`, any case); the rule of
    /// `Address.isValidAccountName`, with a message saying what is wrong.
    ///
    /// One-character names are refused so that `c:` never reads as an account.
    ///
    /// - Parameters:
    ///   - name: The proposed name.
    /// - Throws: `VFSError` `.invalidArgument` saying what is wrong.
    public static func validateName(_ name: String) throws {
        func refuse(_ why: String) -> VFSError {
            VFSError(.invalidArgument, "invalid account name '\(name)': \(why)",
                     remedy: "use two or more of A-Z a-z 0-9 _ . -, starting with a letter, digit or _")
        }
        guard !name.isEmpty else { throw refuse("it is empty") }
        guard name.unicodeScalars.count >= 2 else { throw refuse("one-character names are not allowed") }
        for (i, c) in name.unicodeScalars.enumerated() {
            let ok: Bool
            switch c {
            case "A"..."Z", "a"..."z", "0"..."9", "_": ok = true
            case ".", "-": ok = i > 0
            default: ok = false
            }
            guard ok else {
                let shown = c == " " ? "a space" : "'\(c)'"
                throw refuse(i == 0 && (c == "." || c == "-") ? "it starts with \(shown)" : "it contains \(shown)")
            }
        }
        if reservedNames.contains(name.lowercased()) {
            throw VFSError(.invalidArgument, "invalid account name '\(name)': it is a URL scheme",
                           remedy: "pick another name; \(reservedNames.sorted().joined(separator: ", ")) are reserved")
        }
        // The address parser decides what `NAME:path` means: never accept a name it would not.
        guard Address.isValidAccountName(name) else { throw refuse("`NAME:path` addresses cannot use it") }
    }

    // MARK: - Generic accessors

    /// The raw value of `key`.
    public func value(_ key: String) -> TOMLValue? { fields[key] }
    /// The string value of `key` (nil when absent or not a string). Read secrets with `secret(_:)`.
    public func string(_ key: String) -> String? { fields[key]?.stringValue }
    /// The integer value of `key`.
    public func int(_ key: String) -> Int? { fields[key]?.intValue }
    /// The boolean value of `key`.
    public func bool(_ key: String) -> Bool? { fields[key]?.boolValue }
    /// The numeric value of `key` (integer or float).
    public func double(_ key: String) -> Double? { fields[key]?.doubleValue }

    // MARK: - Named accessors

    /// `host`: the server name or address (sftp, ftp, ftps).
    public var host: String? { string("host") }
    /// `port` (1...65535); nil means the protocol's default.
    public var port: Int? { int("port") }
    /// `user`: the login name.
    public var user: String? { string("user") }
    /// `url`: the base URL (http, webdav).
    public var url: String? { string("url") }
    /// `endpoint`: the S3 endpoint URL (nil means AWS, or `AWS_ENDPOINT_URL*`).
    public var endpoint: String? { string("endpoint") }
    /// `region`: the S3 region.
    public var region: String? { string("region") }
    /// `profile`: the AWS profile in `~/.aws/credentials`.
    public var profile: String? { string("profile") }
    /// `path_style`: S3 path-style addressing (`https://host/bucket/key`).
    public var pathStyle: Bool? { bool("path_style") }
    /// `root`: a path prefix inside the store under which `NAME:path` resolves.
    public var root: String? { string("root") }
    /// `key_file`: an SSH private key, `~` expanded.
    public var keyFile: String? { string("key_file").map(expandingTilde) }
    /// `known_hosts_file`: the SSH known-hosts file, `~` expanded.
    public var knownHostsFile: String? { string("known_hosts_file").map(expandingTilde) }
    /// `accept_new_host_key`: trust an unknown SSH host key on first use and record it.
    public var acceptNewHostKey: Bool? { bool("accept_new_host_key") }
    /// `use_agent`: try ssh-agent keys.
    public var useAgent: Bool? { bool("use_agent") }
    /// `insecure_tls`: skip TLS certificate verification.
    public var insecureTLS: Bool? { bool("insecure_tls") }
    /// `max_connections`: the most connections dctc opens to this store at once.
    public var maxConnections: Int? { int("max_connections") }
    /// `timeout`: seconds to wait for the server before giving up.
    public var timeout: Double? { double("timeout") }

    private func expandingTilde(_ path: String) -> String {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        let home = Home.directory(environment)
        return home + path.dropFirst()
    }

    // MARK: - Validation

    /// Checks the account against its type's options: required keys, the type of every known
    /// key, ranges (`port` 1...65535), one source per secret.
    ///
    /// The options come from the backends (`DCTCBackends.accountOptions`): this module cannot
    /// see them, so the caller passes the catalog.
    ///
    /// - Parameters:
    ///   - options: The keys each account type understands.
    /// - Returns: Warnings, one per unknown key ("unknown key 'x' in account 'y'").
    /// - Throws: `VFSError` `.invalidArgument` naming the account, the key and (for accounts
    ///   read from a file) the file and line. Secret values never appear in it.
    @discardableResult
    public func validate(options catalog: AccountOptionCatalog) throws -> [String] {
        let options = catalog.options(for: type) ?? []
        var schema: [String: (option: BackendOption, isSource: Bool)] = [:]
        for option in options {
            schema[option.key] = (option, false)
            if option.kind == .secret {
                schema[option.key + "_env"] = (option, true)
                schema[option.key + "_command"] = (option, true)
            }
        }
        var warnings: [String] = []
        if fields["type"] != nil {
            throw problem("type is given twice; pass it as the account's type only", key: "type")
        }
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            guard let (option, isSource) = schema[key] else {
                let why = catalog.retiredKeys[key].map { ": \($0)" } ?? ""
                warnings.append(located("unknown key '\(key)' in account '\(name)'\(why)", key: key, withPath: true))
                continue
            }
            try check(value, of: key, as: option.kind, isSource: isSource)
        }
        for option in options.sorted(by: { $0.key < $1.key }) where option.kind == .secret {
            let given = option.acceptedKeys.filter { fields[$0] != nil }
            if given.count > 1 {
                throw problem("sets \(given.joined(separator: " and ")); keep only one", key: given[1])
            }
        }
        for option in options where option.required && fields[option.key] == nil {
            throw problem("type \(type) needs \(option.key) = \(option.exampleLiteral)", key: nil)
        }
        if let url, !(url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://")) {
            throw problem("url must start with http:// or https://", key: "url")
        }
        return warnings
    }

    private func check(_ value: TOMLValue, of key: String, as kind: BackendOption.Kind, isSource: Bool) throws {
        if isSource {
            // `KEY_env` / `KEY_command`: a variable name or a command.
            guard let s = value.stringValue, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw problem("\(key) must be a non-empty string", key: key)
            }
            return
        }
        switch kind {
        case .string:
            guard let s = value.stringValue else { throw problem("\(key) must be a string, not \(value.kindDescription)", key: key) }
            guard !s.isEmpty else { throw problem("\(key) must not be empty", key: key) }
        case .integer(let range):
            guard let i = value.intValue, range.contains(i) else {
                throw problem("\(key) must be an integer from \(range.lowerBound) to \(range.upperBound), not \(value.tomlLiteral)", key: key)
            }
        case .boolean:
            guard value.boolValue != nil else {
                throw problem("\(key) must be true or false, not \(value.tomlLiteral)", key: key)
            }
        case .seconds:
            guard let d = value.doubleValue, d > 0, d.isFinite else {
                throw problem("\(key) must be a positive number of seconds, not \(value.tomlLiteral)", key: key)
            }
        case .secret:
            // Never show the value: it is a secret, even when it has the wrong type.
            guard let s = value.stringValue else { throw problem("\(key) must be a string, not \(value.kindDescription)", key: key) }
            guard !s.isEmpty else { throw problem("\(key) must not be empty", key: key) }
        }
    }

    /// "line N: MESSAGE" when the key's (or the account's) line is known.
    private func located(_ message: String, key: String?, withPath: Bool = false) -> String {
        let line = key.flatMap { fieldLines[$0] } ?? self.line
        var s = line.map { "line \($0): \(message)" } ?? message
        if withPath, let configPath { s = "\(configPath): " + s }
        return s
    }

    private func problem(_ message: String, key: String?) -> VFSError {
        VFSError(.invalidArgument, located("account '\(name)': \(message)", key: key), path: configPath,
                 remedy: configPath == nil ? nil : "edit the account in the config file")
    }

    // MARK: - Display

    /// Each key with a display value safe to print: TOML literals, except secrets, shown as
    /// `********`, `(from env VAR)` or `(from command)`. `type` comes first, then keys in order.
    public var maskedFields: [(key: String, value: String)] {
        var shown: [(key: String, value: String)] = [("type", TOMLValue.string(type.rawValue).tomlLiteral)]
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            if let base = Account.secretBase(of: key, suffix: "_env") {
                shown.append((base, "(from env \(value.stringValue ?? "?"))"))
            } else if let base = Account.secretBase(of: key, suffix: "_command") {
                shown.append((base, "(from command)"))
            } else if key.hasSuffix("_command") {
                shown.append((key, "(command)"))
            } else if Account.looksSecret(key) {
                shown.append((key, "********"))
            } else {
                shown.append((key, value.tomlLiteral))
            }
        }
        return shown
    }

    /// One line for listings: `box (sftp): host = "example.com", password = ********`.
    public var maskedDescription: String {
        let pairs = maskedFields.dropFirst().map { "\($0.key) = \($0.value)" }
        return pairs.isEmpty ? "\(name) (\(type))" : "\(name) (\(type)): " + pairs.joined(separator: ", ")
    }

    public var description: String { maskedDescription }
    public var debugDescription: String { "Account(\(maskedDescription))" }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "type": type,
                                "fields": maskedFields.map { "\($0.key) = \($0.value)" }],
               displayStyle: .struct)
    }

    // MARK: - Writing

    /// The account as a TOML table, ready to append to a config file: the
    /// `[accounts.NAME]` header, `type`, then the other keys in alphabetical order.
    public var tomlText: String {
        var text = "[\(TOMLSyntax.keyPath(["accounts", name]))]\n"
        text += "type = \(TOMLValue.string(type.rawValue).tomlLiteral)\n"
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            text += "\(TOMLSyntax.key(key)) = \(value.tomlLiteral)\n"
        }
        return text
    }
}
