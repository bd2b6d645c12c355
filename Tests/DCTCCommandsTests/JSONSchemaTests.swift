import DCTCTestSupport
import Foundation
import Testing

/// Docs/json.md is the schema of every `--json` output of the listing and config commands; this
/// runs them and checks each object against its table.
@Suite("JSON output matches Docs/json.md")
struct JSONSchemaTests {
    struct Field { let type: String; let required: Bool }

    /// The tables of Docs/json.md by section title (`## ls, find, stat`).
    static func schema() throws -> [String: [String: Field]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Docs/json.md"), encoding: .utf8)
        var out: [String: [String: Field]] = [:]
        var section = ""
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)); continue }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3, cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            out[section, default: [:]][String(cells[0].dropFirst().dropLast())] = Field(type: cells[1], required: cells[2] == "yes")
        }
        return out
    }

    static func jsonType(_ value: Any) -> String {
        if type(of: value) == Bool.self { return "boolean" }
        switch value {
        case is String: return "string"
        case is Int, is Int64, is Double, is NSNumber: return "number"
        case is [String: Any]: return "object"
        case is [Any]: return "array"
        default: return "null"
        }
    }

    /// Checks every line of `output` against the section's table.
    static func check(_ output: String, section: String, openEnded: Bool = false, _ schema: [String: [String: Field]]) throws {
        let table = try #require(schema[section], "no table '\(section)' in Docs/json.md")
        let lines = output.split(separator: "\n")
        #expect(!lines.isEmpty, "\(section): no output")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(section): \(line)")
            for (key, field) in table where field.required {
                #expect(object[key] != nil, "\(section): required '\(key)' missing in \(line)")
            }
            for (key, value) in object {
                guard let field = table[key] else {
                    #expect(openEnded, "\(section): '\(key)' is not documented (\(line))")
                    continue
                }
                let type = jsonType(value)
                #expect(type == field.type, "\(section): '\(key)' is \(type), documented \(field.type) (\(line))")
            }
        }
    }

    @Test("ls, find, stat, du, config list, version and dispatch print what Docs/json.md says")
    func outputsMatchTheSchema() throws {
        let schema = try Self.schema()
        let s = try Scratch(); defer { s.cleanup() }
        try s.write("d/a.csv", "k,1\nm,2\n")
        try s.write("d/sub/b.txt", "b")
        let config = try s.write("config.toml", """
        [accounts.box]
        type = "sftp"
        host = "example.org"
        port = 2222
        user = "me"
        max_connections = 2
        """)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        let env = ["DCTC_CONFIG": config]
        func out(_ args: [String]) throws -> String {
            let r = try CLI.run(args, environment: env)
            #expect(r.status == 0, "\(args): \(r)")
            return r.stdout
        }
        try Self.check(try out(["ls", "--json", s.url("d")]), section: "ls, find, stat", schema)
        try Self.check(try out(["find", "--json", s.url("d")]), section: "ls, find, stat", schema)
        try Self.check(try out(["stat", "--json", s.url("d/a.csv")]), section: "ls, find, stat", schema)
        try Self.check(try out(["du", "--json", s.url("d")]), section: "du", schema)
        try Self.check(try out(["config", "list", "--json"]), section: "config list", openEnded: true, schema)
        try Self.check(try out(["version", "--json"]), section: "version", openEnded: true, schema)
        let dispatched = try out(["dispatch", "--json", "--by", "value", "--format", "csv", "--column", "1", s.url("d/a.csv"), s.url("out/")])
        try Self.check(String(dispatched.split(separator: "\n").last ?? ""), section: "dispatch", schema)
        // The numbers that used to be strings.
        #expect(try out(["config", "list", "--json"]).contains("\"port\":2222"))
    }
}
