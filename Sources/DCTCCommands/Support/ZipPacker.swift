import DCTCCompression
import DCTCCore
import Foundation

/// `cp --zip`: puts sources into a new zip archive, streaming each file into it.
///
/// The archive is built as a local file (zip needs to seek back to write sizes); when the
/// archive's address is in another store, the finished file is then copied there.
struct ZipPacker {
    let ctx: CommandContext
    let recursive: Bool

    func pack(sources: [(Location, FileInfo, trailingSlash: Bool)], archive: String, reporter: ErrorReporter) async throws {
        let target = try await ctx.location(archive)
        if try await target.fs.infoIfExists(target.path)?.isDirectory == true {
            throw VFSError(.isADirectory, "the archive name is a directory", path: archive, remedy: "name a .zip file")
        }
        let localPath: String
        var tempDir: String?
        if target.address.isLocal {
            localPath = target.path.string
        } else {
            let dir = NSTemporaryDirectory() + "dctc-zip-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            tempDir = dir
            localPath = dir + "/" + target.path.name
        }
        defer { if let tempDir { try? FileManager.default.removeItem(atPath: tempDir) } }
        let writer = try await ZipArchiveWriter(path: localPath, displayPath: archive)
        var entries = 0
        for (src, info, trailing) in sources {
            if !info.isDirectory {
                do {
                    try await add(writer, src, info, name: src.path.name)
                    entries += 1
                    reporter.success()
                } catch { reporter.report(error, path: src.fs.display(src.path)) }
                continue
            }
            guard recursive else {
                reporter.report(VFSError(.isADirectory, "is a directory", path: src.fs.display(src.path),
                                         remedy: "use -r to put a directory tree into the archive"))
                continue
            }
            do {
                for try await entry in src.fs.walk(src.path) where entry.isFile {
                    guard let rel = entry.path.relative(to: src.path) else { continue }
                    let name = trailing ? rel : src.path.name + "/" + rel
                    do {
                        try await add(writer, src.with(path: entry.path), entry, name: name)
                        entries += 1
                        reporter.success()
                    } catch { reporter.report(error, path: src.fs.display(entry.path)) }
                }
            } catch { reporter.report(error, path: src.fs.display(src.path)) }
        }
        guard reporter.failureCount == 0 else {
            await writer.abandon()
            printError("the archive was not written because of the errors above: \(archive)")
            return
        }
        try await writer.commit()
        ctx.note("\(entries) file(s) added to \(archive)")
        if tempDir != nil {
            let local = Location(fs: try await ctx.location(localPath).fs, path: VPath(localPath), address: .local(localPath))
            try await Transfer.copyFile(from: local, to: target)
        }
    }

    private func add(_ writer: ZipArchiveWriter, _ src: Location, _ info: FileInfo, name: String) async throws {
        let stream = try await src.fs.read(src.path, range: nil)
        try await writer.addEntry(path: name, modificationTime: info.modificationTime ?? Date(), size: info.size, content: stream)
        ctx.note("added \(src.address) as \(name)")
    }
}
