@testable import DCTCBackendFTP
import DCTCCore
import Foundation
import Testing

/// `LIST` lines as real servers send them; times are read as UTC and the year of recent
/// entries is inferred from a fixed "now".
@Suite("LIST output parser")
struct FTPListParserTests {
    /// 2026-11-21 12:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_262_400)

    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0) -> Date? {
        FTPTime.utcDate(year: y, month: mo, day: d, hour: h, minute: mi, second: 0)
    }

    func parse(_ line: String) -> FTPListEntry? { FTPListParser.parse(line, now: Self.now) }

    @Test("the fixed 'now' of these tests is 2026-11-21 12:00 UTC")
    func fixedNow() {
        #expect(Self.utc(2026, 11, 21, 12) == Self.now)
    }

    @Test("vsftpd: numeric owner and group, recent file with HH:MM, year inferred from now")
    func vsftpdRecentFile() throws {
        let e = try #require(parse("-rw-r--r--    1 1002     1002            6 Nov 21 06:34 a.txt"))
        #expect(e.name == "a.txt")
        #expect(e.kind == .file)
        #expect(e.size == 6)
        #expect(e.modificationTime == Self.utc(2026, 11, 21, 6, 34))
        #expect(e.timePrecision == .minute)
        #expect(e.mode == 0o644)
    }

    @Test("vsftpd: an old file shows a year instead of a time, precise to the day")
    func vsftpdYearForm() throws {
        let e = try #require(parse("-rw-r--r--    1 1002     1002            6 Jan 02  2020 a b.txt"))
        #expect(e.name == "a b.txt")
        #expect(e.modificationTime == Self.utc(2020, 1, 2))
        #expect(e.timePrecision == .day)
    }

    @Test("vsftpd: directories have no size, and . and .. are not entries")
    func directories() throws {
        let d = try #require(parse("drwxr-xr-x    2 1002     1002         4096 Nov 21 06:34 sub"))
        #expect(d.kind == .directory)
        #expect(d.size == nil)
        #expect(d.mode == 0o755)
        #expect(parse("drwxr-xr-x    2 1002     1002         4096 Nov 21 06:34 .") == nil)
        #expect(parse("drwxr-xr-x    4 0        0            4096 Nov 21 06:34 ..") == nil)
    }

    @Test("names keep leading, inner and trailing spaces: everything after the time column")
    func namesWithSpaces() throws {
        #expect(parse("-rw-r--r--    1 1002     1002            6 Nov 21 06:34  lead and trail ")?.name == " lead and trail ")
        #expect(parse("-rw-r--r--    1 1002     1002            6 Jan 02  2020   three spaces")?.name == "  three spaces")
        #expect(parse("-rw-r--r--    1 1002     1002            6 Nov 21 06:34 Nov 21 06:34 x")?.name == "Nov 21 06:34 x")
    }

    @Test("ProFTPD: owner and group names, single-digit day padded with a space")
    func proftpd() throws {
        let e = try #require(parse("-rw-r--r--   1 ftp      ftp          1234 Mar  5 14:07 report 2024.pdf"))
        #expect(e.name == "report 2024.pdf")
        #expect(e.size == 1234)
        #expect(e.modificationTime == Self.utc(2026, 3, 5, 14, 7))
        let old = try #require(parse("drwxr-xr-x   3 ftp      ftp          4096 Dec 12  2019 archive"))
        #expect(old.kind == .directory)
        #expect(old.modificationTime == Self.utc(2019, 12, 12))
    }

    @Test("Pure-FTPd: wide columns and large sizes")
    func pureFTPd() throws {
        let e = try #require(parse("-rw-r--r--    1 1000       1000       5368709120 Oct 30 23:59 disk image.iso"))
        #expect(e.name == "disk image.iso")
        #expect(e.size == 5_368_709_120)
        #expect(e.modificationTime == Self.utc(2026, 10, 30, 23, 59))
    }

    @Test("a listing without a group column still finds size, date and name")
    func missingGroup() throws {
        let e = try #require(parse("-rw-r--r-- 1 owner 123 Mar  5 14:07 x y"))
        #expect(e.size == 123)
        #expect(e.name == "x y")
    }

    @Test("symbolic links: the name stops before ' -> ' and the target is kept")
    func symlinks() throws {
        let e = try #require(parse("lrwxrwxrwx    1 0        0              11 Jan 01  2024 my link -> /etc/target file"))
        #expect(e.kind == .symlink)
        #expect(e.name == "my link")
        #expect(e.symlinkTarget == "/etc/target file")
        // Only links are split: a regular file may have ' -> ' in its name.
        #expect(parse("-rw-r--r--    1 0        0              11 Jan 01  2024 a -> b")?.name == "a -> b")
    }

    @Test("year inference: a date up to a day ahead is this year, later ones are last year")
    func yearInference() throws {
        #expect(parse("-rw-r--r-- 1 u g 1 Nov 22 10:00 tomorrow")?.modificationTime == Self.utc(2026, 11, 22, 10))
        #expect(parse("-rw-r--r-- 1 u g 1 Dec 01 10:00 december")?.modificationTime == Self.utc(2025, 12, 1, 10))
        #expect(parse("-rw-r--r-- 1 u g 1 Jun 30 10:00 june")?.modificationTime == Self.utc(2026, 6, 30, 10))
        let january = Date(timeIntervalSince1970: 1_768_478_400)  // 2026-01-15 12:00 UTC
        #expect(FTPListParser.parse("-rw-r--r-- 1 u g 1 Dec 31 23:59 x", now: january)?.modificationTime
                == Self.utc(2025, 12, 31, 23, 59))
    }

    @Test("lines that are not entries are skipped")
    func notEntries() {
        #expect(parse("total 16") == nil)
        #expect(parse("") == nil)
        #expect(parse("garbage line without structure") == nil)
        #expect(parse("-rw-r--r-- 1 u g notasize Nov 21 06:34 x") == nil)
    }

    @Test("devices and other special files are kind 'other'")
    func specialFiles() throws {
        let e = try #require(parse("crw-rw-rw-    1 0        0          1,   3 Jan 01  2024 null"))
        #expect(e.kind == .other)
        #expect(e.name == "null")
        #expect(FTPListParser.permissions(Array("-rwsr-sr-t".utf8)) == 0o7755)
    }
}
