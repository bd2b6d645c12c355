import DCTCSSH
import DCTCCore
import Foundation
import Testing

/// A prompter that answers from a script, remembers like the terminal one, and records the questions.
final class AnsweringPrompter: SSHPrompter, @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [String]
    private var kept: [String: SSHSecret] = [:]
    private(set) var asked: [String] = []
    init(_ answers: [String]) { self.answers = answers }
    func secret(_ prompt: String) -> String? { line(prompt) }
    func line(_ prompt: String) -> String? {
        lock.withLock {
            asked.append(prompt)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
    }
    func remembered(_ key: String) -> SSHSecret? { lock.withLock { kept[key] } }
    func remember(_ key: String, _ secret: SSHSecret) { lock.withLock { kept[key] = secret } }
}

@Suite("SSH questions asked through a prompter (a terminal in real use)")
struct SSHPromptTests {
    @Test("an encrypted key without a configured passphrase is unlocked by the answer; the next session asks nothing")
    func passphraseQuestion() async throws {
        let server = try await SSHTestServer.shared()
        let folder = try makeLocalTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = folder + "/id_encrypted"
        try FileManager.default.copyItem(atPath: server.keyPath, toPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let encrypted = try await runTool(["ssh-keygen", "-q", "-p", "-P", "", "-N", "correct horse", "-f", key])
        #expect(encrypted.status == 0, "ssh-keygen: \(encrypted.stderr)")

        let prompter = AnsweringPrompter(["battery staple", "correct horse"])
        var options = server.options(auth: [.identityFile(key)])
        options.prompter = prompter
        let session = try await SSHSession.connect(options)
        #expect(session.authenticatedWith == "publickey \(key)")
        #expect(prompter.asked == Array(repeating: "Enter passphrase for key '\(key)': ", count: 2))
        await session.disconnect()

        let again = try await SSHSession.connect(options)
        #expect(again.authenticatedWith == "publickey \(key)")
        #expect(prompter.asked.count == 2)
        await again.disconnect()
    }

    @Test("with no method left, the password is asked for up to 3 times; the failure counts the refusals, never shows them")
    func passwordQuestion() async throws {
        let server = try await SSHTestServer.shared()
        let wrong = AnsweringPrompter(["nope-1", "nope-2", "nope-3", "never-asked"])
        var options = server.options(auth: [])
        options.prompter = wrong
        let error = await expectSSH2Error { _ = try await SSHSession.connect(options) }
        #expect(error?.kind == .authenticationFailed)
        #expect(wrong.asked == Array(repeating: "\(server.user)@\(server.host)'s password: ", count: 3))
        let text = error?.toVFSError().description ?? ""
        #expect(text.contains("typed password: refused 3 time(s)"))
        #expect(!text.contains("nope-"))

        let right = AnsweringPrompter([try server.password()])
        options.prompter = right
        let session = try await SSHSession.connect(options)
        #expect(session.authenticatedWith == "password (typed)")
        await session.disconnect()
    }
}
