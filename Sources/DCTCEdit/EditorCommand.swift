import DCTCConfig
import DCTCCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The editor `dctc edit` runs: `$VISUAL`, else `$EDITOR`, else `vi`, split into words.
///
/// The variable's text is split the way a POSIX shell splits a command line (quotes and
/// backslashes, see `ShellWords`) but nothing is expanded and no shell runs: the words become
/// the editor's argument vector as they are, and the file to edit is appended as one more
/// element. So `VISUAL="code --wait"`, `EDITOR="sh -c 'vim \"\$1\"' --"` and an editor in a
/// folder with spaces (`EDITOR="'/opt/my editor/bin/ed'"`) all work, and no file name can
/// inject a command.
public struct EditorCommand: Sendable, Equatable {
    /// The argument vector without the file: the program as written, then its arguments.
    public let words: [String]
    /// Where the command came from: `$VISUAL`, `$EDITOR` or `the default (vi)`.
    public let origin: String

    public init(words: [String], origin: String) {
        self.words = words
        self.origin = origin
    }

    /// The editor chosen by the environment.
    ///
    /// A variable that is unset, empty or only blanks counts as unset, so an empty `VISUAL`
    /// falls through to `EDITOR`.
    ///
    /// - Parameter environment: the process environment.
    /// - Throws: `VFSError(.invalidArgument)` naming the variable when its text cannot be split
    ///   (an unterminated quote, a trailing backslash).
    public static func fromEnvironment(_ environment: [String: String]) throws -> EditorCommand {
        for name in ["VISUAL", "EDITOR"] {
            guard let text = environment[name] else { continue }
            let words: [String]
            do {
                words = try ShellWords.split(text)
            } catch {
                throw VFSError.invalid("cannot be split into words: \(error.message)", path: "$\(name)",
                                       remedy: "fix the quoting in $\(name), e.g. VISUAL=\"code --wait\"")
            }
            if words.isEmpty { continue }
            return EditorCommand(words: words, origin: "$\(name)")
        }
        return EditorCommand(words: ["vi"], origin: "the default (vi)")
    }

    /// The program to run: the first word as a path when it holds a `/`, else the first
    /// executable regular file of that name in a `$PATH` directory (an empty entry is the
    /// current directory, as execvp reads it).
    ///
    /// - Parameter searchPath: the `PATH` value; `/usr/local/bin:/usr/bin:/bin` when nil.
    /// - Returns: the path to execute.
    /// - Throws: `VFSError(.invalidArgument)` when there is no such program, with a remedy
    ///   naming the variables to set.
    public func executable(searchPath: String?) throws -> String {
        let program = words[0]
        if program.contains("/") {
            guard EditorCommand.isExecutableFile(program) else { throw notFound(program) }
            return program
        }
        let dirs = (searchPath ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false)
        for dir in dirs {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + program
            if EditorCommand.isExecutableFile(candidate) { return candidate }
        }
        throw notFound(program)
    }

    /// The argument vector for editing `file`: the words, then the file as one element.
    public func arguments(editing file: String) -> [String] { words + [file] }

    private func notFound(_ program: String) -> VFSError {
        VFSError.invalid("the editor '\(program)' (from \(origin)) was not found or is not executable", path: program,
                         remedy: "set VISUAL or EDITOR to an installed editor, e.g. export VISUAL=nano")
    }

    /// True for a regular file the process may execute (`stat` and `access(X_OK)`).
    static func isExecutableFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
