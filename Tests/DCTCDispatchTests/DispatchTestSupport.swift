import DCTCBackendMemory
import DCTCCompression
import DCTCCore
import DCTCDispatch
import Foundation

/// An in-memory store with input files, and helpers to run a dispatch and read its outputs.
struct MemoryFixture {
    let fs = MemoryFileSystem()

    /// Writes an input file.
    func put(_ path: String, _ text: String) async throws {
        try await fs.write(VPath(path), bytes: Array(text.utf8))
    }

    func put(_ path: String, bytes: [UInt8]) async throws {
        try await fs.write(VPath(path), bytes: bytes)
    }

    /// Dispatches the inputs into `out`.
    @discardableResult
    func run(_ inputs: [String], _ options: DispatchOptions, out: String = "/out") async throws -> DispatchReport {
        try await DispatchEngine.run(inputs: inputs.map { .file(fs, VPath($0)) },
                                     to: DispatchDestination(fs: fs, directory: VPath(out)), options: options)
    }

    /// An output's content as text, decompressed when it is gzip or bzip2.
    func text(_ path: String) async throws -> String {
        let stream = try await fs.read(VPath(path)).decompressed(displayPath: path, name: VPath(path).name)
        return String(decoding: try await stream.collect(), as: UTF8.self)
    }

    /// The stored bytes of a file.
    func raw(_ path: String) async throws -> [UInt8] {
        try await fs.readAll(VPath(path))
    }

    /// Every file below a folder, relative to it, sorted.
    func files(_ dir: String = "/out") async throws -> [String] {
        guard try await fs.exists(VPath(dir)) else { return [] }
        var out: [String] = []
        for try await entry in fs.walk(VPath(dir)) where entry.isFile {
            out.append(entry.path.relative(to: VPath(dir)) ?? "")
        }
        return out.sorted()
    }
}

/// Compresses bytes with a codec, in memory.
func compress(_ text: String, _ codec: Codec) async throws -> [UInt8] {
    try await ByteStream.bytes(Array(text.utf8)).compressed(with: codec).collect()
}

/// Options for partitioning by time with a few common settings.
func byTime(_ field: FieldSelector, format: String? = nil, grain: TimeGrain = .day,
            zone: TimeZoneMode = .utc) -> DispatchOptions {
    DispatchOptions(partitioning: .time(format: format, grain: grain, zone: zone), field: field)
}
