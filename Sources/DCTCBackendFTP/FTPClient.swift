import DCTCCore
import DCTCCurl
import Foundation

/// The requests an `FTPFileSystem` sends, over a `CurlClient` whose worker threads each keep
/// one logged-in control connection alive between requests (passive mode, `EPSV` then `PASV`).
///
/// Every request starts with the commands it needs (`CWD /dir`, `MLST /x`, `DELE /x`, sent as
/// `CURLOPT_QUOTE`) and, for transfers, a URL holding just the file name (see `FTPPaths`).
/// Commands prefixed with `*` may fail without failing the request; their replies come back
/// in order.
final class FTPClient: Sendable {
    let configuration: FTPConfiguration
    let curl: CurlClient

    /// - Throws: `VFSError(.io)` when libcurl cannot be initialised.
    init(configuration: FTPConfiguration) throws {
        self.configuration = configuration
        var c = CurlClient.Configuration(maxConnections: configuration.maxConnections)
        c.protocols = "ftp"
        c.threadName = "dctc-ftp"
        // Larger buffers than HTTP's: FTP data connections carry nothing but the file.
        c.receiveBufferSize = 512 * 1024
        c.uploadBufferSize = 1024 * 1024
        c.chunkSize = 256 * 1024
        c.bodyBufferSize = 4 * 1024 * 1024
        do {
            curl = try CurlClient(configuration: c)
        } catch {
            throw VFSError(.io, "cannot initialise libcurl: \(error)", path: configuration.origin, backend: "ftp")
        }
    }

    /// A request for `url` with the credentials, TLS settings and timeouts of this store.
    func request(url: String) -> CurlRequest {
        var r = CurlRequest(url: url)
        r.user = configuration.user
        r.password = configuration.password
        if configuration.explicitTLS {
            r.ftpSecurity = .requireTLS
            r.verifyTLS = !configuration.insecureTLS
            r.caBundlePath = configuration.caFile
        }
        r.timeouts.connect = configuration.connectTimeout
        r.timeouts.serverResponse = configuration.responseTimeout
        r.timeouts.stallTime = configuration.responseTimeout
        return r
    }

    /// Sends commands and returns their replies, one per command, in order.
    ///
    /// Nothing is transferred (`CURLOPT_NOBODY` on the base URL: libcurl logs in, sends the
    /// commands and stops).
    ///
    /// - Parameters:
    ///   - commands: FTP commands with absolute paths; a leading `*` lets one fail.
    ///   - operation: what the commands do, in words, for errors.
    ///   - path: the address errors name.
    /// - Throws: `VFSError` for a refused command without `*` (through the reply-code table), a
    ///   refused login, an unreachable server or an untrusted certificate.
    func commands(_ commands: [String], operation: String, path: String) async throws -> [FTPReply] {
        switch await commandsOrFailure(commands) {
        case .success(let replies): return replies
        case .failure(let error): throw FTPErrors.vfsError(from: error, operation: operation, path: path)
        }
    }

    /// Like `commands`, but returns the raw failure so callers can look at the path before
    /// choosing an error (vsftpd's 550 texts do not say why).
    func commandsOrFailure(_ commands: [String]) async -> Result<[FTPReply], any Error> {
        var r = request(url: FTPPaths.baseURL(configuration))
        r.noBody = true
        r.ftpCommands = commands
        let readOnly = commands.allSatisfy { command in
            let verb = command.drop(while: { $0 == "*" }).prefix(while: { $0 != " " }).uppercased()
            return FTPClient.readOnlyVerbs.contains(verb)
        }
        do {
            let response = try await perform(r, idempotent: readOnly)
            await response.body.cancel()
            return .success(FTPReply.commandReplies(in: response.serverLines, count: commands.count))
        } catch {
            return .failure(error)
        }
    }

    /// Commands that change nothing on the server, safe to send again.
    static let readOnlyVerbs: Set<String> = ["CWD", "PWD", "SIZE", "MDTM", "MLST", "STAT", "NOOP", "FEAT", "TYPE", "SYST", "OPTS"]

    /// Runs a request with the shared `RetryPolicy`: an idempotent one (listings, reads,
    /// read-only commands) after any transient failure (connect, TLS handshake, login,
    /// a connection cut before the answer); any other only when the connection was refused
    /// (the request never reached the server). Upload requests stream their body and are
    /// never retried here.
    func perform(_ r: CurlRequest, idempotent: Bool) async throws -> CurlResponse {
        var attempts = RetryPolicy.Attempts(.requests)
        var replayable = true
        if case .stream = r.body { replayable = false }
        while true {
            do {
                return try await curl.perform(r)
            } catch let e as CurlError {
                guard replayable, idempotent || e.requestNeverSent, let wait = attempts.next(after: e.toVFSError()) else { throw e }
                try await RetryPolicy.sleep(wait)
            }
        }
    }

    /// `CWD` to a directory, as the first command of a request.
    static func cwd(_ directory: VPath) -> String { "CWD \(FTPPaths.serverPath(directory))" }
}

/// True when a libcurl failure is a refused FTP command or a refused file (as opposed to a
/// broken connection, a login or TLS failure): the store then looks at the path to say why.
func isRefusal(_ error: any Error) -> Bool {
    guard let curl = error as? CurlError else { return false }
    return ["CURLE_QUOTE_ERROR", "CURLE_REMOTE_ACCESS_DENIED", "CURLE_REMOTE_FILE_NOT_FOUND",
            "CURLE_FTP_COULDNT_RETR_FILE", "CURLE_UPLOAD_FAILED"].contains(curl.name)
}
