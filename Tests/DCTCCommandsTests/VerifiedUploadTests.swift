import DCTCTestSupport
import Foundation
import Testing

/// `--verify` and the stored-content checks of uploads (`StoredContentCheck`): what the server
/// stored is compared with what was sent before the file takes its name.
@Suite("Uploads checked against what the server stored", .serialized)
struct VerifiedUploadTests {
    /// The accounts of `StoreAccounts` plus `davflip` (rclone serve webdav behind a proxy that
    /// damages one byte of the first upload) and `boxread` (SFTP with `remote_hash = false`, so
    /// `--verify` reads back).
    private func accounts(_ s: Scratch, proxyPort: Int) throws -> StoreAccounts? {
        var made: StoreAccounts?
        try withServers(s) { made = $0 }
        guard let a = made else { return nil }
        let ssh = try TestServers.environment(of: "sshd")
        var text = try String(contentsOfFile: a.config, encoding: .utf8)
        text += """

        [accounts.davflip]
        type = "webdav"
        url = "http://127.0.0.1:\(proxyPort)"
        user = "davuser"
        password_env = "TEST_DAV_PASSWORD"

        \(StoreAccounts.sftpSection("boxread", ssh, extra: ["remote_hash = false"]))

        """
        try text.write(toFile: a.config, atomically: true, encoding: .utf8)
        return a
    }

    @Test("WebDAV: a byte damaged on the way is caught by --verify before the rename; without it the server keeps the damage")
    func webdavReadBackCatchesDamage() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let root = try #require(try TestServers.environment(of: "rclone-webdav")["DCTC_TEST_RCLONE_WEBDAV_ROOT"])
        let proxy = try ByteProxy(upstream: 17081, arguments: ["--flip-put", ".tmp"])
        defer { proxy.stop() }
        guard let a = try accounts(s, proxyPort: proxy.port) else { return }
        let name = "verify-\(UUID().uuidString.prefix(8)).bin"
        let bytes = TestData.bytes(3 * 1024 * 1024 + 5)
        let file = try s.write("up.bin", bytes: bytes)
        defer {
            try? FileManager.default.removeItem(atPath: root + "/" + name)
            try? FileManager.default.removeItem(atPath: root + "/plain-" + name)
        }

        let caught = try a.run(["cp", "--verify", file, "davflip:\(name)"])
        #expect(caught.status == 6, "\(caught)")
        #expect(caught.stderr.contains("the server stored other bytes than were sent"), "\(caught.stderr)")
        #expect(caught.stderr.contains("davflip") || caught.stderr.contains(name), "names the file: \(caught.stderr)")
        #expect(proxy.stats()["flips"] == 1, "\(proxy.stats())")
        #expect(!FileManager.default.fileExists(atPath: root + "/" + name), "nothing under the final name")
        #expect(leftovers(root) == [], "no temporary file left")

        // The proxy damages only the first upload: the next run stores the file whole.
        let again = try a.run(["cp", "--verify", file, "davflip:\(name)"])
        #expect(again.status == 0, "\(again)")
        #expect(FileManager.default.contents(atPath: root + "/" + name) == Data(bytes))

        // Without --verify, a damaging path goes unnoticed: what the check is for.
        let second = try ByteProxy(upstream: 17081, arguments: ["--flip-put", ".tmp"])
        defer { second.stop() }
        var text = try String(contentsOfFile: a.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "http://127.0.0.1:\(proxy.port)", with: "http://127.0.0.1:\(second.port)")
        try text.write(toFile: a.config, atomically: true, encoding: .utf8)
        let plain = try a.run(["cp", file, "davflip:plain-\(name)"])
        #expect(plain.status == 0, "\(plain)")
        #expect(second.stats()["flips"] == 1)
        let stored = FileManager.default.contents(atPath: root + "/plain-" + name)
        #expect(stored?.count == bytes.count)
        #expect(stored != Data(bytes), "the server kept the damaged byte")
    }

    @Test("--verify on SFTP (server md5sum, and read-back where exec is off) and FTP (read-back): the tree arrives whole, no work files left")
    func verifiedSyncs() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let proxy = try ByteProxy(upstream: 17081)
        defer { proxy.stop() }
        guard let a = try accounts(s, proxyPort: proxy.port) else { return }
        let ftpHome = try #require(try TestServers.environment(of: "vsftpd")["DCTC_TEST_FTP_HOME"])
        // Above StoredContentCheck.remoteHashMinimumSize (8 MiB): checked by the server's hash even without --verify.
        let big = TestData.bytes(9 * 1024 * 1024 + 3)
        try s.write("src/big.bin", bytes: big)
        try s.write("src/sub/small.txt", "small")
        try s.write("src/empty.txt", "")
        let unique = "verify-\(UUID().uuidString.prefix(8))"
        let sftpDir = "/tmp/dctc-\(unique)"
        defer {
            try? FileManager.default.removeItem(atPath: sftpDir)
            try? FileManager.default.removeItem(atPath: sftpDir + "-read")
            try? FileManager.default.removeItem(atPath: sftpDir + "-plain")
            try? FileManager.default.removeItem(atPath: ftpHome + "/" + unique)
        }
        for (target, folder) in [("box:\(sftpDir)", sftpDir), ("boxread:\(sftpDir)-read", sftpDir + "-read"),
                                 ("ftpbox:\(unique)", ftpHome + "/" + unique)] {
            let r = try a.run(["sync", "--verify", s.url("src"), target])
            #expect(r.status == 0, "\(target): \(r)")
            #expect(FileManager.default.contents(atPath: folder + "/big.bin") == Data(big), "\(target)")
            #expect(FileManager.default.contents(atPath: folder + "/sub/small.txt") == Data("small".utf8), "\(target)")
            #expect(FileManager.default.contents(atPath: folder + "/empty.txt") == Data(), "\(target)")
            #expect(leftovers(folder) == [], "\(target)")
        }
        // The standard check (no flag) on a large SFTP upload runs the server's md5sum and passes.
        let plain = try a.run(["cp", s.url("src/big.bin"), "box:\(sftpDir)-plain/big.bin"])
        #expect(plain.status == 0, "\(plain)")
        #expect(FileManager.default.contents(atPath: sftpDir + "-plain/big.bin") == Data(big))
    }
}
