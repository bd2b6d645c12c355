import DCTCCompression
import DCTCCore
import Testing

@Suite("codec detection and names")
struct CodecDetectionTests {
    @Test("magic bytes identify gzip, bzip2 and zip whatever the name")
    func detectByMagic() {
        #expect(Codec.detect(magic: [0x1f, 0x8b, 8, 0], name: "data.bin") == .gzip)
        #expect(Codec.detect(magic: Array("BZh9".utf8), name: "data.gz") == .bzip2)
        #expect(Codec.detect(magic: Array("BZh1".utf8), name: "x") == .bzip2)
        #expect(Codec.detect(magic: [0x50, 0x4b, 3, 4], name: "x.bz2") == .zip)
        #expect(Codec.detect(magic: [0x50, 0x4b, 5, 6], name: "empty") == .zip)
    }

    @Test("near-miss magic bytes are not mistaken for a codec")
    func nearMisses() {
        #expect(Codec.detect(magic: Array("BZh0".utf8), name: "x") == nil)
        #expect(Codec.detect(magic: Array("BZx9".utf8), name: "x") == nil)
        #expect(Codec.detect(magic: [0x1f, 0x8c], name: "x") == nil)
        #expect(Codec.detect(magic: [0x50, 0x4b, 1, 2], name: "x") == nil)
        #expect(Codec.detect(magic: Array("hello".utf8), name: "hello.txt") == nil)
    }

    @Test("the extension decides when the bytes say nothing")
    func detectByExtension() {
        #expect(Codec.detect(magic: [], name: "empty.gz") == .gzip)
        #expect(Codec.detect(magic: [0x1f], name: "dir/short.GZ") == .gzip)
        #expect(Codec.detect(magic: Array("text".utf8), name: "a.tbz2") == .bzip2)
        #expect(Codec.detect(magic: [], name: "a.zip") == .zip)
        #expect(Codec.detect(magic: [], name: "gz") == nil)
        #expect(Codec.detect(magic: [], name: ".gz") == nil)
        #expect(Codec.detect(magic: [], name: "a.gz/file") == nil)
    }

    @Test("extensions and option names map to codecs")
    func namesToCodecs() {
        #expect(Codec.forExtension("gz") == .gzip)
        #expect(Codec.forExtension(".BZ2") == .bzip2)
        #expect(Codec.forExtension("tgz") == .gzip)
        #expect(Codec.forExtension("zip") == .zip)
        #expect(Codec.forExtension("xz") == nil)
        #expect(Codec(userName: "gz") == .gzip)
        #expect(Codec(userName: "GZIP") == .gzip)
        #expect(Codec(userName: "bzip2") == .bzip2)
        #expect(Codec(userName: "bz2") == .bzip2)
        #expect(Codec(userName: "zstd") == nil)
        #expect(Codec.allCases.map(\.fileExtension) == ["gz", "bz2", "zip"])
    }

    @Test("names gain and lose codec extensions")
    func extensionsOnNames() {
        #expect(Codec.gzip.addingExtension(to: "a.txt") == "a.txt.gz")
        #expect(Codec.bzip2.addingExtension(to: "a") == "a.bz2")
        #expect(Codec.gzip.strippingExtension(from: "a.txt.gz") == "a.txt")
        #expect(Codec.gzip.strippingExtension(from: "A.TXT.GZ") == "A.TXT")
        #expect(Codec.gzip.strippingExtension(from: "backup.tgz") == "backup.tar")
        #expect(Codec.bzip2.strippingExtension(from: "x.tbz2") == "x.tar")
        #expect(Codec.bzip2.strippingExtension(from: "x.gz") == nil)
        #expect(Codec.gzip.strippingExtension(from: ".gz") == nil)
        #expect(Codec.gzip.strippingExtension(from: "gz") == nil)
        #expect(Codec.gzip.strippingExtension(from: "dir/.gz") == nil)
    }

    @Test("zip has no stream decoder or encoder and says how to read archives")
    func zipIsNotAStream() {
        let error = #expect(throws: VFSError.self) { _ = try Codec.zip.decoder(displayPath: "a.zip") }
        #expect(error?.code == .unsupported)
        #expect(error?.remedy?.contains("dctc ls") == true)
        #expect(throws: VFSError.self) { _ = try Codec.zip.encoder() }
    }
}

@Suite("decompressing streams on the fly")
struct DecompressedStreamTests {
    let text = logLines(120_000)

    @Test("plain content passes through unchanged, whatever the chunking")
    func plainPassesThrough() async throws {
        for chunkSize in [1, 3, 100_000] {
            let stream = try await ByteStream.bytes(text, chunkSize: chunkSize)
                .decompressed(displayPath: "log.txt", name: "log.txt")
            #expect(try await collect(stream) == text)
        }
    }

    @Test("gzip and bzip2 content is decoded, found by its magic bytes")
    func compressedIsDecoded() async throws {
        let gz = try await collect(ByteStream.bytes(text).compressed(with: .gzip))
        let bz = try await collect(ByteStream.bytes(text).compressed(with: .bzip2, level: 1))
        for chunkSize in [1, 2, 65_536] {
            let a = try await ByteStream.bytes(gz, chunkSize: chunkSize).decompressed(displayPath: "x", name: "x")
            #expect(try await collect(a) == text)
            // bzip2 bytes under a .gz name: the magic wins.
            let b = try await ByteStream.bytes(bz, chunkSize: chunkSize).decompressed(displayPath: "y.gz", name: "y.gz")
            #expect(try await collect(b) == text)
        }
    }

    @Test("a .gz name on bytes that are not gzip is an error, never a silent pass-through")
    func misnamedPlainFileFails() async throws {
        let stream = try await ByteStream.bytes(text).decompressed(displayPath: "dir/notes.gz", name: "notes.gz")
        let error = try #require(await expectFailure(reading: stream))
        #expect(error.code == .corruptData)
        #expect(error.path == "dir/notes.gz")
        #expect(error.message.contains("not gzip data"))
    }

    @Test("an empty .gz or .bz2 file decodes to empty content")
    func emptyCompressedFile() async throws {
        for name in ["empty.gz", "empty.bz2", "empty.txt"] {
            let stream = try await ByteStream.empty.decompressed(displayPath: name, name: name)
            #expect(try await collect(stream).isEmpty)
        }
    }

    @Test("a zip archive is returned as it is, and detected as zip")
    func zipIsLeftAlone() async throws {
        let fakeZip: [UInt8] = [0x50, 0x4b, 5, 6] + [UInt8](repeating: 0, count: 18)
        let stream = try await ByteStream.bytes(fakeZip, chunkSize: 2).decompressed(displayPath: "a.zip", name: "a.zip")
        #expect(try await collect(stream) == fakeZip)
        let (codec, intact) = try await ByteStream.bytes(fakeZip, chunkSize: 1).detectingCodec(name: "a.bin")
        #expect(codec == .zip)
        #expect(try await collect(intact) == fakeZip)
    }

    @Test("compressing with a bad level fails on the first read")
    func badLevelFailsOnRead() async throws {
        let error = try #require(await expectFailure(reading: ByteStream.bytes(text).compressed(with: .gzip, level: 42)))
        #expect(error.code == .invalidArgument)
        let zip = try #require(await expectFailure(reading: ByteStream.bytes(text).compressed(with: .zip)))
        #expect(zip.code == .unsupported)
    }

    @Test("compressed(with:) output decodes with decompressed(...) for both codecs")
    func compressThenDecompress() async throws {
        for codec in [Codec.gzip, .bzip2] {
            let name = codec.addingExtension(to: "file.log")
            let packed = ByteStream.bytes(text, chunkSize: 4096).compressed(with: codec)
            let unpacked = try await packed.decompressed(displayPath: name, name: name)
            #expect(try await collect(unpacked) == text)
        }
    }
}
