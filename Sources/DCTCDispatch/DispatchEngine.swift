import DCTCCompression
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Splits the records of input files into partitioned output files (`dctc dispatch`, and the
/// `dispatch` step of `dctc flow`).
///
/// The run has two phases:
/// 1. **Read.** Inputs are read one after the other, in order, decompressed on the way
///    (gzip, bzip2); records are cut (lines or CSV), keyed, and appended to a local spool
///    file per key (see `SpoolSet`: at most `maxOpen` descriptors, `spoolMemoryLimit` bytes
///    of buffers). Parsing
///    and spooling run on a thread of the run's own, never on the cooperative pool.
/// 2. **Write.** Once every input has been read without error, each key's spool is written
///    to its output path with the store's atomic `write` (compressed on the way when asked),
///    `uploadConcurrency` at a time, and its spool file removed.
///
/// So an input error (an unpartitionable record under `.fail`, corrupt gzip data, a missing
/// file) leaves the destination untouched. Each output appears whole or not at all; an
/// existing file at an output's path is replaced. If writing one output fails, the run stops
/// with that error and the outputs already written stay (running again rewrites them all).
/// Files in the output folder whose keys do not occur are left alone. The private spool
/// folder is removed in every case.
public enum DispatchEngine {
    /// Runs a dispatch.
    ///
    /// - Parameters:
    ///   - inputs: read in this order; records keep their order within each output.
    ///   - destination: the output folder (created as needed by the store's writes).
    ///   - options: see `DispatchOptions`.
    /// - Returns: the outputs written and the counts.
    /// - Throws: `VFSError`: `.invalidArgument` for bad options (see
    ///   `DispatchOptions.validate`), a header mismatch or more keys than `maxKeys`;
    ///   `.corruptData` for an unpartitionable record under `.fail` (message
    ///   `line N: why`, path the input) or a record longer than `maxRecordBytes`;
    ///   `.unsupported` for a zip input; the stores' read and write errors; `.cancelled`.
    public static func run(inputs: [DispatchInput], to destination: DispatchDestination,
                           options: DispatchOptions) async throws -> DispatchReport {
        try options.validate()
        guard let first = inputs.first else {
            throw VFSError.invalid("nothing to dispatch: no input given")
        }
        let (template, codec) = try options.resolvedNaming(firstInputName: first.fileName)
        let thread = IOThread(name: "dctc-dispatch")
        defer { thread.shutdown() }
        let processor = ThreadConfined<RecordProcessor?>(nil, on: thread)
        let parent = options.spoolDirectory ?? NSTemporaryDirectory()
        try await processor.withValue { value in
            value = try RecordProcessor(options: options,
                                        spool: SpoolSet(parent: parent, maxOpen: options.maxOpen, maxKeys: options.maxKeys,
                                                        memoryLimit: options.spoolMemoryLimit))
        }
        do {
            for input in inputs {
                try await read(input, into: processor)
            }
            let (pending, report) = try await processor.withValue { value -> ([PendingOutput], DispatchReport) in
                guard let p = value else { return ([], DispatchReport()) }
                try p.spool.closeAll()
                let pending = p.spool.entries.map {
                    PendingOutput(key: $0.key, file: $0.file, records: $0.records, bytes: $0.bytes)
                }
                return (pending, DispatchReport(inputs: p.summaries, records: p.records,
                                                unpartitionable: p.unpartitionable, blankLines: p.blankLines))
            }
            var result = report
            result.outputs = try await write(pending, to: destination, template: template, codec: codec,
                                             level: options.compressionLevel, concurrency: options.uploadConcurrency,
                                             thread: thread)
            await removeSpool(processor)
            return result
        } catch {
            await removeSpool(processor)
            throw error
        }
    }

    // MARK: - Reading

    /// Reads one input through the processor.
    private static func read(_ input: DispatchInput, into processor: ThreadConfined<RecordProcessor?>) async throws {
        try Task.checkCancellation()
        let name = input.displayName
        let raw = try await input.open()
        let (codec, sniffed) = try await raw.detectingCodec(name: input.fileName)
        var stream = sniffed
        if let codec {
            guard codec.isStream else {
                await sniffed.cancel()
                throw VFSError(.unsupported, "is a zip archive; dispatch reads text, gzip and bzip2", path: name,
                               remedy: "extract it first, e.g. with `dctc cp` from inside the archive")
            }
            do {
                stream = sniffed.transformed(chunkedBy: try codec.decoder(displayPath: name))
            } catch {
                await sniffed.cancel()
                throw error
            }
        }
        try await processor.withValue { $0?.begin(input: name) }
        do {
            for try await chunk in stream {
                try Task.checkCancellation()
                try await processor.withValue { try $0?.feed(chunk) }
            }
            try await processor.withValue { try $0?.end() }
        } catch {
            await stream.cancel()
            throw VFSError.wrap(error, path: name)
        }
    }

    private static func removeSpool(_ processor: ThreadConfined<RecordProcessor?>) async {
        _ = try? await processor.withValue { value in
            value?.spool.removeAll()
            value = nil
        }
    }

    // MARK: - Writing

    struct PendingOutput: Sendable {
        let key: String
        let file: String
        let records: Int
        let bytes: Int64
    }

    /// Writes every spooled key to its output, `concurrency` at a time, in key order.
    private static func write(_ pending: [PendingOutput], to destination: DispatchDestination,
                              template: OutputNameTemplate, codec: Codec?, level: Int?, concurrency: Int,
                              thread: IOThread) async throws -> [DispatchReport.Output] {
        let ordered = pending.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var outputs: [DispatchReport.Output] = []
        try await withThrowingTaskGroup(of: DispatchReport.Output.self) { group in
            var next = ordered.makeIterator()
            for _ in 0..<concurrency {
                guard let item = next.next() else { break }
                group.addTask {
                    try await writeOne(item, to: destination, template: template, codec: codec, level: level, thread: thread)
                }
            }
            while let done = try await group.next() {
                outputs.append(done)
                if let item = next.next() {
                    group.addTask {
                        try await writeOne(item, to: destination, template: template, codec: codec, level: level, thread: thread)
                    }
                }
            }
        }
        return outputs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    private static func writeOne(_ item: PendingOutput, to destination: DispatchDestination, template: OutputNameTemplate,
                                 codec: Codec?, level: Int?, thread: IOThread) async throws -> DispatchReport.Output {
        try Task.checkCancellation()
        let path = template.path(for: item.key, in: destination.directory)
        let file = item.file
        let handle = try await thread.run { try SpoolReadHandle(path: file) }
        var stream = ByteStream(SpoolFileSource(handle: handle, thread: thread))
        if let codec { stream = stream.compressed(with: codec, level: level) }
        let counter = StoredByteCounter()
        stream = stream.transformed(by: CountingTransform(counter))
        let id = TransferID.next()
        destination.observer?.transferStarted(id, path: path.name, size: codec == nil ? item.bytes : nil)
        stream = stream.observed(by: destination.observer, id: id)
        let attributes = WriteAttributes(modificationTime: Date(), expectedSize: codec == nil ? item.bytes : nil,
                                         sizeHint: codec == nil ? item.bytes : nil)
        let info: FileInfo
        do {
            info = try await destination.fs.write(path, from: stream, attributes: attributes)
            destination.observer?.transferFinished(id, error: nil)
        } catch {
            destination.observer?.transferFinished(id, error: error)
            throw error
        }
        _ = try? await thread.run { unlink(file) }
        return DispatchReport.Output(key: item.key, path: path, address: destination.fs.display(path),
                                     records: item.records, bytes: info.size ?? counter.value,
                                     uncompressedBytes: item.bytes)
    }
}

/// Counts the bytes that went to the store (read after the write).
final class StoredByteCounter: Sendable {
    private let total = Locked<Int64>(0)
    func add(_ n: Int) { total.withLock { $0 += Int64(n) } }
    var value: Int64 { total.value }
}

/// Passes bytes through, counting them.
final class CountingTransform: ByteTransform {
    private let counter: StoredByteCounter
    init(_ counter: StoredByteCounter) { self.counter = counter }
    func process(_ input: [UInt8]) throws -> [UInt8] { counter.add(input.count); return input }
    func finish() throws -> [UInt8] { [] }
}
