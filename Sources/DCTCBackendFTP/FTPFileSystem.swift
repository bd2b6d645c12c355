import DCTCCore
import DCTCCurl
import Foundation

/// An FTP or FTPS (explicit TLS) server, over libcurl.
///
/// - Connections: passive mode, a pool of `maxConnections` logged-in control connections
///   reused between requests (`CurlClient`), TLS sessions shared between them. FTPS verifies
///   the server's certificate unless told otherwise (`ca_file`, `--insecure`).
/// - Paths are absolute on the server (`ftp://user@host:port/srv/data/x` is `/srv/data/x`,
///   not relative to the login's home). Each request changes directory with one
///   `CWD /absolute/dir` of its own (see `FTPPaths`).
/// - Listings: `MLSD` when FEAT lists `MLST` (exact UTC times), else `LIST -a` parsed as Unix
///   `ls -l` output (times to the minute or day). `info` uses `MLST`, else `SIZE` + `MDTM`
///   (exact to the second) and a `CWD` to recognise directories.
/// - Writes go to a short random temporary name in the target folder (`.dctc-XXXXXXXXXXXX.tmp`,
///   never derived from the final name, which may already be 255 bytes long), are checked
///   against the expected size and hashes while they stream, get their time (`MFMT`, or
///   `MDTM YYYYMMDDHHMMSS path` on vsftpd), and are renamed over the final name (`RNFR`/`RNTO`;
///   the old file is deleted first when the server refuses to overwrite). A failed write
///   deletes its temporary file.
/// - Modification times have a precision of one second; `preservesModificationTime` is true
///   only when the server can set them (MFMT in FEAT, or MDTM found to set times).
/// - Names: anything but `/` and NUL, except that libcurl cannot transfer a file whose own
///   name contains a control character (tab): such names can be listed, renamed and deleted,
///   and `read` refuses them with `.invalidArgument`.
public final class FTPFileSystem: VirtualFileSystem, Moving, ModificationTimeSetting {
    /// "ftp" or "ftps".
    public let kind: StoreKind
    public let capabilities: Capabilities
    /// The store's settings (the password is never shown by its description).
    public let configuration: FTPConfiguration
    let client: FTPClient
    /// What FEAT and probing found.
    let features: FTPFeatures
    /// The command that sets modification times (`.mfmt`, `.mdtm`, or `.none`).
    let timeCommand: FTPConfiguration.TimeCommand
    let directories = KnownDirectories()
    /// The folder the login starts in (`PWD` after login): `ftp://host/a/b` is `a/b` inside it,
    /// `ftp://host/%2Fa/b` is `/a/b` (RFC 1738, as curl). `/` on chrooted and virtual servers.
    public let loginFolder: VPath

    /// Connects, logs in and asks the server what it supports (`FEAT`, and whether
    /// `MDTM YYYYMMDDHHMMSS path` sets times), in one request.
    ///
    /// - Parameter configuration: where and as whom.
    /// - Returns: the store.
    /// - Throws: `.authenticationFailed` for refused credentials or an untrusted certificate
    ///   (with the remedy), `.unavailable` (retryable) when the server cannot be reached.
    public static func connect(_ configuration: FTPConfiguration) async throws -> FTPFileSystem {
        let client = try FTPClient(configuration: configuration)
        let probe = "/.dctc-probe-\(FTPFileSystem.randomName())"
        // PWD first, on the fresh connection: the login folder, where URL paths start (RFC 1738).
        let replies = try await client.commands(
            ["*PWD", "*FEAT", "*MDTM 20000101000000 \(probe)"], operation: "connect",
            path: FTPPaths.display(configuration, .root))
        var features = FTPFeatures()
        let loginFolder = replies.first.flatMap(FTPPaths.parsePWD) ?? .root
        if replies.count > 1 { features = FTPFeatures.parse(replies[1]) }
        if replies.count > 2 {
            // vsftpd answers "550 Could not set file modification time." for a missing file when
            // it would set times, and "...get..." when it reads the whole argument as a path.
            let r = replies[2]
            features.mdtmSetsTime = r.code == 213 || (r.code == 550 && r.text.lowercased().contains(" set "))
        }
        return FTPFileSystem(client: client, features: features, loginFolder: loginFolder)
    }

    init(client: FTPClient, features: FTPFeatures, loginFolder: VPath = .root) {
        let configuration = client.configuration
        self.loginFolder = loginFolder
        self.client = client
        self.configuration = configuration
        self.features = features
        self.kind = configuration.scheme == "ftps" ? .ftps : .ftp
        let command: FTPConfiguration.TimeCommand
        switch configuration.timeCommand {
        case .automatic:
            command = features.hasMFMT ? .mfmt : (features.mdtmSetsTime ? .mdtm : .none)
        case let forced:
            command = forced
        }
        timeCommand = command
        capabilities = Capabilities(
            writable: true, hasDirectories: true, rangedReads: true,
            preservesModificationTime: command != .none, modificationTimePrecision: 1,
            knownHashes: [], remoteHashes: [], recursiveListing: false, caseInsensitive: false,
            maxNameBytes: 255, listPageSize: configuration.listPageSize,
            // LIST shows minutes (recent files) or days (older ones); MLSD has exact times.
            listingHasModificationTime: features.hasMLST, serverSideMove: true)
    }

    /// `ftp://user@host:port/path` (or `ftps://`).
    /// Inside the login folder, the path relative to it; elsewhere `ftp://host/%2F...`.
    public func display(_ path: VPath) -> String { FTPPaths.display(configuration, path, loginFolder: loginFolder) }

    /// True when listings are machine-readable (`MLSD`), with exact times.
    public var usesMLSD: Bool { features.hasMLST }

    // MARK: - Primitives

    public func info(_ path: VPath) async throws -> FileInfo {
        if path.isRoot { return FileInfo(path: .root, kind: .directory) }
        let shown = display(path)
        let p = FTPPaths.serverPath(path)
        if features.hasMLST {
            let replies = try await client.commands(["*MLST \(p)"], operation: "stat", path: shown)
            if let r = replies.first {
                if r.code == 250, let facts = r.innerLines.first(where: { $0.hasPrefix(" ") }),
                   var entry = FTPMLSDParser.parse(String(facts.dropFirst())) {
                    entry.name = path.name
                    if entry.kind == .directory { directories.insert(path) }
                    return fileInfo(entry, in: path.parent)
                }
                if r.code == 550 {
                    throw notFoundOrDenied(r, operation: "stat", path: shown)
                }
            }
            // MLST not usable after all: fall through to SIZE/MDTM/CWD.
        }
        let replies = try await client.commands(["*TYPE I", "*SIZE \(p)", "*MDTM \(p)", "*CWD \(p)"],
                                                operation: "stat", path: shown)
        guard replies.count == 4 else {
            throw VFSError(.io, "stat: the server's replies could not be read", path: shown, backend: "ftp",
                           cause: replies.map(\.description).joined(separator: " | "))
        }
        if replies[1].code == 213, let size = Int64(replies[1].text.trimmingCharacters(in: .whitespaces)) {
            let mtime = replies[2].code == 213 ? FTPTime.parse(replies[2].text) : nil
            return FileInfo(path: path, kind: .file, size: size, modificationTime: mtime)
        }
        if replies[3].code == 250 {
            directories.insert(path)
            return FileInfo(path: path, kind: .directory)
        }
        throw notFoundOrDenied(replies[3], operation: "stat", path: shown)
    }

    public func list(_ directory: VPath) -> Listing {
        let reader = FTPListingReader(fs: self, directory: directory, pageSize: configuration.listPageSize)
        return Listing(display: { [self] in display($0) }) { try await reader.nextPage() }
    }

    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        let shown = display(path)
        if path.isRoot { throw isADirectory("read", shown) }
        if FTPPaths.hasControlCharacters(path.name) {
            throw VFSError(.invalidArgument, "read: libcurl cannot transfer a file whose name contains a control character (tab)",
                           path: shown, remedy: "rename the file on the server (`dctc mv`), then read it", backend: "ftp")
        }
        if let range, range.length == 0 {
            let i = try await info(path)
            if i.isDirectory { throw isADirectory("read", shown) }
            return .empty
        }
        var r = client.request(url: FTPPaths.fileURL(configuration, name: path.name))
        r.ftpCommands = [FTPClient.cwd(path.parent)]
        r.range = range
        do {
            let response = try await client.perform(r, idempotent: true)
            return ByteStream(FTPBodySource(response.body, path: shown))
        } catch let e as CurlError where e.name == "CURLE_BAD_DOWNLOAD_RESUME" && range != nil {
            // REST past the end of the file: there is nothing to read there.
            return .empty
        } catch {
            throw await explainFileFailure(error, path: path, operation: "read")
        }
    }

    public func remove(_ path: VPath) async throws {
        let shown = display(path)
        if path.isRoot { throw isADirectory("delete", shown) }
        if case .failure(let error) = await client.commandsOrFailure(["DELE \(FTPPaths.serverPath(path))"]) {
            throw await explainFileFailure(error, path: path, operation: "delete")
        }
    }

    public func makeDirectory(_ path: VPath) async throws {
        let shown = display(path)
        if path.isRoot {
            throw VFSError(.alreadyExists, "create the folder: the root always exists", path: shown, backend: "ftp")
        }
        guard case .failure(let error) = await client.commandsOrFailure(["MKD \(FTPPaths.serverPath(path))"]) else {
            directories.insert(path)
            return
        }
        let base = FTPErrors.vfsError(from: error, operation: "create the folder", path: shown)
        guard isRefusal(error) else { throw base }
        if (try? await infoIfExists(path)) ?? nil != nil {
            throw VFSError(.alreadyExists, "create the folder: something already exists there", path: shown,
                           remedy: "remove it first or choose another name", backend: "ftp", cause: base.cause)
        }
        if path.parent.isRoot == false, (try? await infoIfExists(path.parent)) ?? nil == nil {
            throw VFSError(.notFound, "create the folder: the parent folder does not exist", path: shown,
                           remedy: "create the parent first (`dctc mkdir -p`)", backend: "ftp", cause: base.cause)
        }
        throw base
    }

    public func removeDirectory(_ path: VPath) async throws {
        let shown = display(path)
        if path.isRoot {
            throw VFSError(.permissionDenied, "remove the folder: the root cannot be removed", path: shown, backend: "ftp")
        }
        guard case .failure(let error) = await client.commandsOrFailure(["RMD \(FTPPaths.serverPath(path))"]) else {
            directories.remove(path)
            return
        }
        let base = FTPErrors.vfsError(from: error, operation: "remove the folder", path: shown)
        guard isRefusal(error) else { throw base }
        let existing: FileInfo?
        do { existing = try await infoIfExists(path) } catch { throw base }
        guard let existing else { throw VFSError.notFound(shown).withCause(base.cause) }
        guard existing.isDirectory else {
            throw VFSError(.notADirectory, "remove the folder: it is a file", path: shown,
                           remedy: "use `dctc rm` for files", backend: "ftp", cause: base.cause)
        }
        var entries = 0
        do {
            for try await page in list(path) { entries += page.count }
        } catch {
            throw base
        }
        if entries > 0 {
            throw VFSError(.notEmpty, "remove the folder: it is not empty", path: shown,
                           remedy: "remove its contents first, or use a recursive command", backend: "ftp", cause: base.cause)
        }
        throw base
    }

    // MARK: - Optional powers

    /// Renames with `RNFR`/`RNTO`, creating the destination's parents first. An existing file
    /// at the destination is replaced (deleted first when the server refuses to overwrite).
    ///
    /// - Throws: `.notFound` for a missing source, `.isADirectory` when the destination is a
    ///   folder.
    public func move(from source: VPath, to destination: VPath) async throws {
        let shown = display(source)
        if !directories.contains(destination.parent) { try await makeDirectories(destination.parent) }
        let rename = ["RNFR \(FTPPaths.serverPath(source))", "RNTO \(FTPPaths.serverPath(destination))"]
        guard case .failure(let error) = await client.commandsOrFailure(rename) else {
            directories.remove(source)
            return
        }
        let base = FTPErrors.vfsError(from: error, operation: "move", path: shown)
        guard isRefusal(error) else { throw base }
        guard let from = try await infoIfExists(source) else { throw VFSError.notFound(shown).withCause(base.cause) }
        if let to = try await infoIfExists(destination) {
            if to.isDirectory { throw isADirectory("move", display(destination)) }
            if !from.isDirectory {
                // Servers that refuse to rename over an existing file (RFC 959 leaves it open).
                _ = try await client.commands(["DELE \(FTPPaths.serverPath(destination))"] + rename,
                                              operation: "move", path: shown)
                return
            }
        }
        throw base
    }

    /// Sets the time with `MFMT` (or vsftpd's `MDTM YYYYMMDDHHMMSS path`), to the second.
    ///
    /// - Throws: `.unsupported` when the server cannot set times, `.notFound`.
    public func setModificationTime(_ path: VPath, to date: Date) async throws {
        let shown = display(path)
        guard let command = timeCommand(date, FTPPaths.serverPath(path)) else {
            throw VFSError.unsupported("setting modification times", path: shown, backend: "ftp")
        }
        if case .failure(let error) = await client.commandsOrFailure([command]) {
            throw await explainFileFailure(error, path: path, operation: "set the modification time")
        }
    }

    // MARK: - Helpers

    /// The command that sets `path`'s time to `date`, or nil when the server cannot.
    func timeCommand(_ date: Date, _ serverPath: String) -> String? {
        switch timeCommand {
        case .mfmt: return "MFMT \(FTPTime.format(date)) \(serverPath)"
        case .mdtm: return "MDTM \(FTPTime.format(date)) \(serverPath)"
        case .none, .automatic: return nil
        }
    }

    func isADirectory(_ operation: String, _ shown: String) -> VFSError {
        VFSError(.isADirectory, "\(operation): it is a folder", path: shown,
                 remedy: "give the path of a file, or use a recursive command", backend: "ftp")
    }

    /// A 550 from MLST or CWD while looking at a path: missing, unless the text says denied.
    func notFoundOrDenied(_ reply: FTPReply, operation: String, path: String) -> VFSError {
        let e = FTPErrors.vfsError(reply, operation: operation, path: path)
        if e.code == .permissionDenied || e.code == .authenticationFailed || e.isRetryable { return e }
        return VFSError.notFound(path).withCause(e.cause)
    }

    /// Explains a refused file operation by looking at the path: vsftpd answers 550 with the
    /// same words whether the file is missing, a folder or forbidden.
    func explainFileFailure(_ error: any Error, path: VPath, operation: String) async -> VFSError {
        let shown = display(path)
        let base = FTPErrors.vfsError(from: error, operation: operation, path: shown)
        guard isRefusal(error) else { return base }
        do {
            guard let existing = try await infoIfExists(path) else { return VFSError.notFound(shown).withCause(base.cause) }
            if existing.isDirectory { return isADirectory(operation, shown).withCause(base.cause) }
            if base.code == .notFound {
                return VFSError(.permissionDenied, "\(operation): the server refused it", path: shown,
                                remedy: "check that this account may read or write there", backend: "ftp", cause: base.cause)
            }
            return base
        } catch {
            return base
        }
    }

    /// Explains a refused `CWD` into a folder to list or write in.
    func explainDirectoryFailure(_ error: any Error, path: VPath, operation: String) async -> VFSError {
        let shown = display(path)
        let base = FTPErrors.vfsError(from: error, operation: operation, path: shown)
        guard isRefusal(error) else { return base }
        do {
            guard let existing = try await infoIfExists(path) else { return VFSError.notFound(shown).withCause(base.cause) }
            if !existing.isDirectory {
                return VFSError(.notADirectory, "\(operation): it is a file, not a folder", path: shown,
                                remedy: "give the path of a folder", backend: "ftp", cause: base.cause)
            }
            return base
        } catch {
            return base
        }
    }

    /// 12 random characters from `[a-z0-9]`.
    static func randomName() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<12).map { _ in alphabet.randomElement() ?? "x" })
    }
}

extension VFSError {
    /// The same error with the native cause replaced, when there is one.
    func withCause(_ cause: String?) -> VFSError {
        var copy = self
        if let cause { copy.cause = cause }
        copy.backend = copy.backend ?? "ftp"
        return copy
    }
}

/// A download's (or listing's) body with its errors naming the store path instead of
/// libcurl's URL.
final class FTPBodySource: ByteSource {
    private let body: ByteStream
    private let path: String
    private let operation: String

    init(_ body: ByteStream, path: String, operation: String = "read") {
        self.body = body
        self.path = path
        self.operation = operation
    }

    func next() async throws -> [UInt8]? {
        do {
            return try await body.source.next()
        } catch {
            throw FTPErrors.vfsError(from: error, operation: operation, path: path)
        }
    }

    func cancel() async { await body.cancel() }
}

extension FTPFileSystem: AddressPathResolving {
    /// `ftp://host/a/b` names `a/b` in the login folder; `ftp://host/%2Fa/b` names `/a/b`.
    /// Account addresses (`NAME:/path`) keep their absolute paths.
    public func storePath(for address: Address) -> VPath? {
        guard address.scheme == .ftp || address.scheme == .ftps, !address.fromServerRoot else { return nil }
        return VPath(components: loginFolder.components + address.path.components)
    }
}
