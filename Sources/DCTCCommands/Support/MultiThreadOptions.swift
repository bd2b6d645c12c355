import ArgumentParser
import DCTCCore

/// `--multi-thread-streams`, `--multi-thread-cutoff` (rclone's names and defaults): parallel
/// ranged reads of one large download to local disk (`MultiThreadDownloads`). On `cp`, `sync`
/// and `copy`.
public struct MultiThreadOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp(
        "Read a large download to local disk with N parallel ranged streams (S3, HTTP/WebDAV, SFTP); 0 or 1 reads it as one stream. As rclone's (default 4).",
        valueName: "N"))
    public var multiThreadStreams: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The smallest download read with parallel streams, as rclone's (default 256M; sizes like 64M, 1G).",
        valueName: "size"))
    public var multiThreadCutoff: String?

    public init() {}

    public func validate() throws {
        _ = try settings()
    }

    /// The settings these flags give (the defaults for those not given).
    /// - Throws: `ValidationError` for a count outside 0...64 or a size that does not parse.
    public func settings() throws -> MultiThreadDownloads {
        var result = MultiThreadDownloads()
        if let n = multiThreadStreams {
            guard (0...64).contains(n) else { throw ValidationError("--multi-thread-streams must be between 0 and 64") }
            result.streams = n
        }
        if let text = multiThreadCutoff {
            do {
                result.cutoff = try SizeParser.parse(text)
            } catch let e as VFSError {
                throw ValidationError("--multi-thread-cutoff: \(e.message)")
            }
        }
        return result
    }

    /// Copies these settings into the settings every store is built with.
    func apply(to options: inout StoreOptions) throws {
        options.multiThread = try settings()
    }
}
