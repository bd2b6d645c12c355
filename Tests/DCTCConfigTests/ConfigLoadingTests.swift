import DCTCConfig
import DCTCCore
import Foundation
import Testing

@Suite("Finding and loading the config file")
struct ConfigLoadingTests {
    static let sample = "[accounts.box]\ntype = \"local\"\nroot = \"/srv\"\n"

    @Test("DCTC_CONFIG wins over XDG_CONFIG_HOME and HOME")
    func dctcConfigWins() throws {
        try withTemporaryDirectory { directory in
            try writeFile("[accounts.chosen]\ntype = \"local\"\n", to: directory + "/explicit.toml")
            try writeFile("[accounts.xdg]\ntype = \"local\"\n", to: directory + "/xdg/dctc/config.toml")
            let environment = ["DCTC_CONFIG": directory + "/explicit.toml", "XDG_CONFIG_HOME": directory + "/xdg",
                               "HOME": directory]
            let configuration = try DCTCConfiguration.load(environment: environment, options: accountOptions)
            #expect(configuration.path == directory + "/explicit.toml")
            #expect(configuration.accounts.keys.sorted() == ["chosen"])
        }
    }

    @Test("XDG_CONFIG_HOME is used when DCTC_CONFIG is unset or empty")
    func xdgConfigHome() throws {
        try withTemporaryDirectory { directory in
            try writeFile("[accounts.xdg]\ntype = \"local\"\n", to: directory + "/xdg/dctc/config.toml")
            try writeFile("[accounts.home]\ntype = \"local\"\n", to: directory + "/.config/dctc/config.toml")
            let environment = ["DCTC_CONFIG": "", "XDG_CONFIG_HOME": directory + "/xdg/", "HOME": directory]
            let configuration = try DCTCConfiguration.load(environment: environment, options: accountOptions)
            #expect(configuration.path == directory + "/xdg/dctc/config.toml")
            #expect(configuration.accounts.keys.sorted() == ["xdg"])
        }
    }

    @Test("without DCTC_CONFIG or an absolute XDG_CONFIG_HOME, the file is ~/.config/dctc/config.toml")
    func homeFallback() throws {
        try withTemporaryDirectory { directory in
            try writeFile("[accounts.home]\ntype = \"local\"\n", to: directory + "/.config/dctc/config.toml")
            let environment = ["XDG_CONFIG_HOME": "relative/ignored", "HOME": directory]
            let configuration = try DCTCConfiguration.load(environment: environment, options: accountOptions)
            #expect(configuration.path == directory + "/.config/dctc/config.toml")
            #expect(configuration.accounts.keys.sorted() == ["home"])
        }
    }

    @Test("a missing file is an empty configuration, not an error")
    func missingFileIsEmpty() throws {
        try withTemporaryDirectory { directory in
            let configuration = try DCTCConfiguration.load(environment: ["DCTC_CONFIG": directory + "/none.toml"], options: accountOptions)
            #expect(!configuration.exists)
            #expect(configuration.accounts.isEmpty)
            #expect(configuration.aliases.isEmpty)
            #expect(configuration.warnings.isEmpty)
        }
    }

    @Test("a file readable by group or others gets a warning with the fix")
    func groupReadableFileWarns() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.sample, to: path, mode: 0o644)
            let configuration = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions)
            #expect(configuration.warnings == [
                "config file \(path) is readable by group or others (mode 0644); run chmod 600 \(path)",
            ])
            #expect(configuration.account(named: "box")?.root == "/srv")
        }
    }

    @Test("a file only its owner can read gets no warning")
    func privateFileDoesNotWarn() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile(Self.sample, to: path, mode: 0o600)
            let configuration = try DCTCConfiguration.load(path: path, environment: baseEnvironment, options: accountOptions)
            #expect(configuration.exists)
            #expect(configuration.warnings.isEmpty)
        }
    }

    @Test("a syntax error in the file names the file and the line")
    func syntaxErrorNamesFile() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/config.toml"
            try writeFile("[accounts.box]\ntype \"local\"\n", to: path)
            let error = try #require(throws: VFSError.self) {
                try DCTCConfiguration.load(environment: ["DCTC_CONFIG": path], options: accountOptions)
            }
            #expect(error.description.hasPrefix("\(path): line 2: expected '=' after key"))
        }
    }

    @Test("a directory where the file should be is an error")
    func directoryIsAnError() throws {
        try withTemporaryDirectory { directory in
            let error = try #require(throws: VFSError.self) {
                try DCTCConfiguration.load(path: directory, environment: baseEnvironment, options: accountOptions)
            }
            #expect(error.code == .isADirectory)
            #expect(error.path == directory)
        }
    }
}
