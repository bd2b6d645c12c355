import DCTCCore
import DCTCSSH
import Foundation
import Testing

@Suite("SFTP requests against OpenSSH's sftp-server")
struct SFTPClientTests {
    @Test("mkdir, stat, list, unlink and rmdir do what they say")
    func basicOperations() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.mkdir("\(dir)/sub")
            try await sftp.writeStream("\(dir)/a.txt", from: .string("hello"))
            let file = try await sftp.stat("\(dir)/a.txt")
            #expect(file.kind == .file)
            #expect(file.size == 5)
            #expect(file.mode == 0o644)
            #expect(try await sftp.stat("\(dir)/sub").kind == .directory)

            let entries = try await sftp.list(dir).sorted { $0.nameBytes.lexicographicallyPrecedes($1.nameBytes) }
            #expect(entries.map(\.name) == ["a.txt", "sub"])
            #expect(entries.map(\.attributes.kind) == [.file, .directory])
            #expect(entries[0].attributes.size == 5)

            try await sftp.unlink("\(dir)/a.txt")
            try await sftp.rmdir("\(dir)/sub")
            #expect(try await sftp.list(dir).isEmpty)
            let missing = await expectSSH2Error { _ = try await sftp.stat("\(dir)/a.txt") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.sftpStatus == 2)  // LIBSSH2_FX_NO_SUCH_FILE
            #expect(missing?.toVFSError().code == .notFound)
        }
    }

    @Test("errors are classified: exists, not empty, not a folder, is a folder, missing parent")
    func errorClassification() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.mkdir("\(dir)/full")
            try await sftp.writeStream("\(dir)/full/f", from: .string("x"))
            let again = await expectSSH2Error { try await sftp.mkdir("\(dir)/full") }
            #expect(again?.kind == .alreadyExists)
            let notEmpty = await expectSSH2Error { try await sftp.rmdir("\(dir)/full") }
            #expect(notEmpty?.kind == .notEmpty)
            let fileAsFolder = await expectSSH2Error { try await sftp.rmdir("\(dir)/full/f") }
            #expect(fileAsFolder?.kind == .notADirectory)
            let listFile = await expectSSH2Error { _ = try await sftp.list("\(dir)/full/f") }
            #expect(listFile?.kind == .notADirectory)
            let folderAsFile = await expectSSH2Error { try await sftp.unlink("\(dir)/full") }
            #expect(folderAsFile?.kind == .isADirectory)
            let readFolder = await expectSSH2Error { _ = try await sftp.openRead("\(dir)/full") }
            #expect(readFolder?.kind == .isADirectory)
            let noParent = await expectSSH2Error { try await sftp.mkdir("\(dir)/missing/child") }
            #expect(noParent?.kind == .notFound)
            let exclusive = await expectSSH2Error { _ = try await sftp.openWrite("\(dir)/full/f", mode: .createNew) }
            #expect(exclusive?.kind == .alreadyExists)
            let vfs = try #require(notEmpty).toVFSError(path: "sftp://host/\(dir)/full")
            #expect(vfs.code == .notEmpty)
            #expect(vfs.path == "sftp://host/\(dir)/full")
            #expect(vfs.backend == "sftp")
            #expect(vfs.remedy != nil)
        }
    }

    @Test("rename moves a file, refuses an existing destination unless overwriting, and leaves nothing behind")
    func renameSemantics() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.writeStream("\(dir)/src", from: .string("new"))
            try await sftp.writeStream("\(dir)/dst", from: .string("old"))

            let refused = await expectSSH2Error { try await sftp.rename(from: "\(dir)/src", to: "\(dir)/dst") }
            #expect(refused?.kind == .alreadyExists)
            #expect(try await sftp.readStream("\(dir)/dst").collect() == Array("old".utf8))
            #expect(try await sftp.readStream("\(dir)/src").collect() == Array("new".utf8))

            try await sftp.rename(from: "\(dir)/src", to: "\(dir)/dst", overwrite: true)
            #expect(try await sftp.readStream("\(dir)/dst").collect() == Array("new".utf8))
            #expect(try await sftp.list(dir).map(\.name) == ["dst"])

            try await sftp.rename(from: "\(dir)/dst", to: "\(dir)/moved")
            #expect(try await sftp.list(dir).map(\.name) == ["moved"])
            let missing = await expectSSH2Error { try await sftp.rename(from: "\(dir)/dst", to: "\(dir)/x", overwrite: true) }
            #expect(missing?.kind == .notFound)

            try await sftp.mkdir("\(dir)/folder")
            let folder = await expectSSH2Error { try await sftp.rename(from: "\(dir)/moved", to: "\(dir)/folder", overwrite: true) }
            #expect(folder?.kind == .alreadyExists)
            #expect(try await sftp.stat("\(dir)/moved").size == 3)
        }
    }

    @Test("a 20 MiB file written as a stream reads back identical")
    func largeRoundTrip() async throws {
        try await withRemoteScratch { sftp, dir in
            let content = pseudoRandomBytes(count: 20 << 20, seed: 20)
            // Odd-sized chunks, so writes straddle the 1 MiB window.
            let written = try await sftp.writeStream("\(dir)/big.bin", from: .bytes(content, chunkSize: 300_007))
            #expect(written == Int64(content.count))
            #expect(try await sftp.stat("\(dir)/big.bin").size == UInt64(content.count))
            let back = try await sftp.readStream("\(dir)/big.bin").collect(limit: 32 << 20)
            #expect(back.count == content.count)
            #expect(back == content)
        }
    }

    @Test("file handles read, seek and write; reads never exceed 1 MiB")
    func fileHandles() async throws {
        try await withRemoteScratch { sftp, dir in
            let content = pseudoRandomBytes(count: 3 << 20, seed: 3)
            let out = try await sftp.openWrite("\(dir)/h.bin")
            try await out.write(Array(content[..<1_000_000]))
            try await out.write(Array(content[1_000_000...]))
            try await out.close()

            let input = try await sftp.openRead("\(dir)/h.bin")
            #expect(input.attributes?.size == UInt64(content.count))
            var back: [UInt8] = []
            while true {
                let chunk = try await input.read()
                if chunk.isEmpty { break }
                #expect(chunk.count <= SFTPClient.bufferSize)
                back += chunk
            }
            #expect(back == content)
            try await input.seek(to: 2_000_000)
            #expect(try await input.read(maxLength: 10) == Array(content[2_000_000..<2_000_010]))
            try await input.close()
            let closed = await expectSSH2Error { _ = try await input.read() }
            #expect(closed?.kind == .invalidArgument)

            let appender = try await sftp.openWrite("\(dir)/h.bin", mode: .append)
            try await appender.write(Array("tail".utf8))
            try await appender.close()
            #expect(try await sftp.stat("\(dir)/h.bin").size == UInt64(content.count + 4))
        }
    }

    @Test("ranged reads return exactly the requested bytes, and nothing past the end")
    func rangedReads() async throws {
        try await withRemoteScratch { sftp, dir in
            let content = pseudoRandomBytes(count: 3 << 20, seed: 7)
            try await sftp.writeStream("\(dir)/r.bin", from: .bytes(content))
            let middle = try await sftp.readStream("\(dir)/r.bin", range: ByteRange(offset: 1_234_567, length: 1_500_000)).collect()
            #expect(middle == Array(content[1_234_567..<2_734_567]))
            let tail = try await sftp.readStream("\(dir)/r.bin", range: ByteRange(offset: Int64(content.count) - 10)).collect()
            #expect(tail == Array(content.suffix(10)))
            let overlapping = try await sftp.readStream("\(dir)/r.bin", range: ByteRange(offset: Int64(content.count) - 5, length: 100)).collect()
            #expect(overlapping == Array(content.suffix(5)))
            let past = try await sftp.readStream("\(dir)/r.bin", range: ByteRange(offset: Int64(content.count) + 100, length: 10)).collect()
            #expect(past.isEmpty)
            let empty = try await sftp.readStream("\(dir)/r.bin", range: ByteRange(offset: 5, length: 0)).collect()
            #expect(empty.isEmpty)
        }
    }

    @Test("a cancelled read stream frees the session for the next request")
    func cancelledReadStream() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.writeStream("\(dir)/c.bin", from: .bytes(pseudoRandomBytes(count: 8 << 20, seed: 8)))
            let stream = sftp.readStream("\(dir)/c.bin")
            var iterator = stream.makeAsyncIterator()
            let first = try await iterator.next()
            #expect(first?.isEmpty == false)
            await stream.cancel()
            #expect(try await sftp.stat("\(dir)/c.bin").size == 8 << 20)
        }
    }

    @Test("stream errors arrive as VFSErrors: a missing file, a missing parent")
    func streamErrors() async throws {
        try await withRemoteScratch { sftp, dir in
            do {
                _ = try await sftp.readStream("\(dir)/nope").collect()
                Issue.record("reading a missing file succeeded")
            } catch let error as VFSError {
                #expect(error.code == .notFound)
                #expect(error.path == "\(dir)/nope")
            }
            let error = await expectSSH2Error {
                try await sftp.writeStream("\(dir)/no/parent", from: .bytes(pseudoRandomBytes(count: 5 << 20, seed: 1)))
            }
            #expect(error?.kind == .notFound)
            // The session is still usable afterwards.
            #expect(try await sftp.list(dir).isEmpty)
        }
    }

    @Test("a failing source aborts the upload with the source's error")
    func failingSource() async throws {
        try await withRemoteScratch { sftp, dir in
            let sent = Counter()
            let source = ByteStream.pulling {
                if sent.increment() > 3 { throw Boom() }
                return [UInt8](repeating: 1, count: 100_000)
            }
            do {
                try await sftp.writeStream("\(dir)/partial", from: source)
                Issue.record("the upload succeeded although its source failed")
            } catch {
                #expect(error is Boom)
            }
            let names = try await sftp.list(dir).map(\.name)
            #expect(names == ["partial"])
        }
    }

    @Test("hostile names round-trip byte for byte through list, stat and read")
    func hostileNames() async throws {
        let names = [
            "with space.txt", " leading and trailing ", "question?mark", "hash#tag", "percent%20encoded", "percent%",
            "plus+sign", "single'quote", "double\"quote", "back`tick", "amp&semi;colon:", "star*[brackets]",
            "tab\there", "new\nline", "backslash\\name", "日本語のファイル", "Ελληνικά", "emoji-🚀",
            "cafe\u{301}", "caf\u{e9}", ".hidden", "-dash", "~tilde", String(repeating: "日", count: 85),
        ]
        try await withRemoteScratch { sftp, dir in
            for (index, name) in names.enumerated() {
                try await sftp.writeStream("\(dir)/\(name)", from: .string("content \(index)"))
            }
            try await sftp.mkdir("\(dir)/folder ?#%'\"é")
            let listed = try await sftp.list(dir)
            let expected = Set((names + ["folder ?#%'\"é"]).map { Array($0.utf8) })
            #expect(Set(listed.map(\.nameBytes)) == expected)
            #expect(listed.count == expected.count)  // NFC and NFD spellings are two files
            #expect(listed.allSatisfy { $0.hasValidUTF8Name })
            for (index, name) in names.enumerated() {
                let entry = try #require(listed.first { $0.nameBytes == Array(name.utf8) })
                #expect(Array(entry.name.utf8) == Array(name.utf8))
                #expect(try await sftp.readStream("\(dir)/\(entry.name)").collect() == Array("content \(index)".utf8))
            }
        }
    }

    @Test("the modification time set is the one read back, in whole seconds")
    func modificationTime() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.writeStream("\(dir)/t", from: .string("t"))
            let date = Date(timeIntervalSince1970: 981_173_106.75)  // 2001-02-03 04:05:06.75 UTC
            try await sftp.setModificationTime("\(dir)/t", to: date)
            let attributes = try await sftp.stat("\(dir)/t")
            #expect(attributes.modificationTime == Date(timeIntervalSince1970: 981_173_106))
            #expect(attributes.accessTime == Date(timeIntervalSince1970: 981_173_106))
            let info = attributes.fileInfo(path: VPath("/\(dir)/t"))
            #expect(info.modificationTime == Date(timeIntervalSince1970: 981_173_106))
            #expect(info.size == 1)
            let tooLate = await expectSSH2Error {
                try await sftp.setModificationTime("\(dir)/t", to: Date(timeIntervalSince1970: 5e9))
            }
            #expect(tooLate?.kind == .invalidArgument)
        }
    }

    @Test("remote sha256sum over exec agrees with what was written")
    func remoteChecksum() async throws {
        try await withRemoteScratch { sftp, dir in
            try await sftp.writeStream("\(dir)/abc file", from: .string("abc"))
            let result = try await sftp.session.exec("sha256sum " + SSHSession.shellQuoted("\(dir)/abc file"))
            #expect(result.exitStatus == 0)
            #expect(result.stdoutText.hasPrefix("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "))
        }
    }
}

private struct Boom: Error {}

/// A thread-safe counter for closures that must be Sendable.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
