@testable import DCTCBackendFTP
import DCTCCore
import Foundation
import Testing

@Suite("FTP replies, times and the error table")
struct FTPReplyTests {
    @Test("multi-line replies are grouped up to the line with the same code and a space")
    func multiLineReplies() throws {
        let replies = FTPReply.parse([
            "211-Features:", " EPRT", " MDTM", " MLST type*;size*;modify*;", " REST STREAM", "211 End",
            "213 20240102030405", "Content-Length: 6",
        ])
        #expect(replies.map(\.code) == [211, 213])
        let features = FTPFeatures.parse(replies[0])
        #expect(features.names == ["EPRT", "MDTM", "MLST", "REST"])
        #expect(features.hasMLST && !features.hasMFMT)
        #expect(replies[1].text == "20240102030405")
    }

    @Test("the replies to a request's own commands skip the greeting and login of a new connection")
    func commandRepliesOnNewConnection() {
        let lines = [
            "220 (vsFTPd 3.0.3)", "234 Proceed with negotiation.", "331 Please specify the password.",
            "230 Login successful.", "200 PBSZ set to 0.", "200 PROT now Private.",
            "257 \"/home/u\" is the current directory",
            "213 6", "550 Could not get file size.", "257 \"/home/u/new\" created",
        ]
        let replies = FTPReply.commandReplies(in: lines, count: 3)
        #expect(replies.map(\.code) == [213, 550, 257])
    }

    @Test("on a reused connection the first line answers the first command")
    func commandRepliesOnReusedConnection() {
        let replies = FTPReply.commandReplies(in: ["250-Listing /x", " type=file;size=1; /x", "250 End", "213 1"], count: 2)
        #expect(replies.map(\.code) == [250, 213])
        #expect(replies[0].innerLines == [" type=file;size=1; /x"])
    }

    @Test("MDTM/MFMT times are UTC, to the second, with an optional fraction")
    func times() throws {
        let d = try #require(FTPTime.parse("20170714024000"))
        #expect(d.timeIntervalSince1970 == 1_500_000_000)
        #expect(FTPTime.parse("20170714024000.5")?.timeIntervalSince1970 == 1_500_000_000.5)
        #expect(FTPTime.format(Date(timeIntervalSince1970: 1_500_000_000.75)) == "20170714024000")
        #expect(FTPTime.format(Date(timeIntervalSince1970: 1_600_000_000)) == "20200913122640")
        #expect(FTPTime.parse("2017071402264") == nil)
        #expect(FTPTime.parse("20170230000000") == nil)
        #expect(FTPTime.parse("File modification time set.") == nil)
    }

    @Test("reply codes map to error codes: login, busy, missing, denied, bad name")
    func errorTable() {
        func code(_ c: Int, _ text: String) -> VFSError {
            FTPErrors.vfsError(code: c, text: text, operation: "delete", path: "ftp://u@h:21/x")
        }
        #expect(code(530, "Login incorrect.").code == .authenticationFailed)
        for busy in [421, 425, 426] {
            let e = code(busy, "Timeout.")
            #expect(e.code == .unavailable)
            #expect(e.isRetryable)
        }
        #expect(code(550, "No such file or directory.").code == .notFound)
        #expect(code(550, "Permission denied.").code == .permissionDenied)
        #expect(code(550, "Directory not empty.").code == .notEmpty)
        #expect(code(550, "File exists.").code == .alreadyExists)
        #expect(code(550, "Is a directory.").code == .isADirectory)
        #expect(code(550, "Not a directory.").code == .notADirectory)
        #expect(code(550, "Delete operation failed.").code == .notFound)
        #expect(code(553, "Could not create file.").code == .invalidArgument)
        #expect(code(553, "Permission denied.").code == .permissionDenied)
        #expect(code(500, "Unknown command.").code == .unsupported)
        let e = code(550, "Permission denied.")
        #expect(e.path == "ftp://u@h:21/x")
        #expect(e.remedy?.isEmpty == false)
        #expect(e.cause == "FTP 550 Permission denied.")
    }
}
