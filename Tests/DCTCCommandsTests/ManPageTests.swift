import DCTCTestSupport
import Foundation
import Testing

@Suite("Man pages: generated from the CLI, committed in Docs/man, installed by make install")
struct ManPageTests {
    static let committed = SurfaceTests.packageRoot.appendingPathComponent("Docs/man")

    static func pages(in folder: String) throws -> [String: String] {
        var pages: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".1") {
            pages[name] = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return pages
    }

    /// Runs the development tool `dctc-manual` (built beside the `dctc` under test).
    static func manualTool(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let tool = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("dctc-manual").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let exited = process.waitForExit()
        return (exited.status, String(decoding: data, as: UTF8.self))
    }

    @Test("the committed man pages match the CLI (one page per command, none left over)")
    func manPagesDoNotDrift() throws {
        let scratch = try Scratch("dctc-man")
        defer { scratch.cleanup() }
        let r = try Self.manualTool([scratch.url("man")])
        #expect(r.status == 0, "\(r)")
        let generated = try Self.pages(in: scratch.url("man"))
        let committed = try Self.pages(in: Self.committed.path)
        let stale = generated.keys.filter { committed[$0] != nil && committed[$0] != generated[$0] }.sorted()
        let missing = generated.keys.filter { committed[$0] == nil }.sorted()
        let extra = committed.keys.filter { generated[$0] == nil }.sorted()
        #expect(stale.isEmpty, "Docs/man pages are stale: \(stale.joined(separator: ", ")); run `make man` and commit them")
        #expect(missing.isEmpty, "Docs/man lacks pages: \(missing.joined(separator: ", ")); run `make man` and commit them")
        #expect(extra.isEmpty, "Docs/man has pages of commands that no longer exist: \(extra.joined(separator: ", ")); run `make man`")
    }

    @Test("there is a page for the root and for every visible command, and none for hidden ones")
    func onePagePerCommand() throws {
        let tree = try CommandTree()
        let committed = try Self.pages(in: Self.committed.path)
        #expect(committed["dctc.1"] != nil)
        for command in tree.allCommands {
            let name = command.path.joined(separator: "-") + ".1"
            if command.hidden {
                #expect(committed[name] == nil, "hidden command has a page: \(name)")
            } else {
                #expect(committed[name] != nil, "no page \(name)")
            }
        }
    }

    @Test("a subcommand's page carries its synopsis, options, and help examples as an EXAMPLES section")
    func pageContent() throws {
        let page = try #require(try Self.pages(in: Self.committed.path)["dctc-sync.1"])
        #expect(page.contains(".Dt DCTC-SYNC 1"))
        #expect(page.contains(".Nm \"dctc sync\""))
        #expect(page.contains(".It Fl n , Fl -dry\\-run"))
        #expect(page.contains(".It Fl P , Fl -progress , Fl -no\\-progress"))
        let examples = try #require(page.range(of: ".Sh EXAMPLES"))
        #expect(page[examples.upperBound...].contains("dctc sync \\-\\-dry\\-run"))
        let root = try #require(try Self.pages(in: Self.committed.path)["dctc.1"])
        #expect(root.contains(".Sh EXIT STATUS"))
        #expect(root.contains(".Xr dctc-sync 1"))
    }

    @Test("every committed page renders with groff without a warning",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/groff"), "groff is not installed"))
    func pagesRenderCleanly() throws {
        for name in try Self.pages(in: Self.committed.path).keys.sorted() {
            let r = try runProcess("/usr/bin/groff", ["-mdoc", "-Tutf8", "-ww", "-z", Self.committed.appendingPathComponent(name).path])
            #expect(r.status == 0 && r.stderr.isEmpty, "groff warns about \(name): \(r.stderr)")
        }
    }

    @Test("make install-files puts the binary, the man pages and the completions under DESTDIR/PREFIX",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "make is not installed"))
    func makeInstall() throws {
        let scratch = try Scratch("dctc-install")
        defer { scratch.cleanup() }
        let r = try runProcess("/usr/bin/make", ["-s", "-C", SurfaceTests.packageRoot.path, "install-files",
                                                 "BIN=\(CLI.binary)", "DESTDIR=\(scratch.path)", "PREFIX=/opt/dctc"])
        #expect(r.status == 0, "make install-files failed: \(r.stderr)")
        let prefix = scratch.url("opt/dctc")
        let installed = prefix + "/bin/dctc"
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        for page in try Self.pages(in: Self.committed.path).keys {
            #expect(FileManager.default.fileExists(atPath: prefix + "/share/man/man1/" + page), "man page \(page) not installed")
        }
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/bash-completion/completions/dctc"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/zsh/site-functions/_dctc"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/fish/vendor_completions.d/dctc.fish"))
        let version = try runProcess(installed, ["version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("dctc "), "the installed binary does not run: \(version.stderr)")
    }
}

/// Runs a program to completion with its output captured in files (not pipes, so a large
/// output cannot block it).
func runProcess(_ executable: String, _ arguments: [String], cwd: String? = nil,
                environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let dir = try TestData.temporaryDirectory("dctc-proc")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let outPath = dir + "/out", errPath = dir + "/err"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    if let environment { process.environment = environment }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    defer { try? out.close(); try? err.close() }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let exited = process.waitForExit()
    return (exited.status,
            (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
