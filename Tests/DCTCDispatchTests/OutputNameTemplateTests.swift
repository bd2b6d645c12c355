import DCTCCore
import DCTCDispatch
import Testing

@Suite("Output names and key escaping")
struct OutputNameTemplateTests {
    @Test("keys are escaped so that no value adds folders or climbs out of OUTDIR",
          arguments: [
              ("2013-06-03", "2013-06-03"),
              ("a/b", "a%2Fb"),
              ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd"),
              ("..", "%2E%2E"),
              (".", "%2E"),
              ("100%", "100%25"),
              ("%2F", "%252F"),
              ("tab\there", "tab%09here"),
              ("São Paulo", "São Paulo"),
          ])
    func escaping(key: String, escaped: String) throws {
        #expect(OutputNameTemplate.escape(key) == escaped)
        let path = try OutputNameTemplate("{key}.csv").path(for: key, in: VPath("/out"))
        #expect(path.parent == VPath("/out"), "\(path)")
        #expect(path.name == escaped + ".csv")
    }

    @Test("the template's own folders are kept, and {key} may appear in several places")
    func folders() throws {
        let t = try OutputNameTemplate("day={key}/events-{key}.csv.gz")
        #expect(t.path(for: "2013-06-03", in: VPath("/data/out")) == VPath("/data/out/day=2013-06-03/events-2013-06-03.csv.gz"))
        #expect(t.path(for: "a/b", in: VPath("/o")).components == ["o", "day=a%2Fb", "events-a%2Fb.csv.gz"])
    }

    @Test("templates without {key}, absolute ones and ones with . or .. are refused",
          arguments: ["events.csv", "/abs/{key}.csv", "../{key}.csv", "a/./{key}", "{key}/.."])
    func badTemplates(template: String) {
        #expect(throws: VFSError.self) { try OutputNameTemplate(template) }
    }

    @Test("the default name is {key} with the first input's extension, without its compression suffix")
    func defaultNames() throws {
        let options = DispatchOptions(partitioning: .value, field: .column(1))
        #expect(try options.resolvedNaming(firstInputName: "access.log.gz").template.template == "{key}.log")
        #expect(try options.resolvedNaming(firstInputName: "sales.CSV").template.template == "{key}.csv")
        #expect(try options.resolvedNaming(firstInputName: "events").template.template == "{key}")
        #expect(try options.resolvedNaming(firstInputName: "").template.template == "{key}")
    }

    @Test("--compress adds its suffix once; a template's .gz or .bz2 suffix implies the codec")
    func compressionSuffix() throws {
        var options = DispatchOptions(partitioning: .value, field: .column(1), compression: .gzip)
        let naming = try options.resolvedNaming(firstInputName: "a.csv")
        #expect(naming.template.template == "{key}.csv.gz")
        #expect(naming.codec == .gzip)
        options.nameTemplate = "{key}/part.csv.gz"
        #expect(try options.resolvedNaming(firstInputName: "a.csv").template.template == "{key}/part.csv.gz")
        options.compression = nil
        options.nameTemplate = "{key}.txt.bz2"
        #expect(try options.resolvedNaming(firstInputName: "a.csv").codec == .bzip2)
        options.compression = .gzip
        #expect(throws: VFSError.self) { try options.resolvedNaming(firstInputName: "a.csv") }
    }
}
