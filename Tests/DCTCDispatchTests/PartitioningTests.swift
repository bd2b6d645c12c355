import DCTCCore
import DCTCDispatch
import Testing

/// Every partitioning mode, end to end against the in-memory store.
@Suite("Partitioning modes")
struct PartitioningTests {
    static let webLog = """
    10.0.0.1 - - [03/Jun/2013:14:02:11 +0000] "GET / HTTP/1.1" 200 512
    10.0.0.2 - - [03/Jun/2013:23:59:59 +0000] "GET /a HTTP/1.1" 200 17
    10.0.0.1 - - [04/Jun/2013:00:00:01 +0000] "GET /b HTTP/1.1" 404 0
    10.0.0.3 - - [03/Jun/2013:23:30:00 -0700] "GET /late HTTP/1.1" 200 9

    """

    @Test("web log lines go to one file per day, read with a regex and a strftime format, times in UTC")
    func webLogsByDay() async throws {
        let f = MemoryFixture()
        try await f.put("/in/access.log", Self.webLog)
        let report = try await f.run(["/in/access.log"],
                                     byTime(.regex(#"\[([^\]]+)\]"#), format: "%d/%b/%Y:%H:%M:%S %z"))
        #expect(try await f.files() == ["2013-06-03.log", "2013-06-04.log"])
        let lines = Self.webLog.split(separator: "\n").map(String.init)
        #expect(try await f.text("/out/2013-06-03.log") == lines[0] + "\n" + lines[1] + "\n")
        #expect(try await f.text("/out/2013-06-04.log") == lines[2] + "\n" + lines[3] + "\n")
        #expect(report.records == 4)
        #expect(report.outputs.map(\.key) == ["2013-06-03", "2013-06-04"])
        #expect(report.outputs.map(\.records) == [2, 2])
        #expect(report.output(forKey: "2013-06-03")?.bytes == Int64(lines[0].utf8.count + lines[1].utf8.count + 2))
        #expect(report.output(forKey: "2013-06-04")?.address == "mem://test/out/2013-06-04.log")
    }

    @Test("a named capture group 'key' wins over group 1; hour, month and year grains")
    func grains() async throws {
        let f = MemoryFixture()
        try await f.put("/in/app.log", """
        host=a ts=2013-06-03T14:02:11Z msg=x
        host=b ts=2013-06-03T15:00:00Z msg=y
        host=c ts=2014-01-01T00:00:00Z msg=z

        """)
        let regex = FieldSelector.regex(#"host=(\w+) ts=(?<key>\S+)"#)
        try await f.run(["/in/app.log"], byTime(regex, grain: .hour), out: "/h")
        #expect(try await f.files("/h") == ["2013-06-03T14.log", "2013-06-03T15.log", "2014-01-01T00.log"])
        try await f.run(["/in/app.log"], byTime(regex, grain: .month), out: "/m")
        #expect(try await f.files("/m") == ["2013-06.log", "2014-01.log"])
        try await f.run(["/in/app.log"], byTime(regex, grain: .year), out: "/y")
        #expect(try await f.files("/y") == ["2013.log", "2014.log"])
        #expect(try await f.text("/y/2013.log").split(separator: "\n").count == 2)
    }

    @Test("a column of epoch seconds, split on a tab separator")
    func epochColumn() async throws {
        let f = MemoryFixture()
        try await f.put("/in/events.tsv", "a\t1370268131\n b\t1370304000\n")
        var options = byTime(.column(2))
        options.separator = UInt8(ascii: "\t")
        try await f.run(["/in/events.tsv"], options)
        #expect(try await f.files() == ["2013-06-03.tsv", "2013-06-04.tsv"])
        #expect(try await f.text("/out/2013-06-04.tsv") == " b\t1370304000\n")
    }

    @Test("CSV by the value of a column named in the header; the header heads every output")
    func valueByHeaderName() async throws {
        let f = MemoryFixture()
        try await f.put("/in/sales.csv", "id,country,amount\n1,FR,10\n2,DE,20\n3,FR,30\n")
        var options = DispatchOptions(partitioning: .value, field: .columnName("country"), format: .csv, header: true)
        options.nameTemplate = "country={key}/sales.csv"
        let report = try await f.run(["/in/sales.csv"], options)
        #expect(try await f.files() == ["country=DE/sales.csv", "country=FR/sales.csv"])
        #expect(try await f.text("/out/country=FR/sales.csv") == "id,country,amount\n1,FR,10\n3,FR,30\n")
        #expect(try await f.text("/out/country=DE/sales.csv") == "id,country,amount\n2,DE,20\n")
        #expect(report.records == 3, "the header is not a record")
        #expect(report.output(forKey: "FR")?.records == 2)
    }

    @Test("several inputs share one header; a header that differs is refused and nothing is written")
    func headersAcrossInputs() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.csv", "k,v\r\nx,1\r\n")
        try await f.put("/in/b.csv", "k,v\ny,2\nx,3\n")
        let options = DispatchOptions(partitioning: .value, field: .column(1), format: .csv, header: true)
        try await f.run(["/in/a.csv", "/in/b.csv"], options)
        #expect(try await f.text("/out/x.csv") == "k,v\r\nx,1\r\nx,3\n")
        #expect(try await f.text("/out/y.csv") == "k,v\r\ny,2\n")

        try await f.put("/in/c.csv", "k,w\nz,1\n")
        let error = await #expect(throws: VFSError.self) { try await f.run(["/in/a.csv", "/in/c.csv"], options, out: "/bad") }
        #expect(error?.path == "mem://test/in/c.csv")
        #expect(error?.code == .invalidArgument)
        #expect(try await f.files("/bad") == [])
    }

    @Test("a column name missing from the header is an error that lists the columns")
    func missingColumnName() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.csv", "\u{FEFF}id,pays\n1,FR\n")
        let error = await #expect(throws: VFSError.self) {
            try await f.run(["/in/a.csv"], DispatchOptions(partitioning: .value, field: .columnName("country"), format: .csv, header: true))
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.remedy?.contains("'id', 'pays'") == true, "\(String(describing: error))")
        // A byte-order mark does not hide the first column's name, and is not copied.
        try await f.run(["/in/a.csv"], DispatchOptions(partitioning: .value, field: .columnName("id"), format: .csv, header: true))
        #expect(try await f.text("/out/1.csv") == "id,pays\n1,FR\n")
    }

    @Test("hash buckets: each record lands in the bucket of the FNV-1a of its value, padded keys")
    func hashBuckets() async throws {
        let f = MemoryFixture()
        let users = (0..<200).map { "user-\($0)" }
        try await f.put("/in/u.csv", users.map { "\($0),payload \($0)\n" }.joined())
        let report = try await f.run(["/in/u.csv"], DispatchOptions(partitioning: .hash(buckets: 16), field: .column(1)))
        #expect(report.outputs.count == 16)
        #expect(report.outputs.map(\.key) == (0..<16).map { StableHash.bucketKey($0, buckets: 16) })
        for output in report.outputs {
            let lines = try await f.text(output.path.string).split(separator: "\n")
            #expect(lines.count == output.records)
            for line in lines {
                let user = line.split(separator: ",")[0]
                #expect(StableHash.bucketKey(StableHash.bucket(of: Array(user.utf8), buckets: 16), buckets: 16) == output.key)
            }
        }
        #expect(report.outputs.reduce(0) { $0 + $1.records } == 200)
        // Pinned: user-42 is in bucket 11 of 16 (see StableHashTests).
        #expect(try await f.text("/out/11.csv").contains("user-42,payload user-42\n"))
    }

    @Test("round-robin deals records in turn across all inputs, with no field")
    func roundRobin() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "r1\nr2\nr3\n")
        try await f.put("/in/b.txt", "r4\nr5")
        let report = try await f.run(["/in/a.txt", "/in/b.txt"], DispatchOptions(partitioning: .roundRobin(buckets: 3)))
        #expect(try await f.text("/out/0.txt") == "r1\nr4\n")
        #expect(try await f.text("/out/1.txt") == "r2\nr5\n", "a last line without newline gets one")
        #expect(try await f.text("/out/2.txt") == "r3\n")
        #expect(report.inputs.map(\.records) == [3, 2])
    }

    @Test("blank lines are dropped and counted; CRLF ends are kept in outputs and ignored in keys")
    func blankLinesAndCRLF() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "FR,1\r\n\r\n\nDE,2\r\nFR,3\r\n")
        let report = try await f.run(["/in/a.txt"], DispatchOptions(partitioning: .value, field: .column(1)))
        #expect(try await f.files() == ["DE.txt", "FR.txt"])
        #expect(try await f.text("/out/FR.txt") == "FR,1\r\nFR,3\r\n")
        #expect(report.blankLines == 2)
        #expect(report.records == 3)

        try await f.put("/in/b.txt", "x,FR\r\n")
        try await f.run(["/in/b.txt"], DispatchOptions(partitioning: .value, field: .column(2)), out: "/crlf")
        #expect(try await f.files("/crlf") == ["FR.txt"], "the \\r is not part of the last column's value")
    }

    @Test("values that look like paths stay inside the output folder, escaped")
    func hostileValues() async throws {
        let f = MemoryFixture()
        try await f.put("/in/a.txt", "../../etc/passwd,1\n..,2\na/b,3\n100%,4\n")
        try await f.run(["/in/a.txt"], DispatchOptions(partitioning: .value, field: .column(1)), out: "/data/out")
        #expect(try await f.files("/data/out") == ["%2E%2E.txt", "..%2F..%2Fetc%2Fpasswd.txt", "100%25.txt", "a%2Fb.txt"])
        #expect(try await f.files("/") == (try await f.files("/data/out")).map { "data/out/" + $0 } + ["in/a.txt"])
    }

    @Test("existing outputs of a key are replaced; other files in the folder are left alone")
    func replaceExisting() async throws {
        let f = MemoryFixture()
        try await f.put("/out/FR.txt", "old content\n")
        try await f.put("/out/IT.txt", "untouched\n")
        try await f.put("/in/a.txt", "FR,new\n")
        try await f.run(["/in/a.txt"], DispatchOptions(partitioning: .value, field: .column(1)))
        #expect(try await f.text("/out/FR.txt") == "FR,new\n")
        #expect(try await f.text("/out/IT.txt") == "untouched\n")
    }

    @Test("an input without records writes nothing")
    func emptyInput() async throws {
        let f = MemoryFixture()
        try await f.put("/in/empty.csv", "")
        try await f.put("/in/header-only.csv", "a,b\n")
        let report = try await f.run(["/in/empty.csv", "/in/header-only.csv"],
                                     DispatchOptions(partitioning: .value, field: .column(1), format: .csv, header: true))
        #expect(report.outputs.isEmpty)
        #expect(report.records == 0)
        #expect(try await f.files() == [])
    }
}
