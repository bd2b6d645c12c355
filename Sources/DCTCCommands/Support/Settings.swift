import DCTCCore
import Foundation

/// The config file as the commands use it: accounts for the registry, aliases, warnings.
public struct LoadedSettings: Sendable {
    public let accounts: any AccountProvider
    public let aliases: [String: [String]]
    public let warnings: [String]
    public let path: String?

    static func load(configPath: String?) throws -> LoadedSettings {
        LoadedSettings(accounts: NoAccounts(), aliases: [:], warnings: [], path: configPath)
    }
}
