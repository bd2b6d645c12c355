import ArgumentParser
import DCTCCore

/// The version printed by `dctc version` and `dctc --version`.
public enum DCTCVersion {
    public static let string = "0.1.0"
    /// The date of this version, printed at the foot of the man pages (change it with `string`).
    public static let date = "2026-11-21"
}

/// The root command: `dctc VERB ...`.
public struct DCTC: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dctc",
        abstract: "Move, inspect and sync data across local disk, SFTP, FTP/FTPS, HTTP/WebDAV and S3.",
        discussion: """
        Every command takes addresses of any store:
          /local/path  ./relative  file:///path  sftp://user@host/path
          ftp://host/path  ftps://host/path  http(s)://host/path  s3://bucket/key
          NAME:path (an account of the config file)  - (stdin/stdout)

        Examples:
          dctc ls -l s3://bucket/logs/
          dctc cp -r --compress gz ./data backup:data
          dctc cat https://example.org/file.csv.gz | head
          dctc sync ./photos sftp://me@nas/photos
          dctc hash --algo sha256 ./file.iso

        Exit codes: 0 ok, 1 negative answer, 2 usage, 3 not found, 4 partial failure, \
        5 transient (retry later), 6 fatal, 7 nothing to do, 8-10 flow (check failed, \
        input missing, lock held), 130 interrupted (the EXIT STATUS section of dctc(1)).
        """,
        version: DCTCVersion.string,
        subcommands: [
            Ls.self, Find.self, Stat.self, Du.self,
            Cat.self, Head.self, Tail.self,
            Cp.self, Mv.self, Rm.self, Mkdir.self, Rmdir.self, Cleanup.self,
            Sync.self, Copy.self, Check.self, ShardPlanCommand.self,
            Hash.self, Grep.self,
            Edit.self, Dispatch.self, Flow.self,
            ConfigCommand.self, Version.self, Completions.self,
            CompleteAddress.self,
        ]
    )

    public init() {}

    /// `dctc` with no arguments: a short overview of the commands, grouped (`dctc --help` has
    /// the full list with the address forms and exit codes).
    public func run() async throws {
        Output.standard.write(Overview.text())
        Output.standard.flush()
    }
}
