import DCTCCore
import Foundation

/// Where an account's secret comes from.
public enum SecretSource: Sendable, Equatable {
    /// Written in the config file (`password = "..."`).
    case inline
    /// Read from an environment variable (`password_env = "VAR"`).
    case environment(String)
    /// Printed by a command (`password_command = "pass show box"`).
    case command
}

extension Account {
    /// Keys whose values are secrets: each can be given inline (`KEY = "..."`), through the
    /// environment (`KEY_env = "VAR"`) or by a command (`KEY_command = "..."`).
    public static let secretKeys: Set<String> = [
        "password", "secret_access_key", "session_token", "passphrase", "key_passphrase", "token",
    ]

    /// Keys that may also be given through the environment (`KEY_env`) or a command
    /// (`KEY_command`): the secrets, and the S3 access key id, which is not a secret (it names
    /// the key, as a user name does: aws-cli and rclone show it) but often lives beside one.
    public static let indirectKeys: Set<String> = secretKeys.union(["access_key_id"])

    /// Words that make an unknown key masked too when it is displayed.
    private static let secretWords = ["password", "secret", "token", "passphrase"]

    /// `KEY` when `key` is `KEY` + `suffix` and `KEY` is one of `indirectKeys`.
    static func secretBase(of key: String, suffix: String) -> String? {
        guard key.hasSuffix(suffix) else { return nil }
        let base = String(key.dropLast(suffix.count))
        return indirectKeys.contains(base) ? base : nil
    }

    /// True for `secretKeys` and for any key that names a secret (`api_token`, `db_password`).
    static func looksSecret(_ key: String) -> Bool {
        secretKeys.contains(key) || secretWords.contains { key.lowercased().contains($0) }
    }

    /// How the secret `key` is given, or nil when it is not set at all.
    ///
    /// - Parameters:
    ///   - key: A secret key such as `password`.
    public func secretSource(_ key: String) -> SecretSource? {
        if fields[key] != nil { return .inline }
        if let variable = fields[key + "_env"]?.stringValue { return .environment(variable) }
        if fields[key + "_command"] != nil { return .command }
        return nil
    }

    /// The secret `key` (`password`, `secret_access_key`, ...), resolved now.
    ///
    /// Inline values are returned as they are; `KEY_env` reads the named variable from the
    /// environment the configuration was loaded with; `KEY_command` runs the command through
    /// `/bin/sh -c` with that environment, the terminal's standard input and error (so a
    /// password manager can prompt), and returns its standard output without the trailing
    /// newline. The result is remembered, so a command runs at most once per account.
    ///
    /// This call blocks while a command runs: from async code use the `async` overload.
    ///
    /// - Parameters:
    ///   - key: A secret key such as `password`.
    /// - Returns: The secret, or nil when none of `KEY`, `KEY_env`, `KEY_command` is set.
    /// - Throws: `VFSError` `.authenticationFailed` when the variable is unset or empty, or the
    ///   command cannot start, fails or prints nothing; the message names the account and the
    ///   key and never contains the command's output.
    public func secret(_ key: String) throws -> String? {
        try cache.value(for: key) { try resolveSecret(key) }
    }

    /// The secret `key`, resolved on a thread of its own so a `KEY_command` never blocks the
    /// cooperative pool. See the synchronous `secret(_:)`.
    ///
    /// - Parameters:
    ///   - key: A secret key such as `password`.
    /// - Returns: The secret, or nil when it is not set.
    /// - Throws: As the synchronous `secret(_:)`.
    public func secret(_ key: String) async throws -> String? {
        if let known = cache.cached(key) { return known }
        let account = self
        return try await IOThread.detached(name: "dctc-secret") { try account.secret(key) }
    }

    private func resolveSecret(_ key: String) throws -> String? {
        func failure(_ message: String, remedy: String, cause: String? = nil) -> VFSError {
            VFSError(.authenticationFailed, "account '\(name)': \(message)", path: configPath,
                     remedy: remedy, cause: cause)
        }
        if let value = fields[key] {
            guard let s = value.stringValue else { throw failure("\(key) must be a string", remedy: "edit the config file") }
            return s
        }
        if let value = fields[key + "_env"] {
            guard let variable = value.stringValue else {
                throw failure("\(key)_env must be a string", remedy: "edit the config file")
            }
            guard let secret = environment[variable], !secret.isEmpty else {
                throw failure("\(key)_env names the environment variable \(variable), which is not set",
                              remedy: "export \(variable), or change \(key)_env in the config file")
            }
            return secret
        }
        if let value = fields[key + "_command"] {
            guard let command = value.stringValue else {
                throw failure("\(key)_command must be a string", remedy: "edit the config file")
            }
            return try runSecretCommand(command, key: key, failure: failure)
        }
        return nil
    }

    /// Runs `/bin/sh -c COMMAND` and returns its standard output minus one trailing newline.
    private func runSecretCommand(
        _ command: String, key: String,
        failure: (String, String, String?) -> VFSError
    ) throws -> String {
        let what = "\(key)_command"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw failure("\(what) could not be started", "check that /bin/sh exists and can run", String(describing: error))
        }
        var data = output.fileHandleForReading.readDataToEndOfFile()
        let exited = process.waitForExit()
        try? output.fileHandleForReading.close()
        let remedy = "run the command in a shell to see what is wrong (dctc never shows its output)"
        if exited.signaled {
            throw failure("\(what) was killed by signal \(exited.status)", remedy, nil)
        }
        if exited.status != 0 {
            throw failure("\(what) failed with exit status \(exited.status)", remedy, nil)
        }
        if data.last == 0x0A { data.removeLast() }
        if data.last == 0x0D { data.removeLast() }
        guard !data.isEmpty else {
            throw failure("\(what) printed nothing", "make the command print the secret on its standard output", nil)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Secrets an account has resolved, shared by the copies of one `Account` value.
///
/// The lock is held while a secret resolves, so concurrent callers wait for one command run
/// instead of starting their own.
final class SecretCache: @unchecked Sendable {
    private let lock = NSLock()
    // Guarded by `lock`.
    private var values: [String: String] = [:]

    func cached(_ key: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return values[key]
    }

    func value(for key: String, resolve: () throws -> String?) throws -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let known = values[key] { return known }
        let value = try resolve()
        if let value { values[key] = value }
        return value
    }
}
