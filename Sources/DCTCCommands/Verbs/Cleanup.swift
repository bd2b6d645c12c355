import ArgumentParser
import DCTCCore
import DCTCSync
import Foundation

/// `dctc cleanup`: abort abandoned uploads (S3 multipart uploads nobody will complete).
struct Cleanup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Abort abandoned uploads in progress (S3 multipart uploads).",
        discussion: """
        An interrupted large upload leaves its parts on the server (billed as storage) until it \
        is completed or aborted; dctc keeps them so that the next cp or sync of the same file \
        continues where it stopped. This lists the uploads in progress under a bucket or a \
        prefix that were started longer ago than --max-age, and aborts them; --dry-run only \
        lists them. Each line: the start time (UTC), the object, the upload id.

        Examples:
          dctc cleanup --dry-run s3://my-bucket
          dctc cleanup --max-age 7d s3://my-bucket/backups/
          dctc cleanup --max-age 0 myminio:scratch
        """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: ArgumentHelp("Abort only uploads started longer ago than this (90s, 12h, 7d; 0 for all).",
                                            valueName: "age"))
    var maxAge = "24h"
    @Flag(name: .long, help: "List what would be aborted; abort nothing.")
    var dryRun = false
    @Argument(help: "Buckets or prefixes (s3://BUCKET[/PREFIX]).") var addresses: [String]

    func run() async throws {
        let now = Date()
        let age = try AgeParser.parse(maxAge, now: now)
        let ctx = try await CommandContext.make(global)
        let reporter = ErrorReporter(verbose: global.verbose)
        let out = Output.standard
        let format = ISO8601DateFormatter()
        for text in addresses {
            try await reporter.attempt(path: text) {
                let loc = try await ctx.location(text)
                guard let store = loc.fs as? any PendingUploadCleaning else {
                    throw VFSError(.unsupported, "this store keeps no uploads in progress", path: text,
                                   remedy: "cleanup applies to S3 buckets")
                }
                for upload in try await store.uploadsInProgress(under: loc.path) {
                    // `--max-age 0` takes every upload, even one whose start the server gives
                    // in the same second or not at all; otherwise an upload without a start
                    // time is not known to be old, and is kept.
                    if age > 0 {
                        guard let started = upload.initiated, now.timeIntervalSince(started) >= age else { continue }
                    }
                    let shown = SafeName.escaped(loc.fs.display(upload.path))
                    let when = upload.initiated.map { format.string(from: $0) } ?? "(start unknown)"
                    let line = "\(when)  \(shown)  \(SafeName.escaped(upload.id))"
                    if dryRun {
                        out.line("would abort  " + line)
                    } else {
                        try await store.abortUploadInProgress(upload)
                        out.line("aborted  " + line)
                    }
                }
            }
        }
        out.flush()
        try reporter.finish()
    }
}
