import DCTCBackendSFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing

/// One store for all conformance cases (they run in parallel and share its four sessions),
/// rooted in a folder of the test user's home.
private let sharedStore = Task { () throws -> (SFTPFileSystem, VPath) in
    let server = try await SFTPTestServer.shared()
    let fs = try await server.store()
    let prefix = "dctc-sftp-conformance-"
    // Roots of earlier runs whose process is gone (a run cannot remove its own at the end).
    for entry in try await fs.listAll(VPath(server.home)) where entry.name.hasPrefix(prefix) {
        if let pid = Int32(entry.name.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0 {
            _ = try? await fs.removeTree(entry.path)
        }
    }
    return (fs, VPath(server.home).appending(prefix + "\(getpid())"))
}

@Suite("SFTP store conformance (OpenSSH sshd)", serverTrait)
struct SFTPConformanceTests {
    @Test("sftp store passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        let (fs, root) = try await sharedStore.value
        var options = ConformanceOptions()
        options.largeFileSize = 64 * 1024 * 1024
        try await Conformance.run(c, fs: fs, root: root, options: options)
    }
}
