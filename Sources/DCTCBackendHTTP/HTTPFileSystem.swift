import DCTCCore
import DCTCCurl
import Foundation

/// A web server seen as a store: read-only over plain HTTP(S), read-write over WebDAV.
///
/// Plain HTTP reads files with GET (ranges with `Range`, checked against `Content-Range`),
/// gets their facts with HEAD (size, `Last-Modified`, `ETag`), and lists directories from the
/// index pages servers generate (nginx JSON or HTML autoindex, Apache-style pages of links; see
/// `IndexPage`). Every write is refused with `.unsupported`.
///
/// WebDAV (the server answers `OPTIONS` with a `DAV` header, or the account type is `webdav`)
/// adds PROPFIND listings and metadata, uploads to a temporary name moved over the final one
/// (`PUT` then `MOVE` with `Overwrite: T`, so a failed or mismatching upload never shows under
/// the final name), DELETE, MKCOL, MOVE (`Moving`) and COPY (`ServerSideCopying`).
///
/// An ETag is never taken for a content hash: servers derive it from the time and size (nginx:
/// `"<hex mtime>-<hex size>"`), so `knownHashes` is empty.
///
/// Requests go through one `CurlClient` (a few worker threads with kept-alive connections);
/// TLS certificates are verified unless the configuration says otherwise.
public final class HTTPFileSystem: VirtualFileSystem, ServerSideCopying, Moving {
    /// `http` for a read-only server, `webdav` when the server speaks WebDAV.
    public let kind: StoreKind
    public let capabilities: Capabilities
    public let configuration: HTTPStoreConfiguration
    /// What detection found out about the server.
    public let profile: HTTPServerProfile

    let client: CurlClient
    /// Folders known to exist, so uploads into one folder do not ask about it every time.
    let knownDirectories = KnownDirectories(limit: 10_000)
    /// Paths the user wrote with a trailing `/`: requests about them keep it (`HEAD /sub/`).
    let typedDirectories = KnownDirectories(limit: 1_000)

    /// A store for a server whose profile is already known (no network traffic here).
    ///
    /// - Throws: `CurlError` when libcurl cannot be initialised.
    public convenience init(configuration: HTTPStoreConfiguration, profile: HTTPServerProfile) throws {
        var curl = CurlClient.Configuration(maxConnections: max(1, configuration.maxConnections))
        curl.threadName = "dctc-http"
        // Large chunks: each hand-over from a transfer thread to the reading task costs a
        // thread wake-up, which at 128 KiB chunks halved loopback download speed (1 GiB: 0.67 s at
        // 128 KiB, 0.40 s at 1 MiB, 0.35 s at 2 MiB; curl 0.31 s).
        curl.receiveBufferSize = 512 * 1024
        curl.chunkSize = 1024 * 1024
        curl.bodyBufferSize = 2 * 1024 * 1024
        try self.init(configuration: configuration, profile: profile, client: CurlClient(configuration: curl))
    }

    init(configuration: HTTPStoreConfiguration, profile: HTTPServerProfile, client: CurlClient) {
        self.configuration = configuration
        self.profile = profile
        kind = profile.isWebDAV ? .webdav : .http
        capabilities = profile.capabilities
        self.client = client
    }

    /// Connects to the server and finds out what it speaks: one `OPTIONS` request on the
    /// configured probe path (a `DAV` header means WebDAV; the `Server` header tells how
    /// modification times can be kept), unless the mode is fixed to `.readOnly`.
    ///
    /// - Parameter configuration: where the server is and how to log in.
    /// - Returns: the store.
    /// - Throws: `.unavailable` when the server cannot be reached (retryable),
    ///   `.authenticationFailed` when it refuses the credentials (or needs some), TLS
    ///   failures as `.authenticationFailed` with a remedy about certificates.
    public static func connect(_ configuration: HTTPStoreConfiguration) async throws -> HTTPFileSystem {
        if configuration.mode == .readOnly {
            return try HTTPFileSystem(configuration: configuration, profile: .readOnly)
        }
        let probe = try HTTPFileSystem(configuration: configuration, profile: .readOnly)
        let forced = configuration.mode == .webdav
        var response = try await probe.options(configuration.probePath)
        if response.headers["dav"] == nil, response.status == 404 || response.status == 405, !configuration.probePath.isRoot {
            // The first address may name a file that does not exist yet; ask about the root.
            response = try await probe.options(.root)
        }
        if response.status == 401 || response.status == 407 {
            throw await probe.statusError(response, configuration.probePath)
        }
        let profile = HTTPServerProfile.from(headers: response.headers, forceWebDAV: forced)
        // The probe's connection is kept alive in its client: the store goes on with it.
        return HTTPFileSystem(configuration: configuration, profile: profile, client: probe.client)
    }

    private func options(_ path: VPath) async throws -> CurlResponse {
        var r = request("OPTIONS", path, directory: path.isRoot)
        // Some servers redirect a folder to its `/` URL first (Apache).
        r.followRedirects = true
        let response = try await send(r, path)
        await response.body.cancel()
        return response
    }

    public func display(_ path: VPath) -> String { configuration.display(path) }

    // MARK: - Requests

    /// A request for a store path with the store's credentials, TLS and timeout settings.
    func request(_ method: String, _ path: VPath, directory: Bool = false, headers: [(String, String)] = [],
                 body: CurlRequest.Body = .none) -> CurlRequest {
        request(method, url: configuration.url(path, directory: directory), headers: headers, body: body)
    }

    /// A request for an absolute URL of this server.
    func request(_ method: String, url: String, headers: [(String, String)] = [],
                 body: CurlRequest.Body = .none) -> CurlRequest {
        var all = headers
        if let token = configuration.bearerToken { all.append(("Authorization", "Bearer \(token)")) }
        var r = CurlRequest(method: method, url: url, headers: all, body: body)
        if let password = configuration.password {
            r.user = configuration.user ?? ""
            r.password = password
        }
        r.verifyTLS = configuration.verifyTLS
        r.timeouts = configuration.timeouts
        return r
    }

    /// Sends a request; failures before a response become `VFSError`s naming `path`.
    ///
    /// Retries with the shared `RetryPolicy`: an idempotent request (GET, HEAD, PROPFIND,
    /// OPTIONS, PUT and DELETE with a body in memory) after a broken connection or a 429, 500,
    /// 502, 503 or 504 answer (honouring `Retry-After`); any other request with a body in
    /// memory (MKCOL, MOVE, COPY) after a 429 or 503 answer, which says the server did not
    /// act on it; any request whose connection was refused (it never reached the server). A streamed body cannot be sent twice: its
    /// request is not retried here (`sync --retries` retries the whole file).
    func send(_ request: CurlRequest, _ path: VPath) async throws -> CurlResponse {
        var attempts = RetryPolicy.Attempts(.requests)
        let replayable: Bool
        if case .stream = request.body { replayable = false } else { replayable = true }
        let idempotent = replayable && HTTPFileSystem.idempotentMethods.contains(request.method.uppercased())
        while true {
            let response: CurlResponse
            do {
                response = try await client.perform(request)
            } catch {
                var e = CurlError.vfsError(from: error, path: display(path))
                if e.backend == nil || e.backend == "http" || e.backend == "https" { e.backend = kind.rawValue }
                let neverSent = (error as? CurlError)?.requestNeverSent ?? false
                if replayable, idempotent || neverSent, let wait = attempts.next(after: e) {
                    try await RetryPolicy.sleep(wait)
                    continue
                }
                throw e
            }
            // 429 and 503 say the server did not act on the request, so even MKCOL, MOVE and
            // COPY may be sent again; after 500, 502 or 504 only an idempotent request is.
            let notActedOn = [429, 503].contains(response.status)
            if (idempotent && [429, 500, 502, 503, 504].contains(response.status)) || (replayable && notActedOn) {
                var e = response.httpStatus.toVFSError(path: display(path))
                e.retryAfter = HTTPStatus.retryAfter(response.headers["Retry-After"])
                if let wait = attempts.next(after: e) {
                    await response.body.cancel()
                    try await RetryPolicy.sleep(wait)
                    continue
                }
            }
            return response
        }
    }

    static let idempotentMethods: Set<String> = ["GET", "HEAD", "PROPFIND", "OPTIONS", "PUT", "DELETE"]

    /// Sends a request whose body is small (XML, index pages) and reads it.
    func sendCollecting(_ request: CurlRequest, _ path: VPath, limit: Int = 256 * 1024 * 1024) async throws
        -> (CurlResponse, [UInt8])
    {
        let response = try await send(request, path)
        guard (200..<300).contains(response.status) else { return (response, []) }
        do {
            return (response, try await response.body.collect(limit: limit))
        } catch {
            throw CurlError.vfsError(from: error, path: display(path))
        }
    }

    // MARK: - Errors

    /// The error for a response whose status was not the expected one; reads a little of its
    /// body as the cause and releases the rest.
    func statusError(_ response: CurlResponse, _ path: VPath) async -> VFSError {
        var e: VFSError
        do {
            _ = try await response.requireSuccess(path: display(path))
            await response.body.cancel()
            e = response.httpStatus.toVFSError(path: display(path))
        } catch let error as VFSError {
            e = error
        } catch {
            e = VFSError.wrap(error, path: display(path))
        }
        if (300..<400).contains(response.status) {
            e = VFSError(.io, "the server redirected the request elsewhere (HTTP \(response.status))",
                         path: display(path), remedy: "use the address the server points at: \(response.headers["location"] ?? "?")",
                         cause: "HTTP \(response.httpStatus)")
        }
        e.backend = kind.rawValue
        if e.code == .authenticationFailed {
            e.remedy = configuration.hasCredentials
                ? "check the user name and password (or token) of this account"
                : "the server asks for a login: configure an account with a user and password "
                    + "(`dctc config add NAME --type webdav --url URL --user USER` with password_env or password_command; "
                    + "type http for a read-only web server), or add the host to ~/.netrc"
        }
        return e
    }

    /// The error for any write on a plain HTTP server.
    func readOnlyError(_ path: VPath, _ what: String) -> VFSError {
        VFSError(.unsupported, "\(what) is not possible: this server is read-only over HTTP", path: display(path),
                 remedy: "use a WebDAV URL or an account of type webdav", backend: kind)
    }

    func notFound(_ path: VPath) -> VFSError {
        var e = VFSError.notFound(display(path))
        e.backend = kind.rawValue
        return e
    }

    func isADirectory(_ path: VPath) -> VFSError {
        VFSError(.isADirectory, "is a directory", path: display(path),
                 remedy: "name a file inside it, or use -r for a whole folder", backend: kind)
    }

    func notADirectory(_ path: VPath) -> VFSError {
        VFSError(.notADirectory, "not a directory", path: display(path),
                 remedy: "name the folder that holds it", backend: kind)
    }
}

extension HTTPFileSystem: TypedDirectoryHinting {
    /// Remembers a folder the user wrote as `http://host/sub/`, so that `info` asks for
    /// `/sub/` rather than `/sub` (which some servers, rclone serve http among them, answer 404).
    public func noteTypedDirectory(_ path: VPath) { typedDirectories.insert(path) }
}
