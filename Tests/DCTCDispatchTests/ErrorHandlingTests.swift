import DCTCCore
import DCTCDispatch
import Testing

@Suite("Records that cannot be partitioned, and bad options")
struct ErrorHandlingTests {
    static let input = "2013-06-03,a\n2013-06-03\nnot a date,c\n,d\n2013-06-04,e\n"

    @Test("by default the first unpartitionable record fails with the input and line on one line; nothing is written")
    func failByDefault() async throws {
        let f = MemoryFixture()
        try await f.put("/out/2013-06-03.csv", "kept\n")
        try await f.put("/in/e.csv", Self.input)
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/e.csv"], byTime(.column(2))) }
        #expect(error?.code == .corruptData)
        #expect(error?.path == "mem://test/in/e.csv")
        #expect(error?.message == "line 1: cannot read 'a' in column 2 as a time as ISO 8601 or epoch seconds (give --date-format)")
        #expect(error?.description.contains("\n") == false)
        #expect(error?.remedy?.contains("--on-error skip") == true)
        #expect(try await f.files() == ["2013-06-03.csv"])
        #expect(try await f.text("/out/2013-06-03.csv") == "kept\n", "an existing output is untouched on failure")

        let missing = await #expect(throws: VFSError.self) { try await f.run(["/in/e.csv"], byTime(.column(1)), out: "/o2") }
        #expect(missing?.message == "line 3: cannot read 'not a date' in column 1 as a time as ISO 8601 or epoch seconds (give --date-format)")
        let column = await #expect(throws: VFSError.self) {
            try await f.run(["/in/e.csv"], DispatchOptions(partitioning: .value, field: .column(2)), out: "/o3")
        }
        #expect(column?.message == "line 2: no column 2 (the record has 1)")
    }

    @Test("--on-error skip drops and counts them; file:KEY collects them in the output of KEY")
    func skipAndSetAside() async throws {
        let f = MemoryFixture()
        try await f.put("/in/e.csv", Self.input)
        var options = byTime(.column(1))
        options.onError = .skip
        let skipped = try await f.run(["/in/e.csv"], options, out: "/skip")
        #expect(skipped.unpartitionable == 2)
        #expect(skipped.records == 5)
        #expect(skipped.inputs.first?.unpartitionable == 2)
        #expect(try await f.files("/skip") == ["2013-06-03.csv", "2013-06-04.csv"])
        #expect(try await f.text("/skip/2013-06-03.csv") == "2013-06-03,a\n2013-06-03\n")

        options.onError = .toKey("unparsed")
        let aside = try await f.run(["/in/e.csv"], options, out: "/aside")
        #expect(aside.unpartitionable == 2)
        #expect(try await f.files("/aside") == ["2013-06-03.csv", "2013-06-04.csv", "unparsed.csv"])
        #expect(try await f.text("/aside/unparsed.csv") == "not a date,c\n,d\n")
        #expect(aside.output(forKey: "unparsed")?.records == 2)
    }

    @Test("an empty value or no regex match cannot be partitioned by value")
    func emptyValues() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "FR,1\n,2\n")
        let error = await #expect(throws: VFSError.self) {
            try await f.run(["/in/a.txt"], DispatchOptions(partitioning: .value, field: .column(1)))
        }
        #expect(error?.message == "line 2: column 1 is empty")
        let regex = await #expect(throws: VFSError.self) {
            try await f.run(["/in/a.txt"], DispatchOptions(partitioning: .value, field: .regex("^([A-Z]+),")))
        }
        #expect(regex?.message == "line 2: no match for --regex '^([A-Z]+),'")
    }

    @Test("more keys than --max-keys is an error and nothing is written")
    func tooManyKeys() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", (0..<20).map { "id\($0)\n" }.joined())
        var options = DispatchOptions(partitioning: .value, field: .column(1))
        options.maxKeys = 10
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/a.txt"], options) }
        #expect(error?.message == "more than 10 different keys")
        #expect(try await f.files() == [])
    }

    @Test("a missing input fails before anything is written")
    func missingInput() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "FR,1\n")
        let error = await #expect(throws: VFSError.self) {
            try await f.run(["/in/a.txt", "/in/nope.txt"], DispatchOptions(partitioning: .value, field: .column(1)))
        }
        #expect(error?.code == .notFound)
        #expect(try await f.files() == [])
    }

    @Test("inconsistent options are refused before reading", arguments: [
        DispatchOptions(partitioning: .value),
        DispatchOptions(partitioning: .value, field: .column(0)),
        DispatchOptions(partitioning: .value, field: .columnName("country")),
        DispatchOptions(partitioning: .value, field: .regex("no group")),
        DispatchOptions(partitioning: .value, field: .regex("([unclosed")),
        DispatchOptions(partitioning: .hash(buckets: 0), field: .column(1)),
        DispatchOptions(partitioning: .roundRobin(buckets: 2), field: .column(1)),
        DispatchOptions(partitioning: .time(format: "%Y", grain: .day, zone: .utc), field: .column(1)),
        DispatchOptions(partitioning: .value, field: .column(1), separator: UInt8(ascii: "\"")),
        DispatchOptions(partitioning: .value, field: .column(1), nameTemplate: "fixed.csv"),
        DispatchOptions(partitioning: .value, field: .column(1), compression: .zip),
        DispatchOptions(partitioning: .value, field: .column(1), compression: .gzip, compressionLevel: 12),
        DispatchOptions(partitioning: .value, field: .column(1), onError: .toKey("")),
        DispatchOptions(partitioning: .value, field: .column(1), maxOpen: 0),
    ])
    func badOptions(options: DispatchOptions) async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "FR,1\n")
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/a.txt"], options) }
        #expect(error?.code == .invalidArgument)
        #expect(try await f.files() == [])
    }
}
