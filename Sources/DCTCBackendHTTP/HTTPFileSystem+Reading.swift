import DCTCCore
import DCTCCurl
import Foundation

// MARK: - Primitives: metadata, listings, reads

extension HTTPFileSystem {
    /// Metadata of one entry: PROPFIND `Depth: 0` over WebDAV, HEAD otherwise.
    ///
    /// Over plain HTTP a directory is recognised by the server's redirect to the `/` form of
    /// its URL (nginx, Apache); the size comes from `Content-Length`, the time from
    /// `Last-Modified`, the identity from `ETag`.
    ///
    /// - Throws: `.notFound` (HTTP 404), `.authenticationFailed`, `.permissionDenied`,
    ///   `.unavailable` when the server cannot be reached.
    public func info(_ path: VPath) async throws -> FileInfo {
        if profile.isWebDAV { return try await propfindEntry(path) }
        return try await headInfo(path)
    }

    /// The children of a directory: one PROPFIND `Depth: 1` over WebDAV, else one GET of the
    /// directory's index page, served in pages of `listPageSize` from memory.
    ///
    /// - Throws (from the listing): `.notFound`, `.notADirectory`, `.corruptData` for an index
    ///   or multistatus document that does not parse.
    public func list(_ directory: VPath) -> Listing {
        let pageSize = capabilities.listPageSize
        let state = ListingState()
        return Listing(display: { [self] in display($0) }) { [self] in
            if let page = await state.nextPage() { return page }
            if await state.loaded { return nil }
            let entries = profile.isWebDAV ? try await propfindChildren(directory) : try await indexChildren(directory)
            await state.load(entries, pageSize: pageSize)
            return await state.nextPage() ?? []
        }
    }

    /// The content of a file, or `range` of it, streamed from one GET.
    ///
    /// The answer is checked against the request: a `206` must start where asked
    /// (`Content-Range`); a `200` to a ranged request (a server that ignores `Range`) is cut
    /// down to the asked bytes on the fly; a `416` (the range starts at or after the end)
    /// gives an empty stream.
    ///
    /// - Throws: `.notFound`, `.isADirectory`, `.io` when a server answers with another range.
    public func read(_ path: VPath, range: ByteRange?) async throws -> ByteStream {
        if path.isRoot { throw isADirectory(path) }
        if let range, range.length == 0 {
            let entry = try await info(path)
            if entry.isDirectory { throw isADirectory(path) }
            return .empty
        }
        let wanted = range.flatMap { $0.offset == 0 && $0.length == nil ? nil : $0 }
        var r = request("GET", path)
        r.range = wanted
        // Plain HTTP servers redirect a directory to its `/` URL: follow, then notice.
        r.followRedirects = !profile.isWebDAV
        let response = try await send(r, path)
        switch response.status {
        case 200, 206:
            if !path.isRoot, response.effectiveURL.hasSuffix("/") {
                await response.body.cancel()
                throw isADirectory(path)
            }
            guard let wanted else { return resuming(response, path, from: 0, end: nil, body: response.body) }
            if response.status == 200 {
                return resuming(response, path, from: wanted.offset, end: wanted.length.map { wanted.offset + $0 },
                                body: ByteStream(ByteWindowSource(upstream: response.body, skip: wanted.offset, take: wanted.length)))
            }
            guard let served = ContentRange(response.headers["content-range"]), served.first == wanted.offset else {
                await response.body.cancel()
                throw VFSError(.io, "the server sent another part of the file than the one asked for",
                               path: display(path), remedy: "retry; if it persists, copy the whole file instead",
                               backend: kind, cause: "asked \(wanted.httpHeader), got Content-Range: \(response.headers["content-range"] ?? "none")")
            }
            let end = wanted.length.map { wanted.offset + $0 }
            if let length = wanted.length, served.length > length {
                return resuming(response, path, from: wanted.offset, end: end,
                                body: ByteStream(ByteWindowSource(upstream: response.body, skip: 0, take: length)))
            }
            return resuming(response, path, from: wanted.offset, end: end, body: response.body)
        case 416:
            await response.body.cancel()
            return .empty
        default:
            let error = await statusError(response, path)
            if error.code != .notFound, profile.isWebDAV, [301, 302, 307, 308, 403, 405].contains(response.status),
               (try? await info(path))?.isDirectory == true {
                // WebDAV servers answer a GET of a collection with a redirect, 403 or 405.
                throw isADirectory(path)
            }
            throw error
        }
    }

    /// `body` made to resume after a cut: a ranged GET from the last byte received, `If-Match`
    /// the first answer's ETag (or `If-Unmodified-Since` its date), so a changed file is never
    /// spliced; errors name the user's path.
    func resuming(_ first: CurlResponse, _ path: VPath, from offset: Int64, end: Int64?, body: ByteStream) -> ByteStream {
        let shown = display(path)
        var conditions: [(String, String)] = []
        if let etag = first.headers["etag"], !etag.hasPrefix("W/") { conditions.append(("If-Match", etag)) }
        else if let date = first.headers["last-modified"] { conditions.append(("If-Unmodified-Since", date)) }
        let conditionHeaders = conditions
        return ByteStream(ResumingSource(first: body, offset: offset, end: end, policy: .requests,
                                         convert: { CurlError.vfsError(from: $0, path: shown) }) { [self] from, length in
            var r = request("GET", path, headers: conditionHeaders)
            r.range = ByteRange(offset: from, length: length)
            let response = try await send(r, path)
            guard response.status == 206, let served = ContentRange(response.headers["content-range"]), served.first == from else {
                let e = await statusError(response, path)
                if response.status == 200 || response.status == 206 {
                    throw VFSError(.unavailable, "the server could not resume the download where it was cut",
                                   path: shown, remedy: "run the command again", backend: kind, retryable: true)
                }
                throw e
            }
            return response.body
        })
    }

    // MARK: - Plain HTTP

    /// HEAD, following redirects; a fallback GET of one byte for servers that refuse HEAD.
    func headInfo(_ path: VPath) async throws -> FileInfo {
        // The root, and a folder the user typed with a trailing `/`, are asked about as `.../`.
        let asDirectory = typedDirectories.contains(path)
        var r = request("HEAD", path, directory: asDirectory)
        r.followRedirects = true
        var response = try await send(r, path)
        await response.body.cancel()
        if response.status == 405 || response.status == 501 {
            var get = request("GET", path, directory: asDirectory)
            get.followRedirects = true
            get.range = ByteRange(offset: 0, length: 1)
            response = try await send(get, path)
            await response.body.cancel()
        }
        guard (200..<300).contains(response.status) || (response.status == 416 && !path.isRoot) else {
            throw await statusError(response, path)
        }
        if asDirectory || response.effectiveURL.hasSuffix("/") {
            return FileInfo(path: path, kind: .directory,
                            modificationTime: response.headers["last-modified"].flatMap(HTTPDate.parse))
        }
        var size = response.headers["content-length"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
        if let range = ContentRange(response.headers["content-range"]) {
            size = range.total
        } else if response.status == 416 {
            size = 0
        }
        return FileInfo(path: path, kind: .file, size: size,
                        modificationTime: response.headers["last-modified"].flatMap(HTTPDate.parse),
                        etag: response.headers["etag"].flatMap(WebDAVMultistatus.unquote))
    }

    /// GET of `directory/` and a parse of the index page it returns.
    func indexChildren(_ directory: VPath) async throws -> [FileInfo] {
        let url = configuration.url(directory, directory: true)
        var r = request("GET", url: url)
        r.followRedirects = true
        let (response, body) = try await sendCollecting(r, directory)
        guard (200..<300).contains(response.status) else {
            let error = await statusError(response, directory)
            if error.code == .notFound, !directory.isRoot,
               let entry = try? await headInfo(directory), entry.isFile {
                throw notADirectory(directory)
            }
            throw error
        }
        let entries = try IndexPage.parse(body, contentType: response.headers["content-type"], directoryURL: url,
                                          display: display(directory))
        return entries.map { entry in
            FileInfo(path: directory.appending(entry.name),
                     kind: entry.isDirectory ? .directory : (entry.isOther ? .other : .file),
                     size: entry.size, modificationTime: entry.modificationTime)
        }
    }

    // MARK: - WebDAV

    static let propfindBody: [UInt8] = Array("""
        <?xml version="1.0" encoding="utf-8"?>
        <D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:getcontentlength/>\
        <D:getlastmodified/><D:getetag/></D:prop></D:propfind>
        """.utf8)

    /// PROPFIND with `depth`, following a redirect to the `/` form of a collection.
    ///
    /// - Returns: the entries, or nil when the server says 404.
    func propfind(_ path: VPath, depth: Int) async throws -> [WebDAVEntry]? {
        var r = request("PROPFIND", path, directory: path.isRoot,
                        headers: [("Depth", String(depth)), ("Content-Type", "application/xml; charset=utf-8")],
                        body: .bytes(Self.propfindBody))
        r.followRedirects = true
        let (response, body) = try await sendCollecting(r, path)
        if response.status == 404 || response.status == 410 {
            await response.body.cancel()
            return nil
        }
        // 207 Multi-Status; a few servers say 200 for the same document.
        guard response.status == 207 || response.status == 200 else { throw await statusError(response, path) }
        return try WebDAVMultistatus.parse(body, display: display(path))
    }

    /// The entry of `path` from a PROPFIND `Depth: 0`.
    func propfindEntry(_ path: VPath) async throws -> FileInfo {
        guard let info = try await propfindIfExists(path) else { throw notFound(path) }
        return info
    }

    func propfindIfExists(_ path: VPath) async throws -> FileInfo? {
        guard let entries = try await propfind(path, depth: 0) else { return nil }
        // The entry for `path`; the first one when the server spells its href another way.
        let own = entries.first(where: { configuration.storePath($0.components) == path }) ?? entries.first
        guard let own else { return nil }
        let info = Self.fileInfo(path, own)
        if info.isDirectory { knownDirectories.insert(path) }
        return info
    }

    /// The children from a PROPFIND `Depth: 1`; the listed entry itself must be a collection.
    func propfindChildren(_ directory: VPath) async throws -> [FileInfo] {
        guard let entries = try await propfind(directory, depth: 1) else { throw notFound(directory) }
        var children: [FileInfo] = []
        var seen = Set<VPath>()
        for entry in entries {
            guard let path = configuration.storePath(entry.components) else { continue }
            if path == directory {
                if !entry.isCollection { throw notADirectory(directory) }
                continue
            }
            // Only direct children; a server listing deeper (or elsewhere) is not believed.
            guard path.parent == directory, !path.isRoot, seen.insert(path).inserted else { continue }
            children.append(Self.fileInfo(path, entry))
        }
        knownDirectories.insert(directory)
        return children
    }

    static func fileInfo(_ path: VPath, _ entry: WebDAVEntry) -> FileInfo {
        FileInfo(path: path, kind: entry.isCollection ? .directory : .file,
                 size: entry.isCollection ? nil : entry.size,
                 modificationTime: entry.modificationTime, etag: entry.etag)
    }
}

/// A listing loaded in one request and handed out page by page.
actor ListingState {
    private var pages: [[FileInfo]] = []
    private(set) var loaded = false

    func load(_ entries: [FileInfo], pageSize: Int) {
        loaded = true
        let size = max(1, pageSize)
        pages = stride(from: 0, to: entries.count, by: size).map {
            Array(entries[$0..<min(entries.count, $0 + size)])
        }.reversed()
    }

    func nextPage() -> [FileInfo]? { pages.popLast() }
}

/// `Content-Range: bytes FIRST-LAST/TOTAL` (TOTAL may be `*`), or `bytes */TOTAL` of a 416.
struct ContentRange: Equatable {
    var first: Int64
    var last: Int64
    var total: Int64?

    var length: Int64 { last - first + 1 }

    init?(_ header: String?) {
        guard var text = header?.trimmingCharacters(in: .whitespaces), text.lowercased().hasPrefix("bytes") else {
            return nil
        }
        text = String(text.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        let halves = text.split(separator: "/", maxSplits: 1)
        guard halves.count == 2 else { return nil }
        total = Int64(halves[1])
        let bounds = halves[0].split(separator: "-")
        guard bounds.count == 2, let a = Int64(bounds[0]), let b = Int64(bounds[1]), a <= b else { return nil }
        first = a
        last = b
    }
}
