import DCTCCommands
import Foundation

// `dctc-manual DIR`: a development tool, not shipped. Writes the man pages of every dctc
// command (mdoc: dctc.1, dctc-sync.1, dctc-config-add.1...) into DIR, generated from the same
// definitions as --help. `make man` runs it into Docs/man/; a test runs it and compares the
// pages with the committed ones. Pages of commands that no longer exist are not removed:
// start from an empty directory (`make man` does).

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count == 1, !arguments[0].hasPrefix("-") else {
    FileHandle.standardError.write(Data("usage: dctc-manual DIR (writes the man pages of dctc into DIR)\n".utf8))
    exit(2)
}
let directory = arguments[0]
do {
    let pages = try ManualPages.generate()
    let folder = URL(fileURLWithPath: directory)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for page in pages {
        try Data(page.text.utf8).write(to: folder.appendingPathComponent(page.fileName), options: .atomic)
    }
    print("\(pages.count) pages written to \(directory)")
} catch {
    FileHandle.standardError.write(Data("dctc-manual: cannot write the man pages into \(directory): \(error)\n".utf8))
    exit(1)
}
