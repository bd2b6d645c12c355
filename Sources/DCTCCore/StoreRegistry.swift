import Foundation

/// A configured account as the backends see it: its type, its plain settings, and a way to
/// resolve secrets lazily (inline, from an environment variable, or from a command).
///
/// Backends read values through the typed accessors, which take a `BackendOption` (declared
/// by the backend, see `AccountOptionCatalog`) rather than a string: a key nobody declared
/// cannot be read by accident, and `keysRead` lets a test check that the declarations and
/// the reading agree.
public struct AccountSettings: Sendable {
    public let name: String
    /// The store kind: "s3", "sftp", "ftp", "ftps", "http", "webdav", "local", "memory".
    public let type: String
    /// Non-secret settings, keys as written in the config file.
    public let values: [String: String]
    private let resolveSecret: @Sendable (String) throws -> String?
    private let log: KeyLog?

    /// - Parameters:
    ///   - name: The account name.
    ///   - type: The store kind.
    ///   - values: Non-secret settings as strings.
    ///   - secret: Resolves a secret key (`password`) when a backend asks.
    ///   - recordingReads: Remember every key read (see `keysRead`), for tests.
    public init(name: String, type: String, values: [String: String],
                secret: @escaping @Sendable (String) throws -> String? = { _ in nil },
                recordingReads: Bool = false) {
        self.name = name
        self.type = type
        self.values = values
        self.resolveSecret = secret
        self.log = recordingReads ? KeyLog() : nil
    }

    /// The keys read so far through the typed accessors (empty unless made with `recordingReads`).
    public var keysRead: Set<String> { log?.keys ?? [] }

    /// The value of a string option (nil when absent).
    public func string(_ option: BackendOption) -> String? {
        log?.note(option.key)
        return values[option.key]
    }

    /// A secret (`password`, `secret_access_key`...), resolved only when a backend needs it.
    public func secret(_ option: BackendOption) throws -> String? {
        log?.note(option.key)
        return try resolveSecret(option.key)
    }

    /// A boolean option: `true`/`yes`/`1`/`on` or `false`/`no`/`0`/`off`; nil when absent or neither.
    public func bool(_ option: BackendOption) -> Bool? {
        guard let v = string(option)?.lowercased() else { return nil }
        return ["true", "yes", "1", "on"].contains(v) ? true : (["false", "no", "0", "off"].contains(v) ? false : nil)
    }

    /// An integer option; nil when absent or not an integer.
    public func int(_ option: BackendOption) -> Int? { string(option).flatMap { Int($0) } }

    /// A positive number of seconds (`timeout = 30`, `2.5`) as a duration; nil when absent or not one.
    public func seconds(_ option: BackendOption) -> Duration? {
        guard let s = string(option).flatMap(Double.init), s > 0, s <= 86_400 else { return nil }
        return .milliseconds(Int64((s * 1000).rounded()))
    }
}

/// The keys an `AccountSettings` was asked for (shared by its copies).
private final class KeyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var read: Set<String> = []
    func note(_ key: String) { lock.withLock { _ = read.insert(key) } }
    var keys: Set<String> { lock.withLock { read } }
}

/// Finds accounts by name (implemented by the config file loader).
public protocol AccountProvider: Sendable {
    func account(named name: String) throws -> AccountSettings?
    var accountNames: [String] { get }
}

/// No accounts at all.
public struct NoAccounts: AccountProvider {
    public init() {}
    public func account(named name: String) throws -> AccountSettings? { nil }
    public var accountNames: [String] { [] }
}

/// Options from the command line that stores honour.
public struct StoreOptions: Sendable, Hashable {
    /// Accept and remember an unknown SSH host key.
    public var acceptNewHostKey = false
    /// Skip TLS certificate verification (https, ftps). Off by default.
    public var insecureTLS = false
    /// Connections per store, when the user set it.
    public var maxConnections: Int?
    /// `--profile`, `--region`, `--endpoint-url`, `--no-sign-request` (S3 stores).
    public var aws = AWSSelection()
    /// `--content-type`, `--metadata`, `--storage-class`... for objects written (S3, WebDAV).
    public var upload = UploadProperties()
    /// `--verbose`: stores may print notices about how they read the user's configuration.
    public var verbose = false
    /// Start interrupted uploads afresh instead of resuming them (`--no-resume`).
    public var noResume = false
    /// `--verify`: how uploads check what the server stored (`StoredContentCheck`).
    public var storedCheck = StoredContentCheck.standard
    /// `--multi-thread-streams`, `--multi-thread-cutoff`: parallel ranged reads of one large download.
    public var multiThread = MultiThreadDownloads()
    /// `--contimeout`: how long to wait for a connection (TCP, TLS, SSH handshake, login).
    public var connectTimeout: Duration?
    /// `--timeout`: how long a transfer may stall (no byte moving, no reply) before it fails.
    public var ioTimeout: Duration?
    public init() {}
}

/// A store that treats a path the user typed with a trailing `/` as a folder (HTTP: the
/// request keeps the `/`, since some servers answer `/sub/` but 404 `/sub`, as curl users expect).
public protocol TypedDirectoryHinting: Sendable {
    /// Called by the registry for each address written with a trailing `/`.
    func noteTypedDirectory(_ path: VPath)
}

/// A store whose paths are not the address's path as written: an FTP URL's path is relative
/// to the login folder (RFC 1738), which only the connected store knows.
public protocol AddressPathResolving: Sendable {
    /// The store path an address names; nil keeps the address's path.
    func storePath(for address: Address) -> VPath?
}

/// What a factory receives to build a store.
public struct StoreRequest: Sendable {
    public let address: Address
    /// The account when the address names one.
    public let account: AccountSettings?
    public let options: StoreOptions
    /// The store kind to build: the scheme's, or the account's type.
    public let kind: StoreKind

    public init(address: Address, account: AccountSettings? = nil, options: StoreOptions = StoreOptions(), kind: StoreKind) {
        self.address = address
        self.account = account
        self.options = options
        self.kind = kind
    }
}

/// An address resolved to a store and a path inside it.
public struct Location: Sendable, CustomStringConvertible {
    public let fs: any VirtualFileSystem
    public let path: VPath
    public let address: Address

    public init(fs: any VirtualFileSystem, path: VPath, address: Address) {
        self.fs = fs
        self.path = path
        self.address = address
    }

    /// The location of a child entry.
    public func appending(_ name: String) -> Location {
        Location(fs: fs, path: path.appending(name), address: address.appending(name))
    }

    /// The location of another path in the same store.
    public func with(path: VPath) -> Location {
        var relative = address.path.components
        // Keep the address form (account-relative or absolute) aligned with the store path.
        let extra = path.components.count - self.path.components.count
        if extra >= 0, path.hasPrefix(self.path) {
            relative += path.components.suffix(extra)
            return Location(fs: fs, path: path, address: address.with(path: VPath(components: relative)))
        }
        return Location(fs: fs, path: path, address: address.with(path: path))
    }

    public var description: String { address.description }
}

/// Builds store instances for addresses, once per store, and hands out `Location`s.
///
/// Backends register a factory per kind; `DCTCBackends.registerAll` is the one place that
/// knows them all. Accounts (`NAME:path`) are looked up in the `AccountProvider`; an account
/// may set `root`, a path prefix every address of it lives under.
public actor StoreRegistry {
    public typealias Factory = @Sendable (StoreRequest) async throws -> any VirtualFileSystem

    private var factories: [StoreKind: Factory] = [:]
    private var stores: [String: any VirtualFileSystem] = [:]
    private let accounts: any AccountProvider
    private let options: StoreOptions
    /// Says whether `~/.ssh/config` has a `Host` for a name (set by the SFTP backend).
    private var sshHostLookup: (@Sendable (String) -> Bool)?

    public init(accounts: any AccountProvider = NoAccounts(), options: StoreOptions = StoreOptions()) {
        self.accounts = accounts
        self.options = options
    }

    /// Registers the factory for a store kind.
    public func register(kind: StoreKind, factory: @escaping Factory) {
        factories[kind] = factory
    }

    public var registeredKinds: [StoreKind] { factories.keys.sorted() }

    /// Sets how `NAME:path` finds out that `NAME` is a `Host` of `~/.ssh/config` when no
    /// account has that name (then the address is `sftp://NAME/~/path`, as scp reads it).
    public func setSSHHostLookup(_ lookup: @escaping @Sendable (String) -> Bool) {
        sshHostLookup = lookup
    }

    /// Resolves an address to its store and path.
    /// - Throws: `.invalidArgument` for an unknown account or a store kind this build lacks,
    ///   and whatever the store's factory throws (bad credentials, unreachable host).
    public func resolve(_ address: Address) async throws -> Location {
        let kind: StoreKind
        var account: AccountSettings?
        var path = address.path
        switch address.scheme {
        case .stdio:
            throw VFSError.invalid("'-' (standard input/output) is not a store here", path: "-")
        case .account:
            let name = address.account ?? ""
            guard let a = try accounts.account(named: name) else {
                if let sshHostLookup, sshHostLookup(name) {
                    // scp's `host:path`: relative to the login folder unless written `host:/abs`.
                    let remote = address.accountPathIsAbsolute ? address.path
                        : VPath(components: ["~"] + address.path.components)
                    return try await resolve(Address(scheme: .sftp, path: remote, host: name,
                                                     trailingSlash: address.trailingSlash))
                }
                let known = accounts.accountNames
                if sshHostLookup != nil {
                    throw VFSError.invalid("no account named '\(name)' and no 'Host \(name)' in ~/.ssh/config", path: address.description,
                                           remedy: "add an account with `dctc config add \(name) --type TYPE ...`, write user@host:path or sftp://host/path for an SSH server, or ./\(address.description) for a local file")
                }
                throw VFSError.invalid("no account named '\(name)'", path: address.description,
                                       remedy: known.isEmpty
                                         ? "add one with `dctc config add \(name) --type TYPE ...`, or write ./\(address.description) for a local file"
                                         : "configured accounts: \(known.joined(separator: ", ")); or write ./\(address.description) for a local file")
            }
            account = a
            guard let typed = StoreKind(rawValue: a.type) else {
                throw VFSError.invalid("account '\(name)' has type '\(a.type)', which is not a store kind", path: address.description,
                                       remedy: "set type to one of \(StoreKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kind = typed
            if let root = a.string(.root), !root.isEmpty {
                path = VPath(root).appending(relative: address.path.components.joined(separator: "/"))
            }
        default:
            guard let typed = StoreKind(scheme: address.scheme) else {
                throw VFSError.invalid("'\(address.scheme.rawValue)' addresses name no store", path: address.description)
            }
            kind = typed
        }
        let key = address.storeKey
        if let fs = stores[key] {
            if let resolving = fs as? any AddressPathResolving, let mapped = resolving.storePath(for: address) { path = mapped }
            if address.trailingSlash, !path.isRoot, let hinting = fs as? any TypedDirectoryHinting { hinting.noteTypedDirectory(path) }
            return Location(fs: fs, path: path, address: address)
        }
        guard let factory = factories[kind] else {
            throw VFSError(.unsupported, "no store of kind '\(kind)' in this build", path: address.description,
                           remedy: "available kinds: \(registeredKinds.map(\.rawValue).joined(separator: ", "))")
        }
        let fs = try await factory(StoreRequest(address: address, account: account, options: options, kind: kind))
        stores[key] = fs
        if let resolving = fs as? any AddressPathResolving, let mapped = resolving.storePath(for: address) { path = mapped }
        if address.trailingSlash, !path.isRoot, let hinting = fs as? any TypedDirectoryHinting { hinting.noteTypedDirectory(path) }
        return Location(fs: fs, path: path, address: address)
    }
}
