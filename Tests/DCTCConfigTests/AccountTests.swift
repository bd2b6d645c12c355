import DCTCConfig
import DCTCCore
import Foundation
import Testing

@Suite("Accounts")
struct AccountTests {
    @Test("an sftp account's keys are read through typed accessors")
    func sftpAccountAccessors() throws {
        let configuration = try config("""
            [accounts.box]
            type = "sftp"
            host = "box.example.com"
            port = 2222
            user = "me"
            key_file = "~/.ssh/id_ed25519"
            known_hosts_file = "/etc/ssh/known"
            accept_new_host_key = true
            max_connections = 4
            timeout = 2.5
            root = "/srv/data"
            """, environment: ["HOME": "/home/me"])
        let box = try #require(configuration.account(named: "box"))
        #expect(box.type == .sftp)
        #expect(box.host == "box.example.com")
        #expect(box.port == 2222)
        #expect(box.user == "me")
        #expect(box.keyFile == "/home/me/.ssh/id_ed25519")
        #expect(box.knownHostsFile == "/etc/ssh/known")
        #expect(box.acceptNewHostKey == true)
        #expect(box.maxConnections == 4)
        #expect(box.timeout == 2.5)
        #expect(box.root == "/srv/data")
        #expect(box.insecureTLS == nil)
        #expect(box.string("host") == "box.example.com")
        #expect(box.int("port") == 2222)
        #expect(box.bool("accept_new_host_key") == true)
        #expect(box.line == 1)
        #expect(configuration.warnings.isEmpty)
    }

    @Test("an s3 account needs no keys and reads endpoint, region and path_style")
    func s3Account() throws {
        let configuration = try config("""
            [accounts.minio]
            type = "s3"
            endpoint = "http://127.0.0.1:9000"
            region = "us-east-1"
            path_style = true

            [accounts.aws]
            type = "s3"
            """)
        let minio = try #require(configuration.account(named: "minio"))
        #expect(minio.endpoint == "http://127.0.0.1:9000")
        #expect(minio.region == "us-east-1")
        #expect(minio.pathStyle == true)
        #expect(configuration.account(named: "aws")?.pathStyle == nil)
    }

    @Test("an account may be an inline table under [accounts]")
    func inlineAccount() throws {
        let configuration = try config("""
            [accounts]
            scratch = { type = "memory" }
            disk = { type = "local", root = "/mnt/disk" }
            """)
        #expect(configuration.account(named: "disk")?.root == "/mnt/disk")
        #expect(configuration.account(named: "scratch")?.type == .memory)
    }

    @Test("accounts are listed sorted by name")
    func sortedListing() throws {
        let configuration = try config("""
            [accounts.zeta]
            type = "local"
            [accounts.Alpha]
            type = "local"
            [accounts.beta]
            type = "memory"
            """)
        #expect(configuration.sortedAccounts.map(\.name) == ["Alpha", "beta", "zeta"])
    }

    @Test("a quoted account name with a dot is allowed")
    func quotedAccountName() throws {
        let configuration = try config("[accounts.\"my.box\"]\ntype = \"local\"\n")
        #expect(configuration.accounts.keys.sorted() == ["my.box"])
    }

    static let invalidNames = ["", "c", "my box", "-x", ".x", "a/b", "a:b", "héllo", "sftp", "S3", "file", "HTTPS", "ftps", "mem"]

    @Test("invalid account names are rejected", arguments: invalidNames)
    func invalidNamesAreRejected(_ name: String) throws {
        let error = try #require(throws: VFSError.self) { try Account(name: name, type: .local) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("invalid account name '\(name)'"))
        #expect(!Address.isValidAccountName(name))
    }

    @Test("valid account names are accepted", arguments: ["box", "my.box", "b2", "_x", "a-b", "S3-backup", "01"])
    func validNamesAreAccepted(_ name: String) throws {
        let account = try Account(name: name, type: .local)
        #expect(account.name == name)
        #expect(Address.isValidAccountName(name))
    }

    @Test("an invalid account name in the file is an error on its header's line")
    func invalidNameInFile() throws {
        let error = try #require(throws: VFSError.self) {
            try config("[accounts.ok]\ntype = \"local\"\n\n[accounts.sftp]\ntype = \"sftp\"\nhost = \"h\"\n")
        }
        #expect(error.path == "test.toml")
        #expect(error.message.hasPrefix("line 4: invalid account name 'sftp'"))
    }

    struct BadAccount: Sendable, CustomTestStringConvertible {
        let body: String
        let line: Int
        let message: String
        var testDescription: String { message }
    }

    static let badAccounts: [BadAccount] = [
        BadAccount(body: "host = \"h\"", line: 1, message: "account 'box' has no type"),
        BadAccount(body: "type = \"gopher\"", line: 2, message: "unknown type 'gopher'; use one of local, sftp, ftp, ftps, http, webdav, s3, memory"),
        BadAccount(body: "type = 3", line: 2, message: "type that is an integer"),
        BadAccount(body: "type = \"sftp\"\nuser = \"me\"", line: 1, message: "account 'box': type sftp needs host = \"server.example.com\""),
        BadAccount(body: "type = \"webdav\"", line: 1, message: "type webdav needs url = "),
        BadAccount(body: "type = \"http\"\nurl = \"ftp://x\"", line: 3, message: "url must start with http:// or https://"),
        BadAccount(body: "type = \"sftp\"\nhost = \"h\"\nport = 70000", line: 4, message: "port must be an integer from 1 to 65535, not 70000"),
        BadAccount(body: "type = \"sftp\"\nhost = \"h\"\nport = \"22\"", line: 4, message: "port must be an integer from 1 to 65535"),
        BadAccount(body: "type = \"s3\"\n\npath_style = \"yes\"", line: 4, message: "path_style must be true or false, not \"yes\""),
        BadAccount(body: "type = \"ftp\"\nhost = 5", line: 3, message: "host must be a string, not an integer"),
        BadAccount(body: "type = \"ftp\"\nhost = \"\"", line: 3, message: "host must not be empty"),
        BadAccount(body: "type = \"ftp\"\nhost = \"h\"\nmax_connections = 0", line: 4, message: "max_connections must be an integer from 1"),
        BadAccount(body: "type = \"ftp\"\nhost = \"h\"\ntimeout = -1", line: 4, message: "timeout must be a positive number"),
        BadAccount(body: "type = \"ftp\"\nhost = \"h\"\npassword = \"x\"\npassword_env = \"PW\"", line: 5,
                   message: "sets password and password_env; keep only one"),
        BadAccount(body: "type = \"s3\"\nsecret_access_key_command = \"\"", line: 3, message: "secret_access_key_command must be a non-empty string"),
    ]

    @Test("an invalid account is an error naming the account, the key and its line", arguments: badAccounts)
    func invalidAccountsAreRejected(_ bad: BadAccount) throws {
        let error = try #require(throws: VFSError.self) { try config("[accounts.box]\n" + bad.body + "\n") }
        #expect(error.code == .invalidArgument)
        #expect(error.path == "test.toml")
        #expect(error.message.hasPrefix("line \(bad.line): "), "\(error.message)")
        #expect(error.message.contains(bad.message), "\(error.message)")
    }

    @Test("an unknown key is a warning naming the key, the account and the line, not an error")
    func unknownKeyIsAWarning() throws {
        let configuration = try config("""
            [accounts.box]
            type = "sftp"
            host = "h"
            colour = "blue"
            """)
        #expect(configuration.warnings == ["test.toml: line 4: unknown key 'colour' in account 'box'"])
        #expect(configuration.account(named: "box")?.string("colour") == "blue")
    }

    @Test("accounts must be tables")
    func accountsMustBeTables() throws {
        let notATable = try #require(throws: VFSError.self) { try config("accounts = 1\n") }
        #expect(notATable.message.hasPrefix("line 1: accounts must be a table"))
        let entryNotATable = try #require(throws: VFSError.self) { try config("[accounts]\n\nbox = \"sftp\"\n") }
        #expect(entryNotATable.message.hasPrefix("line 3: accounts.box must be a table"))
    }

    @Test("unknown top-level keys are warnings")
    func unknownTopLevelKey() throws {
        let configuration = try config("[defaults]\ntransfers = 4\n")
        #expect(configuration.warnings == ["test.toml: line 1: unknown key 'defaults' (dctc reads [accounts] and [aliases])"])
    }

    @Test("validate() checks an account built in code")
    func validateBuiltAccount() throws {
        let good = try Account(name: "box", type: .ftps, fields: ["host": "h", "insecure_tls": true, "shade": "x"])
        #expect(try good.validate(options: accountOptions) == ["unknown key 'shade' in account 'box'"])
        let bad = try Account(name: "box", type: .ftps, fields: ["host": "h", "port": 0])
        let error = try #require(throws: VFSError.self) { try bad.validate(options: accountOptions) }
        #expect(error.message == "account 'box': port must be an integer from 1 to 65535, not 0")
        let typeTwice = try Account(name: "box", type: .local, fields: ["type": "sftp"])
        let twice = try #require(throws: VFSError.self) { try typeTwice.validate(options: accountOptions) }
        #expect(twice.message == "account 'box': type is given twice; pass it as the account's type only")
    }

    @Test("a retired key (implicit_tls) is an unknown-key warning that says why, not an error")
    func retiredKeyWarning() throws {
        let configuration = try config("[accounts.box]\ntype = \"ftps\"\nhost = \"h\"\nimplicit_tls = true\n")
        #expect(configuration.warnings == [
            "test.toml: line 4: unknown key 'implicit_tls' in account 'box': dctc speaks explicit TLS only (AUTH TLS, RFC 4217, on port 21); remove the key",
        ])
    }
}
