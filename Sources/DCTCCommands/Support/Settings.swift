import DCTCBackends
import DCTCConfig
import DCTCCore
import Foundation

/// The config file as the commands use it: accounts for the registry, aliases, warnings.
///
/// A config file that does not parse does not stop commands that need no account (`dctc ls
/// /tmp` keeps working): its error is printed as a warning, and raised again when an account
/// address is used.
public struct LoadedSettings: Sendable {
    public let configuration: DCTCConfiguration?
    public let accounts: any AccountProvider
    public let aliases: [String: [String]]
    public let warnings: [String]
    public let path: String

    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> LoadedSettings {
        let path = configPath ?? DCTCConfiguration.defaultPath(environment: environment)
        do {
            let config = try DCTCConfiguration.load(path: path, environment: environment, options: DCTCBackends.accountOptions)
            return LoadedSettings(configuration: config, accounts: ConfiguredAccounts(config: config, failure: nil),
                                  aliases: config.aliases, warnings: config.warnings, path: path)
        } catch {
            let e = VFSError.wrap(error, path: path)
            return LoadedSettings(configuration: nil, accounts: ConfiguredAccounts(config: nil, failure: e),
                                  aliases: [:], warnings: ["\(e.description); accounts are unavailable until it is fixed"],
                                  path: path)
        }
    }
}

/// Accounts from the config file, as the store registry sees them.
struct ConfiguredAccounts: AccountProvider {
    let config: DCTCConfiguration?
    let failure: VFSError?

    func account(named name: String) throws -> AccountSettings? {
        if let failure { throw failure }
        guard let account = config?.account(named: name) else { return nil }
        var values: [String: String] = [:]
        for (key, value) in account.fields where !Account.secretKeys.contains(key) {
            values[key] = value.stringValue ?? value.tomlLiteral
        }
        return AccountSettings(name: account.name, type: account.type.rawValue, values: values) { key in
            try account.secret(key)
        }
    }

    var accountNames: [String] { config?.sortedAccounts.map(\.name) ?? [] }
}
