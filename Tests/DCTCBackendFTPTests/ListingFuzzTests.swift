import DCTCBackendFTP
import DCTCTestSupport
import Foundation
import Testing

@Suite("fuzz: FTP LIST and MLSD lines")
struct ListingFuzzTests {
    static let list = [
        "-rw-r--r--    1 1000     1000         4096 Jan 02 03:04 file name.txt",
        "drwxr-xr-x    2 ftp      ftp          4096 Dec 31  2025 dir",
        "lrwxrwxrwx    1 0        0               7 Mar  5 10:00 link -> target",
        "-rw-------   1 user group 18446744073709551615 Feb 29 23:59 huge",
        "01-02-26  03:04PM       <DIR>          Windows Dir",
        "01-02-26  03:04PM                 1234 windows file.bin",
        "total 12",
    ]
    static let mlsd = [
        "type=file;size=1024;modify=20260102030405;perm=r; file name.txt",
        "type=dir;modify=20260102030405.123; sub dir",
        "type=cdir; .",
        "type=pdir; ..",
        "Type=OS.unix=symlink;UNIX.mode=0777; link",
        "size=;type=file;; x",
    ]

    @Test("4,000 mutated LIST and MLSD lines parse or are skipped, never crash")
    func mutatedListingLinesNeverCrash() {
        var fuzzer = Fuzzer(seed: 14)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        var parsed = 0
        for bytes in fuzzer.cases(from: Self.list, count: 2000, maxLength: 1024) {
            if FTPListParser.parse(String(decoding: bytes, as: UTF8.self), now: now) != nil { parsed += 1 }
        }
        for bytes in fuzzer.cases(from: Self.mlsd, count: 2000, maxLength: 1024) {
            if FTPMLSDParser.parse(String(decoding: bytes, as: UTF8.self)) != nil { parsed += 1 }
        }
        #expect(parsed > 0, "some mutations are still valid lines")
    }
}
