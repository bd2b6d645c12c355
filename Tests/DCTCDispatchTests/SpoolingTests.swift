import DCTCBackendLocal
import DCTCCore
import DCTCDispatch
import DCTCTestSupport
import Foundation
import Testing

@Suite("Spooling with few open files, and the local store")
struct SpoolingTests {
    /// Records for `keys` keys, interleaved so that every key keeps coming back.
    static func interleaved(keys: Int, rounds: Int) -> String {
        (0..<rounds).flatMap { r in (0..<keys).map { k in "k\(k),round \(r)\n" } }.joined()
    }

    @Test("--max-open smaller than the number of keys still gives complete outputs in input order",
          arguments: [(1, 1), (3, 300), (3, 4096), (64, 16 << 20)])
    func fewOpenFiles(maxOpen: Int, memory: Int) async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.csv", Self.interleaved(keys: 40, rounds: 25))
        try await f.put("/in/b.csv", Self.interleaved(keys: 40, rounds: 5))
        var options = DispatchOptions(partitioning: .value, field: .column(1))
        options.maxOpen = maxOpen
        options.spoolMemoryLimit = memory
        let report = try await f.run(["/in/a.csv", "/in/b.csv"], options)
        #expect(report.outputs.count == 40)
        for k in 0..<40 {
            let expected = (0..<25).map { "k\(k),round \($0)\n" }.joined() + (0..<5).map { "k\(k),round \($0)\n" }.joined()
            #expect(try await f.text("/out/k\(k).csv") == expected)
        }
        #expect(report.records == 40 * 30)
    }

    @Test("records larger than the spool buffer are spooled whole")
    func largeRecords() async throws {
        let f = MemoryFixture()
        let big = String(repeating: "x", count: 200_000)
        try await f.put("/in/a.txt", "A,\(big)\nB,small\nA,\(big)y\n")
        var options = DispatchOptions(partitioning: .value, field: .column(1))
        options.maxOpen = 1
        options.spoolMemoryLimit = 1000
        try await f.run(["/in/a.txt"], options)
        #expect(try await f.text("/out/A.txt") == "A,\(big)\nA,\(big)y\n")
        #expect(try await f.text("/out/B.txt") == "B,small\n")
    }

    @Test("the local store gets the outputs, and the private spool folder is removed after success and failure")
    func localStoreAndCleanup() async throws {
        let root = try TestData.temporaryDirectory("dctc-dispatch")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = LocalFileSystem()
        let spool = root + "/spool"
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        try await fs.write(VPath(root + "/in/a.log"), bytes: Array("2013-06-03T10:00:00Z x\n2013-06-04T10:00:00Z y\n".utf8))
        var options = byTime(.regex(#"^(\S+)"#))
        options.spoolDirectory = spool
        options.maxOpen = 1
        options.spoolMemoryLimit = 1
        options.nameTemplate = "{key}/part.log"
        let report = try await DispatchEngine.run(inputs: [.file(fs, VPath(root + "/in/a.log"))],
                                                  to: DispatchDestination(fs: fs, directory: VPath(root + "/out")), options: options)
        #expect(report.outputs.map(\.address) == [root + "/out/2013-06-03/part.log", root + "/out/2013-06-04/part.log"])
        #expect(try String(contentsOfFile: root + "/out/2013-06-04/part.log", encoding: .utf8) == "2013-06-04T10:00:00Z y\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])

        try await fs.write(VPath(root + "/in/b.log"), bytes: Array("2013-06-05T10:00:00Z x\nbad\n".utf8))
        await #expect(throws: VFSError.self) {
            try await DispatchEngine.run(inputs: [.file(fs, VPath(root + "/in/b.log"))],
                                         to: DispatchDestination(fs: fs, directory: VPath(root + "/out")), options: options)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: spool) == [])
        #expect(!FileManager.default.fileExists(atPath: root + "/out/2013-06-05"))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root + "/out").filter { $0.contains(".dctc") }
        #expect(leftovers == [], "no temporary file is left at the destination")
    }

    @Test("a stream input (standard input) is read like a file")
    func streamInput() async throws {
        let f = MemoryFixture()
        let report = try await DispatchEngine.run(
            inputs: [.stream(.string("FR,1\nDE,2\n"), displayName: "-")],
            to: DispatchDestination(fs: f.fs, directory: VPath("/out")),
            options: DispatchOptions(partitioning: .value, field: .column(1)))
        #expect(report.inputs.map(\.name) == ["-"])
        #expect(try await f.files() == ["DE", "FR"])
    }
}
