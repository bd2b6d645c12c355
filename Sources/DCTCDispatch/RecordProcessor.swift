import DCTCCore

/// Reads the records of the inputs one after the other and spools each to its key.
///
/// Lives on the run's `IOThread` (inside a `ThreadConfined`): parsing is CPU work and the
/// spool is blocking file I/O, neither of which may hold the cooperative pool.
final class RecordProcessor {
    private let options: DispatchOptions
    private let partitioner: Partitioner
    let spool: SpoolSet

    /// The first input's header line as written (no BOM, no `\n`), copied to every output.
    private var header: [UInt8]?
    /// The same without a trailing `\r`, to compare other inputs' headers with.
    private var headerComparable: [UInt8]?

    private var splitter: RecordSplitter?
    private var inputName = ""
    private var atInputStart = true
    private var headerRead = false
    private var inputRecords = 0
    private var inputUnpartitionable = 0

    private(set) var summaries: [DispatchReport.InputSummary] = []
    private(set) var records = 0
    private(set) var unpartitionable = 0
    private(set) var blankLines = 0

    init(options: DispatchOptions, spool: SpoolSet) throws {
        self.options = options
        self.partitioner = try Partitioner(options: options)
        self.spool = spool
    }

    /// Starts reading a new input.
    func begin(input displayName: String) {
        inputName = displayName
        splitter = RecordSplitter(format: options.format, separator: options.separator,
                                  maxRecordBytes: options.maxRecordBytes, displayPath: displayName)
        atInputStart = true
        headerRead = false
        inputRecords = 0
        inputUnpartitionable = 0
    }

    /// Processes the records completed by one chunk of decompressed content.
    /// - Throws: see `handle`.
    func feed(_ chunk: [UInt8]) throws {
        try splitter?.feed(chunk) { try handle($0) }
    }

    /// Processes the last record of the input and records its summary.
    func end() throws {
        try splitter?.finish { try handle($0) }
        splitter = nil
        summaries.append(DispatchReport.InputSummary(name: inputName, records: inputRecords, unpartitionable: inputUnpartitionable))
    }

    /// One record: dropped when blank, taken as the header, or spooled to its key.
    /// - Throws: `VFSError(.corruptData)` for an unpartitionable record under `.fail`
    ///   ("INPUT: line N: why"); `VFSError(.invalidArgument)` for a header that differs from
    ///   the first input's or lacks the named column; the spool's errors.
    private func handle(_ record: RawRecord) throws {
        var bytes = record.bytes
        if atInputStart {
            atInputStart = false
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
                bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
            }
        }
        var content = bytes
        if let last = content.last, last == 0x0D { content = UnsafeRawBufferPointer(rebasing: content.dropLast()) }
        if content.isEmpty && !record.unterminatedQuote {
            blankLines += 1
            return
        }
        if options.header && !headerRead {
            headerRead = true
            try useHeader(written: bytes, content: content)
            return
        }
        records += 1
        inputRecords += 1
        let outcome: Partitioner.Outcome = record.unterminatedQuote
            ? .unpartitionable("a quoted field is still open at the end of the input")
            : partitioner.key(for: content)
        switch outcome {
        case .key(let key):
            try spool.append(key: key, record: bytes, header: header)
        case .unpartitionable(let why):
            unpartitionable += 1
            inputUnpartitionable += 1
            switch options.onError {
            case .fail:
                throw VFSError(.corruptData, "line \(record.line): \(why)", path: inputName,
                               remedy: "fix the input or the options, or set such records aside with --on-error skip or --on-error file:KEY")
            case .skip:
                return
            case .toKey(let key):
                try spool.append(key: key, record: bytes, header: header)
            }
        }
    }

    private func useHeader(written: UnsafeRawBufferPointer, content: UnsafeRawBufferPointer) throws {
        let comparable = Array(content)
        if let headerComparable {
            guard headerComparable == comparable else {
                throw VFSError.invalid("its header line differs from the first input's", path: inputName,
                                       remedy: "dispatch inputs with different headers separately")
            }
        } else {
            header = Array(written)
            headerComparable = comparable
        }
        try partitioner.useHeader(content, displayPath: inputName)
    }
}
