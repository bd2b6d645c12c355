import DCTCCore
import DCTCDigest
import Foundation

/// A case that does not apply to a store, with the reason. `Conformance.run` prints it: a store
/// never passes a case silently by not having what it tests.
public struct ConformanceSkip: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

extension ConformanceContext {
    /// Ends the case as not applicable to this store, saying why (printed by the runner).
    public func skip(_ reason: String) -> ConformanceSkip { ConformanceSkip(reason: reason) }
}

extension Conformance {
    /// Prints a skipped case on standard error, one line: `conformance: s3 skips NAME: reason`.
    static func report(_ skip: ConformanceSkip, case name: String, store: any VirtualFileSystem) {
        let line = "conformance: \(store.kind) skips \(name): \(skip.reason)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The optional powers a store may declare (server-side copy, remote hashes, whole-tree
    /// listing, batch removal, move), each checked where declared and skipped, with the reason
    /// printed, where not; and reads past the end, which every ranged store must get right.
    public static let powerCases: [ConformanceCase] = [
        ConformanceCase(name: "serverSideCopyKeepsContentAndTime") { t in
            guard let copier = t.fs as? any ServerSideCopying else { throw t.skip("no server-side copy") }
            let data = TestData.bytes(70_000)
            let when = Date(timeIntervalSince1970: 1_450_000_000)
            try await t.fs.write(t.child("orig.bin"), from: .bytes(data), attributes: WriteAttributes(modificationTime: when))
            let copied = try await copier.copy(from: t.child("orig.bin"), to: t.child("copy.bin"),
                                               attributes: WriteAttributes(modificationTime: when))
            try t.expectEqual(copied.size, Int64(data.count), "size reported by copy")
            try t.expectEqual(try await t.fs.readAll(t.child("copy.bin")), data, "content of the copy")
            try t.expectEqual(try await t.fs.readAll(t.child("orig.bin")), data, "the original is untouched")
            if t.fs.capabilities.preservesModificationTime {
                let got = try await t.fs.info(t.child("copy.bin")).modificationTime
                let precision = max(t.fs.capabilities.modificationTimePrecision, 1)
                try t.expect(got.map { abs($0.timeIntervalSince(when)) <= precision } ?? false,
                             "time of the copy: got \(String(describing: got)), expected \(when)")
            }
        },
        ConformanceCase(name: "remoteHashesEqualLocalOnes") { t in
            let kinds = t.fs.capabilities.remoteHashes
            guard !kinds.isEmpty else { throw t.skip("the store computes no hash on its side") }
            guard let provider = t.fs as? any HashProviding else {
                throw ConformanceFailure(message: "declares remote hashes \(kinds) but is not HashProviding", line: #line)
            }
            let data = TestData.bytes(123_457)
            try await t.fs.write(t.child("h.bin"), bytes: data)
            for kind in kinds.sorted() {
                try t.expectEqual(try await provider.hash(t.child("h.bin"), kind: kind), try Digest.hash(data, kind: kind),
                                  "remote \(kind)")
            }
            try await t.expectError(.notFound, "hash of a missing file") {
                _ = try await provider.hash(t.child("missing.bin"), kind: kinds.sorted()[0])
            }
        },
        ConformanceCase(name: "recursiveListingEqualsWalk") { t in
            guard let lister = t.fs as? any RecursiveListing else { throw t.skip("no whole-tree listing") }
            for p in ["a/1", "a/b/2", "a/b/c/3", "a-b/4", "a.b", "z"] { try await t.fs.write(t.path(p), bytes: [1]) }
            var walked: Set<String> = []
            for try await e in t.fs.walk(t.root) where e.isFile { walked.insert(e.path.string) }
            var listed: Set<String> = []
            var count = 0
            do {
                for try await page in lister.listRecursive(t.root) {
                    for e in page where e.isFile { listed.insert(e.path.string); count += 1 }
                }
            } catch let e as VFSError where e.code == .unsupported {
                throw t.skip("whole-tree listing unavailable here: \(e.message)")
            }
            try t.expectEqual(listed, walked, "files of the whole-tree listing")
            try t.expectEqual(count, walked.count, "no file listed twice")
        },
        ConformanceCase(name: "rangedWholeTreeListingHoldsExactlyTheRange") { t in
            // Names around "/" (0x2F): "a-b" and "a.b" sort before "a/…" as whole paths.
            let files = ["a/1", "a/b/2", "a/b/c/3", "a-b/4", "a.b", "m/5", "m/6", "z"]
            for p in files { try await t.fs.write(t.path(p), bytes: [1]) }
            let ranges: [(String?, String?)] = [("a-b/4", "m/5"), (nil, "a/b/2"), ("a/b/c/3", nil), ("a.b", "a.b"), ("m", "m/6")]
            for (after, through) in ranges {
                let range = try PathRange(after: after, through: through)
                var listed: [String] = []
                do {
                    for try await page in t.fs.listRecursive(t.root, within: range) {
                        for e in page where e.isFile { listed.append(e.path.relative(to: t.root) ?? e.path.string) }
                    }
                } catch let e as VFSError where e.code == .unsupported {
                    throw t.skip("whole-tree listing unavailable here: \(e.message)")
                }
                try t.expectEqual(listed.sorted(), files.filter { range.contains($0) }.sorted(), "files of \(range)")
            }
        },
        ConformanceCase(name: "batchRemovalRemovesEveryFileAndIgnoresMissingOnes") { t in
            guard let remover = t.fs as? any BatchRemoving else { throw t.skip("no batch removal") }
            let paths = (0..<7).map { t.path("batch/f\($0)") }
            for p in paths { try await t.fs.write(p, bytes: [2]) }
            try await t.fs.write(t.path("batch/keep"), bytes: [3])
            let removed = try await remover.removeMany(paths + [t.path("batch/never-existed")])
            try t.expect(removed >= paths.count, "removed count \(removed) < \(paths.count)")
            for p in paths { try t.expect(try await !t.fs.exists(p), "\(p) removed") }
            try t.expectEqual(try await t.fs.readAll(t.path("batch/keep")), [3], "a file not named is kept")
        },
        ConformanceCase(name: "moveReplacesAnExistingTarget") { t in
            guard let mover = t.fs as? any Moving else { throw t.skip("no move inside the store") }
            try await t.fs.write(t.child("new"), bytes: Array("new".utf8))
            try await t.fs.write(t.child("old"), bytes: Array("old content".utf8))
            try await mover.move(from: t.child("new"), to: t.child("old"))
            try t.expectEqual(try await t.fs.readAll(t.child("old")), Array("new".utf8), "the target holds the moved content")
            try t.expect(try await !t.fs.exists(t.child("new")), "the source is gone")
            try t.expectEqual(try await t.names(t.root), ["old"], "nothing else is left (no temp names)")
        },
        ConformanceCase(name: "readsPastTheEndStopAtTheEnd") { t in
            guard t.fs.capabilities.rangedReads else { throw t.skip("no ranged reads") }
            let data = TestData.bytes(10_000)
            try await t.fs.write(t.child("r.bin"), bytes: data)
            let tail = try await t.fs.read(t.child("r.bin"), range: ByteRange(offset: 9_000, length: 5_000)).collect()
            try t.expectEqual(tail, Array(data[9_000...]), "a range running past the end stops at the end")
            let open = try await t.fs.read(t.child("r.bin"), range: ByteRange(offset: 9_990, length: nil)).collect()
            try t.expectEqual(open, Array(data[9_990...]), "an open range from near the end")
        },
    ]
}
