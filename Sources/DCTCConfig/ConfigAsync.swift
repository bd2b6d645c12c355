import DCTCCore
import Foundation

/// `async` forms of the file operations, run on a thread of their own so that reading or
/// writing the config file never blocks the cooperative pool. In async code these overloads are
/// chosen automatically.
extension DCTCConfiguration {
    /// Loads the config file found through `defaultPath(environment:)`; see the synchronous form.
    ///
    /// - Parameters:
    ///   - environment: Where the location variables are read and what secrets see.
    ///   - options: The keys each account type understands.
    /// - Returns: The configuration; empty when the file does not exist.
    /// - Throws: As the synchronous `load(environment:options:)`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: AccountOptionCatalog) async throws -> DCTCConfiguration {
        try await IOThread.detached(name: "dctc-config") { try load(environment: environment, options: options) }
    }

    /// Loads the config file at `path`; see the synchronous form.
    ///
    /// - Parameters:
    ///   - path: The file; a missing file gives an empty configuration.
    ///   - environment: What secrets see.
    ///   - options: The keys each account type understands.
    /// - Returns: The configuration.
    /// - Throws: As the synchronous `load(path:environment:options:)`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            options: AccountOptionCatalog) async throws -> DCTCConfiguration {
        try await IOThread.detached(name: "dctc-config") { try load(path: path, environment: environment, options: options) }
    }

    /// Adds (or replaces) an account in the file on disk; see the synchronous form.
    ///
    /// - Parameters:
    ///   - account: The account.
    ///   - replace: Whether an existing account of that name may be replaced.
    /// - Returns: The configuration as now written.
    /// - Throws: As the synchronous `save(adding:replace:)`.
    @discardableResult
    public func save(adding account: Account, replace: Bool = false) async throws -> DCTCConfiguration {
        let configuration = self
        return try await IOThread.detached(name: "dctc-config") { try configuration.save(adding: account, replace: replace) }
    }

    /// Removes an account from the file on disk; see the synchronous form.
    ///
    /// - Parameters:
    ///   - name: The account.
    /// - Returns: The configuration as now written.
    /// - Throws: As the synchronous `save(removingAccountNamed:)`.
    @discardableResult
    public func save(removingAccountNamed name: String) async throws -> DCTCConfiguration {
        let configuration = self
        return try await IOThread.detached(name: "dctc-config") { try configuration.save(removingAccountNamed: name) }
    }
}
