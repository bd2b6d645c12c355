import DCTCCompression
import DCTCCore
import Testing

@Suite("gzip codec")
struct GzipCodecTests {
    func gzip(_ bytes: [UInt8], level: Int = 6, chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
        try await run(bytes, through: try GzipEncoder(level: level), chunkSize: chunkSize)
    }

    func gunzip(_ bytes: [UInt8], path: String = "data.gz", chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
        try await run(bytes, through: try GzipDecoder(displayPath: path), chunkSize: chunkSize)
    }

    @Test("random data survives a gzip round trip at every level", arguments: [1, 6, 9])
    func roundTripRandom(level: Int) async throws {
        let data = randomBytes(700_000, seed: UInt64(level))
        let compressed = try await gzip(data, level: level)
        #expect(compressed.starts(with: [0x1f, 0x8b]))
        #expect(try await gunzip(compressed) == data)
    }

    @Test("compressible text shrinks and round-trips")
    func roundTripText() async throws {
        let data = logLines(2_000_000)
        let compressed = try await gzip(data)
        #expect(compressed.count < data.count / 2)
        #expect(try await gunzip(compressed) == data)
    }

    @Test("empty input encodes to a valid gzip member that decodes to nothing")
    func roundTripEmpty() async throws {
        let compressed = try await gzip([])
        #expect(compressed.count >= 18)  // 10-byte header, empty deflate block, 8-byte trailer
        #expect(try await gunzip(compressed).isEmpty)
    }

    @Test("empty input decodes to empty output")
    func emptyInputDecodesToNothing() async throws {
        #expect(try await gunzip([]).isEmpty)
    }

    @Test("many tiny chunks in and out give the same bytes")
    func tinyChunks() async throws {
        let data = logLines(50_000)
        let compressed = try await gzip(data, chunkSize: 7)
        #expect(try await gunzip(compressed, chunkSize: 1) == data)
        #expect(try await gunzip(compressed, chunkSize: 3) == data)
    }

    @Test("a highly compressible input comes out in pieces no bigger than the output buffer")
    func boundedOutputPieces() async throws {
        let zeros = [UInt8](repeating: 0, count: 8 * 1024 * 1024)
        let compressed = try await gzip(zeros, level: 9)
        #expect(compressed.count < 64 * 1024)
        // One input chunk holds the whole member, which expands 1000-fold.
        let stream = ByteStream.bytes(compressed, chunkSize: compressed.count)
            .transformed(chunkedBy: try GzipDecoder(displayPath: "zeros.gz"))
        var total = 0
        var largest = 0
        for try await piece in stream {
            total += piece.count
            largest = max(largest, piece.count)
        }
        #expect(total == zeros.count)
        #expect(largest <= codecOutputChunkSize)
    }

    @Test("concatenated members decode to the concatenated contents")
    func multiMember() async throws {
        let a = logLines(300_000, seed: 1), b = randomBytes(100_000, seed: 2), c = Array("tail\n".utf8)
        let joined = try await gzip(a) + (try await gzip(b)) + (try await gzip([])) + (try await gzip(c))
        #expect(try await gunzip(joined) == a + b + c)
        #expect(try await gunzip(joined, chunkSize: 5) == a + b + c)
    }

    @Test("zero padding after the last member is accepted")
    func zeroPadding() async throws {
        let data = logLines(10_000)
        let padded = try await gzip(data) + [UInt8](repeating: 0, count: 1000)
        #expect(try await gunzip(padded, chunkSize: 333) == data)
    }

    @Test("truncated gzip data fails as corrupt data naming the file")
    func truncated() async throws {
        let compressed = try await gzip(logLines(200_000))
        for cut in [1, 5, 12, compressed.count / 2, compressed.count - 4, compressed.count - 1] {
            let stream = ByteStream.bytes(Array(compressed.prefix(cut)))
                .transformed(chunkedBy: try GzipDecoder(displayPath: "logs/day.gz"))
            let error = try #require(await expectFailure(reading: stream))
            #expect(error.code == .corruptData)
            #expect(error.path == "logs/day.gz")
            #expect(error.message.contains("truncated gzip data"), "cut at \(cut): \(error)")
            #expect(error.remedy?.contains("--raw") == true)
            #expect(error.description.hasPrefix("logs/day.gz: "))
        }
    }

    @Test("a damaged byte in the middle fails as corrupt gzip data")
    func corruptMiddle() async throws {
        for data in [logLines(300_000), randomBytes(300_000)] {
            var compressed = try await gzip(data)
            compressed[compressed.count / 2] ^= 0x55
            let stream = ByteStream.bytes(compressed).transformed(chunkedBy: try GzipDecoder(displayPath: "x.gz"))
            let error = try #require(await expectFailure(reading: stream))
            #expect(error.code == .corruptData)
            #expect(error.message.contains("corrupt gzip data"))
            #expect(error.cause?.contains("Z_DATA_ERROR") == true)
        }
    }

    @Test("non-zero bytes after the last member fail instead of being ignored")
    func trailingGarbage() async throws {
        let good = try await gzip(Array("hello\n".utf8))
        for tail in [Array("garbage".utf8), [0, 0, 7], [0x1f], [0x1f, 0x00, 0x01, 0x02]] {
            let stream = ByteStream.bytes(good + tail).transformed(chunkedBy: try GzipDecoder(displayPath: "t.gz"))
            let error = try #require(await expectFailure(reading: stream))
            #expect(error.code == .corruptData)
            #expect(error.path == "t.gz")
        }
    }

    @Test("data that is not gzip at all is refused, not passed through")
    func notGzip() async throws {
        let stream = ByteStream.string("just some text, long enough to be noticed\n")
            .transformed(chunkedBy: try GzipDecoder(displayPath: "notes.gz"))
        let error = try #require(await expectFailure(reading: stream))
        #expect(error.code == .corruptData)
        #expect(error.message.contains("not gzip data"))
        #expect(error.remedy == "the file is damaged or not gzip; read it as is with --raw")
    }

    @Test("a gzip level outside 1...9 is an invalid argument", arguments: [0, 10, -1])
    func invalidLevel(level: Int) throws {
        let error = #expect(throws: VFSError.self) { try GzipEncoder(level: level) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("the plain ByteTransform interface gives the same bytes")
    func plainTransformInterface() async throws {
        let data = logLines(100_000)
        let compressed = try await collect(ByteStream.bytes(data, chunkSize: 1000).transformed(by: try GzipEncoder()))
        let decoded = try await collect(ByteStream.bytes(compressed, chunkSize: 999)
            .transformed(by: try GzipDecoder(displayPath: "p.gz")))
        #expect(decoded == data)
    }
}
