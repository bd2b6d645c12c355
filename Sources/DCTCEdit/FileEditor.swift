import DCTCCompression
import DCTCCore
import DCTCDigest
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What editing one file came to.
public enum EditResult: Sendable, Equatable {
    /// The edited content replaced the stored file.
    case saved
    /// `--new`: the file was created.
    case created
    /// The content was not changed; nothing was uploaded. `quick` when the editor returned
    /// within a second (a windowed editor that does not wait).
    case unchanged(quick: Bool)
    /// `--new`: the editor ended without writing the file; nothing was created.
    case notCreated
}

/// A failure after the editor ran: the local copy holds the user's work and is kept.
public struct KeptCopyFailure: Error, Sendable {
    /// The one-line error (its remedy says where the copy is).
    public let error: VFSError
    /// Follow-up lines: the commands that save the copy.
    public let hints: [String]
}

/// How the stored file looked when it was downloaded.
struct EditBaseline: Sendable {
    /// nil for `--new` (the file did not exist).
    let info: FileInfo?
    /// Digests of the stored bytes as downloaded (before decompression).
    let storedHashes: [HashKind: String]
}

/// Why the stored file is no longer the one that was downloaded.
enum RemoteChange: Sendable, Equatable {
    case removed
    case created
    /// What differs: "size", "modification time", "ETag", "version", "content".
    case changed([String])
}

/// Edits one file of any writable store: download to a private folder (decompressing
/// `.gz`/`.bz2`), run the editor, and when the content changed and the stored file is still
/// the downloaded version, write it back atomically (recompressed with the same codec).
public struct FileEditor: Sendable {
    /// The local store location of a folder (the private copy's folder lives there).
    public typealias LocalFolder = @Sendable (_ path: String) async throws -> Location

    let localFolder: LocalFolder
    /// Says what is about to be edited, on the error stream, just before the editor starts.
    let note: @Sendable (String) -> Void
    let editor: EditorCommand
    /// The resolved program of `editor`.
    let executable: String
    /// `--new`: create a file that does not exist yet.
    let createNew: Bool
    /// `--force`: write even when the stored file changed while it was edited.
    let force: Bool

    /// - Parameters:
    ///   - localFolder: gives the local store's location of a folder (the command's store
    ///     registry, so the copy is read and written like any other local file).
    ///   - note: prints a line to the user (standard error) once the copy is ready; the caller
    ///     flushes its own output first.
    ///   - editor: the editor to run, `executable` its resolved program.
    ///   - createNew: `--new`; `force`: `--force`.
    public init(localFolder: @escaping LocalFolder, note: @escaping @Sendable (String) -> Void, editor: EditorCommand,
                executable: String, createNew: Bool, force: Bool) {
        self.localFolder = localFolder
        self.note = note
        self.editor = editor
        self.executable = executable
        self.createNew = createNew
        self.force = force
    }

    /// The error code of an edit that would overwrite someone else's change (exit status 6).
    public static let conflict = VFSError.Code(rawValue: "conflict")
    /// The error code of an editor that failed (exit status 6).
    public static let editorFailed = VFSError.Code(rawValue: "editorFailed")

    /// Edits the file at `typed`.
    ///
    /// - Parameter typed: the file (for `createNew`, where it is to be created); a local
    ///   symbolic link is followed to the file it points to.
    /// - Returns: what happened.
    /// - Throws: `KeptCopyFailure` once the editor ran and its work could not be saved (the
    ///   copy is kept); before that, `VFSError`: `.notFound` (remedy: `--new`), `.alreadyExists`
    ///   with `--new`, `.isADirectory`, `.unsupported` for a read-only store, download errors,
    ///   and `.invalidArgument` when the editor cannot start. The private folder is removed in
    ///   those cases.
    public func edit(_ typed: Location) async throws -> EditResult {
        let location = Self.followingLocalLinks(typed)
        let fs = location.fs
        let shown = fs.display(location.path)
        guard fs.capabilities.writable else {
            throw VFSError(.unsupported, "this store is read-only, so edits could not be saved", path: shown,
                           remedy: "copy the file to a writable store with `dctc cp` and edit it there", backend: fs.kind)
        }
        let name = location.path.name
        guard !name.isEmpty else {
            throw VFSError.invalid("name a file to edit", path: shown, remedy: "e.g. \(shown)/notes.txt")
        }
        let existing = try await fs.infoIfExists(location.path)
        if createNew, let existing {
            throw VFSError(.alreadyExists, existing.isDirectory ? "a directory already exists here" : "already exists",
                           path: shown, remedy: existing.isDirectory ? "name a new file" : "leave out --new to edit it")
        }
        if !createNew {
            guard let existing else {
                throw VFSError.notFound(shown, remedy: "check the name with `dctc ls`, or create it with `dctc edit --new \(shellQuoted(location.description))`")
            }
            if existing.isDirectory { throw VFSError(.isADirectory, "is a directory", path: shown, remedy: "name a file inside it") }
            guard existing.isFile else {
                throw VFSError.invalid("not a regular file", path: shown, remedy: "only regular files can be edited")
            }
        }

        let codec = EditWorkspace.codec(forName: name)
        let workspace = try EditWorkspace.make()
        var keep = false
        defer { if !keep { workspace.remove() } }
        let folder = try await localFolder(workspace.directory)
        let copy = folder.path.appending(EditWorkspace.localName(for: name, codec: codec))
        let copyShown = folder.fs.display(copy)

        var baseline = EditBaseline(info: nil, storedHashes: [:])
        var before: String?
        var usedCodec = codec
        if let existing {
            (baseline, before, usedCodec) = try await download(location, info: existing, codec: codec, to: folder.with(path: copy))
        }

        note("editing \(shown) as \(copyShown) with \(editor.words.joined(separator: " "))")
        let started = ContinuousClock.now
        let outcome: EditorOutcome
        do {
            outcome = try await EditorProcess.run(executable: executable, arguments: editor.arguments(editing: copyShown))
        } catch let e as EditorLaunchError {
            throw e.vfsError
        }
        let quick = isatty(0) == 1 && ContinuousClock.now - started < .seconds(1)

        // From here on the copy may hold the user's work.
        keep = true
        let saveHints = hints(copy: copyShown, location: location, codec: usedCodec)
        guard outcome.succeeded else {
            throw KeptCopyFailure(
                error: VFSError(Self.editorFailed, "the editor \(outcome.description); nothing was uploaded", path: shown,
                                remedy: "your copy is kept in \(copyShown)"),
                hints: ["to upload it anyway:  " + saveHints.overwrite])
        }
        do {
            guard let after = try await folder.fs.infoIfExists(copy) else {
                keep = false
                if createNew { return .notCreated }
                throw VFSError(.notFound, "the edited copy was removed before it could be saved; nothing was uploaded",
                               path: copyShown, remedy: "edit the file again and save it where the editor opened it")
            }
            guard after.isFile else {
                throw VFSError.invalid("the edited copy is no longer a regular file; nothing was uploaded", path: copyShown,
                                       remedy: "edit the file again")
            }
            let (hashes, size) = try await folder.fs.read(copy).hashes([.sha256])
            if let before, hashes[.sha256] == before {
                keep = false
                return .unchanged(quick: quick)
            }
            if !force, let change = try await remoteChange(location, baseline: baseline) {
                throw KeptCopyFailure(error: conflictError(change, shown: shown, copy: copyShown),
                                      hints: conflictHints(change, saveHints))
            }
            try await upload(copy: folder.with(path: copy), to: location, codec: usedCodec, baseline: baseline,
                             size: size, sha256: hashes[.sha256])
        } catch let failure as KeptCopyFailure {
            throw failure
        } catch let e as VFSError where e.code == .notFound && e.path == copyShown {
            throw e
        } catch {
            var e = VFSError.wrap(error, path: shown)
            if e.code == .cancelled {
                e.message = "interrupted; nothing was uploaded"
            } else {
                e.message = "your edits were not saved: " + e.message
            }
            let advice = e.remedy.map { "\($0); " } ?? ""
            e.remedy = "\(advice)your edited copy is kept in \(copyShown)"
            throw KeptCopyFailure(error: e, hints: ["to upload it later:  " + saveHints.overwrite])
        }
        keep = false
        return createNew ? .created : .saved
    }

    /// A local path with its symbolic links resolved (`realpath`), so that editing a link
    /// rewrites the file it points to, as editors do, instead of replacing the link with a
    /// copy. Other stores' paths, and paths that do not resolve (a new file), are unchanged.
    static func followingLocalLinks(_ location: Location) -> Location {
        guard location.fs.kind == .local, let resolved = realpath(location.path.string, nil) else { return location }
        defer { free(resolved) }
        let path = VPath(String(cString: resolved))
        return path == location.path ? location : location.with(path: path)
    }

    // MARK: - Download

    /// Downloads the stored file into `copy`, decompressing it when `codec` is given, while
    /// hashing the stored bytes.
    ///
    /// The codec is confirmed by the content's magic bytes (a `.gz` holding bzip2 data is
    /// decompressed, and later recompressed, as bzip2).
    /// - Returns: the baseline, the SHA-256 of the copy, and the codec used.
    /// - Throws: the store's read errors; `.corruptData` for content that does not decode;
    ///   a retryable `.io` when the file changed size while being downloaded.
    private func download(_ location: Location, info: FileInfo, codec: Codec?,
                          to copy: Location) async throws -> (EditBaseline, String?, Codec?) {
        let fs = location.fs
        let shown = fs.display(location.path)
        var kinds: Set<HashKind> = [.sha256]
        kinds.formUnion(fs.capabilities.knownHashes)
        if fs is any HashProviding { kinds.formUnion(fs.capabilities.remoteHashes) }
        let hashing = try HashingSource(try await fs.read(location.path), kinds: kinds)
        var stream = ByteStream(hashing)
        var used = codec
        if let codec {
            let (detected, whole) = try await stream.detectingCodec(name: location.path.name)
            let actual = detected.flatMap { $0.isStream ? $0 : nil } ?? codec
            used = actual
            do {
                stream = whole.transformed(chunkedBy: try actual.decoder(displayPath: shown))
            } catch {
                await whole.cancel()
                throw error
            }
        }
        let written = try await copy.fs.write(copy.path, from: stream,
                                              attributes: WriteAttributes(computeHashes: [.sha256], createParents: false))
        let (stored, count) = await hashing.results()
        if let size = info.size, size != count {
            throw VFSError(.io, "changed while it was being downloaded (\(size) bytes expected, \(count) read)", path: shown,
                           remedy: "run the command again", retryable: true)
        }
        return (EditBaseline(info: info, storedHashes: stored), written.hashes[.sha256], used)
    }

    // MARK: - Conflicts

    /// Whether the stored file is still the downloaded version: its metadata (kind, size,
    /// modification time, ETag, version) first, then its content digest (one the store already
    /// reports, else one it computes, else the content streamed again).
    /// - Returns: what changed, or nil when nothing did.
    /// - Throws: the store's errors (other than "not found", which is `.removed`).
    func remoteChange(_ location: Location, baseline: EditBaseline) async throws -> RemoteChange? {
        let fs = location.fs
        let now = try await fs.infoIfExists(location.path)
        guard let base = baseline.info else { return now == nil ? nil : .created }
        guard let now else { return .removed }
        var differences: [String] = []
        if now.kind != base.kind { differences.append("kind") }
        if now.size != base.size { differences.append("size") }
        if now.modificationTime != base.modificationTime { differences.append("modification time") }
        if (now.etag != nil || base.etag != nil) && now.etag != base.etag { differences.append("ETag") }
        if (now.version != nil || base.version != nil) && now.version != base.version { differences.append("version") }
        if !differences.isEmpty { return .changed(differences) }
        return try await contentMatches(location, now: now, baseline: baseline) ? nil : .changed(["content"])
    }

    /// True when the stored content still has the downloaded digest.
    private func contentMatches(_ location: Location, now: FileInfo, baseline: EditBaseline) async throws -> Bool {
        let fs = location.fs
        let stored = baseline.storedHashes
        let known = now.hashes
        if let kind = known.keys.filter({ stored[$0] != nil }).max(), let value = known[kind] {
            return value.lowercased() == stored[kind]
        }
        if let provider = fs as? any HashProviding,
           let kind = fs.capabilities.remoteHashes.filter({ stored[$0] != nil }).max() {
            do {
                return try await provider.hash(location.path, kind: kind).lowercased() == stored[kind]
            } catch let e as VFSError where e.code == .unsupported {
                // The store cannot after all: stream the content instead.
            }
        }
        let (hashes, _) = try await fs.read(location.path).hashes([.sha256])
        return hashes[.sha256] == stored[.sha256]
    }

    private func conflictError(_ change: RemoteChange, shown: String, copy: String) -> VFSError {
        let what: String
        switch change {
        case .removed: what = "was removed from the store while you edited it"
        case .created: what = "was created on the store by someone else while you edited it"
        case .changed(let differences):
            what = "changed on the store while you edited it (\(differences.joined(separator: ", ")) differ\(differences.count == 1 ? "s" : ""))"
        }
        return VFSError(Self.conflict, "\(what); nothing was overwritten", path: shown,
                        remedy: "your edited copy is kept in \(copy)")
    }

    private func conflictHints(_ change: RemoteChange, _ save: (overwrite: String, beside: String)) -> [String] {
        switch change {
        case .removed:
            return ["to write it again with your version:  " + save.overwrite,
                    "(`dctc edit --force` skips this check)"]
        case .created, .changed:
            return ["to overwrite the store's version with yours:  " + save.overwrite,
                    "or to keep both, save yours beside it:        " + save.beside,
                    "(`dctc edit --force` overwrites without this check)"]
        }
    }

    /// The `dctc cp` commands that save the copy over the file or beside it, recompressing as
    /// the file was.
    private func hints(copy: String, location: Location, codec: Codec?) -> (overwrite: String, beside: String) {
        let compress = codec.map { "--compress \($0.fileExtension) " } ?? ""
        // The address as the user wrote it (an account name keeps its key file and options,
        // which the store's URL would not).
        let target = shellQuoted(location.description)
        let alternative = location.path.parent.appending(EditWorkspace.alternativeName(for: location.path.name))
        let beside = shellQuoted(location.with(path: alternative).description)
        return ("dctc cp \(compress)\(shellQuoted(copy)) \(target)", "dctc cp \(compress)\(shellQuoted(copy)) \(beside)")
    }

    // MARK: - Upload

    /// Writes the copy to the store atomically (recompressed with `codec`), verifying an
    /// uncompressed upload against the size and digest just computed, keeping the stored
    /// file's user metadata (S3), and for `--new` creating missing parent folders (an existing
    /// file's folder is never re-created: if it vanished, the write fails and the copy is kept).
    private func upload(copy: Location, to location: Location, codec: Codec?, baseline: EditBaseline,
                        size: Int64, sha256: String?) async throws {
        var attributes = WriteAttributes(modificationTime: Date(), createParents: baseline.info == nil)
        attributes.metadata = Self.keptMetadata(baseline.info?.metadata ?? [:])
        var content = try await copy.fs.read(copy.path)
        if let codec {
            content = content.compressed(with: codec)
        } else {
            attributes.expectedSize = size
            attributes.sizeHint = size
            if let sha256 { attributes.expectedHashes = [.sha256: sha256] }
        }
        try await location.fs.write(location.path, from: content, attributes: attributes)
    }

    /// User metadata worth carrying over to the new version: S3's own bookkeeping keys
    /// (`mtime`, and `md5chksum`, which describes the old content) are dropped, and so are keys
    /// S3 could not take back.
    static func keptMetadata(_ metadata: [String: String]) -> [String: String] {
        metadata.filter { key, _ in
            !["mtime", "md5chksum"].contains(key) && !key.isEmpty && key.utf8.allSatisfy { c in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                    || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
            }
        }
    }
}
