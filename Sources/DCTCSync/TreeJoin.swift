import DCTCCore
import DCTCState
import Foundation

/// One name of a directory as both sides have it: the unit the `Planner` decides on.
struct JoinedEntry: Sendable {
    /// Relative path at the source (for an entry only at the destination: its path there).
    var path: String
    /// Relative path at the destination (differs from `path` when compressing).
    var destinationPath: String
    var source: FileInfo?
    var destination: FileInfo?
    /// What the manifest recorded for the destination file.
    var recorded: ManifestEntry?
}

/// Lists one directory on both sides, keeps what the filters, shard and range select, stops names
/// that are not safe path segments, and merge-joins the two sorted listings by destination
/// name. This is where listings enter the engine: every listed name passes `SafeName` here,
/// so a `.`, `..`, empty or `/`-containing name is never recursed into, written or deleted.
struct TreeJoin: Sendable {
    let source: Location
    let destination: Location
    let options: SyncOptions
    let manifestRoot: String
    /// Told about each refused name: its address (as the user would type it) and why.
    let refuse: @Sendable (_ address: String, _ problem: String) -> Void

    /// The whole-tree listings being loaded for each side (nil: list per directory).
    struct Indexes: Sendable {
        let source: Task<TreeIndex?, Never>?
        let destination: Task<TreeIndex?, Never>?
    }

    /// A listing that failed, with the side it failed on.
    struct ListingFailure: Error {
        let error: VFSError
    }

    /// The joined entries of `dir` (relative to both roots, `""` for the roots), sorted by
    /// destination name bytes.
    /// - Throws: `ListingFailure` when a side cannot be listed (the caller reports it and
    ///   skips the directory); state store errors.
    func entries(of dir: String, destinationExists: Bool, indexes: Indexes) async throws -> [JoinedEntry] {
        let retry = RetryPolicy(retries: options.retries, baseDelay: options.retryDelay)
        let srcDir = source.path.appending(relative: dir)
        let dstDir = destination.path.appending(relative: dir)
        let srcEntries: [FileInfo]
        do {
            if let index = await indexes.source?.value {
                // The root exists (checked before the walk); deeper directories come from its listing.
                srcEntries = index.children(of: dir)
            } else {
                let fs = source.fs
                srcEntries = try await retry.run { try await fs.listAll(srcDir) }
            }
        } catch {
            throw ListingFailure(error: VFSError.wrap(error, path: source.fs.display(srcDir)))
        }
        var dstEntries: [FileInfo] = []
        if destinationExists {
            if let index = await indexes.destination?.value {
                dstEntries = index.children(of: dir)
            } else {
                do {
                    let fs = destination.fs
                    dstEntries = try await retry.run { try await fs.listAll(dstDir) }
                } catch let e as VFSError where e.code == .notFound {
                    dstEntries = []
                } catch {
                    throw ListingFailure(error: VFSError.wrap(error, path: destination.fs.display(dstDir)))
                }
            }
        }
        // Keyed by the name's bytes: String keys would merge NFC and NFD spellings of one name.
        var recorded: [[UInt8]: ManifestEntry] = [:]
        if let state = options.state {
            for entry in try await state.orderedManifestChildren(root: manifestRoot, directory: dir) {
                recorded[Array(entry.name.utf8)] = entry
            }
        }
        let mapping = NameMapping(transform: options.transform)
        let filters = options.filters

        // Source side, safe names only, filtered, keyed by destination name.
        var src: [(name: String, info: FileInfo)] = []
        for e in srcEntries where accepts(e, in: srcDir, of: source) {
            let rel = join(dir, e.name)
            if e.isDirectory {
                if filters.shouldDescend(into: rel), options.range.mayHold(directory: rel) { src.append((e.name, e)) }
            } else if e.kind == .file {
                guard filters.includes(file: rel, size: e.size, modificationTime: e.modificationTime),
                      options.selects(rel) else { continue }
                src.append((mapping.destinationName(ofFile: e.name), e))
            } else if e.kind == .symlink, filters.includes(file: rel, size: nil, modificationTime: nil) {
                // As rclone: a link is not copied unless followed (-L); said once, not an error.
                SkippedEntries.report(address: source.fs.display(e.path),
                                      reason: "a symbolic link (follow links with -L/--copy-links)", counts: false)
            }
        }
        src.sort { $0.name.bytesPrecede($1.name) }
        // Destination side: only what the filters and shard would cover is ours to touch.
        let deleteExcluded = options.deleteExcluded && options.mode == .sync
        let dst = dstEntries.filter { e in
            guard accepts(e, in: dstDir, of: destination) else { return false }
            // --delete-excluded: every destination entry takes part, so what the filters
            // exclude is only at the destination, and goes.
            if e.isDirectory, !options.range.mayHold(directory: join(dir, e.name)) { return false }
            if deleteExcluded {
                let rel = join(dir, sourceName(ofDestination: e.name))
                return e.isDirectory ? options.shard?.contains(rel) ?? true : options.selects(rel)
            }
            guard !e.isDirectory else { return filters.shouldDescend(into: join(dir, e.name)) }
            let rel = join(dir, sourceName(ofDestination: e.name))
            // The destination file's own size and time: a file the size or age limits exclude is not ours to delete.
            return filters.includes(file: rel, size: e.size, modificationTime: e.modificationTime)
                && options.selects(rel)
        }.sorted { $0.name.bytesPrecede($1.name) }

        var out: [JoinedEntry] = []
        out.reserveCapacity(max(src.count, dst.count))
        var i = 0, j = 0
        while i < src.count || j < dst.count {
            let s = i < src.count ? src[i] : nil
            let d = j < dst.count ? dst[j] : nil
            if let s, let d, s.name.bytesEqual(d.name) {
                i += 1; j += 1
                out.append(JoinedEntry(path: join(dir, s.info.name), destinationPath: join(dir, s.name),
                                       source: s.info, destination: d, recorded: recorded[Array(d.name.utf8)]))
            } else if let s, d == nil || s.name.bytesPrecede(d!.name) {
                i += 1
                out.append(JoinedEntry(path: join(dir, s.info.name), destinationPath: join(dir, s.name),
                                       source: s.info, destination: nil, recorded: nil))
            } else if let d {
                j += 1
                out.append(JoinedEntry(path: join(dir, d.name), destinationPath: join(dir, d.name),
                                       source: nil, destination: d, recorded: nil))
            }
        }
        return out
    }

    /// True when the listed entry's name is a safe single path segment; otherwise reports it.
    private func accepts(_ entry: FileInfo, in directory: VPath, of side: Location) -> Bool {
        let parent = side.fs.display(directory)
        let address = parent.hasSuffix("/") ? parent + entry.name : parent + "/" + entry.name
        if WorkFiles.contains(entry.name), entry.isFile {
            Detail.info("\(address): left out, a dctc work file (a transfer in progress or interrupted)")
            return false
        }
        guard let problem = SafeName.problem(with: entry.name) else { return true }
        refuse(address, problem)
        return false
    }

    /// The source-relative name a destination name stands for (for filters and shards).
    private func sourceName(ofDestination name: String) -> String {
        if case .compress(let codec, _) = options.transform { return codec.strippingExtension(from: name) ?? name }
        return name
    }
}
