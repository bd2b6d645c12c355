import DCTCTestSupport
import Foundation
import Testing

/// `--bwlimit` on the command line (the rate itself is measured by Benchmarks/bwlimit.sh, not
/// timed here).
@Suite("--bwlimit on the command line")
struct BandwidthFlagTests {
    @Test("a wrong limit exits 2 naming it, before anything is copied")
    func wrongLimitIsAUsageError() throws {
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("a.txt", "a")
        for bad in ["2Q", "25:00,1M", "0"] {
            let r = try CLI.run(["cp", "--bwlimit", bad, s.url("a.txt"), s.url("b.txt")])
            #expect(r.status == 2, "\(r)")
            #expect(r.stderr.contains("'\(bad)' is not a bandwidth limit"), "\(r)")
            #expect(!s.exists("b.txt"))
        }
    }

    @Test("a limit, UP:DOWN, a timetable and off are accepted anywhere on the line, and the copy is exact")
    func limitsAreAccepted() throws {
        let s = try Scratch(); defer { s.cleanup() }
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        _ = try s.write("src/big.bin", bytes: bytes)
        for (i, args) in [["--bwlimit", "100M"], ["--bwlimit", "off:100M"], ["--bwlimit", "00:00,100M 12:00,100M"], ["--bwlimit", "off"]].enumerated() {
            let r = try CLI.run(args + ["cp", "-", s.url("out\(i).bin")], stdin: bytes)
            #expect(r.status == 0, "\(args): \(r)")
            #expect(try s.read("out\(i).bin") == bytes)
        }
        let sync = try CLI.run(["sync", s.url("src"), s.url("dst"), "--bwlimit", "50M"])
        #expect(sync.status == 0, "\(sync)")
        #expect(try s.read("dst/big.bin") == bytes)
    }
}

/// `--contimeout` and `--timeout`, rclone's names for the connect and stall deadlines.
@Suite("--contimeout and --timeout")
struct TimeoutFlagTests {
    @Test("a wrong duration exits 2 naming the flag")
    func wrongDurations() throws {
        for (flag, bad) in [("--contimeout", "0s"), ("--timeout", "banana"), ("--timeout", "25h")] {
            let r = try CLI.run(["ls", flag, bad, "/"])
            #expect(r.status == 2, "\(r)")
            #expect(r.stderr.contains(bad), "\(r)")
        }
    }

    @Test("a server that accepts the connection and never answers fails after --timeout (and its retries), exit 5")
    func stalledServerTimesOut() throws {
        // A listening socket nobody reads: the kernel completes the TCP handshake, then silence.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        #expect(bound == 0 && listen(fd, 64) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let r = try CLI.run(["cat", "--timeout", "1s", "http://127.0.0.1:\(port)/x"], environment: ["DCTC_RETRY_BASE_DELAY": "0.01"])
        #expect(r.status == 5, "\(r)")
        #expect(r.stderr.contains("stopped responding") && r.stderr.contains("--timeout"), "\(r)")
    }
}
