import DCTCBackendFTP
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

/// What the FTP store does beyond the conformance suite: atomic writes seen from the server's
/// own disk (vsftpd serves this machine's file system), times, connection reuse, names.
@Suite("FTP store behaviour on vsftpd", vsftpdTrait)
struct FTPStoreBehaviourTests {
    /// The names in a server folder, read from the disk directly (an oracle independent of the store).
    func namesOnDisk(_ dir: VPath) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.string).sorted()
    }

    @Test("store paths are the server's absolute paths; addresses show them relative to the login folder, or after %2F (RFC 1738)")
    func absolutePaths() async throws {
        let server = try await FTPTestServer.vsftpd()
        let (fs, dir) = try await server.scratch("abs")
        try await fs.write(dir.appending("x.txt"), bytes: Array("abs".utf8))
        #expect(FileManager.default.contents(atPath: dir.string + "/x.txt") == Data("abs".utf8))
        #expect(fs.loginFolder == server.home)
        let relative = dir.components.dropFirst(server.home.components.count).joined(separator: "/")
        #expect(fs.display(dir.appending("a b#?")) == "ftp://dctcftp@127.0.0.1:17021/\(relative)/a%20b%23%3F")
        #expect(fs.display(VPath("/etc/x y")) == "ftp://dctcftp@127.0.0.1:17021/%2Fetc/x%20y")
        // What is displayed reads back as the same store path.
        for path in [dir.appending("a b#?"), VPath("/etc/x y")] {
            let address = try Address.parse(fs.display(path))
            #expect((fs.storePath(for: address) ?? address.path) == path)
        }
        _ = try await fs.removeTree(dir)
    }

    @Test("a failed upload leaves no file under the final name and no temporary file")
    func failedUploadLeavesNothing() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("failed")
        let target = dir.appending("target.bin")
        let e = await expectVFSError {
            try await fs.write(target, from: TestData.failingStream(after: 3 * 1024 * 1024), attributes: .none)
        }
        #expect(e?.code == .io)
        #expect(try namesOnDisk(dir) == [])
        // An existing file survives a failed overwrite, and a wrong size never replaces it.
        try await fs.write(target, bytes: Array("old".utf8))
        _ = await expectVFSError { try await fs.write(target, from: TestData.failingStream(after: 100), attributes: .none) }
        let mismatch = await expectVFSError {
            try await fs.write(target, from: .bytes(Array("new content".utf8)), attributes: WriteAttributes(expectedSize: 3))
        }
        #expect(mismatch?.code == .checksumMismatch)
        #expect(try namesOnDisk(dir) == ["target.bin"])
        #expect(FileManager.default.contents(atPath: target.string) == Data("old".utf8))
        _ = try await fs.removeTree(dir)
    }

    @Test("modification times are set with MDTM on vsftpd and read back exactly by info")
    func modificationTimes() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("mtime")
        #expect(fs.capabilities.preservesModificationTime)
        #expect(fs.capabilities.modificationTimePrecision == 1)
        let when = Date(timeIntervalSince1970: 1_500_000_000.7)
        let p = dir.appending("m.txt")
        let written = try await fs.write(p, from: .bytes([1, 2, 3]), attributes: WriteAttributes(modificationTime: when))
        #expect(written.modificationTime == Date(timeIntervalSince1970: 1_500_000_000))
        #expect(try await fs.info(p).modificationTime == Date(timeIntervalSince1970: 1_500_000_000))
        let onDisk = try FileManager.default.attributesOfItem(atPath: p.string)[.modificationDate] as? Date
        #expect(onDisk == Date(timeIntervalSince1970: 1_500_000_000))
        // vsftpd lists with LIST: an old file shows only its day there.
        #expect(!fs.usesMLSD)
        let listed = try await fs.listAll(dir).first
        #expect(listed?.modificationTime == FTPTestTimes.startOfDay(Date(timeIntervalSince1970: 1_500_000_000)))
        try await fs.setModificationTime(p, to: Date(timeIntervalSince1970: 1_600_000_000))
        #expect(try await fs.info(p).modificationTime == Date(timeIntervalSince1970: 1_600_000_000))
        _ = try await fs.removeTree(dir)
    }

    @Test("ranged reads start at the offset (REST); reading past the end gives nothing")
    func rangedReads() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("range")
        let data = TestData.bytes(1_000_000)
        let p = dir.appending("r.bin")
        try await fs.write(p, bytes: data)
        #expect(try await fs.read(p, range: ByteRange(offset: 999_000, length: 500)).collect() == Array(data[999_000..<999_500]))
        #expect(try await fs.read(p, range: ByteRange(offset: 400_000)).collect() == Array(data[400_000...]))
        #expect(try await fs.read(p, range: ByteRange(offset: 2_000_000)).collect() == [])
        _ = try await fs.removeTree(dir)
    }

    @Test("many operations reuse a few logged-in connections")
    func connectionReuse() async throws {
        let server = try await FTPTestServer.vsftpd()
        var c = try server.configuration()
        c.maxConnections = 1
        let fs = try await FTPFileSystem.connect(c)
        let dir = server.home.appending("dctc-ftp-reuse-\(UUID().uuidString.prefix(8).lowercased())")
        try await fs.makeDirectory(dir)
        for i in 0..<10 {
            try await fs.write(dir.appending("f\(i)"), bytes: [UInt8(i)])
            #expect(try await fs.readAll(dir.appending("f\(i)")) == [UInt8(i)])
        }
        #expect(try await fs.listAll(dir).count == 10)
        _ = try await fs.removeTree(dir)
        // vsftpd runs one process per connection and logs each command with its pid.
        let sessions = try FTPTestTimes.vsftpdSessions(mentioning: dir.string)
        #expect(sessions >= 1)
        #expect(sessions <= 2, "connections used for about 40 requests: \(sessions)")
    }

    @Test("a file named with a tab can be written and listed; reading it is refused as libcurl cannot name it")
    func controlCharacterNames() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("tab")
        let p = dir.appending("tab\there")
        try await fs.write(p, bytes: [1, 2])
        #expect(try namesOnDisk(dir) == ["tab\there"])
        #expect(try await fs.listAll(dir).map(\.name) == ["tab\there"])
        let e = await expectVFSError { _ = try await fs.read(p, range: nil) }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message.contains("control character") == true)
        try await fs.remove(p)
        _ = try await fs.removeTree(dir)
    }

    @Test("move renames with RNFR/RNTO, replacing an existing file and creating parents")
    func move() async throws {
        let (fs, dir) = try await FTPTestServer.vsftpd().scratch("move")
        try await fs.write(dir.appending("a"), bytes: [1])
        try await fs.write(dir.appending("b"), bytes: [2])
        try await fs.move(from: dir.appending("a"), to: dir.appending("b"))
        #expect(try await fs.readAll(dir.appending("b")) == [1])
        try await fs.move(from: dir.appending("b"), to: dir.appending(relative: "new/sub/c"))
        #expect(try namesOnDisk(dir) == ["new"])
        #expect(try await fs.readAll(dir.appending(relative: "new/sub/c")) == [1])
        #expect(await expectVFSError { try await fs.move(from: dir.appending("gone"), to: dir.appending("x")) }?.code == .notFound)
        _ = try await fs.removeTree(dir)
    }

    @Test("a download abandoned midway leaves the connection answering the next requests correctly")
    func abandonedDownload() async throws {
        try await checkAbandonedDownloads(try await FTPTestServer.vsftpd())
    }

    @Test("the registered factory builds a working store from an account with a password secret")
    func factory() async throws {
        let server = try await FTPTestServer.vsftpd()
        let password = try server.password()
        let account = AccountSettings(name: "vs", type: "ftp", values: ["host": server.host, "port": String(server.port), "user": server.user],
                                      secret: { $0 == "password" ? password : nil })
        let registry = StoreRegistry(accounts: TestAccounts(accounts: [account]))
        await registry.register(kind: .ftp, factory: FTPBackend.makeStore)
        let location = try await registry.resolve(try Address.parse("vs:\(server.home.string)"))
        #expect(location.fs.kind == .ftp)
        // The account's path is absolute; shown as a URL, it is the login folder itself.
        #expect(location.fs.display(location.path) == "ftp://\(server.user)@\(server.host):\(server.port)/")
        #expect(try await location.fs.info(location.path).isDirectory)
    }
}

/// Reads the first chunk of each file and cancels, then checks that the next requests on the
/// same (single) connection still get their own answers.
func checkAbandonedDownloads(_ server: FTPTestServer) async throws {
    let fs = try await server.store(maxConnections: 1)
    let dir = server.home.appending("dctc-ftp-abandon-\(UUID().uuidString.prefix(8).lowercased())")
    try await fs.makeDirectory(dir)
    let big = dir.appending("big.bin"), small = dir.appending("small.bin")
    try await fs.write(big, from: .bytes(TestData.bytes(40 << 20), chunkSize: 1 << 20), attributes: .none)
    try await fs.write(small, bytes: TestData.bytes(3 << 20))
    for p in [big, small, big] {
        let stream = try await fs.read(p, range: nil)
        var iterator = stream.makeAsyncIterator()
        #expect(try await iterator.next()?.isEmpty == false)
        await stream.cancel()
        for i in 0..<4 {
            let f = dir.appending("f\(i)")
            try await fs.write(f, bytes: [UInt8(i)])
            #expect(try await fs.readAll(f) == [UInt8(i)])
            try await fs.remove(f)
            #expect(try await fs.exists(f) == false, "\(p.name), step \(i): a removed file still exists")
            #expect(try await fs.info(dir).isDirectory, "\(p.name), step \(i)")
        }
    }
    #expect(try await fs.listAll(dir).map(\.name) == ["big.bin", "small.bin"])
    _ = try await fs.removeTree(dir)
}

enum FTPTestTimes {
    /// Midnight UTC of the day of `date`.
    static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: floor(date.timeIntervalSince1970 / 86_400) * 86_400)
    }

    /// The vsftpd sessions (one process each) whose log lines mention `path`.
    static func vsftpdSessions(mentioning path: String) throws -> Int {
        let dir = ProcessInfo.processInfo.environment["DCTC_SRV_DIR"] ?? "/tmp/dctc-srv"
        let log = try String(contentsOfFile: dir + "/logs/vsftpd.log", encoding: .utf8)
        var pids = Set<Substring>()
        for line in log.split(separator: "\n") where line.contains(path) {
            guard let start = line.range(of: "[pid "), let end = line[start.upperBound...].firstIndex(of: "]") else { continue }
            pids.insert(line[start.upperBound..<end])
        }
        return pids.count
    }
}
