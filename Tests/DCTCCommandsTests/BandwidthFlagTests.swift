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
