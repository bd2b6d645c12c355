import DCTCCore
import DCTCCurl

/// What a store found out about its server: whether it speaks WebDAV, and how (if at all) it
/// keeps the modification time of an upload.
///
/// WebDAV has no standard way to set a file's modification time (`getlastmodified` is a
/// protected property: servers refuse or ignore a PROPPATCH of it), so each server that keeps
/// one does it its own way. The store claims `preservesModificationTime` only for servers known
/// to keep it, found from the `Server` header of the `OPTIONS` answer:
/// - nginx's DAV module sets an uploaded file's time from the PUT's `Date` header (it parses
///   `Date` for exactly this, in `ngx_http_dav_put_handler`);
/// - rclone's `serve webdav` takes `X-OC-Mtime: <epoch seconds>` on PUT, the ownCloud
///   convention (whole seconds: it rejects a fraction).
/// Others get no time: the file's time is that of the upload.
public struct HTTPServerProfile: Sendable, Hashable {
    /// How an upload's modification time reaches the server.
    public enum ModificationTimes: Sendable, Hashable {
        /// Not kept: the file gets the time of the upload.
        case notKept
        /// The PUT's `Date` header, whole seconds (nginx).
        case dateHeader
        /// `X-OC-Mtime: <epoch seconds>` on the PUT (rclone, ownCloud, Nextcloud).
        case ocMtimeHeader
    }

    /// The server speaks WebDAV: the store can write.
    public var isWebDAV: Bool
    /// The `Server` header, when the server sent one (`nginx/1.22.1`).
    public var serverName: String?
    public var modificationTimes: ModificationTimes
    /// The server leaves names starting with `.` out of its listings (nginx's autoindex and
    /// dav-ext modules do): such entries can be read by name but never show in `list`, and a
    /// folder holding only such entries looks empty.
    public var hidesDotFiles: Bool

    public init(isWebDAV: Bool, serverName: String? = nil, modificationTimes: ModificationTimes = .notKept,
                hidesDotFiles: Bool = false) {
        self.isWebDAV = isWebDAV
        self.serverName = serverName
        self.modificationTimes = isWebDAV ? modificationTimes : .notKept
        self.hidesDotFiles = hidesDotFiles
    }

    /// A plain HTTP server.
    public static let readOnly = HTTPServerProfile(isWebDAV: false)

    /// The profile for an `OPTIONS` answer.
    ///
    /// - Parameters:
    ///   - headers: the response headers (`DAV`, `Server`).
    ///   - forceWebDAV: the account says `webdav`: write even without a `DAV` header.
    static func from(headers: CurlHeaders, forceWebDAV: Bool) -> HTTPServerProfile {
        let dav = headers["dav"].map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? false
        let server = headers["server"]
        let name = server?.lowercased() ?? ""
        var times = ModificationTimes.notKept
        var hidesDotFiles = false
        if name.hasPrefix("nginx") {
            times = .dateHeader
            hidesDotFiles = true
        } else if name.hasPrefix("rclone") {
            times = .ocMtimeHeader
        }
        return HTTPServerProfile(isWebDAV: dav || forceWebDAV, serverName: server, modificationTimes: times,
                                 hidesDotFiles: hidesDotFiles)
    }

    /// The capabilities of a store talking to this server.
    var capabilities: Capabilities {
        Capabilities(writable: isWebDAV, hasDirectories: true, rangedReads: true,
                     preservesModificationTime: modificationTimes != .notKept,
                     modificationTimePrecision: 1, knownHashes: [], remoteHashes: [],
                     recursiveListing: false, caseInsensitive: false, maxNameBytes: 255, listPageSize: 1000,
                     serverSideCopy: isWebDAV, serverSideMove: isWebDAV)
    }
}
