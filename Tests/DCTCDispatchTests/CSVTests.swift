import DCTCCore
@testable import DCTCDispatch
import Testing

@Suite("CSV records and fields")
struct CSVTests {
    /// Splits `text` in chunks of `chunk` bytes and returns the records and their first lines.
    func records(_ text: String, chunk: Int, format: RecordFormat = .csv) throws -> [(String, Int, Bool)] {
        let splitter = RecordSplitter(format: format, separator: UInt8(ascii: ","), maxRecordBytes: 1 << 20, displayPath: "t")
        var out: [(String, Int, Bool)] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            try splitter.feed(Array(bytes[offset..<end])) { out.append((String(decoding: $0.bytes, as: UTF8.self), $0.line, $0.unterminatedQuote)) }
            offset = end
        }
        try splitter.finish { out.append((String(decoding: $0.bytes, as: UTF8.self), $0.line, $0.unterminatedQuote)) }
        return out
    }

    func fields(_ record: String, csv: Bool = true) -> [String] {
        let reader = FieldReader(csv: csv, separator: UInt8(ascii: ","))
        return Array(record.utf8).withUnsafeBytes { reader.fields(of: $0).map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test("newlines, separators and doubled quotes inside quotes stay in one record, whatever the chunking",
          arguments: [1, 2, 3, 7, 1000])
    func quotedNewlines(chunk: Int) throws {
        let text = "a,\"x\ny\",b\n\"he said \"\"hi,\nthere\"\"\",2\nlast,\"\"\n"
        let got = try records(text, chunk: chunk)
        #expect(got.map(\.0) == ["a,\"x\ny\",b", "\"he said \"\"hi,\nthere\"\"\",2", "last,\"\""])
        #expect(got.map(\.1) == [1, 3, 5], "records are numbered by the line they start on")
    }

    @Test("in lines format a quote means nothing")
    func linesIgnoreQuotes() throws {
        #expect(try records("a,\"x\ny\"\n", chunk: 3, format: .lines).map(\.0) == ["a,\"x", "y\""])
    }

    @Test("a quote in the middle of an unquoted field is an ordinary character")
    func strayQuote() throws {
        #expect(try records("5\" disk,FR\nnext,DE\n", chunk: 4).map(\.0) == ["5\" disk,FR", "next,DE"])
        #expect(fields("5\" disk,FR") == ["5\" disk", "FR"])
    }

    @Test("an input that ends inside quotes hands out its last record flagged")
    func unterminated() throws {
        let got = try records("a,1\nb,\"open\nstill open", chunk: 5)
        #expect(got.count == 2)
        #expect(got[1].0 == "b,\"open\nstill open")
        #expect(got[1].2)
    }

    @Test("fields are unquoted: doubled quotes, separators and newlines inside, empty fields")
    func fieldValues() {
        #expect(fields("a,\"b,c\",\"d\"\"e\",,\"\",\"x\ny\"") == ["a", "b,c", "d\"e", "", "", "x\ny"])
        #expect(fields("a,b,") == ["a", "b", ""])
        #expect(fields("") == [""])
        #expect(fields("\"a,b\",c", csv: false) == ["\"a", "b\"", "c"])
    }

    @Test("a record longer than the limit fails instead of filling memory")
    func recordLimit() throws {
        let splitter = RecordSplitter(format: .csv, separator: UInt8(ascii: ","), maxRecordBytes: 64, displayPath: "mem://t/big.csv")
        let error = #expect(throws: VFSError.self) {
            for _ in 0..<10 { try splitter.feed(Array("x,\"never closed ".utf8)) { _ in } }
        }
        #expect(error?.code == .corruptData)
        #expect(error?.description.contains("unterminated quote") == true)
    }

    @Test("a value with a quoted separator and a newline partitions by its unquoted text, the record intact")
    func quotedKeysEndToEnd() async throws {
        let f = MemoryFixture()
        let input = "id,city,note\n1,\"Paris, FR\",\"two\nlines\"\n2,Lyon,x\n3,\"Paris, FR\",\"say \"\"hi\"\"\"\n"
        try await f.put("/in/c.csv", input)
        let report = try await f.run(["/in/c.csv"], DispatchOptions(partitioning: .value, field: .column(2), format: .csv, header: true))
        #expect(try await f.files() == ["Lyon.csv", "Paris, FR.csv"])
        #expect(try await f.text("/out/Paris, FR.csv") == "id,city,note\n1,\"Paris, FR\",\"two\nlines\"\n3,\"Paris, FR\",\"say \"\"hi\"\"\"\n")
        #expect(report.records == 3)
    }

    @Test("an unterminated quote at the end of the input is an unpartitionable record")
    func unterminatedEndToEnd() async throws {
        let f = MemoryFixture()
        try await f.put("/in/c.csv", "FR,1\nDE,\"broken\n")
        let error = await #expect(throws: VFSError.self) {
            try await f.run(["/in/c.csv"], DispatchOptions(partitioning: .value, field: .column(1), format: .csv))
        }
        #expect(error?.message == "line 2: a quoted field is still open at the end of the input")
        var options = DispatchOptions(partitioning: .value, field: .column(1), format: .csv)
        options.onError = .skip
        let report = try await f.run(["/in/c.csv"], options)
        #expect(report.unpartitionable == 1)
        #expect(try await f.files() == ["FR.csv"])
    }
}
