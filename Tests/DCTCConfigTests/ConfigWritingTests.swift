import DCTCConfig
import DCTCCore
import Foundation
import Testing

@Suite("Writing accounts to the config file")
struct ConfigWritingTests {
    static let existing = """
        # My dctc config
        [accounts.home]   # the NAS
        type = "sftp"
        host = "nas.local"

        # shortcuts
        [aliases]
        ll = "ls -l"
        """

    @Test("a new account is written to a new file with mode 0600, and reads back equal")
    func addToNewFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/sub/dctc/config.toml"
            let account = try Account(name: "box", type: .sftp, fields: [
                "host": "box.example.com", "port": 2222, "accept_new_host_key": true, "password_env": "BOX_PW",
            ])
            let empty = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions)
            let saved = try empty.save(adding: account)
            #expect(saved.exists)
            #expect(saved.warnings.isEmpty)
            #expect(saved.account(named: "box") == account)
            #expect(try permissions(of: path) == 0o600)
            #expect(try readFile(path) == """
                [accounts.box]
                type = "sftp"
                accept_new_host_key = true
                host = "box.example.com"
                password_env = "BOX_PW"
                port = 2222

                """)
        }
    }

    @Test("adding keeps the existing text byte for byte and leaves no temporary file")
    func addKeepsExistingText() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.existing, to: path, mode: 0o644)
            let account = try Account(name: "disk", type: .local, fields: ["root": "/mnt/disk"])
            let saved = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions).save(adding: account)
            let text = try readFile(path)
            #expect(text == Self.existing + "\n\n[accounts.disk]\ntype = \"local\"\nroot = \"/mnt/disk\"\n")
            #expect(saved.accounts.keys.sorted() == ["disk", "home"])
            #expect(saved.aliases["ll"] == ["ls", "-l"])
            #expect(try permissions(of: path) == 0o600)
            #expect(saved.warnings.isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["config.toml"])
        }
    }

    @Test("an existing account is refused unless replacing, which rewrites only its table")
    func replaceExistingAccount() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.existing, to: path)
            let configuration = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions)
            let account = try Account(name: "home", type: .sftp, fields: ["host": "nas2.local", "user": "me"])
            let error = try #require(throws: VFSError.self) { try configuration.save(adding: account) }
            #expect(error.code == .alreadyExists)
            #expect(error.message == "account 'home' already exists")
            #expect(try readFile(path) == Self.existing)

            let saved = try configuration.save(adding: account, replace: true)
            #expect(saved.account(named: "home") == account)
            #expect(try readFile(path) == """
                # My dctc config
                [accounts.home]
                type = "sftp"
                host = "nas2.local"
                user = "me"

                # shortcuts
                [aliases]
                ll = "ls -l"
                """)
        }
    }

    @Test("removing an account deletes only its table")
    func removeAccount() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.existing, to: path)
            let saved = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions).save(removingAccountNamed: "home")
            #expect(saved.accounts.isEmpty)
            #expect(try readFile(path) == "# My dctc config\n\n# shortcuts\n[aliases]\nll = \"ls -l\"")
            let missing = try #require(throws: VFSError.self) { try saved.save(removingAccountNamed: "home") }
            #expect(missing.code == .notFound)
        }
    }

    @Test("awkward names and values are escaped and read back unchanged")
    func awkwardValuesRoundTrip() throws {
        let account = try Account(name: "my.box", type: .webdav, fields: [
            "url": "https://dav.example.com/a b/",
            "user": "O'Brien \"the\" \\admin\\",
            "password": "line1\nline2\t\u{1B}[0m ünïcödé 😀",
            "root": "/Zürich/東京",
        ])
        let text = try DCTCConfiguration.parse("", path: "new.toml", environment: baseEnvironment, options: accountOptions).adding(account: account)
        #expect(text.hasPrefix("[accounts.\"my.box\"]\n"))
        let reread = try DCTCConfiguration.parse(text, path: "new.toml", environment: baseEnvironment, options: accountOptions)
        let back = try #require(reread.account(named: "my.box"))
        #expect(back == account)
        #expect(try back.secret("password") == "line1\nline2\t\u{1B}[0m ünïcödé 😀")
    }

    @Test("an invalid account is refused and the file is left alone")
    func invalidAccountIsNotWritten() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.existing, to: path)
            let account = try Account(name: "box", type: .sftp, fields: ["port": 22])
            let error = try #require(throws: VFSError.self) {
                try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions).save(adding: account)
            }
            #expect(error.message.contains("needs host"))
            #expect(try readFile(path) == Self.existing)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["config.toml"])
        }
    }

    @Test("an account that is not its own [accounts.NAME] table cannot be replaced in place")
    func inlineAccountCannotBeReplaced() throws {
        let configuration = try config("[accounts]\nbox = { type = \"local\" }\n")
        let account = try Account(name: "box", type: .memory)
        let error = try #require(throws: VFSError.self) { try configuration.adding(account: account, replace: true) }
        #expect(error.message == "account 'box' is not written as its own [accounts.box] table")
    }

    @Test("saving through a symbolic link replaces the file it points at and keeps the link")
    func symlinkIsFollowed() throws {
        try withTemporaryDirectory { directory in
            let target = directory + "/dotfiles/config.toml"
            let link = directory + "/config.toml"
            try writeFile(Self.existing, to: target)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            let account = try Account(name: "disk", type: .local)
            try DCTCConfiguration.load(path: link, environment: baseEnvironment, options: accountOptions).save(adding: account)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
            #expect(try readFile(target).hasSuffix("[accounts.disk]\ntype = \"local\"\n"))
        }
    }
}

@Suite("Config file operations from async code")
struct ConfigAsyncTests {
    @Test("async load and save read and write the same file as the synchronous forms")
    func asyncLoadAndSave() async throws {
        try await withTemporaryDirectory { directory in
            let environment = ["DCTC_CONFIG": directory + "/config.toml", "PATH": "/usr/bin:/bin"]
            let empty: DCTCConfiguration = try await DCTCConfiguration.load(environment: environment, options: accountOptions)
            #expect(!empty.exists)
            let account = try Account(name: "scratch", type: .memory)
            let saved: DCTCConfiguration = try await empty.save(adding: account)
            #expect(saved.account(named: "scratch") == account)
            let reread: DCTCConfiguration = try await DCTCConfiguration.load(path: directory + "/config.toml", environment: environment, options: accountOptions)
            #expect(reread.accounts.keys.sorted() == ["scratch"])
            let removed: DCTCConfiguration = try await reread.save(removingAccountNamed: "scratch")
            #expect(removed.accounts.isEmpty)
        }
    }
}
