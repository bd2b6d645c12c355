import DCTCBackendHTTP
import DCTCCore
import DCTCDigest
import DCTCTestSupport
import Foundation
import Testing

@Suite("HTTP and WebDAV store behaviour")
struct HTTPStoreBehaviourTests {
    @Test("ranged reads return exactly the asked bytes, also from a server that ignores Range")
    func rangesFromServersThatHonourOrIgnoreRange() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let dav = try await nginx.davStore()
        let data = TestData.bytes(300_000, seed: 7)
        for folder in ["ranges", "norange"] {
            try await dav.write(VPath("/\(folder)/r.bin"), bytes: data)
        }
        // The oracle: curl itself shows one location honours Range and the other ignores it.
        #expect(try await curlStatus(range: "10-19", url: nginx.jsonURL + "/ranges/r.bin") == "206")
        #expect(try await curlStatus(range: "10-19", url: nginx.jsonURL + "/norange/r.bin") == "200")
        let fs = try await nginx.jsonStore()
        for folder in ["ranges", "norange"] {
            let p = VPath("/\(folder)/r.bin")
            #expect(try await fs.read(p, range: ByteRange(offset: 10, length: 10)).collect() == Array(data[10..<20]), "\(folder)")
            #expect(try await fs.read(p, range: ByteRange(offset: 262_140, length: 20_000)).collect()
                    == Array(data[262_140..<282_140]), "\(folder)")
            #expect(try await fs.read(p, range: ByteRange(offset: 299_000)).collect() == Array(data[299_000...]), "\(folder)")
            #expect(try await fs.read(p, range: ByteRange(offset: 400_000)).collect() == [], "\(folder)")
        }
        for folder in ["ranges", "norange"] { try await dav.removeTree(VPath("/\(folder)")) }
    }

    @Test("OPTIONS tells WebDAV from plain HTTP and finds how the server keeps modification times")
    func detection() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let json = try await nginx.jsonStore()
        #expect(json.kind == .http && !json.profile.isWebDAV && !json.capabilities.writable)
        #expect(!json.capabilities.preservesModificationTime)
        #expect(json.capabilities.knownHashes.isEmpty)
        let dav = try await nginx.davStore()
        #expect(dav.kind == .webdav && dav.capabilities.writable)
        #expect(dav.profile.modificationTimes == .dateHeader)
        #expect(dav.capabilities.preservesModificationTime)
        let rclone = try await HTTPTestServers.rclone().store()
        #expect(rclone.kind == .webdav && rclone.profile.modificationTimes == .ocMtimeHeader)
        // Forcing WebDAV on a server that does not say DAV still writes as WebDAV.
        var forced = try nginx.configuration(nginx.davURL)
        forced.mode = .webdav
        #expect(try await HTTPFileSystem.connect(forced).profile.isWebDAV)
    }

    @Test("modification times given to a write are kept by nginx and by rclone, on disk")
    func modificationTimesReachTheDisk() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let rclone = try await HTTPTestServers.rclone()
        let when = Date(timeIntervalSince1970: 1_500_000_000.7)
        for (fs, root) in [(try await nginx.davStore(), nginx.root), (try await rclone.store(), rclone.root)] {
            let p = VPath("/mtime/m.txt")
            let written = try await fs.write(p, from: .bytes([1, 2, 3]), attributes: WriteAttributes(modificationTime: when))
            #expect(written.modificationTime == Date(timeIntervalSince1970: 1_500_000_000))
            #expect(try await fs.info(p).modificationTime == Date(timeIntervalSince1970: 1_500_000_000))
            let attributes = try FileManager.default.attributesOfItem(atPath: root + p.string)
            #expect((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 == 1_500_000_000)
            try await fs.removeTree(VPath("/mtime"))
        }
    }

    @Test("a directory URL without its slash is recognised through the server's redirect")
    func directoryRedirect() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let dav = try await nginx.davStore()
        try await dav.write(VPath("/redirect/sub/f"), bytes: [1])
        for fs in [try await nginx.jsonStore(), try await nginx.htmlStore()] {
            #expect(try await fs.info(VPath("/redirect/sub")).kind == .directory)
            #expect(try await fs.listAll(VPath("/redirect")).map(\.name) == ["sub"])
            #expect(try await fs.info(VPath("/redirect/sub/f")).kind == .file)
        }
        try await dav.removeTree(VPath("/redirect"))
    }

    @Test("server-side copy and move keep content and time on WebDAV")
    func copyAndMove() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let fs = try await nginx.davStore()
        let dir = VPath("/copymove")
        _ = try? await fs.removeTree(dir)
        let when = Date(timeIntervalSince1970: 1_400_000_000)
        let data = TestData.bytes(10_000)
        try await fs.write(dir.appending("a"), from: .bytes(data), attributes: WriteAttributes(modificationTime: when))
        let copied = try await fs.copy(from: dir.appending("a"), to: VPath("/copymove/c/b"), attributes: .none)
        #expect(copied.size == 10_000)
        #expect(copied.modificationTime == when)
        #expect(try await fs.readAll(VPath("/copymove/c/b")) == data)
        try await fs.move(from: VPath("/copymove/c"), to: VPath("/copymove/d/e"))
        #expect(try await fs.listAll(VPath("/copymove/d/e")).map(\.name) == ["b"])
        #expect(try await !fs.exists(VPath("/copymove/c")))
        // A copy that must compute hashes streams through dctc and still lands atomically.
        let hashed = try await fs.copy(from: dir.appending("a"), to: dir.appending("h"),
                                       attributes: WriteAttributes(computeHashes: [.sha256]))
        #expect(hashed.hashes[.sha256] == (try Digest.hash(data, kind: .sha256)))
        try await fs.removeTree(dir)
    }

    @Test("the registry builds a read-only store for http:// and a WebDAV store for a webdav account")
    func registry() async throws {
        let nginx = try await HTTPTestServers.nginx()
        let rclone = try await HTTPTestServers.rclone()
        let accounts = TestAccounts(accounts: [
            AccountSettings(name: "dav", type: "webdav",
                            values: ["url": rclone.url + "/", "user": rclone.user],
                            secret: { key in key == "password" ? rclone.password : nil }),
        ])
        let registry = StoreRegistry(accounts: accounts)
        for kind in HTTPBackend.kinds { await registry.register(kind: kind, factory: HTTPBackend.makeStore) }
        let plain = try await registry.resolve(try Address.parse(nginx.jsonURL + "/registry/x.txt"))
        #expect(plain.fs.kind == .http)
        #expect(plain.path == VPath("/registry/x.txt"))
        let account = try await registry.resolve(try Address.parse("dav:registry/y.txt"))
        #expect(account.fs.kind == .webdav)
        try await account.fs.write(account.path, bytes: Array("via account".utf8))
        #expect(try String(contentsOfFile: rclone.root + "/registry/y.txt", encoding: .utf8) == "via account")
        #expect(account.fs.display(account.path) == rclone.url + "/registry/y.txt")
        try await account.fs.removeTree(VPath("/registry"))
    }

    /// `curl -r RANGE` status for `url`.
    func curlStatus(range: String, url: String) async throws -> String {
        try await runTool(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-r", range, url]).stdout
    }
}

/// Accounts held in memory.
struct TestAccounts: AccountProvider {
    let accounts: [AccountSettings]
    func account(named name: String) throws -> AccountSettings? { accounts.first { $0.name == name } }
    var accountNames: [String] { accounts.map(\.name) }
}
