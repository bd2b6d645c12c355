import Foundation

/// One key an account of some type understands, declared by the backend that reads it
/// (rclone's `RegInfo` options).
///
/// Each backend target declares its options next to the code that reads them
/// (`S3Backend.options`, `FTPBackend.options(for:)`...), and reads their values through
/// `AccountSettings`' typed accessors, which take an option rather than a string.
/// `DCTCBackends.accountOptions` gathers them into one `AccountOptionCatalog`, from which the
/// config file is validated, `dctc config add` documents the keys, and the user guide's tables
/// are generated. The shared groups (`common`, `network`, `login`) are declared here once.
public struct BackendOption: Sendable, Hashable {
    /// What a key must hold.
    public enum Kind: Sendable, Hashable {
        /// A non-empty string.
        case string
        /// An integer in the range.
        case integer(ClosedRange<Int>)
        /// `true` or `false`.
        case boolean
        /// A positive number (integer or float) of seconds.
        case seconds
        /// A string that may also be given as `KEY_env = "VARIABLE"` or `KEY_command = "command"`,
        /// resolved only when a store needs it (`AccountSettings.secret(_:)`).
        case secret
    }

    /// Who reads a key besides (or instead of) the backend that declares it.
    public enum Reader: Sendable, Hashable {
        /// The backend's own code (the default).
        case backend
        /// The store registry: `root` prefixes every path of the account.
        case registry
        /// Nothing in dctc: a note for people (`description`).
        case people
    }

    /// The key as written in `[accounts.NAME]`.
    public let key: String
    public let kind: Kind
    /// One line saying what the key does, for `--help`, the user guide and messages.
    public let help: String
    /// What applies when the key is absent, in words (`22`, `the profile's`); nil when nothing does.
    public let defaultValue: String?
    /// A value as the user would write it, without TOML quotes (`server.example.com`, `22`, `true`);
    /// for secrets, the name of an environment variable (shown as `KEY_env = "..."`).
    public let example: String
    /// An account of the type cannot do without it.
    public let required: Bool
    /// For secrets: whether listings hide the value. False for `access_key_id`, which names a
    /// key as a user name does (aws-cli's `configure list` and rclone show it) but may come
    /// from the environment or a command like one.
    public let masked: Bool
    /// Who reads it.
    public let reader: Reader

    public init(_ key: String, _ kind: Kind, help: String, default defaultValue: String? = nil,
                example: String, required: Bool = false, masked: Bool = true, reader: Reader = .backend) {
        self.key = key
        self.kind = kind
        self.help = help
        self.defaultValue = defaultValue
        self.example = example
        self.required = required
        self.masked = kind == .secret && masked
        self.reader = reader
    }

    /// The same option with another default or help (a backend's `port` defaults to 21, not 22).
    public func with(help: String? = nil, default defaultValue: String? = nil, example: String? = nil,
                     required: Bool? = nil) -> BackendOption {
        BackendOption(key, kind, help: help ?? self.help, default: defaultValue ?? self.defaultValue,
                      example: example ?? self.example, required: required ?? self.required,
                      masked: masked, reader: reader)
    }

    /// The example as a TOML assignment: `host = "server.example.com"`, `port = 22`,
    /// `password_env = "BOX_PASSWORD"`.
    public var exampleAssignment: String {
        kind == .secret ? "\(key)_env = \(Self.quoted(example))" : "\(key) = \(exampleLiteral)"
    }

    /// The example as a TOML value: quoted for strings and secrets, bare for numbers and booleans.
    public var exampleLiteral: String {
        switch kind {
        case .integer, .boolean, .seconds: return example
        case .string, .secret: return Self.quoted(example)
        }
    }

    /// The kind in words, for tables and help: `string`, `integer 1-65535`, `true/false`,
    /// `seconds`, `secret`.
    public var kindDescription: String {
        switch kind {
        case .string: return "string"
        case .integer(let r): return "integer \(r.lowerBound)-\(r.upperBound)"
        case .boolean: return "true/false"
        case .seconds: return "seconds"
        case .secret: return masked ? "secret" : "string or _env/_command"
        }
    }

    /// The keys this option accepts in a config file: the key, and for secrets `KEY_env` and `KEY_command`.
    public var acceptedKeys: [String] { kind == .secret ? [key, key + "_env", key + "_command"] : [key] }

    private static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

// MARK: - Shared groups

extension BackendOption {
    /// `root`: a path prefix every address of the account lives under (read by the registry).
    public static let root = BackendOption("root", .string, help: "A path prefix every address of the account lives under.",
                                           example: "/srv/backup", reader: .registry)
    /// `description`: a note for people; dctc does not read it.
    public static let accountDescription = BackendOption("description", .string, help: "A note for people; dctc does not read it.",
                                                  example: "nightly backups", reader: .people)
    /// `max_connections`: connections (or sessions) open at once.
    public static let maxConnections = BackendOption("max_connections", .integer(1...1024),
                                                     help: "The most connections dctc opens to the store at once (--max-connections wins).",
                                                     default: "4", example: "8")
    /// `timeout`: seconds to wait for the server.
    public static let timeout = BackendOption("timeout", .seconds, help: "Seconds to wait for the server before giving up.",
                                              example: "30")
    /// `host`: the server's name or address.
    public static let host = BackendOption("host", .string, help: "The server's name or address.",
                                           example: "server.example.com", required: true)
    /// `port`: the server's port.
    public static let port = BackendOption("port", .integer(1...65535), help: "The server's port.", example: "2222")
    /// `user`: the login name.
    public static let user = BackendOption("user", .string, help: "The login name.", example: "me")
    /// `password`: the login password (a secret).
    public static let password = BackendOption("password", .secret, help: "The login password.", example: "BOX_PASSWORD")
    /// `insecure_tls`: skip TLS certificate verification.
    public static let insecureTLS = BackendOption("insecure_tls", .boolean,
                                                  help: "Skip TLS certificate verification (as --insecure), for test servers you trust.",
                                                  default: "false", example: "true")

    /// Keys every account type has: `root`, `description`.
    public static let common: [BackendOption] = [root, accountDescription]
    /// Keys of stores reached over a network: `max_connections`, `timeout`.
    public static let network: [BackendOption] = [maxConnections, timeout]
    /// Keys of stores logged in to on a host: `host`, `port`, `user`, `password`.
    public static let login: [BackendOption] = [host, port, user, password]
}

// MARK: - Catalog

/// Every account type's options: what the config file is validated against and documented from.
///
/// Built by `DCTCBackends.accountOptions` (the one place that knows every backend) and handed
/// to `DCTCConfiguration.load` and `Account.validate`, which cannot see the backends.
public struct AccountOptionCatalog: Sendable {
    /// Account types in display order, each with its options in display order.
    public let types: [(type: StoreKind, options: [BackendOption])]
    /// Keys dctc once understood or that people expect, with what to say when one is set
    /// (it is then reported as an unknown key, with this explanation).
    public let retiredKeys: [String: String]

    public init(_ types: [(type: StoreKind, options: [BackendOption])], retiredKeys: [String: String] = [:]) {
        self.types = types
        self.retiredKeys = retiredKeys
    }

    /// The options of `type`, or nil for a type the catalog does not know.
    public func options(for type: StoreKind) -> [BackendOption]? {
        types.first { $0.type == type }?.options
    }

    /// The option `key` of `type` (not counting `KEY_env`/`KEY_command` forms).
    public func option(_ key: String, for type: StoreKind) -> BackendOption? {
        options(for: type)?.first { $0.key == key }
    }
}
