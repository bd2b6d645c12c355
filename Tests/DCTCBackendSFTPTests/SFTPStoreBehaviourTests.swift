import DCTCBackendSFTP
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

@Suite("SFTP store behaviours beyond the conformance suite", serverTrait)
struct SFTPStoreBehaviourTests {
    /// Runs `body` in a new folder of the test user's home, removed afterwards.
    func withFolder(_ fs: SFTPFileSystem, _ label: String, _ body: (VPath) async throws -> Void) async throws {
        let server = try await SFTPTestServer.shared()
        let folder = VPath(server.home).appending(scratchName(label))
        try await fs.makeDirectory(folder)
        do {
            try await body(folder)
            try await fs.removeTree(folder)
        } catch {
            _ = try? await fs.removeTree(folder)
            throw error
        }
    }

    /// A store whose connections go through a proxy the test can cut.
    func proxiedStore(_ server: SFTPTestServer, proxy: TCPProxy, folder: String) throws -> SFTPConfig {
        let knownHosts = folder + "/known_hosts"
        try server.knownHostsLine(forPort: proxy.port).write(toFile: knownHosts, atomically: true, encoding: .utf8)
        return try server.config(["port": String(proxy.port), "known_hosts_file": knownHosts])
    }

    // MARK: - Remote hashing

    @Test("remote md5, sha1 and sha256 of a file with a hostile name equal the local hashes, and the name runs nothing")
    func remoteHashing() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        #expect(fs.capabilities.remoteHashes == Set(HashKind.allCases))
        try await withFolder(fs, "hash") { folder in
            let name = "-n it's \"$(touch pwned)\" `touch pwned2` \\ *;é\ttab"
            let file = folder.appending(name)
            let data = TestData.bytes(3 << 20, seed: 7)
            try await fs.write(file, bytes: data)
            for kind in HashKind.allCases {
                #expect(try await fs.hash(file, kind: kind) == (try Digest.hash(data, kind: kind)), "\(kind)")
            }
            #expect(try await fs.listAll(folder).map(\.name) == [name])
            #expect(try await !fs.exists(VPath(server.home).appending("pwned")))
            #expect(try await !fs.exists(VPath(server.home).appending("pwned2")))
            let missing = await expectVFSError { _ = try await fs.hash(folder.appending("nope"), kind: .md5) }
            #expect(missing?.code == .notFound)
            let directory = await expectVFSError { _ = try await fs.hash(folder, kind: .md5) }
            #expect(directory?.code == .isADirectory)
        }
        await fs.close()
    }

    // MARK: - Whole-tree listing

    @Test("one remote find lists a tree like the per-directory walk: hostile names, links followed, times in whole seconds")
    func recursiveListing() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        try await withFolder(fs, "tree") { folder in
            let names = ["a-b", "a.b", "a/b-c/d", "a/b.c", "-n it's \"$(touch pwned)\"", "new\nline", "caf\u{e9}", "cafe\u{301}/x"]
            for name in names {
                try await fs.makeDirectories(folder.appending(relative: name).parent)
                try await fs.write(folder.appending(relative: name), bytes: Array(name.utf8),
                                   attributes: WriteAttributes(modificationTime: Date(timeIntervalSince1970: 1_600_000_000.75)))
            }
            try await fs.makeDirectory(folder.appending("empty"))
            var walked: [String: FileInfo] = [:]
            for try await e in fs.walk(folder) { walked[e.path.relative(to: folder) ?? ""] = e }
            var listed: [String: FileInfo] = [:]
            for try await page in fs.listRecursive(folder) {
                for e in page { listed[e.path.relative(to: folder) ?? ""] = e }
            }
            #expect(Set(listed.keys.map { Array($0.utf8) }) == Set(walked.keys.map { Array($0.utf8) }))
            for (path, e) in walked {
                let other = listed[path]
                #expect(other?.kind == e.kind && other?.size == e.size && other?.modificationTime == e.modificationTime, "\(path)")
            }
            #expect(listed["a.b"]?.modificationTime == Date(timeIntervalSince1970: 1_600_000_000))
            #expect(try await !fs.exists(VPath(server.home).appending("pwned")))
            let missing = await expectVFSError {
                for try await _ in fs.listRecursive(folder.appending("nope")) {}
            }
            #expect(missing?.code == .unsupported, "a failed find says: list per directory")
        }
        await fs.close()
    }

    @Test("without commands over ssh (remote_hash = false) the whole-tree listing declines")
    func recursiveListingDeclines() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store(["remote_hash": "false"])
        let error = await expectVFSError {
            for try await _ in fs.listRecursive(VPath(server.home)) {}
        }
        #expect(error?.code == .unsupported)
        await fs.close()
    }

    @Test("with remote_hash = false the store declares no remote hashes and refuses to hash, saying why")
    func remoteHashingTurnedOff() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store(["remote_hash": "false"])
        #expect(fs.capabilities.remoteHashes.isEmpty)
        let error = await expectVFSError { _ = try await fs.hash(VPath(server.home).appending("x"), kind: .sha256) }
        #expect(error?.code == .unsupported)
        #expect(error?.remedy?.isEmpty == false)
        await fs.close()
    }

    // MARK: - Interrupted transfers

    @Test("a connection that dies mid-read ends the stream with a retryable error naming the file; the store recovers")
    func interruptedRead() async throws {
        let server = try await SFTPTestServer.shared()
        let proxy = try TCPProxy(targetPort: server.port)
        defer { proxy.stop() }
        let local = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: local) }
        let fs = try await SFTPFileSystem.connect(try proxiedStore(server, proxy: proxy, folder: local))
        let size = 48 << 20
        try await withFolder(fs, "cut-read") { folder in
            let file = folder.appending("big.bin")
            try await fs.write(file, from: TestData.stream(size), attributes: .none)
            var iterator = try await fs.read(file).makeAsyncIterator()
            var received = try await iterator.next()?.count ?? 0
            proxy.cutAll()
            let error = await expectVFSError {
                while let chunk = try await iterator.next() { received += chunk.count }
            }
            #expect(received < size)
            #expect(error?.code == .unavailable)
            #expect(error?.isRetryable == true)
            #expect(error?.path == fs.display(file))
            #expect(error?.remedy?.isEmpty == false)
            // The broken session was dropped: the next request opens a new connection.
            #expect(try await fs.info(file).size == Int64(size))
        }
        await fs.close()
    }

    @Test("a connection that dies mid-write fails retryably and leaves nothing under the final name, nor a temporary file")
    func interruptedWrite() async throws {
        let server = try await SFTPTestServer.shared()
        let proxy = try TCPProxy(targetPort: server.port)
        defer { proxy.stop() }
        let local = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: local) }
        let fs = try await SFTPFileSystem.connect(try proxiedStore(server, proxy: proxy, folder: local))
        let direct = try await server.store()
        try await withFolder(direct, "cut-write") { folder in
            let file = folder.appending("upload.bin")
            try await direct.write(file, bytes: Array("old content".utf8))
            let content = CuttingContent(proxy: proxy, cutAfter: 8, total: 64)
            let error = await expectVFSError {
                try await fs.write(file, from: .pulling { await content.next() }, attributes: .none)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.isRetryable == true)
            #expect(error?.path == fs.display(file))
            #expect(await content.delivered < 64)
            #expect(try await direct.readAll(file) == Array("old content".utf8))
            #expect(try await direct.listAll(folder).map(\.name) == ["upload.bin"])
        }
        await fs.close()
        await direct.close()
    }

    // MARK: - Sessions

    @Test("parallel reads run on separate sessions, never more than max_connections; a waiting request gets the next free one")
    func parallelSessions() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store(["max_connections": "3"])
        try await withFolder(fs, "parallel") { folder in
            // Larger than what a stream buffers, so each read job keeps its session while open.
            let files = (0..<3).map { folder.appending("f\($0)") }
            for file in files { try await fs.write(file, from: TestData.stream(16 << 20), attributes: .none) }
            var streams: [ByteStream] = []
            for file in files {
                let stream = try await fs.read(file)
                _ = try await stream.source.next()
                streams.append(stream)
            }
            let busy = await fs.sessionStatistics
            #expect(busy.open == 3)
            #expect(busy.peak == 3)
            let waiting = Task { try await fs.info(files[0]) }
            await streams[0].cancel()
            #expect(try await waiting.value.size == Int64(16 << 20))
            for stream in streams.dropFirst() { await stream.cancel() }
            #expect(await fs.sessionStatistics.peak == 3)
        }
        await fs.close()
    }

    @Test("a read stream or listing dropped unfinished gives its session back", .timeLimit(.minutes(5)))
    func abandonedStreamsFreeTheirSession() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store(["max_connections": "1"])
        try await withFolder(fs, "abandon") { folder in
            let file = folder.appending("big.bin")
            try await fs.write(file, from: TestData.stream(16 << 20), attributes: .none)
            do {
                var iterator = try await fs.read(file).makeAsyncIterator()
                _ = try await iterator.next()
            }
            #expect(try await fs.info(file).size == Int64(16 << 20))

            // More entries than one page; made on the server's disk directly to save time.
            let many = folder.appending("many")
            try await fs.makeDirectory(many)
            for i in 0...SFTPFileSystem.listPageSize {
                _ = FileManager.default.createFile(atPath: many.appending("e\(i)").string, contents: nil)
            }
            do {
                var pages = fs.list(many).makeAsyncIterator()
                #expect(try await pages.next()?.count == SFTPFileSystem.listPageSize)
            }
            #expect(try await fs.info(file).kind == .file)
            #expect(try await fs.listAll(many).count == SFTPFileSystem.listPageSize + 1)
        }
        await fs.close()
    }

    // MARK: - Paths and names

    @Test("a first path component ~ is the login folder, shown as /~/ in addresses")
    func homeRelativePaths() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        let name = scratchName("home")
        let relative = VPath(components: ["~", name, "f.txt"])
        try await fs.write(relative, bytes: Array("at home".utf8))
        #expect(try await fs.readAll(VPath(server.home).appending(name).appending("f.txt")) == Array("at home".utf8))
        #expect(try await fs.listAll(VPath(components: ["~"])).contains { $0.name == name })
        #expect(fs.display(relative) == "sftp://\(server.user)@\(server.host):\(server.port)/~/\(name)/f.txt")
        try await fs.removeTree(VPath(components: ["~", name]))
        #expect(try await !fs.exists(VPath(server.home).appending(name)))
        await fs.close()
    }

    @Test("a 255-byte name can be overwritten: temporary and set-aside names are short")
    func longNameOverwrite() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        try await withFolder(fs, "long") { folder in
            for name in [HostileNames.longASCII, HostileNames.longUnicode] {
                let file = folder.appending(name)
                try await fs.write(file, bytes: Array("first".utf8))
                try await fs.write(file, bytes: Array("second".utf8), attributes: WriteAttributes(modificationTime: Date(timeIntervalSince1970: 1_000_000_000)))
                #expect(try await fs.readAll(file) == Array("second".utf8))
                #expect(try await fs.info(file).modificationTime == Date(timeIntervalSince1970: 1_000_000_000))
            }
            #expect(Set(try await fs.listAll(folder).map(\.name)) == [HostileNames.longASCII, HostileNames.longUnicode])
        }
        await fs.close()
    }

    @Test("listings follow symbolic links like info does; a dangling link stays a link")
    func symbolicLinks() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        try await withFolder(fs, "links") { folder in
            try await fs.write(folder.appending("target"), bytes: [1, 2, 3])
            try FileManager.default.createSymbolicLink(atPath: folder.appending("link").string, withDestinationPath: "target")
            try FileManager.default.createSymbolicLink(atPath: folder.appending("dangling").string, withDestinationPath: "nowhere")
            let entries = Dictionary(uniqueKeysWithValues: try await fs.listAll(folder).map { ($0.name, $0) })
            #expect(entries["link"]?.kind == .file)
            #expect(entries["link"]?.size == 3)
            #expect(entries["dangling"]?.kind == .symlink)
            #expect(try await fs.info(folder.appending("link")).size == 3)
            #expect(try await fs.info(folder.appending("dangling")).kind == .symlink)
        }
        await fs.close()
    }

    @Test("move renames on the server, replacing a file and creating parents, but never a folder")
    func moveSemantics() async throws {
        let server = try await SFTPTestServer.shared()
        let fs = try await server.store()
        try await withFolder(fs, "move") { folder in
            try await fs.write(folder.appending("a"), bytes: [1])
            try await fs.write(folder.appending("b"), bytes: [2])
            try await fs.move(from: folder.appending("a"), to: folder.appending("b"))
            #expect(try await fs.readAll(folder.appending("b")) == [1])
            try await fs.move(from: folder.appending("b"), to: folder.appending(relative: "new/deep/c"))
            #expect(try await fs.listAll(folder).map(\.name) == ["new"])
            try await fs.makeDirectory(folder.appending("dir"))
            let error = await expectVFSError { try await fs.move(from: folder.appending(relative: "new/deep/c"), to: folder.appending("dir")) }
            #expect(error?.code == .isADirectory)
            let missing = await expectVFSError { try await fs.move(from: folder.appending("gone"), to: folder.appending("x")) }
            #expect(missing?.code == .notFound)
            #expect(missing?.path == fs.display(folder.appending("gone")))
        }
        await fs.close()
    }
}

/// Content that cuts the proxy after `cutAfter` chunks of 1 MiB and goes on up to `total`.
actor CuttingContent {
    let proxy: TCPProxy
    let cutAfter: Int
    let total: Int
    private(set) var delivered = 0

    init(proxy: TCPProxy, cutAfter: Int, total: Int) {
        self.proxy = proxy
        self.cutAfter = cutAfter
        self.total = total
    }

    func next() -> [UInt8]? {
        guard delivered < total else { return nil }
        if delivered == cutAfter { proxy.cutAll() }
        delivered += 1
        return TestData.bytes(1 << 20, seed: UInt64(delivered))
    }
}
