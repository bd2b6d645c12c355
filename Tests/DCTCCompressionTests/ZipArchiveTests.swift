import DCTCCompression
import DCTCCore
import Foundation
import Testing

@Suite("zip archives")
struct ZipArchiveTests {
    let mtime = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14, an even second

    /// Writes an archive with a few entries and returns their contents by name.
    func writeSample(_ folder: TemporaryFolder, name: String = "out.zip") async throws -> [String: [UInt8]] {
        let contents: [String: [UInt8]] = [
            "readme.txt": Array("hello zip\n".utf8),
            "logs/day 1.log": logLines(700_000),
            "bin/random.dat": randomBytes(300_000),
            "empty": [],
        ]
        let writer = try await ZipArchiveWriter(path: folder.file(name), displayPath: name)
        try await writer.addDirectory(path: "logs", modificationTime: mtime)
        for entry in contents.keys.sorted() {
            let bytes = contents[entry] ?? []
            // Known sizes for most entries; one of unknown size goes through the spool file.
            let size: Int64? = entry == "bin/random.dat" ? nil : Int64(bytes.count)
            try await writer.addEntry(path: entry, modificationTime: mtime, size: size,
                                      content: ByteStream.bytes(bytes, chunkSize: 10_000))
        }
        try await writer.commit()
        return contents
    }

    @Test("an archive written from streams reads back entry by entry")
    func writeThenRead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let contents = try await writeSample(folder)
        #expect(try folder.contents() == ["out.zip"])  // no scratch file left behind

        let reader = ZipArchiveReader(path: folder.file("out.zip"), displayPath: "out.zip")
        let entries = try await reader.entries()
        #expect(Set(entries.map(\.path)) == Set(contents.keys).union(["logs/"]))
        let directory = try #require(entries.first { $0.path == "logs/" })
        #expect(directory.isDirectory)
        for (name, bytes) in contents {
            let info = try #require(entries.first { $0.path == name })
            #expect(info.kind == .file)
            #expect(info.size == Int64(bytes.count))
            #expect(info.modificationTime.map { abs($0.timeIntervalSince(mtime)) <= 2 } == true)
            #expect(try await collect(try await reader.read(entry: name)) == bytes, "\(name)")
        }
        let log = try #require(entries.first { $0.path == "logs/day 1.log" })
        #expect(log.compressedSize < log.size / 2)  // deflated
    }

    @Test("the system unzip lists and extracts our archives")
    func systemUnzipReadsOurs() async throws {
        guard await toolExists("unzip") else {
            print("note: `unzip` is not installed; skipped the check with the system tool")
            return
        }
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let contents = try await writeSample(folder)
        let test = try await shell("unzip -t '\(folder.file("out.zip"))'")
        #expect(test.status == 0, "\(test.output)")
        let list = try await shell("unzip -l '\(folder.file("out.zip"))'")
        #expect(list.status == 0)
        for name in contents.keys { #expect(list.output.contains(name), "\(name) missing from: \(list.output)") }
        let extract = try await shell("cd '\(folder.path)' && mkdir x && cd x && unzip -q ../out.zip")
        #expect(extract.status == 0, "\(extract.output)")
        for (name, bytes) in contents {
            #expect(try folder.read("x/" + name) == bytes, "\(name)")
        }
    }

    @Test("archives made by the system zip tool read back")
    func weReadSystemZip() async throws {
        guard await toolExists("zip") else {
            print("note: `zip` is not installed; skipped reading an archive it made")
            return
        }
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let text = logLines(200_000)
        try folder.write("a.txt", text)
        let made = try await shell("cd '\(folder.path)' && zip -q made.zip a.txt")
        #expect(made.status == 0, "\(made.output)")
        let reader = ZipArchiveReader(path: folder.file("made.zip"))
        #expect(try await reader.entries().map(\.path) == ["a.txt"])
        #expect(try await collect(try await reader.read(entry: "a.txt")) == text)
    }

    @Test("content shorter or longer than its declared size abandons the archive")
    func sizeMismatch() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        for declared in [Int64(99), 101] {
            let writer = try await ZipArchiveWriter(path: folder.file("bad.zip"))
            let error = await #expect(throws: VFSError.self) {
                try await writer.addEntry(path: "a", modificationTime: mtime, size: declared,
                                          content: ByteStream.bytes(randomBytes(100), chunkSize: 30))
            }
            #expect(error?.code == .checksumMismatch)
            #expect(try folder.contents().isEmpty, "declared \(declared)")
            await #expect(throws: VFSError.self) { try await writer.commit() }
            #expect(!folder.exists("bad.zip"))
        }
    }

    @Test("a failing content stream abandons the archive with that error")
    func failingContent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await ZipArchiveWriter(path: folder.file("f.zip"))
        let sent = ManagedCounter()
        let content = ByteStream.pulling {
            if sent.increment() > 3 { throw VFSError(.unavailable, "connection reset", path: "remote/file") }
            return [UInt8](repeating: 65, count: 50_000)
        }
        let error = await #expect(throws: VFSError.self) {
            try await writer.addEntry(path: "a", modificationTime: mtime, size: nil, content: content)
        }
        #expect(error?.code == .unavailable)
        #expect(try folder.contents().isEmpty)
    }

    @Test("entry names that would escape the extraction folder are refused when writing",
          arguments: ["../evil", "/etc/passwd", "a/../../b", "..\\evil", "C:/x", "", "./"])
    func unsafeNamesRefused(name: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await ZipArchiveWriter(path: folder.file("n.zip"))
        let error = await #expect(throws: VFSError.self) {
            try await writer.addEntry(path: name, modificationTime: mtime, size: 1, content: .string("x"))
        }
        #expect(error?.code == .invalidArgument)
        // The archive is still usable after a refused name.
        try await writer.addEntry(path: "./ok/./fine.txt", modificationTime: mtime, size: 1, content: .string("x"))
        try await writer.commit()
        #expect(try await ZipArchiveReader(path: folder.file("n.zip")).entries().map(\.path) == ["ok/fine.txt"])
    }

    @Test("an archive holding an escaping entry name is refused when listed, unless asked to show it")
    func unsafeNamesInArchive() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await ZipArchiveWriter(path: folder.file("evil.zip"))
        try await writer.addEntry(path: "xx/evil.txt", modificationTime: mtime, size: 4, content: .string("evil"))
        try await writer.commit()
        // Rewrite the stored name (local header and central directory) to climb out.
        var bytes = try folder.read("evil.zip")
        let from = Array("xx/evil".utf8), to = Array("../evil".utf8)
        var replaced = 0
        var i = 0
        while i + from.count <= bytes.count {
            if Array(bytes[i..<(i + from.count)]) == from {
                bytes.replaceSubrange(i..<(i + from.count), with: to)
                replaced += 1
            }
            i += 1
        }
        #expect(replaced == 2)
        try folder.write("evil.zip", bytes)

        let reader = ZipArchiveReader(path: folder.file("evil.zip"), displayPath: "evil.zip")
        let error = await #expect(throws: VFSError.self) { try await reader.entries() }
        #expect(error?.code == .corruptData)
        #expect(error?.message.contains("../evil.txt") == true)
        #expect(try await reader.entries(allowUnsafeNames: true).map(\.path) == ["../evil.txt"])
        await #expect(throws: VFSError.self) { try await reader.read(entry: "../evil.txt") }
    }

    @Test("abandoning or dropping an unfinished archive leaves nothing behind")
    func abandonRemovesScratch() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let writer = try await ZipArchiveWriter(path: folder.file("a.zip"))
        try await writer.addEntry(path: "x", modificationTime: mtime, size: 3, content: .string("abc"))
        #expect(try folder.contents().count == 1)  // the hidden scratch file
        #expect(try folder.contents().first?.hasPrefix(".a.zip.dctc-tmp-") == true)
        await writer.abandon()
        #expect(try folder.contents().isEmpty)

        do {
            let dropped = try await ZipArchiveWriter(path: folder.file("b.zip"))
            try await dropped.addEntry(path: "x", modificationTime: mtime, size: 3, content: .string("abc"))
        }
        // The scratch file goes with the writer, on its own thread.
        for _ in 0..<100 where try folder.contents().isEmpty == false {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        #expect(try folder.contents().isEmpty)
    }

    @Test("committing replaces an existing file atomically")
    func commitReplaces() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        try folder.write("r.zip", Array("old content".utf8))
        let writer = try await ZipArchiveWriter(path: folder.file("r.zip"))
        try await writer.addEntry(path: "new.txt", modificationTime: mtime, size: 3, content: .string("new"))
        #expect(try folder.read("r.zip") == Array("old content".utf8))  // untouched until commit
        try await writer.commit()
        #expect(try await collect(try await ZipArchiveReader(path: folder.file("r.zip")).read(entry: "new.txt"))
            == Array("new".utf8))
    }

    @Test("reading a missing archive, a missing entry, a directory entry or a non-zip file fails clearly")
    func readErrors() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        _ = try await writeSample(folder)
        let missing = await #expect(throws: VFSError.self) {
            try await ZipArchiveReader(path: folder.file("nope.zip")).entries()
        }
        #expect(missing?.code == .notFound)

        let reader = ZipArchiveReader(path: folder.file("out.zip"), displayPath: "out.zip")
        let noEntry = await #expect(throws: VFSError.self) { try await reader.read(entry: "nope.txt") }
        #expect(noEntry?.code == .notFound)
        #expect(noEntry?.path?.contains("nope.txt") == true)
        let directory = await #expect(throws: VFSError.self) { try await reader.read(entry: "logs/") }
        #expect(directory?.code == .isADirectory)

        try folder.write("text.zip", logLines(5000))
        let notZip = await #expect(throws: VFSError.self) {
            try await ZipArchiveReader(path: folder.file("text.zip"), displayPath: "text.zip").entries()
        }
        #expect(notZip?.code == .corruptData)
        #expect(notZip?.path == "text.zip")
    }

    @Test("a damaged entry fails to read instead of returning wrong bytes")
    func damagedEntry() async throws {
        let folder = try TemporaryFolder()
        defer { folder.cleanUp() }
        let text = logLines(100_000)
        let writer = try await ZipArchiveWriter(path: folder.file("d.zip"))
        try await writer.addEntry(path: "t.log", modificationTime: mtime, size: Int64(text.count), content: .bytes(text))
        try await writer.commit()
        var bytes = try folder.read("d.zip")
        bytes[bytes.count / 3] ^= 0x20
        try folder.write("d.zip", bytes)
        let stream = try await ZipArchiveReader(path: folder.file("d.zip"), displayPath: "d.zip").read(entry: "t.log")
        let error = try #require(await expectFailure(reading: stream))
        #expect(error.code == .corruptData)
    }

    @Test("a writer refuses a missing destination folder")
    func missingFolder() async throws {
        let error = await #expect(throws: VFSError.self) {
            _ = try await ZipArchiveWriter(path: "/nonexistent-dctc-folder/a.zip")
        }
        #expect(error?.code == .notFound)
    }
}

/// A thread-safe counter for test producers.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
