import ArgumentParser
import DCTCCore
import DCTCEdit
import Foundation

/// `dctc edit`: edit files of any writable store in the user's editor.
struct Edit: DCTCCommand {
    static let configuration = CommandConfiguration(
        abstract: "Edit files of any writable store in your editor.",
        discussion: """
        Each file is downloaded to a private folder (mode 0700) under its own name, opened in \
        $VISUAL, else $EDITOR, else vi, and written back atomically once the editor exits \
        with status 0 and the content changed. .gz and .bz2 files are edited decompressed \
        (notes.txt for notes.txt.gz) and recompressed with the same codec. Several files are \
        edited one after the other, each in its own editor session.

        Nothing is overwritten that changed on the store while you edited: dctc compares \
        size, modification time, ETag or version, and the content digest with what it \
        downloaded. On such a conflict, a failed upload or a failed editor, your edited copy \
        is kept and its path printed with the `dctc cp` command that saves it. The editor \
        command is split into words like a shell would (quotes, backslashes) but no shell \
        runs; the file is passed as one argument.

        Exit status: 0 saved or unchanged; 3 no such file (use --new); 6 conflict, editor \
        failure, failed upload or read-only store; 4 when some of several files failed.

        Examples:
          dctc edit s3://bucket/config/app.yaml
          dctc edit box:/etc/motd 'logs/notes-*.txt'
          dctc edit --new sftp://me@host/home/me/todo.md
          VISUAL='code --wait' dctc edit backup:notes.txt.gz
          dctc edit --force https://dav.example.org/shared/list.txt
        """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Create files that do not exist yet (an existing file is an error).")
    var new = false

    @Flag(name: .shortAndLong, help: "Save even when the file changed on the store while you edited it (overwrites that change).")
    var force = false

    @OptionGroup var dryRun: DryRunOptions

    @Argument(help: ArgumentHelp("Files to edit (glob patterns allowed without --new).", valueName: "address"), completion: .address)
    var addresses: [String]

    init() {}

    func validate() throws {
        if addresses.isEmpty { throw ValidationError("give at least one file to edit") }
        if addresses.contains("-") { throw ValidationError("standard input cannot be edited; give a file address") }
    }

    func run(_ context: CommandContext) async throws {
        let environment = ProcessInfo.processInfo.environment
        // The editor is checked before anything is downloaded.
        let editor = try EditorCommand.fromEnvironment(environment)
        let executable = try editor.executable(searchPath: environment["PATH"])
        let reporter = ErrorReporter(verbose: global.verbose)
        let fileEditor = FileEditor(localFolder: { try await context.location($0) },
                                    note: { Output.standard.flush(); context.note($0) },
                                    editor: editor, executable: executable, createNew: new, force: force)

        for text in addresses {
            let targets: [Location]
            do {
                targets = try await self.targets(text, context: context)
            } catch {
                if ContentReading.isCancellation(error) { throw error }
                reporter.report(error, path: text)
                continue
            }
            for location in targets {
                let shown = location.fs.display(location.path)
                if dryRun.dryRun {
                    do {
                        let exists = try await location.fs.exists(location.path)
                        if new && exists {
                            throw VFSError(.alreadyExists, "already exists", path: shown, remedy: "edit it without --new")
                        }
                        dryRun.report(new ? "create \(location.address) with what \(editor.words.first ?? "the editor") saves"
                                          : "open \(location.address) in \(editor.words.first ?? "the editor") and upload it if changed")
                        reporter.success()
                    } catch {
                        reporter.report(error, path: shown)
                    }
                    continue
                }
                do {
                    let result = try await fileEditor.edit(location)
                    Output.standard.line(Self.describe(result, shown: shown))
                    Output.standard.flush()
                    reporter.success()
                } catch let failure as KeptCopyFailure {
                    reporter.report(failure.error)
                    for hint in failure.hints { Output.error.line("dctc:   " + hint) }
                    if failure.error.code == .cancelled { throw CommandFailure(.interrupted) }
                } catch {
                    if ContentReading.isCancellation(error) { throw error }
                    reporter.report(error, path: shown)
                }
            }
        }
        try reporter.finish()
    }

    /// The files one argument names: itself with --new, else its glob expansion.
    private func targets(_ text: String, context: CommandContext) async throws -> [Location] {
        let location = try await context.location(text)
        if new {
            if location.address.trailingSlash {
                throw VFSError.invalid("name the new file, not a folder", path: text, remedy: "e.g. \(text)notes.txt")
            }
            return [location]
        }
        do {
            return try await context.expand(text).map(\.0)
        } catch var e as VFSError where e.code == .notFound && !Glob.hasMagic(location.path.string) {
            e.remedy = "check the name with `dctc ls`, or create it with `dctc edit --new \(shellQuoted(text))`"
            throw e
        }
    }

    /// The line printed for a file once its edit is over.
    static func describe(_ result: EditResult, shown: String) -> String {
        switch result {
        case .saved: return "\(shown): saved"
        case .created: return "\(shown): created"
        case .notCreated: return "\(shown): not created (the editor did not write the file)"
        case .unchanged(let quick):
            let note = quick ? " (the editor returned at once; if it opens a window, make it wait, e.g. VISUAL='code --wait')" : ""
            return "\(shown): unchanged, nothing uploaded" + note
        }
    }
}
