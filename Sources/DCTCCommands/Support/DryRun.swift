import ArgumentParser
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `-n/--dry-run`, for every command that changes something: it prints what would be done,
/// one `would ...` line per change on standard output, and changes nothing.
public struct DryRunOptions: ParsableArguments, Sendable {
    @Flag(name: [.customShort("n"), .long], help: "Print what would be done, and change nothing.")
    public var dryRun = false

    public init() {}

    /// Prints one planned change: `would remove s3://b/x`.
    public func report(_ change: String) {
        Output.standard.line("would " + change)
    }
}

/// Asks a yes/no question on the terminal (`/dev/tty`), as `rm -i` does.
enum Confirmation {
    /// Fails at once when there is no terminal to ask on (before anything is done).
    static func requireTerminal() throws {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw VFSError.invalid("-i/--interactive needs a terminal to ask on", remedy: "run it in a terminal, or leave out -i")
        }
        close(fd)
    }

    private static let oneAtATime = NSLock()

    /// `ask` on a thread of its own (reading the terminal blocks), one question at a time; no
    /// terminal is a no.
    static func askAsync(_ question: String) async -> Bool {
        (try? await IOThread.detached(name: "dctc-ask") {
            oneAtATime.lock()
            defer { oneAtATime.unlock() }
            return try ask(question)
        }) ?? false
    }

    /// True when the answer starts with y or Y.
    /// - Throws: `VFSError(.invalidArgument)` when there is no terminal to ask on.
    static func ask(_ question: String) throws -> Bool {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw VFSError.invalid("-i/--interactive needs a terminal to ask on", remedy: "run it in a terminal, or leave out -i")
        }
        defer { close(fd) }
        Output.standard.flush()
        _ = FileDescriptorIO.writeAll(fd, Array("dctc: \(question) [y/N] ".utf8))
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        // One line, bounded.
        while answer.count < 256, read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { answer.append(byte) }
        return answer.first == UInt8(ascii: "y") || answer.first == UInt8(ascii: "Y")
    }
}
