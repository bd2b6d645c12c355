import DCTCCore
import DCTCDigest
import Foundation

/// A failed expectation inside a conformance case.
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let message: String
    public let line: UInt
    public var description: String { "conformance line \(line): \(message)" }
}

/// What a conformance case runs against.
public struct ConformanceContext: Sendable {
    public let fs: any VirtualFileSystem
    /// An empty directory reserved for this case.
    public let root: VPath
    public let options: ConformanceOptions

    public func path(_ relative: String) -> VPath { root.appending(relative: relative) }
    public func child(_ name: String) -> VPath { root.appending(name) }

    // MARK: - Expectations

    public func expect(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
        if !condition { throw ConformanceFailure(message: message(), line: line) }
    }

    public func expectEqual<T: Equatable>(_ a: T, _ b: T, _ what: String, line: UInt = #line) throws {
        if a != b { throw ConformanceFailure(message: "\(what): got \(a), expected \(b)", line: line) }
    }

    /// Runs `body` and expects it to throw a `VFSError` with `code`.
    public func expectError(_ code: VFSError.Code, _ what: String, line: UInt = #line,
                            _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as VFSError {
            if e.code != code {
                throw ConformanceFailure(message: "\(what): got error \(e.code) (\(e)), expected \(code)", line: line)
            }
            return
        } catch {
            throw ConformanceFailure(message: "\(what): got non-VFSError \(error), expected \(code)", line: line)
        }
        throw ConformanceFailure(message: "\(what): succeeded, expected error \(code)", line: line)
    }

    /// The names in a directory, sorted, failing on temp leftovers.
    public func names(_ dir: VPath) async throws -> [String] {
        do {
            return try await fs.listAll(dir).map(\.name)
        } catch let e as VFSError where e.code == .notFound && !fs.capabilities.hasDirectories {
            // On an object store an emptied prefix does not exist: it has no names.
            return []
        }
    }
}

/// Per-store knobs for the suite.
public struct ConformanceOptions: Sendable {
    /// Size of the large-file case (20 MiB by default).
    public var largeFileSize = 20 * 1024 * 1024
    /// Files written by the paging case; at least one more than two pages.
    public var pagingFileCount: Int?
    /// Names the store legitimately cannot hold (declared, printed, never silently skipped).
    public var unsupportedNames: Set<String> = []
    public init() {}
}

/// One named behaviour every store must have.
public struct ConformanceCase: Sendable, CustomStringConvertible {
    public let name: String
    public let run: @Sendable (ConformanceContext) async throws -> Void
    public var description: String { name }
}

/// The conformance suite: the contract of `VirtualFileSystem`, run against every store (the
/// in-memory one included) by a few lines in each backend's test target.
public enum Conformance {
    /// Runs one case in a fresh directory `root/<case name>` and removes it afterwards.
    public static func run(_ c: ConformanceCase, fs: any VirtualFileSystem, root: VPath,
                           options: ConformanceOptions = ConformanceOptions()) async throws {
        let dir = root.appending(c.name)
        if try await fs.exists(dir) { try await fs.removeTree(dir) }
        try await fs.makeDirectories(dir)
        do {
            try await c.run(ConformanceContext(fs: fs, root: dir, options: options))
        } catch let skip as ConformanceSkip {
            report(skip, case: c.name, store: fs)
        }
        _ = try? await fs.removeTree(dir)
    }

    /// Every case: the primitives' contract, then the optional powers (`powerCases`).
    public static var cases: [ConformanceCase] { primitiveCases + powerCases }

    public static let primitiveCases: [ConformanceCase] = [
        ConformanceCase(name: "infoOfMissingPathIsNotFound") { t in
            try await t.expectError(.notFound, "info of a missing file") { _ = try await t.fs.info(t.child("nope")) }
            try await t.expectError(.notFound, "read of a missing file") { _ = try await t.fs.read(t.child("nope"), range: nil) }
            try t.expect(try await !t.fs.exists(t.child("nope")), "exists() of a missing file")
        },
        ConformanceCase(name: "writeThenInfoReportsSizeAndKind") { t in
            let p = t.child("a.txt")
            let written = try await t.fs.write(p, bytes: Array("hello".utf8))
            try t.expectEqual(written.size, 5, "size returned by write")
            let info = try await t.fs.info(p)
            try t.expectEqual(info.kind, .file, "kind")
            try t.expectEqual(info.size, 5, "size from info")
            try t.expectEqual(info.name, "a.txt", "name")
            try t.expectEqual(String(decoding: try await t.fs.readAll(p), as: UTF8.self), "hello", "content")
        },
        ConformanceCase(name: "writeComputesRequestedHashesWhileStreaming") { t in
            let data = TestData.bytes(300_000)
            let info = try await t.fs.write(t.child("h.bin"), from: .bytes(data, chunkSize: 7000),
                                            attributes: WriteAttributes(computeHashes: [.md5, .sha256]))
            try t.expectEqual(info.hashes[.md5], try Digest.hash(data, kind: .md5), "md5 computed while writing")
            try t.expectEqual(info.hashes[.sha256], try Digest.hash(data, kind: .sha256), "sha256 computed while writing")
        },
        ConformanceCase(name: "emptyFileRoundTrips") { t in
            let p = t.child("empty")
            try await t.fs.write(p, bytes: [])
            try t.expectEqual(try await t.fs.info(p).size, 0, "size of an empty file")
            try t.expectEqual(try await t.fs.readAll(p), [], "content of an empty file")
        },
        ConformanceCase(name: "readHonoursRanges") { t in
            let data = TestData.bytes(100_000)
            let p = t.child("r.bin")
            try await t.fs.write(p, bytes: data)
            func read(_ r: ByteRange) async throws -> [UInt8] { try await t.fs.read(p, range: r).collect() }
            try t.expectEqual(try await read(ByteRange(offset: 0, length: 10)), Array(data[0..<10]), "first 10 bytes")
            try t.expectEqual(try await read(ByteRange(offset: 50_000, length: 1234)), Array(data[50_000..<51_234]), "middle range")
            try t.expectEqual(try await read(ByteRange(offset: 99_990)), Array(data[99_990...]), "open-ended range to the end")
            try t.expectEqual(try await read(ByteRange(offset: 99_990, length: 100)), Array(data[99_990...]), "range past the end is cut")
            try t.expectEqual(try await read(ByteRange(offset: 1)).count, 99_999, "all but the first byte")
        },
        ConformanceCase(name: "largeFileRoundTripsIntact") { t in
            let size = t.options.largeFileSize
            let data = TestData.bytes(size, seed: 42)
            let p = t.child("large.bin")
            let info = try await t.fs.write(p, from: .bytes(data, chunkSize: 1 << 20),
                                            attributes: WriteAttributes(computeHashes: [.sha256], sizeHint: Int64(size)))
            try t.expectEqual(info.size, Int64(size), "size of the large file")
            let back = try await t.fs.read(p, range: nil).hashes([.sha256])
            try t.expectEqual(back.size, Int64(size), "bytes read back")
            try t.expectEqual(back.hashes[.sha256], try Digest.hash(data, kind: .sha256), "sha256 read back")
        },
        ConformanceCase(name: "overwriteReplacesContentWithNoLeftovers") { t in
            let p = t.child("o.txt")
            try await t.fs.write(p, bytes: Array("first version, longer".utf8))
            try await t.fs.write(p, bytes: Array("second".utf8))
            try t.expectEqual(String(decoding: try await t.fs.readAll(p), as: UTF8.self), "second", "content after overwrite")
            try t.expectEqual(try await t.names(t.root), ["o.txt"], "directory after overwrite (no temp files)")
        },
        ConformanceCase(name: "failedWriteLeavesNothingUnderTheFinalName") { t in
            let p = t.child("f.bin")
            try await t.expectError(.io, "write from a failing stream") {
                _ = try await t.fs.write(p, from: TestData.failingStream(after: 200_000), attributes: .none)
            }
            try t.expect(try await !t.fs.exists(p), "a failed write must not create the file")
            try await t.fs.write(p, bytes: Array("old".utf8))
            try await t.expectError(.io, "overwrite from a failing stream") {
                _ = try await t.fs.write(p, from: TestData.failingStream(after: 100), attributes: .none)
            }
            try t.expectEqual(String(decoding: try await t.fs.readAll(p), as: UTF8.self), "old", "old content survives a failed overwrite")
            try t.expectEqual(try await t.names(t.root), ["f.bin"], "no temp files after failed writes")
        },
        ConformanceCase(name: "checksumMismatchAbortsTheWrite") { t in
            let p = t.child("c.bin")
            try await t.expectError(.checksumMismatch, "write with a wrong expected md5") {
                _ = try await t.fs.write(p, from: .bytes(Array("data".utf8)),
                                         attributes: WriteAttributes(expectedHashes: [.md5: String(repeating: "0", count: 32)]))
            }
            try t.expect(try await !t.fs.exists(p), "a mismatching write must not create the file")
            try await t.expectError(.checksumMismatch, "write with a wrong expected size") {
                _ = try await t.fs.write(p, from: .bytes(Array("data".utf8)), attributes: WriteAttributes(expectedSize: 5))
            }
            try t.expect(try await !t.fs.exists(p), "a short write must not create the file")
            try t.expectEqual(try await t.names(t.root), [], "no temp files after aborted writes")
        },
        ConformanceCase(name: "listShowsEachChildOnceWithItsKind") { t in
            try await t.fs.write(t.child("f1"), bytes: [1])
            try await t.fs.write(t.child("f2"), bytes: [1, 2])
            try await t.fs.write(t.path("sub/inner"), bytes: [3])
            let entries = try await t.fs.listAll(t.root)
            try t.expectEqual(entries.map(\.name), ["f1", "f2", "sub"], "children")
            try t.expectEqual(entries.map(\.kind), [.file, .file, .directory], "kinds")
            try t.expectEqual(entries[1].size, 2, "size in listing")
            try t.expectEqual(try await t.names(t.child("sub")), ["inner"], "grandchildren listed only under their parent")
        },
        ConformanceCase(name: "listPagesThroughLargeDirectories") { t in
            let count = t.options.pagingFileCount ?? (t.fs.capabilities.listPageSize * 2 + 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in stride(from: 0, to: count, by: 200) {
                    group.addTask {
                        for i in batch..<min(count, batch + 200) {
                            try await t.fs.write(t.child(String(format: "f%05d", i)), bytes: [])
                        }
                    }
                }
                try await group.waitForAll()
            }
            var pages = 0
            var seen = Set<String>()
            var total = 0
            for try await page in t.fs.list(t.root) {
                pages += 1
                total += page.count
                seen.formUnion(page.map(\.name))
            }
            try t.expectEqual(total, count, "entries over all pages")
            try t.expectEqual(seen.count, count, "distinct entries (no duplicates across pages)")
            try t.expect(pages >= 2 || count <= t.fs.capabilities.listPageSize, "listing came in \(pages) page(s)")
        },
        ConformanceCase(name: "listOfMissingOrFileFails") { t in
            try await t.expectError(.notFound, "list of a missing directory") { _ = try await t.fs.listAll(t.child("missing")) }
            if t.fs.capabilities.hasDirectories {
                try await t.fs.write(t.child("file"), bytes: [1])
                try await t.expectError(.notADirectory, "list of a file") { _ = try await t.fs.listAll(t.child("file")) }
            }
        },
        ConformanceCase(name: "removeDeletesFilesAndReportsMissingOnes") { t in
            let p = t.child("gone")
            try await t.fs.write(p, bytes: [1])
            try await t.fs.remove(p)
            try t.expect(try await !t.fs.exists(p), "removed file is gone")
            try await t.expectError(.notFound, "remove of a missing file") { try await t.fs.remove(p) }
        },
        ConformanceCase(name: "directoriesAreCreatedListedAndRemoved") { t in
            guard t.fs.capabilities.hasDirectories else { throw t.skip("no directories (an object store)") }
            let d = t.child("dir")
            try await t.fs.makeDirectory(d)
            try t.expectEqual(try await t.fs.info(d).kind, .directory, "kind of a new directory")
            try await t.expectError(.alreadyExists, "mkdir of an existing directory") { try await t.fs.makeDirectory(d) }
            try await t.expectError(.notFound, "mkdir with a missing parent") { try await t.fs.makeDirectory(t.path("x/y")) }
            try await t.fs.write(d.appending("in"), bytes: [1])
            try await t.expectError(.notEmpty, "rmdir of a non-empty directory") { try await t.fs.removeDirectory(d) }
            try await t.expectError(.isADirectory, "remove() of a directory") { try await t.fs.remove(d) }
            try await t.expectError(.isADirectory, "read of a directory") { _ = try await t.fs.read(d, range: nil).collect() }
            try await t.expectError(.isADirectory, "write over a directory") { try await t.fs.write(d, bytes: [1]) }
            try await t.fs.remove(d.appending("in"))
            try await t.fs.removeDirectory(d)
            try t.expect(try await !t.fs.exists(d), "removed directory is gone")
            try await t.fs.makeDirectories(t.path("p/q/r"))
            try t.expectEqual(try await t.fs.info(t.path("p/q/r")).kind, .directory, "mkdir -p")
            try await t.fs.makeDirectories(t.path("p/q/r"))  // idempotent
        },
        ConformanceCase(name: "writeCreatesMissingParents") { t in
            try await t.fs.write(t.path("new/parents/file.txt"), bytes: Array("x".utf8))
            try t.expectEqual(try await t.fs.readAll(t.path("new/parents/file.txt")), Array("x".utf8), "content below new parents")
        },
        ConformanceCase(name: "modificationTimeIsKept") { t in
            guard t.fs.capabilities.preservesModificationTime else { throw t.skip("modification times are not kept") }
            let when = Date(timeIntervalSince1970: 1_500_000_000.25)
            let p = t.child("m.txt")
            try await t.fs.write(p, from: .bytes([1, 2, 3]), attributes: WriteAttributes(modificationTime: when))
            let got = try await t.fs.info(p).modificationTime
            let precision = max(t.fs.capabilities.modificationTimePrecision, 1e-6)
            try t.expect(got.map { abs($0.timeIntervalSince(when)) <= precision } ?? false,
                         "modification time: got \(String(describing: got)), expected \(when) within \(precision)s")
            if let setter = t.fs as? any ModificationTimeSetting {
                let later = Date(timeIntervalSince1970: 1_600_000_000)
                try await setter.setModificationTime(p, to: later)
                let again = try await t.fs.info(p).modificationTime
                try t.expect(again.map { abs($0.timeIntervalSince(later)) <= max(precision, 1) } ?? false,
                             "modification time after setModificationTime: \(String(describing: again))")
            }
        },
        ConformanceCase(name: "hostileNamesRoundTripExactly") { t in
            let names = HostileNames.all.filter { !t.options.unsupportedNames.contains($0) }
            for (i, name) in names.enumerated() {
                try await t.fs.write(t.child(name), bytes: Array("content \(i)".utf8))
            }
            let listed = try await t.names(t.root)
            try t.expectEqual(Set(listed.map { Array($0.utf8) }), Set(names.map { Array($0.utf8) }), "names listed byte for byte")
            for (i, name) in names.enumerated() {
                try t.expectEqual(String(decoding: try await t.fs.readAll(t.child(name)), as: UTF8.self), "content \(i)", "content of '\(name)'")
                try t.expectEqual(try await t.fs.info(t.child(name)).name, name, "info name of '\(name)'")
            }
            for name in names { try await t.fs.remove(t.child(name)) }
            try t.expectEqual(try await t.names(t.root), [], "all hostile names removed")
        },
        ConformanceCase(name: "longNamesUpTo255BytesWork") { t in
            for name in [HostileNames.longASCII, HostileNames.longUnicode] {
                try t.expectEqual(name.utf8.count, 255, "test name length")
                try await t.fs.write(t.child(name), bytes: [7])
                try t.expectEqual(try await t.fs.info(t.child(name)).size, 1, "size of a 255-byte name")
            }
            try t.expectEqual(try await t.names(t.root).count, 2, "both long names listed")
        },
        ConformanceCase(name: "deepPathsWork") { t in
            let deep = t.path((1...24).map { "level\($0)" }.joined(separator: "/") + "/leaf.txt")
            try await t.fs.write(deep, bytes: Array("deep".utf8))
            try t.expectEqual(try await t.fs.readAll(deep), Array("deep".utf8), "content of a deep file")
            var count = 0
            for try await entry in t.fs.walk(t.root) where entry.isFile { count += 1 }
            try t.expectEqual(count, 1, "walk finds the deep file")
        },
        ConformanceCase(name: "walkVisitsDirectoriesBeforeTheirContentsInOrder") { t in
            for p in ["b/2", "a/1", "a/x/3", "c"] { try await t.fs.write(t.path(p), bytes: [1]) }
            var seen: [String] = []
            for try await e in t.fs.walk(t.root) { seen.append(e.path.relative(to: t.root) ?? "?") }
            try t.expectEqual(seen, ["a", "a/1", "a/x", "a/x/3", "b", "b/2", "c"], "walk order")
        },
        ConformanceCase(name: "globMatchesOrFailsNeverFallsBack") { t in
            for p in ["d/x.csv", "d/y.csv", "d/z.txt", "d/sub/w.csv"] { try await t.fs.write(t.path(p), bytes: [1]) }
            let one = try await t.fs.glob(t.path("d/*.csv")).map(\.name)
            try t.expectEqual(one, ["x.csv", "y.csv"], "d/*.csv")
            let deep = try await t.fs.glob(t.path("d/**/*.csv")).map(\.name)
            try t.expectEqual(Set(deep), ["x.csv", "y.csv", "w.csv"], "d/**/*.csv")
            try await t.expectError(.notFound, "a pattern that matches nothing") { _ = try await t.fs.glob(t.path("d/*.json")) }
        },
        ConformanceCase(name: "moveRenamesWhenSupported") { t in
            guard let mover = t.fs as? any Moving else { throw t.skip("no move inside the store") }
            try await t.fs.write(t.child("from"), bytes: [9])
            try await mover.move(from: t.child("from"), to: t.path("moved/to"))
            try t.expect(try await !t.fs.exists(t.child("from")), "source gone after move")
            try t.expectEqual(try await t.fs.readAll(t.path("moved/to")), [9], "content after move")
        },
    ]
}
