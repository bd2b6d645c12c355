import DCTCCompression
import DCTCCore
import Foundation

/// One file to copy or move, with where it goes.
struct FileJob: Sendable {
    let source: Location
    let info: FileInfo
    let destination: Location
}

/// How `cp` and `mv` map sources to destinations, following cp(1):
/// - one source file and a destination that is not an existing directory (and has no
///   trailing `/`): the destination is the new file's name;
/// - otherwise the destination is a directory (created when missing) and each source goes
///   inside it under its own name;
/// - a source directory written with a trailing `/` contributes its contents, not itself.
struct TransferPlanner {
    let ctx: CommandContext
    let recursive: Bool
    /// Renames the destination file (compression suffixes); nil keeps the name.
    let rename: (@Sendable (String) -> String)?

    struct Plan {
        var files: [FileJob] = []
        /// Directories to create at the destination (so empty ones are copied too).
        var directories: [Location] = []
        /// Source directories, deepest last (for `mv` to remove afterwards).
        var sourceDirectories: [Location] = []
    }

    func plan(sources: [(Location, FileInfo, trailingSlash: Bool)], destination text: String,
              reporter: ErrorReporter) async throws -> Plan {
        let dest = try await ctx.location(text)
        let destInfo = try await dest.fs.infoIfExists(dest.path)
        if let destInfo, !destInfo.isDirectory, sources.count > 1 || sources.first?.1.isDirectory == true {
            throw VFSError(.notADirectory, "destination is a file, but the sources need a directory", path: text,
                           remedy: "name a directory, or copy one file at a time")
        }
        let intoDirectory = sources.count > 1 || destInfo?.isDirectory == true || dest.address.trailingSlash
        var plan = Plan()
        for (src, info, trailing) in sources {
            if !info.isDirectory {
                var target = dest
                if intoDirectory { target = dest.appending(rename?(src.path.name) ?? src.path.name) }
                try checkNotInside(src, target)
                plan.files.append(FileJob(source: src, info: info, destination: target))
                continue
            }
            guard recursive else {
                reporter.report(VFSError(.isADirectory, "is a directory", path: src.fs.display(src.path),
                                         remedy: "use -r to copy a directory tree"))
                continue
            }
            let root = (destInfo != nil || intoDirectory) && !trailing ? dest.appending(src.path.name) : dest
            try checkNotInside(src, root)
            plan.directories.append(root)
            plan.sourceDirectories.append(src)
            do {
                for try await entry in src.fs.walk(src.path) {
                    guard let rel = entry.path.relative(to: src.path) else { continue }
                    let relPath = VPath(components: VPath(rel).components)
                    if entry.isDirectory {
                        plan.directories.append(root.with(path: root.path.appending(relative: rel)))
                        plan.sourceDirectories.append(src.with(path: entry.path))
                    } else if entry.kind == .file {
                        let name = rename?(relPath.name) ?? relPath.name
                        let target = root.with(path: root.path.appending(relative: relPath.parent.components.joined(separator: "/")).appending(name))
                        plan.files.append(FileJob(source: src.with(path: entry.path), info: entry, destination: target))
                    } else {
                        ctx.note("skipping \(src.fs.display(entry.path)): not a regular file")
                    }
                }
            } catch {
                reporter.report(error, path: src.fs.display(src.path))
            }
        }
        return plan
    }

    /// Refuses to copy a tree into itself.
    private func checkNotInside(_ source: Location, _ target: Location) throws {
        guard source.fs === target.fs else { return }
        if target.path == source.path {
            throw VFSError.invalid("source and destination are the same", path: source.fs.display(source.path))
        }
        if target.path.hasPrefix(source.path) {
            throw VFSError.invalid("cannot copy a directory into itself", path: target.fs.display(target.path),
                                   remedy: "choose a destination outside \(source.fs.display(source.path))")
        }
    }
}

/// Runs jobs with at most `limit` at a time, reporting each failure and going on.
func runBounded(_ jobs: [FileJob], limit: Int, reporter: ErrorReporter,
                _ body: @escaping @Sendable (FileJob) async throws -> Void) async {
    await withTaskGroup(of: Void.self) { group in
        var next = 0
        func add() {
            guard next < jobs.count else { return }
            let job = jobs[next]
            next += 1
            group.addTask {
                do {
                    try Task.checkCancellation()
                    try await body(job)
                    reporter.success()
                } catch {
                    reporter.report(error, path: job.source.fs.display(job.source.path))
                }
            }
        }
        for _ in 0..<max(1, limit) { add() }
        while await group.next() != nil { add() }
    }
}
