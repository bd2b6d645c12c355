import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One local spool file per output key, with bounded memory and at most `maxOpen` of them
/// open at once.
///
/// Stores write whole files atomically, so an output cannot be appended to as records
/// arrive. Records are therefore spooled, per key, to files in a private local folder and
/// written to the destination once every input has been read.
///
/// Records are first gathered in a buffer per key. A key's buffer is written to its spool
/// file when it reaches `flushBytes`; when all buffers together pass `memoryLimit`, the
/// largest are written until they hold half of it. A written buffer's memory is released. Writing
/// needs the key's file open: when `maxOpen` files are open, the least recently written one
/// is closed (`close(2)`), and a closed key is reopened with `O_APPEND` when it is written
/// again. So memory stays near `memoryLimit` (plus one entry per key) and descriptors at
/// `maxOpen`, whatever the input size and the number of keys, and with many keys a file is
/// opened once per flush of its buffer, not once per record.
///
/// Used on one thread only (the run's `IOThread`): every call here is blocking file I/O.
final class SpoolSet {
    struct Entry {
        let key: String
        let file: String
        var fd: Int32 = -1
        var created = false
        var buffer: [UInt8] = []
        var lastWrite: UInt64 = 0
        /// Records spooled (the header not included).
        var records = 0
        /// Bytes spooled, header included.
        var bytes: Int64 = 0
    }

    let directory: String
    private let maxOpen: Int
    private let maxKeys: Int
    private let memoryLimit: Int
    private let flushBytes: Int
    private(set) var entries: [Entry] = []
    private var indexOfKey: [String: Int] = [:]
    private var openIndices: [Int] = []
    private var buffered = 0
    private var clock: UInt64 = 0

    /// Makes a private folder (`mkdtemp(3)`, mode 0700) inside `parent`.
    /// - Parameters:
    ///   - memoryLimit: bytes buffered over all keys before the largest buffers are written.
    /// - Throws: `VFSError(.io)`/`.permissionDenied`/`.notFound` for the `mkdtemp` errno.
    init(parent: String, maxOpen: Int, maxKeys: Int, memoryLimit: Int = 16 << 20) throws {
        var template = Array((parent.hasSuffix("/") ? parent : parent + "/").utf8CString.dropLast())
        template += Array("dctc-dispatch-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return mkdtemp(base) != nil
        }
        guard made else { throw Self.error(errno, "cannot make a spool folder", path: parent) }
        directory = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.maxOpen = maxOpen
        self.maxKeys = maxKeys
        self.memoryLimit = max(1, memoryLimit)
        self.flushBytes = min(64 * 1024, self.memoryLimit)
    }

    deinit {
        for index in openIndices where entries[index].fd >= 0 { Glibc.close(entries[index].fd) }
    }

    /// Appends one record (and a `\n`) to the key's spool; a new key's spool starts with `header`.
    /// - Throws: `VFSError(.invalidArgument)` beyond `maxKeys` keys; `VFSError` for the
    ///   errno of `open`/`write`/`close` (a full disk is `.io`).
    func append(key: String, record: UnsafeRawBufferPointer, header: [UInt8]?) throws {
        let index: Int
        if let known = indexOfKey[key] {
            index = known
        } else {
            guard entries.count < maxKeys else {
                throw VFSError.invalid("more than \(maxKeys) different keys",
                                       remedy: "check the column or regex; raise --max-keys if so many outputs are intended")
            }
            index = entries.count
            entries.append(Entry(key: key, file: directory + "/k\(index)"))
            indexOfKey[key] = index
            if let header {
                entries[index].buffer.append(contentsOf: header)
                entries[index].buffer.append(0x0A)
                entries[index].bytes += Int64(header.count + 1)
                buffered += header.count + 1
            }
        }
        entries[index].buffer.append(contentsOf: record)
        entries[index].buffer.append(0x0A)
        entries[index].records += 1
        entries[index].bytes += Int64(record.count + 1)
        buffered += record.count + 1
        if entries[index].buffer.count >= flushBytes {
            try flush(index)
        }
        if buffered > memoryLimit { try relieveMemory() }
    }

    /// Writes every buffer and closes every spool file; each key then has its file.
    func closeAll() throws {
        for index in entries.indices where !entries[index].buffer.isEmpty || !entries[index].created {
            try flush(index)
        }
        while let index = openIndices.first { try closeEntry(index) }
    }

    /// Removes the spool files and the folder (errors ignored: it is scratch space).
    func removeAll() {
        for index in openIndices where entries[index].fd >= 0 {
            Glibc.close(entries[index].fd)
            entries[index].fd = -1
        }
        openIndices.removeAll()
        for entry in entries where entry.created { unlink(entry.file) }
        rmdir(directory)
    }

    // MARK: - Buffers and descriptors

    /// Writes the largest buffers until half the memory limit is free.
    private func relieveMemory() throws {
        let bySize = entries.indices.filter { !entries[$0].buffer.isEmpty }
            .sorted { entries[$0].buffer.count > entries[$1].buffer.count }
        for index in bySize {
            guard buffered > memoryLimit / 2 else { break }
            try flush(index)
        }
    }

    /// Writes a key's buffer to its file, opening (or creating) the file first when needed,
    /// and frees the buffer's memory (kept capacity would escape `memoryLimit`).
    private func flush(_ index: Int) throws {
        if entries[index].fd < 0 { try openEntry(index) }
        clock += 1
        entries[index].lastWrite = clock
        let count = entries[index].buffer.count
        if count > 0, let err = FileDescriptorIO.writeAll(entries[index].fd, entries[index].buffer) {
            throw Self.error(err, "cannot write a spool file", path: entries[index].file)
        }
        buffered -= count
        entries[index].buffer = []
    }

    private func openEntry(_ index: Int) throws {
        if openIndices.count >= maxOpen, let victim = openIndices.min(by: { entries[$0].lastWrite < entries[$1].lastWrite }) {
            try closeEntry(victim)
        }
        let creating = !entries[index].created
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (creating ? O_CREAT | O_EXCL : 0)
        let fd = Glibc.open(entries[index].file, flags, 0o600)
        guard fd >= 0 else {
            let err = errno
            throw Self.error(err, "cannot open a spool file", path: entries[index].file,
                             remedy: err == EMFILE || err == ENFILE ? "lower --max-open" : nil)
        }
        entries[index].fd = fd
        entries[index].created = true
        openIndices.append(index)
    }

    /// Closes a key's file; its buffer stays (it is written when the key is flushed again).
    private func closeEntry(_ index: Int) throws {
        let fd = entries[index].fd
        entries[index].fd = -1
        openIndices.removeAll { $0 == index }
        guard Glibc.close(fd) == 0 else { throw Self.error(errno, "cannot close a spool file", path: entries[index].file) }
    }

    static func error(_ code: Int32, _ what: String, path: String, remedy: String? = nil) -> VFSError {
        let text = String(cString: strerror(code))
        let kind: VFSError.Code = switch code {
        case ENOENT: .notFound
        case EACCES, EPERM: .permissionDenied
        default: .io
        }
        return VFSError(kind, "\(what): \(text)", path: path,
                        remedy: remedy ?? (code == ENOSPC ? "free space there, or spool elsewhere with --spool-dir" : "check the spool folder (--spool-dir)"),
                        backend: "local", cause: "errno \(code)")
    }
}

/// A spool file opened for reading by an upload; closed in `deinit` at the latest.
///
/// Touched only on the run's `IOThread` (reads and `close`), hence `@unchecked Sendable`.
final class SpoolReadHandle: @unchecked Sendable {
    private var fd: Int32
    let path: String

    /// Opens the file (`open(2)` read-only).
    init(path: String) throws {
        fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        self.path = path
        guard fd >= 0 else { throw SpoolSet.error(errno, "cannot read a spool file", path: path) }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Up to `count` bytes (`read(2)`); empty at the end.
    func read(upTo count: Int) throws -> [UInt8] {
        guard fd >= 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        while true {
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw SpoolSet.error(errno, "cannot read a spool file", path: path) }
            out.removeSubrange(n...)
            return out
        }
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

/// A spool file as a `ByteStream`, read in chunks on the run's `IOThread`.
actor SpoolFileSource: ByteSource {
    private var handle: SpoolReadHandle?
    private let thread: IOThread

    init(handle: SpoolReadHandle, thread: IOThread) {
        self.handle = handle
        self.thread = thread
    }

    func next() async throws -> [UInt8]? {
        guard let handle else { return nil }
        let chunk = try await thread.run { try handle.read(upTo: ByteStream.defaultChunkSize) }
        if chunk.isEmpty {
            await release()
            return nil
        }
        return chunk
    }

    func cancel() async { await release() }

    private func release() async {
        guard let h = handle else { return }
        handle = nil
        _ = try? await thread.run { h.close() }
    }
}
