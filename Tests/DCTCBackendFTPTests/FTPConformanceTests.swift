import DCTCBackendFTP
import DCTCCore
import DCTCTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The conformance options of every FTP server: a 64 MiB file, listings in pages of 100 so
/// 250 files need three pages, and the one hostile name no FTP store here can transfer.
func ftpConformanceOptions() -> ConformanceOptions {
    var options = ConformanceOptions()
    options.largeFileSize = 64 * 1024 * 1024
    options.pagingFileCount = 250
    // Declared, not skipped silently: libcurl refuses control characters in FTP URL paths
    // ("path contains control characters", CURLE_URL_MALFORMAT), so a file named with a tab
    // can be written (uploaded under a temporary name, renamed with RNTO) and listed, but never
    // read back. The servers themselves store it.
    options.unsupportedNames = ["tab\there"]
    return options
}

let conformancePageSize = 100

func sharedStore(_ server: @escaping @Sendable () async throws -> FTPTestServer, _ label: String, maxConnections: Int = 4)
    -> Task<(FTPFileSystem, VPath), any Error>
{
    Task {
        let s = try await server()
        let fs = try await s.store(listPageSize: conformancePageSize, maxConnections: maxConnections)
        let prefix = "dctc-ftp-conformance-\(label)-"
        // The cases remove their own folders; the roots of earlier runs whose process is gone
        // are removed here.
        for entry in try await fs.listAll(s.home) where entry.name.hasPrefix(prefix) {
            if let pid = Int32(entry.name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                _ = try? await fs.removeTree(entry.path)
            }
        }
        return (fs, s.home.appending(prefix + "\(getpid())"))
    }
}

private let vsftpdStore = sharedStore({ try await FTPTestServer.vsftpd() }, "plain")
private let vsftpdTLSStore = sharedStore({ try await FTPTestServer.vsftpdTLS() }, "tls")

func runConformance(_ c: ConformanceCase, _ store: Task<(FTPFileSystem, VPath), any Error>) async throws {
    let (fs, root) = try await store.value
    let options = ftpConformanceOptions()
    if c.name == "hostileNamesRoundTripExactly" {
        print("\(fs.display(root)): declared unsupported names: \(options.unsupportedNames.map(\.debugDescription).sorted())")
    }
    try await Conformance.run(c, fs: fs, root: root, options: options)
}

@Suite("FTP store conformance (vsftpd, LIST listings)", vsftpdTrait)
struct VsftpdConformanceTests {
    @Test("ftp store on vsftpd passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await runConformance(c, vsftpdStore)
    }
}

@Suite("FTPS store conformance (vsftpd, explicit TLS)", vsftpdTrait)
struct VsftpdTLSConformanceTests {
    @Test("ftps store on vsftpd passes the conformance case", arguments: Conformance.cases)
    func conformance(_ c: ConformanceCase) async throws {
        try await runConformance(c, vsftpdTLSStore)
    }
}
