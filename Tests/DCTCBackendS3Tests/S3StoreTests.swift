@testable import DCTCBackendS3
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

/// Behaviours of the S3 store beyond the conformance suite, against both servers where they
/// apply: error mapping, multipart uploads, rclone's metadata, keys with any characters,
/// server-side copies, batch deletes, buckets.
@Suite("S3 store behaviours")
struct S3StoreTests {
    static let bucket = "dctc-behaviours"

    /// A store of `server` with the test bucket, and a fresh prefix for one test.
    func scratch(_ server: S3TestServer, _ label: String,
                 _ tweak: (inout S3Configuration) -> Void = { _ in }) async throws -> (S3FileSystem, VPath) {
        let fs = try await server.storeWithBucket(Self.bucket, tweak)
        return (fs, VPath(components: [Self.bucket, uniqueName(label)]))
    }

    /// Runs `body` with a store of `server` and a fresh prefix in the test bucket, removed
    /// afterwards (also when the body fails), so rclone's disk keeps nothing of the run.
    func withScratch(_ server: S3TestServer, _ label: String, tweak: (inout S3Configuration) -> Void = { _ in },
                     _ body: (S3FileSystem, VPath) async throws -> Void) async throws {
        let (fs, dir) = try await scratch(server, label, tweak)
        func cleanUp() async {
            do {
                _ = try await fs.removeTree(dir)
            } catch let e as VFSError where e.code == .notFound {
                // Nothing left.
            } catch {
                print("could not remove \(fs.display(dir)) after the test: \(error)")
            }
        }
        do {
            try await body(fs, dir)
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
    }

    /// `rclone` pointed at a server through RCLONE_S3_* variables (an on-the-fly `:s3:` remote).
    func rclone(_ server: S3TestServer, _ arguments: [String]) async throws -> ProcessResult {
        let c = server.credentials
        let env = [
            "RCLONE_CONFIG": "/dev/null", "TZ": "UTC",
            "RCLONE_S3_PROVIDER": server == .rclone ? "Rclone" : "Other",
            "RCLONE_S3_ENDPOINT": server.endpoint, "RCLONE_S3_REGION": "us-east-1", "RCLONE_S3_FORCE_PATH_STYLE": "true",
            "RCLONE_S3_ACCESS_KEY_ID": c.accessKeyId, "RCLONE_S3_SECRET_ACCESS_KEY": c.secretAccessKey,
        ]
        return try await runTool([S3TestServer.rcloneExecutable] + arguments, environment: env)
    }

    // MARK: - Errors

    @Test("a wrong secret is refused by rclone serve s3: authenticationFailed naming SignatureDoesNotMatch",
          .enabled("rclone serve s3 is running or can be started") { await S3TestServer.rclone.shouldRun() })
    func wrongSecret() async throws {
        _ = try await S3TestServer.rclone.storeWithBucket(Self.bucket)
        let fs = try S3TestServer.rclone.store {
            $0.credentials = S3Credentials(accessKeyId: "AKIDSRVLAB", secretAccessKey: "not-the-secret")
        }
        let path = VPath(components: [Self.bucket, "some", "file.txt"])
        for operation in ["info", "list", "read", "write"] {
            let error = await #expect(throws: VFSError.self, "\(operation) with a wrong secret") {
                switch operation {
                case "info": _ = try await fs.info(path)
                case "list": _ = try await fs.listAll(path.parent)
                case "read": _ = try await fs.readAll(path)
                default: try await fs.write(path, bytes: [1])
                }
            }
            #expect(error?.code == .authenticationFailed, "\(operation): \(String(describing: error))")
            #expect(error?.message.contains("SignatureDoesNotMatch") == true, "\(operation): \(String(describing: error))")
            #expect(error?.path == "s3://\(Self.bucket)/some" || error?.path == "s3://\(Self.bucket)/some/file.txt")
            #expect(error?.remedy?.contains("secret access key") == true)
        }
    }

    @Test("a missing bucket is notFound naming the bucket, with how to create it", arguments: S3TestServer.allCases)
    func missingBucket(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await server.requireRunning()
        let fs = try server.store()
        let bucket = uniqueName("nobucket")
        let file = VPath(components: [bucket, "dir", "f.txt"])
        for operation in ["info", "list", "read", "write", "bucket info"] {
            let error = await #expect(throws: VFSError.self, "\(operation) in a missing bucket") {
                switch operation {
                case "info": _ = try await fs.info(file)
                case "list": _ = try await fs.listAll(file.parent)
                case "read": _ = try await fs.readAll(file)
                case "write": try await fs.write(file, bytes: [1, 2])
                default: _ = try await fs.info(VPath(components: [bucket]))
                }
            }
            #expect(error?.code == .notFound, "\(operation): \(String(describing: error))")
            #expect(error?.message.contains("'\(bucket)'") == true, "\(operation): \(String(describing: error))")
            #expect(error?.remedy == "create it with `dctc mkdir s3://\(bucket)`", "\(operation): \(String(describing: error))")
        }
    }

    @Test("a refused connection is unavailable and retryable, naming the address")
    func refusedConnection() async throws {
        let configuration = try S3Configuration(endpoint: "http://127.0.0.1:1", credentials: S3Credentials(accessKeyId: "a", secretAccessKey: "b"))
        var c = configuration
        c.maxAttempts = 2
        c.retryBaseDelay = .milliseconds(10)
        let fs = try S3FileSystem(configuration: c)
        let error = await #expect(throws: VFSError.self) { _ = try await fs.info(VPath("/bucket/key")) }
        #expect(error?.code == .unavailable)
        #expect(error?.isRetryable == true)
        #expect(error?.path == "s3://bucket/key")
        #expect(error?.remedy?.isEmpty == false)
    }

    // MARK: - Multipart

    @Test("a multipart upload whose source fails is aborted: no upload stays in progress, no object appears",
          arguments: S3TestServer.allCases)
    func failedMultipartIsAborted(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "abort") { (fs: S3FileSystem, dir: VPath) async throws in
            let path = dir.appending("big.bin")
            let inProgress = LockedValue<[S3PendingUpload]?>(nil)
            let sent = LockedValue(0)
            // 20 MiB of good bytes (more than two 8 MiB parts), then a failure; at that moment the
            // multipart upload must be in progress.
            let source = ByteStream.pulling {
                let n = sent.get()
                if n >= 20 * 1024 * 1024 {
                    inProgress.set(try await fs.pendingUploads(below: dir))
                    throw VFSError(.io, "simulated source failure")
                }
                sent.set(n + 1024 * 1024)
                return [UInt8](repeating: 7, count: 1024 * 1024)
            }
            let error = await #expect(throws: VFSError.self) { try await fs.write(path, from: source, attributes: .none) }
            #expect(error?.code == .io)
            #expect(inProgress.get()?.map(\.key) == [path.relative(to: VPath(components: [Self.bucket])) ?? ""],
                    "the multipart path was taken")
            #expect(try await fs.pendingUploads(below: dir).isEmpty, "the upload was aborted")
            #expect(try await !fs.exists(path))
        }
    }

    @Test("a multipart ETag is never reported as an MD5; a known MD5 is stored as md5chksum", arguments: S3TestServer.allCases)
    func multipartETagIsNotAnMD5(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "etag") { (fs: S3FileSystem, dir: VPath) async throws in
            let data = TestData.bytes(18 * 1024 * 1024, seed: 7)
            let md5 = try Digest.hash(data, kind: .md5)
            let plain = dir.appending("plain.bin")
            try await fs.write(plain, from: .bytes(data, chunkSize: 1 << 20), attributes: .none)
            for info in [try await fs.info(plain), try await fs.listAll(dir).first { $0.path == plain }] {
                let info = try #require(info)
                if let etag = info.etag, etag.contains("-") {
                    #expect(info.hashes[.md5] == nil, "multipart ETag \(etag) taken for an MD5")
                }
                if let reported = info.hashes[.md5] { #expect(reported == md5, "a reported MD5 must be the content's") }
            }
            // Content of unknown MD5 gets its md5chksum too, set after the upload (a copy in place).
            #expect(try await fs.info(plain).hashes[.md5] == md5, "md5chksum recorded for a stream")


            let known = dir.appending("known.bin")
            let written = try await fs.write(known, from: .bytes(data, chunkSize: 1 << 20),
                                             attributes: WriteAttributes(expectedHashes: [.md5: md5]))
            #expect(written.hashes[.md5] == md5)
            let info = try await fs.info(known)
            #expect(info.hashes[.md5] == md5, "md5chksum read back")
            #expect(info.metadata["md5chksum"] == Data(S3Crypto.bytes(fromHex: md5)).base64EncodedString())
        }
    }

    @Test("part MD5s hashed before the upload are sent as they are; a part changed since fails the upload and leaves nothing",
          arguments: S3TestServer.allCases, [true, false])
    func knownPartMD5s(_ server: S3TestServer, partChecksums: Bool) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "parts", tweak: { $0.partChecksums = partChecksums }) { (fs: S3FileSystem, dir: VPath) async throws in
            let data = TestData.bytes(18 * 1024 * 1024, seed: 11)
            let path = dir.appending("big.bin")
            let sizes = try #require(fs.partSizesWantedUpfront(for: path, size: Int64(data.count)))
            #expect(sizes.count > 1 && sizes.reduce(0, +) == Int64(data.count))
            var start = 0
            var digests: [String] = []
            for size in sizes {
                digests.append(try Digest.hash(Array(data[start..<(start + Int(size))]), kind: .md5))
                start += Int(size)
            }
            let md5 = try Digest.hash(data, kind: .md5)
            var attributes = WriteAttributes(expectedSize: Int64(data.count), expectedHashes: [.md5: md5], sizeHint: Int64(data.count))
            attributes.expectedPartHashes = PartHashes(kind: .md5, sizes: sizes, digests: digests)
            let written = try await fs.write(path, from: .bytes(data, chunkSize: 1 << 20), attributes: attributes)
            #expect(written.hashes[.md5] == md5)
            #expect(try await fs.info(path).hashes[.md5] == md5, "md5chksum recorded")
            #expect(try await fs.readAll(path) == data)

            // Same size, one byte of the second part different: the source changed after it was
            // hashed. With Content-MD5 the part MD5s are used (and the server rejects the part);
            // without, the parts are hashed while they are sent and the whole MD5 does not match.
            var changed = data
            changed[Int(sizes[0]) + 5] ^= 0xFF
            let other = dir.appending("changed.bin")
            let error = await #expect(throws: VFSError.self) {
                try await fs.write(other, from: .bytes(changed, chunkSize: 1 << 20), attributes: attributes)
            }
            #expect(error?.code == .checksumMismatch)
            if partChecksums {
                #expect(error?.message.contains("changed while it was uploaded") == true, "\(String(describing: error))")
            }
            #expect(try await !fs.exists(other))
            #expect(try await fs.pendingUploads(below: dir).isEmpty, "the upload was aborted")
        }
    }

    @Test("a 64 MiB write of announced size (the conformance large file) takes the multipart path",
          .enabled("moto is running or can be started") { await S3TestServer.moto.shouldRun() })
    func largeFileIsMultipart() async throws {
        try await withScratch(.moto, "large") { (fs: S3FileSystem, dir: VPath) async throws in
            let size = 64 * 1024 * 1024
            let path = dir.appending("large.bin")
            let written = try await fs.write(path, from: TestData.stream(size, seed: 42),
                                             attributes: WriteAttributes(sizeHint: Int64(size)))
            // The multipart path computes the MD5 while streaming and records it afterwards
            // (a single PUT would not need it): md5chksum is there, and equals the content's.
            let info = try await fs.info(path)
            #expect(info.metadata["md5chksum"] != nil)
            #expect(info.hashes[.md5] != nil && info.hashes[.md5] == written.hashes[.md5])
        }
    }

    @Test("a multipart upload with a wrong expected MD5 is aborted before anything appears", arguments: S3TestServer.allCases)
    func multipartChecksumMismatch(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "mpbad") { (fs: S3FileSystem, dir: VPath) async throws in
            let path = dir.appending("bad.bin")
            let error = await #expect(throws: VFSError.self) {
                try await fs.write(path, from: TestData.stream(17 * 1024 * 1024, seed: 3),
                                   attributes: WriteAttributes(expectedHashes: [.md5: String(repeating: "1", count: 32)]))
            }
            #expect(error?.code == .checksumMismatch)
            #expect(try await !fs.exists(path))
            #expect(try await fs.pendingUploads(below: dir).isEmpty)
        }
    }

    @Test("a streamed single PUT (known size under the multipart threshold) round-trips and rejects a wrong MD5",
          arguments: S3TestServer.allCases)
    func streamedSinglePut(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "stream", tweak: { $0.partSize = 5 * 1024 * 1024 }) { (fs: S3FileSystem, dir: VPath) async throws in
            let data = TestData.bytes(6 * 1024 * 1024 + 17, seed: 11)
            let md5 = try Digest.hash(data, kind: .md5)
            let path = dir.appending("s.bin")
            let info = try await fs.write(path, from: .bytes(data, chunkSize: 100_000),
                                          attributes: WriteAttributes(computeHashes: [.sha256], sizeHint: Int64(data.count)))
            #expect(info.hashes[.md5] == md5)
            #expect(info.etag == md5, "a single PUT's ETag is the MD5")
            #expect(try await fs.readAll(path) == data)
            let bad = dir.appending("bad.bin")
            let error = await #expect(throws: VFSError.self) {
                try await fs.write(bad, from: .bytes(data), attributes: WriteAttributes(
                    expectedHashes: [.md5: String(repeating: "2", count: 32)], sizeHint: Int64(data.count)))
            }
            #expect(error?.code == .checksumMismatch)
            #expect(try await !fs.exists(bad))
        }
    }

    @Test("large reads fetch ranges in parallel and deliver every byte in order, for any range", arguments: S3TestServer.allCases)
    func parallelRangedReads(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "parallel", tweak: {
            $0.downloadChunkSize = 100_000
            $0.downloadConcurrency = 3
        }) { (fs: S3FileSystem, dir: VPath) async throws in
            let data = TestData.bytes(1_234_567, seed: 5)
            let path = dir.appending("p.bin")
            try await fs.write(path, bytes: data)
            #expect(try await fs.read(path, range: nil).collect() == data)
            #expect(try await fs.read(path, range: ByteRange(offset: 12_345, length: 700_001)).collect() == Array(data[12_345..<712_346]))
            #expect(try await fs.read(path, range: ByteRange(offset: 1_000_000)).collect() == Array(data[1_000_000...]))
            #expect(try await fs.read(path, range: ByteRange(offset: 1_234_000, length: 10_000)).collect() == Array(data[1_234_000...]))
            #expect(try await fs.read(path, range: ByteRange(offset: 2_000_000)).collect().isEmpty)
        }
    }

    @Test("an object replaced during a parallel read fails the read instead of mixing versions", arguments: S3TestServer.allCases)
    func replacedDuringRead(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "replaced", tweak: {
            $0.downloadChunkSize = 100_000
            $0.downloadConcurrency = 2
        }) { (fs: S3FileSystem, dir: VPath) async throws in
            let path = dir.appending("r.bin")
            try await fs.write(path, bytes: TestData.bytes(1_000_000, seed: 1))
            let stream = try await fs.read(path, range: nil)
            var iterator = stream.makeAsyncIterator()
            // The first range, while the next two are fetched; later ones start after the overwrite.
            var read = 0
            while read < 100_000, let chunk = try await iterator.next() { read += chunk.count }
            try await fs.write(path, bytes: TestData.bytes(1_000_000, seed: 2))
            let error = await #expect(throws: VFSError.self) {
                while try await iterator.next() != nil {}
            }
            #expect(error?.code == .io)
            #expect(error?.message.contains("changed") == true, "\(String(describing: error))")
        }
    }

    // MARK: - Metadata shared with rclone

    @Test("modification times travel in x-amz-meta-mtime, as rclone writes and reads them", arguments: S3TestServer.allCases)
    func rcloneCompatibleModificationTime(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "mtime") { (fs: S3FileSystem, dir: VPath) async throws in
            let when = Date(timeIntervalSince1970: 1_500_000_000.25)
            let path = dir.appending("m.txt")
            try await fs.write(path, from: .string("hello"), attributes: WriteAttributes(modificationTime: when))
            let info = try await fs.info(path)
            #expect(info.metadata["mtime"] == "1500000000.25")
            #expect(info.modificationTime == when)
            // rclone sees the same time (lsl prints it in UTC with nanoseconds).
            let bucketRelative = path.relative(to: VPath(components: [Self.bucket])) ?? ""
            let lsl = try await rclone(server, ["lsl", ":s3:\(Self.bucket)/\(bucketRelative)"])
            #expect(lsl.status == 0, "\(lsl.stderr)")
            #expect(lsl.stdout.contains("2017-07-14 02:40:00.25"), "rclone lsl: \(lsl.stdout) \(lsl.stderr)")
            if let root = server.dataRoot {
                // rclone serve s3 turns the metadata into the file's own modification time.
                let attributes = try FileManager.default.attributesOfItem(atPath: root + "/" + Self.bucket + "/" + bucketRelative)
                let disk = try #require(attributes[.modificationDate] as? Date)
                #expect(abs(disk.timeIntervalSince(when)) < 1e-3)
            }
            // And the other way round: a file rclone uploads shows rclone's time here.
            let local = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("rclone-src")).path
            try Data("from rclone".utf8).write(to: URL(fileURLWithPath: local))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_234_567_890.5)], ofItemAtPath: local)
            defer { try? FileManager.default.removeItem(atPath: local) }
            let copy = try await rclone(server, ["copyto", local, ":s3:\(Self.bucket)/\(bucketRelative)-from-rclone"])
            #expect(copy.status == 0, "\(copy.stderr)")
            let theirs = try await fs.info(VPath(components: path.components.dropLast() + [path.name + "-from-rclone"]))
            #expect(theirs.modificationTime.map { abs($0.timeIntervalSince1970 - 1_234_567_890.5) < 1e-3 } == true,
                    "rclone's mtime: \(String(describing: theirs.modificationTime)) \(theirs.metadata)")
        }
    }

    // MARK: - Names

    @Test("keys with '+', spaces, '%' and unicode are listed exactly and stored under their exact names",
          arguments: S3TestServer.allCases)
    func hostileKeys(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "keys") { (fs: S3FileSystem, dir: VPath) async throws in
            let names = ["a+b", "a b", "a  b ", "100%", "%2B", "%20", "x+y z%20w", "日本語", "e\u{301}", "\u{e9}", "amp&lt;", "<tag>", "q?a#b"]
            for (i, name) in names.enumerated() {
                try await fs.write(dir.appending("d+ %").appending(name), bytes: Array("content \(i)".utf8))
            }
            let listed = try await fs.listAll(dir.appending("d+ %"))
            #expect(Set(listed.map { Array($0.name.utf8) }) == Set(names.map { Array($0.utf8) }))
            var recursive: [FileInfo] = []
            for try await page in fs.listRecursive(dir) { recursive += page }
            #expect(Set(recursive.map { Array($0.name.utf8) }) == Set(names.map { Array($0.utf8) }))
            #expect(recursive.allSatisfy { $0.path.parent == dir.appending("d+ %") })
            for (i, name) in names.enumerated() {
                #expect(try await fs.readAll(dir.appending("d+ %").appending(name)) == Array("content \(i)".utf8), "\(name)")
            }
            if let root = server.dataRoot {
                let folder = root + "/" + Self.bucket + "/" + (dir.relative(to: VPath(components: [Self.bucket])) ?? "") + "/d+ %"
                let onDisk = try FileManager.default.contentsOfDirectory(atPath: folder)
                #expect(Set(onDisk.map { Array($0.utf8) }) == Set(names.map { Array($0.utf8) }), "names on rclone's disk")
            }
        }
    }

    @Test("a whole-tree listing comes in key order, shows an empty folder's marker as a directory, and skips the prefix's own marker (moto)",
          .enabled("moto is running or can be started") { await S3TestServer.moto.shouldRun() })
    func recursiveListingShapes() async throws {
        try await withScratch(.moto, "tree") { (fs: S3FileSystem, dir: VPath) async throws in
            for name in ["a/b", "a-b", "a.b", "a/c/d"] { try await fs.write(dir.appending(relative: name), bytes: [1]) }
            let (bucket, base) = (dir.components[0], dir.components.dropFirst().joined(separator: "/"))
            for marker in [base + "/", base + "/empty/"] {
                let r = try await fs.transport.send(S3Operation("PUT", bucket: bucket, key: marker, body: .bytes([], hashed: true),
                                                                idempotent: true, display: marker))
                await r.body.cancel()
            }
            var listed: [FileInfo] = []
            for try await page in fs.listRecursive(dir) { listed += page }
            #expect(listed.map { $0.path.relative(to: dir) ?? "" } == ["a-b", "a.b", "a/b", "a/c/d", "empty"])
            #expect(listed.map(\.kind) == [.file, .file, .file, .file, .directory])
            // The per-directory listing agrees on the empty folder.
            #expect(try await fs.listAll(dir).first { $0.name == "empty" }?.isDirectory == true)
        }
    }

    @Test("a ranged whole-tree listing starts after its first key and stops at its end, across pages of 3 keys",
          arguments: S3TestServer.allCases)
    func rangedListing(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "range", tweak: { $0.listPageSize = 3 }) { (fs: S3FileSystem, dir: VPath) async throws in
            let names = (0..<20).map { String(format: "d%d/f%02d", $0 % 3, $0) } + ["d1-x", "d1.y", "z"]
            for name in names { try await fs.write(dir.appending(relative: name), bytes: [7]) }
            let sorted = names.sorted(by: ShardPlan.precedes)
            for (after, through) in [(sorted[2], sorted[12]), (nil, sorted[4]), (sorted[17], nil), (sorted[5], sorted[5])] {
                let range = try PathRange(after: after, through: through)
                var listed: [String] = []
                for try await page in fs.listRecursive(dir, within: range) {
                    listed += page.filter(\.isFile).compactMap { $0.path.relative(to: dir) }
                }
                // In key order, exactly the range: the server started after its first key and
                // the listing ended at the first key past its end.
                #expect(listed == sorted.filter { range.contains($0) }, "\(range)")
            }
        }
    }

    @Test("keys with '.' and '..' components are sent escaped, not normalised away, and listings report them instead of listing them (moto; rclone's disk cannot hold them)",
          .enabled("moto is running or can be started") { await S3TestServer.moto.shouldRun() })
    func dotComponents() async throws {
        try await withScratch(.moto, "dots") { (fs: S3FileSystem, dir: VPath) async throws in
            let paths = [dir.appending("x").appending(".").appending("y"), dir.appending("x").appending("..").appending("z")]
            for (i, p) in paths.enumerated() { try await fs.write(p, bytes: [UInt8(i)]) }
            for (i, p) in paths.enumerated() { #expect(try await fs.readAll(p) == [UInt8(i)]) }
            let skipped = SkippedEntries()
            var listed: [VPath] = []
            try await SkippedEntries.$current.withValue(skipped) {
                for try await page in fs.listRecursive(dir) { listed += page.map(\.path) }
            }
            #expect(listed.isEmpty)
            #expect(Set(skipped.entries.map(\.address)) == Set(paths.map(fs.display)))
            for p in paths { try await fs.remove(p) }
        }
    }

    // MARK: - Listing, copying, removing

    @Test("list: a file is not a directory, the root lists buckets, an empty bucket lists empty", arguments: S3TestServer.allCases)
    func listingShapes(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "shapes") { (fs: S3FileSystem, dir: VPath) async throws in
            try await fs.write(dir.appending("f"), bytes: [1])
            let error = await #expect(throws: VFSError.self) { _ = try await fs.listAll(dir.appending("f")) }
            #expect(error?.code == .notADirectory)
            let buckets = try await fs.listAll(.root)
            #expect(buckets.contains { $0.name == Self.bucket && $0.isDirectory })
            let empty = uniqueName("dctc-empty")
            try await fs.makeDirectory(VPath(components: [empty]))
            #expect(try await fs.listAll(VPath(components: [empty])).isEmpty)
            #expect(try await fs.info(VPath(components: [empty])).isDirectory)
            try await fs.removeDirectory(VPath(components: [empty]))
        }
    }

    @Test("buckets are created and removed; a non-empty one refuses removal", arguments: S3TestServer.allCases)
    func buckets(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await server.requireRunning()
        let fs = try server.store()
        let bucket = VPath(components: [uniqueName("dctc-bucket")])
        try await fs.makeDirectory(bucket)
        let again = await #expect(throws: VFSError.self) { try await fs.makeDirectory(bucket) }
        #expect(again?.code == .alreadyExists)
        try await fs.write(bucket.appending("x"), bytes: [1])
        let full = await #expect(throws: VFSError.self) { try await fs.removeDirectory(bucket) }
        #expect(full?.code == .notEmpty)
        try await fs.remove(bucket.appending("x"))
        try await fs.removeDirectory(bucket)
        let gone = await #expect(throws: VFSError.self) { _ = try await fs.info(bucket) }
        #expect(gone?.code == .notFound)
    }

    @Test("a server-side copy keeps content, metadata and time; move removes the source", arguments: S3TestServer.allCases)
    func serverSideCopyAndMove(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "copy") { (fs: S3FileSystem, dir: VPath) async throws in
            let when = Date(timeIntervalSince1970: 1_400_000_000.5)
            let src = dir.appending("src name+.txt")
            try await fs.write(src, from: .string("copy me"), attributes: WriteAttributes(modificationTime: when, metadata: ["color": "blue"]))
            let copied = try await fs.copy(from: src, to: dir.appending("sub").appending("dst.txt"), attributes: .none)
            #expect(copied.size == 7)
            let info = try await fs.info(dir.appending("sub").appending("dst.txt"))
            #expect(info.modificationTime == when)
            #expect(info.metadata["color"] == "blue")
            #expect(try await fs.readAll(dir.appending("sub").appending("dst.txt")) == Array("copy me".utf8))
            let wrong = await #expect(throws: VFSError.self) {
                _ = try await fs.copy(from: src, to: dir.appending("never"), attributes: WriteAttributes(expectedSize: 8))
            }
            #expect(wrong?.code == .checksumMismatch)
            #expect(try await !fs.exists(dir.appending("never")))
            try await fs.move(from: src, to: dir.appending("moved.txt"))
            #expect(try await !fs.exists(src))
            #expect(try await fs.readAll(dir.appending("moved.txt")) == Array("copy me".utf8))
            let later = Date(timeIntervalSince1970: 1_600_000_000)
            try await fs.setModificationTime(dir.appending("moved.txt"), to: later)
            let touched = try await fs.info(dir.appending("moved.txt"))
            #expect(touched.modificationTime == later)
            #expect(touched.metadata["color"] == "blue", "other metadata survives a time change")
        }
    }

    @Test("removeTree and removeMany delete in batches, keys with XML-special characters too", arguments: S3TestServer.allCases)
    func batchDeletes(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "rm") { (fs: S3FileSystem, dir: VPath) async throws in
            let files = ["a", "b/<&>\"'", "b/c/d", "e f/g+h", "日/本"].map { dir.appending(relative: $0) }
            for f in files { try await fs.write(f, bytes: [1]) }
            #expect(try await fs.removeMany(Array(files.prefix(2))) == 2)
            #expect(try await !fs.exists(files[0]))
            #expect(try await !fs.exists(files[1]))
            #expect(try await fs.removeTree(dir) == 3)
            let error = await #expect(throws: VFSError.self) { _ = try await fs.listAll(dir) }
            #expect(error?.code == .notFound)
        }
    }

    @Test("a directory marker (an empty 'dir/' object) makes an empty prefix a directory", arguments: S3TestServer.allCases)
    func directoryMarkers(_ server: S3TestServer) async throws {
        guard await server.shouldRun() else { return }
        try await withScratch(server, "marker") { (fs: S3FileSystem, dir: VPath) async throws in
            // Written the way the S3 console and rclone --s3-directory-markers do.
            let op = S3Operation("PUT", bucket: Self.bucket, key: (dir.relative(to: VPath(components: [Self.bucket])) ?? "") + "/m/",
                                 idempotent: true, display: "marker")
            let response = try await fs.transport.send(op)
            await response.body.cancel()
            if server == .rclone {
                // rclone serve s3 keeps folders, not marker objects; nothing more to check there.
                return
            }
            #expect(try await fs.info(dir.appending("m")).isDirectory)
            #expect(try await fs.listAll(dir.appending("m")).isEmpty)
            #expect(try await fs.listAll(dir).map(\.name) == ["m"])
            try await fs.removeDirectory(dir.appending("m"))
            #expect(try await !fs.exists(dir.appending("m")))
        }
    }

    // MARK: - Units

    @Test("a body whose Range the server ignored is cut to the requested bytes")
    func ignoredRangeIsCutLocally() async throws {
        let data = TestData.bytes(10_000)
        let source = S3BodySource(upstream: .bytes(data, chunkSize: 777), skip: 1000, limit: 2500, display: "s3://b/k")
        #expect(try await ByteStream(source).collect() == Array(data[1000..<3500]))
        let open = S3BodySource(upstream: .bytes(data, chunkSize: 777), skip: 9000, limit: nil, display: "s3://b/k")
        #expect(try await ByteStream(open).collect() == Array(data[9000...]))
    }

    @Test("listing pages become files and directories; markers and impossible names are left out")
    func pageEntries() {
        var page = S3ListPage()
        page.objects = [S3ListedObject(key: "d/", size: 0), S3ListedObject(key: "d/f", size: 3, etag: "0123456789abcdef0123456789abcdef"),
                        S3ListedObject(key: "d/m", size: 9, etag: "0123456789abcdef0123456789abcdef-2")]
        page.prefixes = ["d/sub/", "d//"]
        let entries = S3FileSystem.entries(of: page, in: VPath("/b/d"), prefix: "d/")
        #expect(entries.map(\.name) == ["f", "m", "sub"])
        #expect(entries[0].hashes[.md5] == "0123456789abcdef0123456789abcdef")
        #expect(entries[1].hashes[.md5] == nil, "a multipart ETag is not an MD5")
        #expect(entries[2].isDirectory)
        #expect(S3FileSystem.path(bucket: "b", key: "a//b") == nil)
        #expect(S3FileSystem.path(bucket: "b", key: "a/b") == VPath("/b/a/b"))
    }
}

