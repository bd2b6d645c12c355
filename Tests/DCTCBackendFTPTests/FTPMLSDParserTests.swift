@testable import DCTCBackendFTP
import DCTCCore
import Foundation
import Testing

@Suite("MLSD/MLST facts parser")
struct FTPMLSDParserTests {
    @Test("pyftpdlib file line: kind, size and the exact UTC modify time")
    func pyftpdlibFile() throws {
        let e = try #require(FTPMLSDParser.parse("modify=20200101000000;perm=radfwMT;size=6;type=file;unique=fe00gf841c1; a b.txt"))
        #expect(e.name == "a b.txt")
        #expect(e.kind == .file)
        #expect(e.size == 6)
        #expect(e.modificationTime == FTPTime.utcDate(year: 2020, month: 1, day: 1, hour: 0, minute: 0, second: 0))
        #expect(e.timePrecision == .second)
    }

    @Test("directories have no size; cdir and pdir entries are skipped")
    func directories() throws {
        let d = try #require(FTPMLSDParser.parse("modify=20261121063541;perm=eldfmMTcp;size=4096;type=dir;unique=fe00gf841c3; d1"))
        #expect(d.kind == .directory)
        #expect(d.size == nil)
        #expect(FTPMLSDParser.parse("type=cdir;modify=20261121063541; .") == nil)
        #expect(FTPMLSDParser.parse("type=pdir;modify=20261121063541; ..") == nil)
    }

    @Test("the name is everything after the first space: spaces, semicolons and '=' survive")
    func hostileNames() throws {
        #expect(FTPMLSDParser.parse("type=file;size=1;  leading space")?.name == " leading space")
        #expect(FTPMLSDParser.parse("type=file;size=1; trailing ")?.name == "trailing ")
        #expect(FTPMLSDParser.parse("type=file;size=1; a;b=c; d")?.name == "a;b=c; d")
    }

    @Test("fractional seconds, upper-case fact names and unix.mode are understood")
    func factVariants() throws {
        let e = try #require(FTPMLSDParser.parse("Type=file;Size=10;Modify=20240102030405.250;UNIX.mode=0640; x"))
        #expect(e.size == 10)
        #expect(e.mode == 0o640)
        let base = try #require(FTPTime.utcDate(year: 2024, month: 1, day: 2, hour: 3, minute: 4, second: 5))
        #expect(e.modificationTime == base.addingTimeInterval(0.25))
    }

    @Test("ProFTPD symbolic links keep their target")
    func symlinks() throws {
        let e = try #require(FTPMLSDParser.parse("modify=20240101000000;type=OS.unix=slink:/srv/target;unique=1; link"))
        #expect(e.kind == .symlink)
        #expect(e.symlinkTarget == "/srv/target")
        #expect(FTPMLSDParser.parse("type=OS.unix=symlink;size=3; l2")?.kind == .symlink)
    }

    @Test("lines without a name are not entries")
    func malformed() {
        #expect(FTPMLSDParser.parse("") == nil)
        #expect(FTPMLSDParser.parse("type=file;size=1;") == nil)
    }
}
