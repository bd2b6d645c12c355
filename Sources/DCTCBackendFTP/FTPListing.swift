import DCTCCore
import DCTCCurl
import Foundation

/// Reads one directory listing (`MLSD`, else `LIST -a`) as it streams from the data connection
/// and hands it out in pages of `pageSize` entries, so a directory of a million entries never
/// sits in memory at once.
///
/// The listing carries every entry's kind and size, and its modification time: exact (to the
/// second, UTC) from MLSD `modify=` facts; from LIST only to the minute for recent entries
/// and to the day for older ones (see `FTPListParser`). No `MDTM` is sent per entry: `info`
/// gives the exact time of one file when it matters. A consumer that stops early drops the
/// reader, and with it the body, which aborts the transfer.
actor FTPListingReader {
    private let fs: FTPFileSystem
    private let directory: VPath
    private let pageSize: Int
    private var body: ByteStream?
    private var started = false
    private var finished = false
    private var pending: [UInt8] = []
    private var page: [FileInfo] = []
    private let now = Date()

    init(fs: FTPFileSystem, directory: VPath, pageSize: Int) {
        self.fs = fs
        self.directory = directory
        self.pageSize = max(1, pageSize)
    }

    /// The next page, or nil at the end.
    /// - Throws: `.notFound` for a missing directory, `.notADirectory` for a file, or the
    ///   mapped transfer error.
    func nextPage() async throws -> [FileInfo]? {
        if !started {
            started = true
            body = try await fs.openListing(directory)
        }
        while !finished, page.count < pageSize {
            guard let body else { break }
            let chunk: [UInt8]?
            do {
                chunk = try await body.source.next()
            } catch {
                finished = true
                throw error
            }
            guard let chunk else {
                finished = true
                if !pending.isEmpty { consumeLine(pending) }
                pending = []
                break
            }
            pending.append(contentsOf: chunk)
            consumeLines()
        }
        if page.isEmpty { return finished ? nil : [] }
        let out: [FileInfo]
        if page.count > pageSize {
            out = Array(page.prefix(pageSize))
            page.removeFirst(pageSize)
        } else {
            out = page
            page = []
        }
        return out
    }

    /// Parses every complete line in `pending`.
    private func consumeLines() {
        var start = 0
        let newline = UInt8(ascii: "\n")
        pending.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                if buffer[i] == newline {
                    consumeLine(Array(buffer[start..<i]))
                    start = i + 1
                }
                i += 1
            }
        }
        if start > 0 { pending.removeFirst(start) }
    }

    private func consumeLine(_ raw: [UInt8]) {
        var bytes = raw[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty else { return }
        let line = String(decoding: bytes, as: UTF8.self)
        let entry = fs.features.hasMLST ? FTPMLSDParser.parse(line) : FTPListParser.parse(line, now: now)
        guard let entry, !entry.name.contains("/") else { return }
        page.append(fs.fileInfo(entry, in: directory))
    }
}

extension FTPFileSystem {
    /// Starts the listing transfer of `directory`: `CWD` into it, then `MLSD` or `LIST -a`
    /// (`-a` so vsftpd shows dot files) on the data connection.
    ///
    /// - Throws: `.notFound`, `.notADirectory` (found by looking at the path when the `CWD`
    ///   fails), or the mapped transfer error.
    func openListing(_ directory: VPath) async throws -> ByteStream {
        var r = client.request(url: FTPPaths.baseURL(configuration))
        r.ftpCommands = [FTPClient.cwd(directory)]
        r.customRequest = features.hasMLST ? "MLSD" : "LIST -a"
        do {
            let response = try await client.perform(r, idempotent: true)
            directories.insert(directory)
            return ByteStream(FTPBodySource(response.body, path: display(directory), operation: "list"))
        } catch {
            throw await explainDirectoryFailure(error, path: directory, operation: "list")
        }
    }

    /// The `FileInfo` of a listing entry.
    func fileInfo(_ entry: FTPListEntry, in directory: VPath) -> FileInfo {
        FileInfo(path: directory.appending(entry.name), kind: entry.kind, size: entry.size,
                 modificationTime: entry.modificationTime, mode: entry.mode)
    }
}
