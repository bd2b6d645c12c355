import DCTCCore
import DCTCDigest
import Foundation

/// What a read-only conformance case runs against: the read-only store under test, and a
/// writable view of the SAME data that seeds what the case then reads (a local folder that a
/// web server publishes, or a WebDAV view of that folder).
public struct ReadOnlyContext: Sendable {
    /// The store under test (read-only).
    public let fs: any VirtualFileSystem
    /// An empty directory of `fs` reserved for this case.
    public let root: VPath
    /// The writable view used to create the content.
    public let seed: any VirtualFileSystem
    /// `root` as seen through `seed`.
    public let seedRoot: VPath
    public let options: ReadOnlyOptions

    /// The path of `relative` below the case's directory, in the store under test.
    public func path(_ relative: String) -> VPath { root.appending(relative: relative) }
    public func child(_ name: String) -> VPath { root.appending(name) }

    /// Creates a file through the seed view (parents included).
    public func seed(_ relative: String, _ bytes: [UInt8], modificationTime: Date? = nil) async throws {
        try await seed.write(seedRoot.appending(relative: relative), from: .bytes(bytes, chunkSize: 1 << 20),
                             attributes: WriteAttributes(modificationTime: modificationTime, sizeHint: Int64(bytes.count)))
    }

    /// Creates a file named `name` (taken verbatim, any characters) directly in the case's folder.
    public func seedChild(_ name: String, _ bytes: [UInt8]) async throws {
        try await seed.write(seedRoot.appending(name), bytes: bytes)
    }

    // MARK: - Expectations (the same helpers as `ConformanceContext`)

    private var checks: ConformanceContext { ConformanceContext(fs: fs, root: root, options: ConformanceOptions()) }

    public func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
        try checks.expect(condition, message(), line: line)
    }

    public func expectEqual<T: Equatable>(_ a: T, _ b: T, _ what: String, line: UInt = #line) throws {
        try checks.expectEqual(a, b, what, line: line)
    }

    public func expectError(_ code: VFSError.Code, _ what: String, line: UInt = #line,
                            _ body: () async throws -> Void) async throws {
        try await checks.expectError(code, what, line: line, body)
    }

    /// Runs `body` and expects a refusal: `.unsupported` or `.permissionDenied`, with a remedy.
    public func expectRefused(_ what: String, line: UInt = #line, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as VFSError {
            try expect(e.code == .unsupported || e.code == .permissionDenied,
                       "\(what): got error \(e.code) (\(e)), expected unsupported or permissionDenied", line: line)
            try expect(!(e.remedy ?? "").isEmpty, "\(what): the refusal has no remedy: \(e)", line: line)
            return
        } catch {
            throw ConformanceFailure(message: "\(what): got non-VFSError \(error), expected a refusal", line: line)
        }
        throw ConformanceFailure(message: "\(what): succeeded on a read-only store", line: line)
    }

    /// The names in a directory of the store under test, sorted.
    public func names(_ dir: VPath) async throws -> [String] {
        try await fs.listAll(dir).map(\.name)
    }
}

/// Per-store knobs of the read-only suite.
public struct ReadOnlyOptions: Sendable {
    /// Size of the large-file case (20 MiB by default; 64 MiB for network stores).
    public var largeFileSize = 20 * 1024 * 1024
    /// Names the store cannot show in listings (nginx hides names starting with `.`):
    /// declared, printed, never silently skipped.
    public var unsupportedNames: Set<String> = []
    /// Listings carry exact sizes of files.
    public var listingsHaveSizes = true
    /// Precision of the modification times listings give (60 s for HTML pages with minutes);
    /// nil when listings give no times.
    public var listingTimePrecision: TimeInterval? = 1
    public init() {}
}

/// One named behaviour every read-only store must have.
public struct ReadOnlyCase: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable (ReadOnlyContext) async throws -> Void
    public var description: String { name }
}

/// The conformance suite of read-only stores (plain HTTP, and any other store that cannot
/// write): content is seeded through a writable view of the same data, then read, listed,
/// walked and globbed through the store under test, and every write must be refused.
public enum ReadOnlyConformance {
    /// Runs one case in a fresh directory `<case name>` below both roots, removed afterwards.
    ///
    /// - Parameters:
    ///   - fs: the read-only store.
    ///   - root: a directory of `fs` for the suite.
    ///   - seed: a writable store showing the same data.
    ///   - seedRoot: `root` as seen through `seed`.
    public static func run(_ c: ReadOnlyCase, fs: any VirtualFileSystem, root: VPath, seed: any VirtualFileSystem,
                           seedRoot: VPath, options: ReadOnlyOptions = ReadOnlyOptions()) async throws {
        let seedDir = seedRoot.appending(c.name)
        if try await seed.exists(seedDir) { try await seed.removeTree(seedDir) }
        try await seed.makeDirectories(seedDir)
        try await c.run(ReadOnlyContext(fs: fs, root: root.appending(c.name), seed: seed, seedRoot: seedDir,
                                        options: options))
        _ = try? await seed.removeTree(seedDir)
    }

    public static let cases: [ReadOnlyCase] = [
        ReadOnlyCase(name: "infoOfMissingPathIsNotFound") { t in
            try await t.expectError(.notFound, "info of a missing file") { _ = try await t.fs.info(t.child("nope")) }
            try await t.expectError(.notFound, "read of a missing file") { _ = try await t.fs.read(t.child("nope"), range: nil) }
            try await t.expectError(.notFound, "info below a missing folder") { _ = try await t.fs.info(t.path("no/such/file")) }
            try t.expect(try await !t.fs.exists(t.child("nope")), "exists() of a missing file")
        },
        ReadOnlyCase(name: "infoReportsSizeKindAndTimeOfSeededEntries") { t in
            let when = Date(timeIntervalSince1970: 1_500_000_000)
            try await t.seed("a.txt", Array("hello".utf8), modificationTime: when)
            try await t.seed("sub/inner", [1])
            let info = try await t.fs.info(t.child("a.txt"))
            try t.expectEqual(info.kind, .file, "kind of a file")
            try t.expectEqual(info.size, 5, "size from info")
            try t.expectEqual(info.name, "a.txt", "name")
            if t.seed.capabilities.preservesModificationTime {
                let got = info.modificationTime
                try t.expect(got.map { abs($0.timeIntervalSince(when)) <= 1 } ?? false,
                             "modification time: got \(String(describing: got)), expected \(when)")
            }
            try t.expectEqual(try await t.fs.info(t.child("sub")).kind, .directory, "kind of a folder")
            try t.expectEqual(String(decoding: try await t.fs.readAll(t.child("a.txt")), as: UTF8.self), "hello", "content")
            try await t.expectError(.isADirectory, "read of a folder") { _ = try await t.fs.read(t.child("sub"), range: nil).collect() }
        },
        ReadOnlyCase(name: "readHonoursRanges") { t in
            let data = TestData.bytes(100_000)
            try await t.seed("r.bin", data)
            let p = t.child("r.bin")
            func read(_ r: ByteRange) async throws -> [UInt8] { try await t.fs.read(p, range: r).collect() }
            try t.expectEqual(try await read(ByteRange(offset: 0, length: 10)), Array(data[0..<10]), "first 10 bytes")
            try t.expectEqual(try await read(ByteRange(offset: 50_000, length: 1234)), Array(data[50_000..<51_234]), "middle range")
            try t.expectEqual(try await read(ByteRange(offset: 99_990)), Array(data[99_990...]), "open-ended range to the end")
            try t.expectEqual(try await read(ByteRange(offset: 99_990, length: 100)), Array(data[99_990...]), "range past the end is cut")
            try t.expectEqual(try await read(ByteRange(offset: 1)).count, 99_999, "all but the first byte")
            try t.expectEqual(try await read(ByteRange(offset: 100_000)), [], "a range starting at the end is empty")
            try t.expectEqual(try await read(ByteRange(offset: 5, length: 0)), [], "an empty range")
        },
        ReadOnlyCase(name: "emptyFileReadsEmpty") { t in
            try await t.seed("empty", [])
            try t.expectEqual(try await t.fs.info(t.child("empty")).size, 0, "size of an empty file")
            try t.expectEqual(try await t.fs.readAll(t.child("empty")), [], "content of an empty file")
        },
        ReadOnlyCase(name: "largeFileReadsIntact") { t in
            let size = t.options.largeFileSize
            let data = TestData.bytes(size, seed: 42)
            try await t.seed("large.bin", data)
            try t.expectEqual(try await t.fs.info(t.child("large.bin")).size, Int64(size), "size of the large file")
            let back = try await t.fs.read(t.child("large.bin"), range: nil).hashes([.sha256])
            try t.expectEqual(back.size, Int64(size), "bytes read back")
            try t.expectEqual(back.hashes[.sha256], try Digest.hash(data, kind: .sha256), "sha256 read back")
        },
        ReadOnlyCase(name: "listShowsEachChildOnceWithItsKind") { t in
            let when = Date(timeIntervalSince1970: 1_500_000_000)
            try await t.seed("f1", [1], modificationTime: when)
            try await t.seed("f2", [1, 2], modificationTime: when)
            try await t.seed("sub/inner", [3])
            let entries = try await t.fs.listAll(t.root)
            try t.expectEqual(entries.map(\.name), ["f1", "f2", "sub"], "children")
            try t.expectEqual(entries.map(\.kind), [.file, .file, .directory], "kinds")
            if t.options.listingsHaveSizes { try t.expectEqual(entries[1].size, 2, "size in listing") }
            if let precision = t.options.listingTimePrecision, t.seed.capabilities.preservesModificationTime {
                let got = entries[0].modificationTime
                try t.expect(got.map { abs($0.timeIntervalSince(when)) <= precision } ?? false,
                             "time in listing: got \(String(describing: got)), expected \(when) within \(precision)s")
            }
            try t.expectEqual(try await t.names(t.child("sub")), ["inner"], "grandchildren listed only under their parent")
        },
        ReadOnlyCase(name: "listOfMissingOrFileFails") { t in
            try await t.expectError(.notFound, "list of a missing directory") { _ = try await t.fs.listAll(t.child("missing")) }
            if t.fs.capabilities.hasDirectories {
                try await t.seed("file", [1])
                try await t.expectError(.notADirectory, "list of a file") { _ = try await t.fs.listAll(t.child("file")) }
            }
        },
        ReadOnlyCase(name: "hostileNamesRoundTripThroughListingAndRead") { t in
            let names = HostileNames.all
            for (i, name) in names.enumerated() { try await t.seedChild(name, Array("content \(i)".utf8)) }
            let listable = names.filter { !t.options.unsupportedNames.contains($0) }
            if !t.options.unsupportedNames.isEmpty {
                print("read-only conformance on \(t.fs.display(t.root)): names declared unlisted: "
                      + t.options.unsupportedNames.sorted().map { $0.debugDescription }.joined(separator: ", "))
            }
            let listed = try await t.names(t.root)
            try t.expectEqual(Set(listed.map { Array($0.utf8) }), Set(listable.map { Array($0.utf8) }), "names listed byte for byte")
            // Every name reads back by name, listed or not.
            for (i, name) in names.enumerated() {
                try t.expectEqual(String(decoding: try await t.fs.readAll(t.child(name)), as: UTF8.self), "content \(i)",
                                  "content of '\(name)'")
                try t.expectEqual(try await t.fs.info(t.child(name)).name, name, "info name of '\(name)'")
            }
        },
        ReadOnlyCase(name: "longNamesUpTo255BytesWork") { t in
            for name in [HostileNames.longASCII, HostileNames.longUnicode] {
                try t.expectEqual(name.utf8.count, 255, "test name length")
                try await t.seedChild(name, [7])
                try t.expectEqual(try await t.fs.info(t.child(name)).size, 1, "size of a 255-byte name")
            }
            try t.expectEqual(Set(try await t.names(t.root)), [HostileNames.longASCII, HostileNames.longUnicode],
                              "both long names listed in full")
        },
        ReadOnlyCase(name: "deepPathsWork") { t in
            let relative = (1...24).map { "level\($0)" }.joined(separator: "/") + "/leaf.txt"
            try await t.seed(relative, Array("deep".utf8))
            try t.expectEqual(try await t.fs.readAll(t.path(relative)), Array("deep".utf8), "content of a deep file")
            var count = 0
            for try await entry in t.fs.walk(t.root) where entry.isFile { count += 1 }
            try t.expectEqual(count, 1, "walk finds the deep file")
        },
        ReadOnlyCase(name: "walkVisitsDirectoriesBeforeTheirContentsInOrder") { t in
            for p in ["b/2", "a/1", "a/x/3", "c"] { try await t.seed(p, [1]) }
            var seen: [String] = []
            for try await e in t.fs.walk(t.root) { seen.append(e.path.relative(to: t.root) ?? "?") }
            try t.expectEqual(seen, ["a", "a/1", "a/x", "a/x/3", "b", "b/2", "c"], "walk order")
        },
        ReadOnlyCase(name: "globMatchesOrFailsNeverFallsBack") { t in
            for p in ["d/x.csv", "d/y.csv", "d/z.txt", "d/sub/w.csv"] { try await t.seed(p, [1]) }
            let one = try await t.fs.glob(t.path("d/*.csv")).map(\.name)
            try t.expectEqual(one, ["x.csv", "y.csv"], "d/*.csv")
            let deep = try await t.fs.glob(t.path("d/**/*.csv")).map(\.name)
            try t.expectEqual(Set(deep), ["x.csv", "y.csv", "w.csv"], "d/**/*.csv")
            try await t.expectError(.notFound, "a pattern that matches nothing") { _ = try await t.fs.glob(t.path("d/*.json")) }
        },
        ReadOnlyCase(name: "writesAreRefusedClearly") { t in
            try t.expect(!t.fs.capabilities.writable, "capabilities.writable of a read-only store")
            try await t.seed("kept.txt", Array("kept".utf8))
            try await t.seed("dir/inner", [1])
            let kept = t.child("kept.txt")
            try await t.expectRefused("write over an existing file") { try await t.fs.write(kept, bytes: [9]) }
            try await t.expectRefused("write of a new file") { try await t.fs.write(t.child("new.txt"), bytes: [9]) }
            try await t.expectRefused("remove") { try await t.fs.remove(kept) }
            try await t.expectRefused("makeDirectory") { try await t.fs.makeDirectory(t.child("newdir")) }
            try await t.expectRefused("removeDirectory") { try await t.fs.removeDirectory(t.child("dir")) }
            if let mover = t.fs as? any Moving {
                try await t.expectRefused("move") { try await mover.move(from: kept, to: t.child("moved")) }
            }
            if let copier = t.fs as? any ServerSideCopying {
                try await t.expectRefused("copy") { _ = try await copier.copy(from: kept, to: t.child("copied"), attributes: .none) }
            }
            try t.expectEqual(try await t.fs.readAll(kept), Array("kept".utf8), "content after refused writes")
            try t.expectEqual(try await t.names(t.root), ["dir", "kept.txt"], "nothing created by refused writes")
        },
    ]
}
