import DCTCCompression
import DCTCCore
import Testing

@Suite("bzip2 codec")
struct Bzip2CodecTests {
    func bzip2(_ bytes: [UInt8], blockSize: Int = 9, chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
        try await run(bytes, through: try Bzip2Encoder(blockSize: blockSize), chunkSize: chunkSize)
    }

    func bunzip2(_ bytes: [UInt8], path: String = "data.bz2", chunkSize: Int = 64 * 1024) async throws -> [UInt8] {
        try await run(bytes, through: try Bzip2Decoder(displayPath: path), chunkSize: chunkSize)
    }

    @Test("random data survives a bzip2 round trip", arguments: [1, 9])
    func roundTripRandom(blockSize: Int) async throws {
        let data = randomBytes(400_000, seed: UInt64(blockSize))
        let compressed = try await bzip2(data, blockSize: blockSize)
        #expect(compressed.starts(with: Array("BZh\(blockSize)".utf8)))
        #expect(try await bunzip2(compressed) == data)
    }

    @Test("compressible text shrinks and round-trips")
    func roundTripText() async throws {
        let data = logLines(1_500_000)
        let compressed = try await bzip2(data)
        #expect(compressed.count < data.count / 2)
        #expect(try await bunzip2(compressed) == data)
    }

    @Test("empty input encodes to a valid stream that decodes to nothing")
    func roundTripEmpty() async throws {
        let compressed = try await bzip2([])
        #expect(compressed.starts(with: Array("BZh9".utf8)))
        #expect(try await bunzip2(compressed).isEmpty)
        #expect(try await bunzip2([]).isEmpty)
    }

    @Test("many tiny chunks in and out give the same bytes")
    func tinyChunks() async throws {
        let data = logLines(40_000)
        let compressed = try await bzip2(data, chunkSize: 5)
        #expect(try await bunzip2(compressed, chunkSize: 1) == data)
    }

    @Test("a highly compressible input comes out in pieces no bigger than the output buffer")
    func boundedOutputPieces() async throws {
        let zeros = [UInt8](repeating: 0, count: 4 * 1024 * 1024)
        let compressed = try await bzip2(zeros)
        let stream = ByteStream.bytes(compressed, chunkSize: compressed.count)
            .transformed(chunkedBy: try Bzip2Decoder(displayPath: "zeros.bz2"))
        var total = 0
        var largest = 0
        for try await piece in stream {
            total += piece.count
            largest = max(largest, piece.count)
        }
        #expect(total == zeros.count)
        #expect(largest <= codecOutputChunkSize)
    }

    @Test("concatenated streams (pbzip2 style) decode to the concatenated contents")
    func multiStream() async throws {
        let a = logLines(250_000, seed: 3), b = randomBytes(50_000, seed: 4)
        let joined = try await bzip2(a, blockSize: 1) + (try await bzip2([])) + (try await bzip2(b, blockSize: 5))
        #expect(try await bunzip2(joined) == a + b)
        #expect(try await bunzip2(joined, chunkSize: 3) == a + b)
    }

    @Test("truncated bzip2 data fails as corrupt data naming the file")
    func truncated() async throws {
        let compressed = try await bzip2(logLines(200_000))
        for cut in [1, 3, 4, 10, compressed.count / 2, compressed.count - 1] {
            let stream = ByteStream.bytes(Array(compressed.prefix(cut)))
                .transformed(chunkedBy: try Bzip2Decoder(displayPath: "logs/day.bz2"))
            let error = try #require(await expectFailure(reading: stream))
            #expect(error.code == .corruptData)
            #expect(error.path == "logs/day.bz2")
            #expect(error.message.contains("truncated bzip2 data"), "cut at \(cut): \(error)")
            #expect(error.remedy?.contains("--raw") == true)
        }
    }

    @Test("a damaged byte in the middle fails with BZ_DATA_ERROR")
    func corruptMiddle() async throws {
        var compressed = try await bzip2(logLines(300_000))
        compressed[compressed.count / 2] ^= 0x55
        let stream = ByteStream.bytes(compressed).transformed(chunkedBy: try Bzip2Decoder(displayPath: "x.bz2"))
        let error = try #require(await expectFailure(reading: stream))
        #expect(error.code == .corruptData)
        #expect(error.message.contains("corrupt bzip2 data: BZ_DATA_ERROR"))
    }

    @Test("bytes after the last stream fail instead of being ignored")
    func trailingGarbage() async throws {
        let good = try await bzip2(Array("hello\n".utf8))
        for tail in [Array("garbage!".utf8), [0, 0, 0, 0], Array("BZ".utf8)] {
            let stream = ByteStream.bytes(good + tail).transformed(chunkedBy: try Bzip2Decoder(displayPath: "t.bz2"))
            let error = try #require(await expectFailure(reading: stream))
            #expect(error.code == .corruptData)
            #expect(error.path == "t.bz2")
        }
    }

    @Test("data that is not bzip2 at all is refused, not passed through")
    func notBzip2() async throws {
        let stream = ByteStream.string("plain text that is not compressed\n")
            .transformed(chunkedBy: try Bzip2Decoder(displayPath: "notes.bz2"))
        let error = try #require(await expectFailure(reading: stream))
        #expect(error.code == .corruptData)
        #expect(error.message.contains("not bzip2 data"))
    }

    @Test("a bzip2 block size outside 1...9 is an invalid argument", arguments: [0, 10])
    func invalidBlockSize(blockSize: Int) throws {
        let error = #expect(throws: VFSError.self) { try Bzip2Encoder(blockSize: blockSize) }
        #expect(error?.code == .invalidArgument)
    }
}
