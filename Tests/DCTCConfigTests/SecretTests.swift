import DCTCConfig
import DCTCCore
import Foundation
import Testing

@Suite("Account secrets")
struct SecretTests {
    static let secretValue = "hunter2-S3cr3t"

    @Test("an inline secret is returned as written")
    func inlineSecret() throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "ftp"
            host = "h"
            password = "\(Self.secretValue)"
            """).account(named: "box"))
        #expect(box.secretSource("password") == .inline)
        #expect(try box.secret("password") == Self.secretValue)
    }

    @Test("a secret that is not set is nil")
    func unsetSecret() throws {
        let box = try #require(try config("[accounts.box]\ntype = \"ftp\"\nhost = \"h\"\n").account(named: "box"))
        #expect(box.secretSource("password") == nil)
        #expect(try box.secret("password") == nil)
    }

    @Test("a *_env secret is read from the environment the configuration was loaded with")
    func environmentSecret() throws {
        var environment = baseEnvironment
        environment["BOX_PASSWORD"] = Self.secretValue
        let box = try #require(try config("""
            [accounts.box]
            type = "ftp"
            host = "h"
            password_env = "BOX_PASSWORD"
            """, environment: environment).account(named: "box"))
        #expect(box.secretSource("password") == .environment("BOX_PASSWORD"))
        #expect(try box.secret("password") == Self.secretValue)
    }

    @Test("an unset *_env variable is an error naming the account and the variable")
    func missingEnvironmentVariable() throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "s3"
            secret_access_key_env = "NOT_SET_ANYWHERE"
            """).account(named: "box"))
        let error = try #require(throws: VFSError.self) { try box.secret("secret_access_key") }
        #expect(error.code == .authenticationFailed)
        #expect(error.path == "test.toml")
        #expect(error.message.contains("account 'box'"))
        #expect(error.message.contains("secret_access_key_env"))
        #expect(error.message.contains("NOT_SET_ANYWHERE"))
    }

    @Test("a *_command secret is the command's output without the trailing newline")
    func commandSecret() throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "sftp"
            host = "h"
            key_passphrase_command = "printf '%s\\\\n' '\(Self.secretValue)'"
            password_command = "printf 'two\\\\n\\\\n'"
            """).account(named: "box"))
        #expect(box.secretSource("key_passphrase") == .command)
        #expect(try box.secret("key_passphrase") == Self.secretValue)
        #expect(try box.secret("password") == "two\n")
    }

    @Test("a *_command runs with the configuration's environment")
    func commandSeesEnvironment() throws {
        var environment = baseEnvironment
        environment["FROM_TEST"] = "passed-in"
        let box = try #require(try config("""
            [accounts.box]
            type = "webdav"
            url = "https://dav.example.com/"
            token_command = 'printf %s "$FROM_TEST"'
            """, environment: environment).account(named: "box"))
        #expect(try box.secret("token") == "passed-in")
    }

    @Test("a failing command is an error naming the account and key, never showing its output")
    func failingCommandHidesOutput() throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "ftp"
            host = "h"
            password_command = "echo \(Self.secretValue); exit 3"
            """).account(named: "box"))
        let error = try #require(throws: VFSError.self) { try box.secret("password") }
        #expect(error.code == .authenticationFailed)
        #expect(error.message == "account 'box': password_command failed with exit status 3")
        let everything = [error.description, error.message, error.remedy ?? "", error.cause ?? "", String(reflecting: error)]
        for text in everything {
            #expect(!text.contains(Self.secretValue))
        }
    }

    @Test("a command that prints nothing is an error")
    func silentCommand() throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "ftp"
            host = "h"
            password_command = "true"
            """).account(named: "box"))
        let error = try #require(throws: VFSError.self) { try box.secret("password") }
        #expect(error.message == "account 'box': password_command printed nothing")
    }

    @Test("a command runs only when the secret is asked for, and only once")
    func commandRunsLazilyAndOnce() throws {
        try withTemporaryDirectory { directory in
            let counter = directory + "/runs"
            let configuration = try config("""
                [accounts.box]
                type = "ftp"
                host = "h"
                password_command = "echo run >> '\(counter)'; echo pw"
                """)
            #expect(!FileManager.default.fileExists(atPath: counter))
            let box = try #require(configuration.account(named: "box"))
            let copy = box
            #expect(try box.secret("password") == "pw")
            #expect(try copy.secret("password") == "pw")
            #expect(try readFile(counter) == "run\n")
        }
    }

    @Test("the async secret(_:) resolves a command off the cooperative pool")
    func asyncSecret() async throws {
        let box = try #require(try config("""
            [accounts.box]
            type = "ftp"
            host = "h"
            password_command = "echo from-async"
            """).account(named: "box"))
        let value: String? = try await box.secret("password")
        #expect(value == "from-async")
    }

    @Test("listings mask secrets: inline, from the environment and from a command")
    func maskedDescription() throws {
        var environment = baseEnvironment
        environment["SECRET_VAR"] = Self.secretValue
        let configuration = try config("""
            [accounts.box]
            type = "s3"
            region = "eu-west-1"
            access_key_id = "AKIDEXAMPLE"
            secret_access_key_env = "SECRET_VAR"
            session_token_command = "echo \(Self.secretValue)"
            api_token = "\(Self.secretValue)"
            """, environment: environment)
        let box = try #require(configuration.account(named: "box"))
        #expect(box.maskedDescription == """
            box (s3): access_key_id = "AKIDEXAMPLE", api_token = ********, region = "eu-west-1", \
            secret_access_key = (from env SECRET_VAR), session_token = (from command)
            """)
        var dumped = ""
        dump(box, to: &dumped)
        for text in [box.description, box.debugDescription, String(describing: box), String(reflecting: box), dumped,
                     box.maskedFields.map { "\($0.key)=\($0.value)" }.joined()] {
            #expect(!text.contains(Self.secretValue), "\(text)")
        }
    }

    @Test("a secret of the wrong type is an error that does not show the value")
    func wrongTypeSecretIsNotShown() throws {
        let error = try #require(throws: VFSError.self) {
            try config("[accounts.box]\ntype = \"ftp\"\nhost = \"h\"\npassword = 86753091\n")
        }
        #expect(error.message == "line 4: account 'box': password must be a string, not an integer")
        #expect(!error.description.contains("86753091"))
    }
}
