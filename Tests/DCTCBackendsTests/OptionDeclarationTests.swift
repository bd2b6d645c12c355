import DCTCBackendFTP
import DCTCBackendHTTP
import DCTCBackendS3
import DCTCBackendSFTP
import DCTCBackends
import DCTCConfig
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// Stops the registry at the factory and hands back what it was asked to build.
private struct Captured: Error { let request: StoreRequest }

private struct OneAccount: AccountProvider {
    let settings: AccountSettings
    func account(named name: String) throws -> AccountSettings? { name == settings.name ? settings : nil }
    var accountNames: [String] { [settings.name] }
}

@Suite("Account options: each backend declares the keys it reads, and reads only those")
struct OptionDeclarationTests {
    static let catalog = DCTCBackends.accountOptions

    /// Settings of `type` with every declared key at its example value (secrets through the
    /// secret resolver unless `secrets` is false), recording the keys read.
    static func settings(_ type: StoreKind, secrets: Bool) throws -> AccountSettings {
        var values: [String: String] = [:]
        var secretValues: [String: String] = [:]
        for option in try #require(catalog.options(for: type)) {
            if option.kind == .secret {
                if secrets { secretValues[option.key] = option.example }
            } else {
                values[option.key] = option.example
            }
        }
        let resolved = secretValues
        return AccountSettings(name: "acct", type: type.rawValue, values: values, secret: { resolved[$0] }, recordingReads: true)
    }

    /// Resolves `acct:x` through a registry (which reads `root`), then builds the store's
    /// configuration the way its factory does, without touching the network.
    static func keysRead(by type: StoreKind, secrets: Bool, home: String) async throws -> Set<String> {
        let account = try settings(type, secrets: secrets)
        let registry = StoreRegistry(accounts: OneAccount(settings: account))
        for kind in catalog.types.map(\.type) {
            await registry.register(kind: kind) { throw Captured(request: $0) }
        }
        var captured: StoreRequest?
        do {
            _ = try await registry.resolve(try Address.parse("acct:x"))
        } catch let c as Captured {
            captured = c.request
        }
        let request = try #require(captured, "the registry did not call a factory for \(type)")
        switch type {
        case .ftp, .ftps:
            _ = try FTPBackend.configuration(for: request, netrc: home + "/netrc")
        case .sftp:
            _ = try SFTPConfig.resolve(address: request.address, account: request.account, options: request.options,
                                       environment: [:], home: home, prompter: nil)
        case .http, .webdav:
            _ = try HTTPBackend.configuration(for: request, netrcText: "")
        case .s3:
            _ = try S3Configuration.resolve(account: request.account, options: request.options, environment: [:],
                                            homeDirectory: home)
        case .local, .memory:
            break  // the stores read no account key; the registry read `root`
        }
        return account.keysRead
    }

    static func withHome<T>(_ body: (String) async throws -> T) async throws -> T {
        let home = try TestData.temporaryDirectory("dctc-options")
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        try "[profile work]\nregion = eu-west-1\n".write(toFile: home + "/.aws/config", atomically: true, encoding: .utf8)
        return try await body(home)
    }

    @Test("every key a backend reads is declared, and every declared key is read (description excepted)",
          arguments: DCTCBackends.accountOptions.types.map(\.type))
    func declarationsAndReadingAgree(type: StoreKind) async throws {
        try await Self.withHome { home in
            // Without secrets too: the netrc file is read only when no password is given.
            let read = try await Self.keysRead(by: type, secrets: true, home: home)
                .union(try await Self.keysRead(by: type, secrets: false, home: home))
            let options = try #require(Self.catalog.options(for: type))
            let declared = Set(options.map(\.key))
            let undeclared = read.subtracting(declared).sorted()
            #expect(undeclared.isEmpty, "\(type) reads keys it does not declare: \(undeclared)")
            let unread = options.filter { $0.reader != .people && !read.contains($0.key) }.map(\.key).sorted()
            #expect(unread.isEmpty, "\(type) declares keys nothing reads: \(unread)")
            let forPeople = options.filter { $0.reader == .people && read.contains($0.key) }.map(\.key)
            #expect(forPeople.isEmpty, "\(type) reads keys declared as notes for people: \(forPeople)")
        }
    }

    @Test("the catalog has every account type, in the order of AccountType, each key once")
    func catalogCoversEveryType() {
        #expect(Self.catalog.types.map(\.type) == AccountType.allCases)
        for (type, options) in Self.catalog.types {
            let keys = options.map(\.key)
            #expect(Set(keys).count == keys.count, "\(type) declares a key twice: \(keys)")
            #expect(options.contains { $0.key == "root" } && options.contains { $0.key == "description" },
                    "\(type) lacks the common keys")
        }
    }

    @Test("secrets are masked in listings and may come from KEY_env or KEY_command; access_key_id is shown")
    func secretsAgreeWithTheConfigModule() {
        for (type, options) in Self.catalog.types {
            for option in options where option.kind == .secret {
                #expect(Account.indirectKeys.contains(option.key), "\(type).\(option.key) cannot be given as _env/_command")
                #expect(Account.secretKeys.contains(option.key) == option.masked,
                        "\(type).\(option.key): masked \(option.masked), but the config listing disagrees")
            }
            for option in options where option.kind != .secret {
                #expect(!Account.secretKeys.contains(option.key), "\(type).\(option.key) is masked but not declared a secret")
            }
        }
        #expect(Self.catalog.option("access_key_id", for: .s3)?.masked == false)
        #expect(Self.catalog.option("secret_access_key", for: .s3)?.masked == true)
    }

    @Test("an account with every key at its documented example validates without a warning")
    func examplesValidate() throws {
        for (type, options) in Self.catalog.types {
            var fields: [String: TOMLValue] = [:]
            for option in options {
                switch option.kind {
                case .integer: fields[option.key] = .integer(try #require(Int(option.example)))
                case .boolean: fields[option.key] = .boolean(option.example == "true")
                case .seconds: fields[option.key] = .float(try #require(Double(option.example)))
                case .secret: fields[option.key + "_env"] = .string(option.example)
                case .string: fields[option.key] = .string(option.example)
                }
            }
            let account = try Account(name: "every", type: type, fields: fields)
            #expect(try account.validate(options: Self.catalog) == [], "\(type)")
        }
    }
}
