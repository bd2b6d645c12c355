import DCTCCore
#if canImport(Glibc)
import Glibc
#endif

/// One record as the splitter hands it out.
struct RawRecord {
    /// The record's bytes, without its final `\n` (a `\r` before it is kept). Valid only
    /// during the call that receives it.
    let bytes: UnsafeRawBufferPointer
    /// The line (from 1) the record starts on.
    let line: Int
    /// CSV only: the input ended inside a quoted field.
    let unterminatedQuote: Bool
}

/// Cuts a byte stream into records, chunk by chunk, with bounded memory.
///
/// In `.lines` format a record ends at each `\n`. In `.csv` format a record ends at a `\n`
/// outside double quotes; a quote opens a quoted field only at the start of a field, and
/// inside one `""` is a quote (RFC 4180). A quote in the middle of an unquoted field is an
/// ordinary character, as most CSV readers take it. Records lying inside one chunk are handed
/// out without copying; a record spanning chunks is gathered in a carry buffer, which may
/// not grow beyond `maxRecordBytes` (a missing newline or an unterminated quote would
/// otherwise hold the whole input in memory).
final class RecordSplitter {
    private enum CSVState { case fieldStart, unquoted, quoted, quoteInQuoted }

    private let csv: Bool
    private let separator: UInt8
    private let maxRecordBytes: Int
    private let displayPath: String
    private var carry: [UInt8] = []
    private var state = CSVState.fieldStart
    /// The line the record being gathered starts on.
    private var recordLine = 1
    /// Newlines inside quoted fields of the record being gathered.
    private var innerNewlines = 0

    init(format: RecordFormat, separator: UInt8, maxRecordBytes: Int, displayPath: String) {
        self.csv = format == .csv
        self.separator = separator
        self.maxRecordBytes = maxRecordBytes
        self.displayPath = displayPath
    }

    /// Hands every record completed by `chunk` to `body`.
    /// - Throws: `VFSError(.corruptData)` for a record longer than `maxRecordBytes`; what
    ///   `body` throws.
    func feed(_ chunk: [UInt8], _ body: (RawRecord) throws -> Void) throws {
        try chunk.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            if csv {
                var i = 0
                while i < buffer.count {
                    let b = buffer[i]
                    switch state {
                    case .fieldStart:
                        if b == 0x22 { state = .quoted } else if b == separator { state = .fieldStart } else if b != 0x0A { state = .unquoted }
                    case .unquoted:
                        if b == separator { state = .fieldStart }
                    case .quoted:
                        if b == 0x22 { state = .quoteInQuoted } else if b == 0x0A { innerNewlines += 1 }
                    case .quoteInQuoted:
                        if b == 0x22 { state = .quoted } else if b == separator { state = .fieldStart } else if b != 0x0A { state = .unquoted }
                    }
                    if b == 0x0A && state != .quoted {
                        try emit(UnsafeRawBufferPointer(rebasing: buffer[start..<i]), unterminated: false, body)
                        start = i + 1
                        state = .fieldStart
                    }
                    i += 1
                }
            } else {
                while start < buffer.count, let hit = memchr(base + start, 0x0A, buffer.count - start) {
                    let end = base.distance(to: UnsafeRawPointer(hit))
                    try emit(UnsafeRawBufferPointer(rebasing: buffer[start..<end]), unterminated: false, body)
                    start = end + 1
                }
            }
            if start < buffer.count {
                try checkLength(carry.count + buffer.count - start)
                carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
            }
        }
    }

    /// Hands out the last record when the input did not end with a newline.
    func finish(_ body: (RawRecord) throws -> Void) throws {
        guard !carry.isEmpty else { return }
        let unterminated = csv && state == .quoted
        let last = carry
        carry = []
        try last.withUnsafeBytes { try emit($0, unterminated: unterminated, body) }
        state = .fieldStart
    }

    private func emit(_ piece: UnsafeRawBufferPointer, unterminated: Bool, _ body: (RawRecord) throws -> Void) throws {
        let line = recordLine
        recordLine += 1 + innerNewlines
        innerNewlines = 0
        if carry.isEmpty {
            try body(RawRecord(bytes: piece, line: line, unterminatedQuote: unterminated))
        } else {
            try checkLength(carry.count + piece.count)
            carry.append(contentsOf: piece)
            defer { carry.removeAll(keepingCapacity: carry.capacity <= 1 << 20) }
            try carry.withUnsafeBytes { try body(RawRecord(bytes: $0, line: line, unterminatedQuote: unterminated)) }
        }
    }

    private func checkLength(_ length: Int) throws {
        guard length <= maxRecordBytes else {
            throw VFSError(.corruptData, "line \(recordLine): a record is longer than \(maxRecordBytes) bytes"
                           + (csv ? " (an unterminated quote?)" : " (no newline?)"),
                           path: displayPath,
                           remedy: csv ? "check the quoting, or read the file with --format lines" : "check that the input is text with newlines")
        }
    }
}
