import DCTCCompression
import DCTCCore
import Foundation
import Testing

/// Our codecs against the system `gzip` and `bzip2` tools, both directions.
@Suite("interoperability with gzip and bzip2")
struct ToolInteropTests {
    let data = logLines(600_000, seed: 11) + randomBytes(200_000, seed: 12)

    @Test("gzip -d reads what GzipEncoder writes")
    func gzipToolReadsOurs() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("ours.gz", try await run(data, through: try GzipEncoder(level: 6)))
        let result = try await shell("gzip -t '\(folder.file("ours.gz"))' && gzip -dc '\(folder.file("ours.gz"))' > '\(folder.file("plain"))'")
        #expect(result.status == 0, "\(result.output)")
        #expect(try folder.read("plain") == data)
    }

    @Test("GzipDecoder reads what gzip writes, single and multi-member")
    func weReadGzipTool() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("a", Array(data.prefix(300_000)))
        try folder.write("b", Array(data.dropFirst(300_000)))
        let result = try await shell("cd '\(folder.path)' && gzip -9 -c a > a.gz && gzip -1 -c b > b.gz && cat a.gz b.gz > ab.gz")
        #expect(result.status == 0, "\(result.output)")
        #expect(try await run(try folder.read("a.gz"), through: try GzipDecoder(displayPath: "a.gz")) == Array(data.prefix(300_000)))
        #expect(try await run(try folder.read("ab.gz"), through: try GzipDecoder(displayPath: "ab.gz")) == data)
    }

    @Test("bzip2 -d reads what Bzip2Encoder writes")
    func bzip2ToolReadsOurs() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("ours.bz2", try await run(data, through: try Bzip2Encoder(blockSize: 9)))
        let result = try await shell("bzip2 -t '\(folder.file("ours.bz2"))' && bzip2 -dc '\(folder.file("ours.bz2"))' > '\(folder.file("plain"))'")
        #expect(result.status == 0, "\(result.output)")
        #expect(try folder.read("plain") == data)
    }

    @Test("Bzip2Decoder reads what bzip2 writes, single and multi-stream")
    func weReadBzip2Tool() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("a", Array(data.prefix(500_000)))
        try folder.write("b", Array(data.dropFirst(500_000)))
        let result = try await shell("cd '\(folder.path)' && bzip2 -c a > a.bz2 && bzip2 -1 -c b > b.bz2 && cat a.bz2 b.bz2 > ab.bz2")
        #expect(result.status == 0, "\(result.output)")
        #expect(try await run(try folder.read("a.bz2"), through: try Bzip2Decoder(displayPath: "a.bz2")) == Array(data.prefix(500_000)))
        #expect(try await run(try folder.read("ab.bz2"), through: try Bzip2Decoder(displayPath: "ab.bz2")) == data)
    }

    @Test("gzip -d and bzip2 -d also accept our output of empty input")
    func toolsReadOurEmptyOutput() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("e.gz", try await run([], through: try GzipEncoder()))
        try folder.write("e.bz2", try await run([], through: try Bzip2Encoder()))
        let result = try await shell("cd '\(folder.path)' && gzip -dc e.gz | wc -c && bzip2 -dc e.bz2 | wc -c")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.split(whereSeparator: \.isWhitespace) == ["0", "0"])
    }
}
