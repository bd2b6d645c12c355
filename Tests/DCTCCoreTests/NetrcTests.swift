import DCTCCore
import Foundation
import Testing

@Suite("~/.netrc: the one reader for FTP, HTTP and SFTP")
struct NetrcTests {
    let sample = """
        # a comment
        machine files.example.org login alice password "secret with \\"quotes\\" and space"
        machine FILES.example.org
          login bob
          passwd b\\ob
        macdef init
        machine evil.example.org login mallory password nope
        cd /pub

        machine nologin.example.org password shared
        default login anon password anon@
        """

    @Test("machine entries match by host (any case) and login; default catches other hosts; macdef bodies are skipped")
    func entries() {
        let netrc = Netrc(text: sample)
        #expect(netrc.entry(machine: "FILES.example.org", login: nil)?.password == "secret with \"quotes\" and space")
        #expect(netrc.entry(machine: "files.example.org", login: "bob")?.password == "b\\ob")
        // An entry inside a macro body is not an entry: the default answers for that host.
        #expect(netrc.entry(machine: "evil.example.org", login: nil)?.login == "anon")
        #expect(netrc.entry(machine: "elsewhere", login: nil)?.password == "anon@")
        #expect(netrc.entry(machine: "nologin.example.org", login: "zoe")?.password == "shared")
    }

    @Test("an entry for another login is no answer: neither the machine's nor the default's")
    func otherLoginIsNoAnswer() {
        let netrc = Netrc(text: sample)
        #expect(netrc.entry(machine: "files.example.org", login: "carol") == nil)
        #expect(netrc.entry(machine: "elsewhere", login: "carol") == nil)
    }

    @Test("$NETRC names the file; otherwise ~/.netrc under HOME, not the passwd home")
    func fileLocation() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("dctc-netrc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try "machine h login u password fromhome\n".write(toFile: home + "/.netrc", atomically: true, encoding: .utf8)
        try "machine h login u password fromenv\n".write(toFile: home + "/other", atomically: true, encoding: .utf8)

        #expect(Netrc.defaultPath(environment: [:], home: home) == home + "/.netrc")
        #expect(Netrc.load(environment: ["HOME": home], home: home)?.entry(machine: "h", login: "u")?.password == "fromhome")
        #expect(Netrc.load(environment: ["NETRC": home + "/other"], home: home)?.entry(machine: "h", login: "u")?.password == "fromenv")
        #expect(Netrc.load(environment: ["NETRC": "~/other"], home: home)?.entry(machine: "h", login: nil)?.password == "fromenv")
        #expect(Netrc.load(environment: ["NETRC": home + "/missing"], home: home) == nil)
    }

    @Test("descriptions never show a password")
    func redacted() {
        let entry = Netrc(text: "machine h login u password hunter2").entries[0]
        #expect(!entry.description.contains("hunter2"))
        #expect(entry.description.contains("<secret>"))
    }
}
