import DCTCCompression
import DCTCCore
import DCTCDispatch
import Testing

@Suite("Compressed inputs and outputs")
struct CompressionTests {
    static let csv = "2013-06-03,a\n2013-06-04,b\n2013-06-03,c\n"

    @Test("gzip and bzip2 inputs are decompressed by their bytes, whatever their names", arguments: [Codec.gzip, .bzip2])
    func compressedInputs(codec: Codec) async throws {
        let f = MemoryFixture()
        try await f.put("/in/events.csv.\(codec.fileExtension)", bytes: try await compress(Self.csv, codec))
        try await f.put("/in/misnamed.csv", bytes: try await compress("2013-06-05,d\n", codec))
        let report = try await f.run(["/in/events.csv.\(codec.fileExtension)", "/in/misnamed.csv"], byTime(.column(1)))
        #expect(try await f.files() == ["2013-06-03.csv", "2013-06-04.csv", "2013-06-05.csv"], "the default name drops the .\(codec.fileExtension)")
        #expect(try await f.text("/out/2013-06-03.csv") == "2013-06-03,a\n2013-06-03,c\n")
        #expect(report.records == 4)
    }

    @Test("outputs compressed with --compress decompress to exactly the records", arguments: [Codec.gzip, .bzip2])
    func compressedOutputs(codec: Codec) async throws {
        let f = MemoryFixture()
        let many = (0..<5000).map { "2013-06-0\($0 % 3 + 1),record \($0) with some text to compress\n" }.joined()
        try await f.put("/in/e.csv", many)
        var options = byTime(.column(1))
        options.compression = codec
        let report = try await f.run(["/in/e.csv"], options)
        #expect(try await f.files() == ["2013-06-01", "2013-06-02", "2013-06-03"].map { "\($0).csv.\(codec.fileExtension)" })
        for (i, output) in report.outputs.enumerated() {
            let stored = try await f.raw(output.path.string)
            #expect(Codec.detect(magic: stored) == codec)
            #expect(output.bytes == Int64(stored.count))
            #expect(output.bytes < output.uncompressedBytes)
            let expected = many.split(separator: "\n").filter { $0.hasPrefix("2013-06-0\(i + 1)") }.map { $0 + "\n" }.joined()
            #expect(try await f.text(output.path.string) == expected)
        }
    }

    @Test("a template ending in .gz compresses without --compress, into {key} folders")
    func templateSuffix() async throws {
        let f = MemoryFixture()
        try await f.put("/in/e.csv", Self.csv)
        var options = byTime(.column(1))
        options.nameTemplate = "{key}/events.csv.gz"
        try await f.run(["/in/e.csv"], options)
        #expect(try await f.files() == ["2013-06-03/events.csv.gz", "2013-06-04/events.csv.gz"])
        #expect(Codec.detect(magic: try await f.raw("/out/2013-06-03/events.csv.gz")) == .gzip)
        #expect(try await f.text("/out/2013-06-04/events.csv.gz") == "2013-06-04,b\n")
    }

    @Test("corrupt gzip input fails naming the input, and nothing is written")
    func corruptInput() async throws {
        let f = MemoryFixture()
        var bytes = try await compress(String(repeating: "2013-06-03,x\n", count: 1000), .gzip)
        bytes.removeLast(bytes.count / 2)
        try await f.put("/in/bad.csv.gz", bytes: bytes)
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/bad.csv.gz"], byTime(.column(1))) }
        #expect(error?.path == "mem://test/in/bad.csv.gz")
        #expect(try await f.files() == [])
    }

    @Test("a zip archive is refused as input")
    func zipRefused() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.zip", bytes: [0x50, 0x4b, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/a.zip"], byTime(.column(1))) }
        #expect(error?.code == .unsupported)
    }
}
