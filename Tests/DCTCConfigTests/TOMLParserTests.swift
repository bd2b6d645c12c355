import DCTCConfig
import DCTCCore
import Foundation
import Testing

@Suite("TOML reader")
struct TOMLParserTests {
    @Test("comments and blank lines are ignored, including after values and headers")
    func commentsAreIgnored() throws {
        let root = try toml("""
            # a comment
              # an indented comment

            a = 1 # trailing comment
            [t] # after a header
            b = "# not a comment"
            """)
        #expect(root["a"] == 1)
        #expect(root["t"]?.tableValue?["b"] == "# not a comment")
        #expect(root.count == 2)
    }

    @Test("headers, dotted headers and quoted header keys define nested tables")
    func tableHeaders() throws {
        let root = try toml("""
            [accounts.box]
            type = "sftp"
            [accounts."my.box"]
            type = "local"
            [ accounts . 'other box' ]
            type = "s3"
            """)
        let accounts = try #require(root["accounts"]?.tableValue)
        #expect(accounts.keys == ["box", "my.box", "other box"])
        #expect(accounts["box"]?.tableValue?["type"] == "sftp")
        #expect(accounts["my.box"]?.tableValue?["type"] == "local")
        #expect(accounts["other box"]?.tableValue?["type"] == "s3")
    }

    @Test("a parent table created by a header can be defined afterwards")
    func implicitParentDefinedLater() throws {
        let root = try toml("[a.b]\nx = 1\n[a]\ny = 2\n")
        #expect(root["a"]?.tableValue?["y"] == 2)
        #expect(root["a"]?.tableValue?["b"]?.tableValue?["x"] == 1)
    }

    @Test("bare, quoted, literal and dotted keys")
    func keys() throws {
        let root = try toml("""
            bare_key-1 = 1
            "quoted key" = 2
            'literal "key"' = 3
            "" = 4
            site."google.com".ok = true
            a . b = 5
            a.c = 6
            """)
        #expect(root["bare_key-1"] == 1)
        #expect(root["quoted key"] == 2)
        #expect(root["literal \"key\""] == 3)
        #expect(root[""] == 4)
        #expect(root["site"]?.tableValue?["google.com"]?.tableValue?["ok"] == true)
        #expect(root["a"]?.tableValue == ["b": 5, "c": 6])
    }

    @Test("basic strings decode every escape")
    func basicStringEscapes() throws {
        let root = try toml(#"s = "q\" b\\ n\n t\t r\r b\b f\f e\u00E9 smile\U0001F600""#)
        #expect(root["s"] == .string("q\" b\\ n\n t\t r\r b\u{08} f\u{0C} e\u{E9} smile\u{1F600}"))
    }

    @Test("literal strings keep backslashes and double quotes")
    func literalStrings() throws {
        let root = try toml(#"path = 'C:\Users\me "quoted"'"#)
        #expect(root["path"] == #"C:\Users\me "quoted""#)
    }

    @Test("multi-line basic strings: first newline dropped, line-ending backslash, quotes before the end")
    func multilineBasicStrings() throws {
        let root = try toml("""
            a = \"\"\"
            Roses are red
            Violets are \\"blue\\"\"\"\"\"\"
            b = \"\"\"The quick \\
                brown \\
                fox.\"\"\"
            c = \"\"\"\"\"\"\"
            """)
        #expect(root["a"] == "Roses are red\nViolets are \"blue\"\"\"")
        #expect(root["b"] == "The quick brown fox.")
        #expect(root["c"] == "\"")
    }

    @Test("multi-line literal strings keep everything but the first newline")
    func multilineLiteralStrings() throws {
        let root = try toml("""
            re = '''
            I [dw]on't need \\d{2} apples
            '''
            q = '''''two quotes before the end'''''
            """)
        #expect(root["re"] == "I [dw]on't need \\d{2} apples\n")
        #expect(root["q"] == "''two quotes before the end''")
    }

    @Test("integers with signs, separators and bases")
    func integers() throws {
        let root = try toml("""
            a = +99
            b = -17
            c = 0
            d = 1_000_000
            e = 0xDEAD_beef
            f = 0o755
            g = 0b1101
            h = -0
            max = 9223372036854775807
            """)
        #expect(root["a"] == 99)
        #expect(root["b"] == -17)
        #expect(root["c"] == 0)
        #expect(root["d"] == 1_000_000)
        #expect(root["e"] == .integer(0xDEAD_BEEF))
        #expect(root["f"] == .integer(0o755))
        #expect(root["g"] == 13)
        #expect(root["h"] == 0)
        #expect(root["max"] == .integer(Int.max))
    }

    @Test("floats, including exponents, inf and nan")
    func floats() throws {
        let root = try toml("""
            a = 3.14
            b = -0.01
            c = 5e+22
            d = 1e06
            e = 6.626e-34
            f = 1_000.5
            g = inf
            h = -inf
            i = nan
            j = 2E3
            """)
        #expect(root["a"] == 3.14)
        #expect(root["b"] == -0.01)
        #expect(root["c"] == 5e22)
        #expect(root["d"] == 1e6)
        #expect(root["e"] == 6.626e-34)
        #expect(root["f"] == 1000.5)
        #expect(root["g"] == .float(.infinity))
        #expect(root["h"] == .float(-.infinity))
        #expect(root["i"]?.doubleValue?.isNaN == true)
        #expect(root["j"] == 2000.0)
    }

    @Test("booleans")
    func booleans() throws {
        let root = try toml("yes = true\nno = false\n")
        #expect(root["yes"] == true)
        #expect(root["no"] == false)
    }

    @Test("arrays span lines, hold comments, nest, and may end with a comma")
    func arrays() throws {
        let root = try toml("""
            empty = []
            words = [ "a", 'b', ]
            lines = [
              1,   # one
              2,
              # a comment line
              3,
            ]
            nested = [[1, 2], ["x"], [true, false]]
            mixed = [1, "two", 3.0, { k = "v" }]
            """)
        #expect(root["empty"] == [])
        #expect(root["words"] == ["a", "b"])
        #expect(root["lines"] == [1, 2, 3])
        #expect(root["nested"] == [[1, 2], ["x"], [true, false]])
        #expect(root["mixed"] == [1, "two", 3.0, .table(["k": "v"])])
    }

    @Test("inline tables, with dotted keys and nesting")
    func inlineTables() throws {
        let root = try toml(#"""
            box = { type = "sftp", port = 22, opts.fast = true, nested = { a = [1, 2] } }
            none = {}
            """#)
        let box = try #require(root["box"]?.tableValue)
        #expect(box["type"] == "sftp")
        #expect(box["port"] == 22)
        #expect(box["opts"]?.tableValue?["fast"] == true)
        #expect(box["nested"]?.tableValue?["a"] == [1, 2])
        #expect(root["none"] == .table([:]))
    }

    @Test("CRLF line endings and a byte order mark are accepted")
    func crlfAndBOM() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a = 1\r\ns = \"\"\"x\r\ny\"\"\"\r\n".utf8)
        let root = try TOMLDocument.parse(bytes: bytes, path: "crlf.toml").root
        #expect(root["a"] == 1)
        #expect(root["s"] == "x\ny")
    }

    @Test("the line of every key and table header is recorded")
    func linesAreRecorded() throws {
        let document = try TOMLDocument.parse("""
            a = 1

            [accounts.box]
            host = \"\"\"
            x\"\"\"
            port = 22

            [aliases]
            """, path: "t.toml")
        #expect(document.root.line(of: "a") == 1)
        let accounts = try #require(document.root["accounts"]?.tableValue)
        #expect(accounts.line(of: "box") == 3)
        #expect(accounts["box"]?.tableValue?.line(of: "port") == 6)
        #expect(document.sections.map(\.keyPath) == [["accounts", "box"], ["aliases"]])
        #expect(document.sections.map(\.headerLine) == [3, 8])
        #expect(document.sections.map(\.lastLine) == [6, 8])
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let message: String
        var testDescription: String { message }
    }

    static let badInputs: [BadInput] = [
        BadInput(text: "a = 1\nb 2\n", line: 2, message: "expected '=' after key"),
        BadInput(text: "= 1", line: 1, message: "missing key before '='"),
        BadInput(text: "a =\n", line: 1, message: "expected a value"),
        BadInput(text: "a = 1\n\na = 2", line: 3, message: "duplicate key 'a' (first defined on line 1)"),
        BadInput(text: "[t]\nx = 1\n[t]", line: 3, message: "table [t] is defined twice"),
        BadInput(text: "[t]\nx = 1\nx = 2", line: 3, message: "duplicate key 'x' in [t]"),
        BadInput(text: "[a]\nb.c = 1\n[a.b]", line: 3, message: "already defined with dotted keys"),
        BadInput(text: "[a.b]\n[a]\nb.c = 1", line: 3, message: "cannot be extended with dotted keys"),
        BadInput(text: "t = {a = 1}\n[t]", line: 2, message: "inline table and cannot be extended"),
        BadInput(text: "a = \"x\"\na.b = 1", line: 2, message: "key 'a' is already a string"),
        BadInput(text: "x = 1\n[[items]]", line: 2, message: "arrays of tables ([[...]]) are not supported"),
        BadInput(text: "when = 1979-05-27", line: 1, message: "dates and times are not supported"),
        BadInput(text: "when = 1979-05-27T07:32:00Z", line: 1, message: "dates and times are not supported"),
        BadInput(text: "at = 07:32:00", line: 1, message: "dates and times are not supported"),
        BadInput(text: "s = \"abc\nt = 1", line: 1, message: "unterminated string"),
        BadInput(text: "s = 'abc", line: 1, message: "unterminated string"),
        BadInput(text: "x = 1\ns = \"\"\"abc\n\n", line: 2, message: "unterminated string"),
        BadInput(text: "s = \"a\\qb\"", line: 1, message: "invalid escape '\\q'"),
        BadInput(text: "s = \"\\uD800\"", line: 1, message: "invalid Unicode escape '\\uD800'"),
        BadInput(text: "s = \"\\u12\"", line: 1, message: "invalid Unicode escape"),
        BadInput(text: "s = \"bell\u{07}\"", line: 1, message: "control character U+0007 in string"),
        BadInput(text: "s = '''a''''''", line: 1, message: "too many quotes"),
        BadInput(text: "# bell \u{07}", line: 1, message: "control character U+0007 in comment"),
        BadInput(text: "n = 012", line: 1, message: "leading zeros are not allowed"),
        BadInput(text: "n = 1__2", line: 1, message: "invalid number '1__2'"),
        BadInput(text: "n = 1_", line: 1, message: "invalid number '1_'"),
        BadInput(text: "n = 1.", line: 1, message: "invalid number '1.'"),
        BadInput(text: "n = .5", line: 1, message: "invalid value '.5'"),
        BadInput(text: "n = +0x10", line: 1, message: "invalid number '+0x10'"),
        BadInput(text: "n = 99999999999999999999", line: 1, message: "out of range"),
        BadInput(text: "v = yes", line: 1, message: "invalid value 'yes'"),
        BadInput(text: "a = 1 b = 2", line: 1, message: "expected the end of the line after the value, found 'b'"),
        BadInput(text: "[t] x = 1", line: 1, message: "expected the end of the line after the table header"),
        BadInput(text: "[t", line: 1, message: "expected ']'"),
        BadInput(text: "t = { a = 1, }", line: 1, message: "trailing comma in an inline table"),
        BadInput(text: "t = { a = 1,\n b = 2 }", line: 1, message: "must end on the line it starts"),
        BadInput(text: "t = { a = 1, a = 2 }", line: 1, message: "duplicate key 'a' in the inline table"),
        BadInput(text: "a = [1, 2", line: 1, message: "unterminated array"),
        BadInput(text: "a = [1 2]", line: 1, message: "expected ',' or ']'"),
        BadInput(text: "a = [,]", line: 1, message: "expected a value"),
        BadInput(text: "a = 1\rb = 2", line: 1, message: "carriage return must be followed by a line feed"),
        BadInput(text: "\"\"\"k\"\"\" = 1", line: 1, message: "a key cannot be a multi-line string"),
        BadInput(text: "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
                 line: 1, message: "nested too deeply"),
    ]

    @Test("malformed TOML is an error naming the file and the line", arguments: badInputs)
    func malformedInputIsRejected(_ input: BadInput) throws {
        let error = try #require(throws: VFSError.self) {
            try TOMLDocument.parse(input.text, path: "/etc/dctc/bad.toml")
        }
        #expect(error.code == .invalidArgument)
        #expect(error.path == "/etc/dctc/bad.toml")
        #expect(error.message.hasPrefix("line \(input.line): "), "\(error.message)")
        #expect(error.message.contains(input.message), "\(error.message)")
        #expect(error.description.hasPrefix("/etc/dctc/bad.toml: line \(input.line): "))
        #expect(error.remedy != nil)
    }

    @Test("invalid UTF-8 is an error on its line")
    func invalidUTF8IsRejected() throws {
        let bytes = Array("a = 1\nb = \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)
        let error = try #require(throws: VFSError.self) { try TOMLDocument.parse(bytes: bytes, path: "u.toml") }
        #expect(error.message == "line 2: the file is not valid UTF-8")
    }
}

@Suite("TOML writer")
struct TOMLWriterTests {
    static let awkwardStrings = [
        "", "plain", "with \"quotes\" and \\backslashes\\", "line\nbreak\r\n", "tab\there",
        "controls \u{01}\u{08}\u{0C}\u{1B}\u{7F}", "non-Latin: Zürich, 東京, عربى", "emoji 😀 and combining e\u{301}",
        "'''\"\"\"", "# not a comment", "$HOME ~ `x`",
    ]

    @Test("every string is written so it reads back unchanged", arguments: awkwardStrings)
    func stringsRoundTrip(_ s: String) throws {
        let literal = TOMLValue.string(s).tomlLiteral
        #expect(!literal.contains("\n"))
        let root = try toml("v = \(literal)")
        #expect(root["v"] == .string(s))
    }

    @Test("numbers, booleans, arrays and inline tables read back unchanged")
    func valuesRoundTrip() throws {
        let values: [TOMLValue] = [
            0, -42, .integer(Int.max), .integer(Int.min), 0.1, -2.5, 1e-5, 1e16, .float(.infinity), .float(-.infinity),
            true, false, [], [1, "two", [3.5]], .table(["a": 1, "b c": ["x"], "d": .table(["e": false])]), .table([:]),
        ]
        for value in values {
            let root = try toml("v = \(value.tomlLiteral)")
            #expect(root["v"] == value, "\(value.tomlLiteral)")
        }
        #expect(try toml("v = \(TOMLValue.float(.nan).tomlLiteral)")["v"]?.doubleValue?.isNaN == true)
    }

    @Test("keys are bare when they can be and quoted otherwise")
    func keysAreQuotedWhenNeeded() {
        #expect(TOMLSyntax.key("box_1-a") == "box_1-a")
        #expect(TOMLSyntax.key("my.box") == "\"my.box\"")
        #expect(TOMLSyntax.key("") == "\"\"")
        #expect(TOMLSyntax.keyPath(["accounts", "my.box"]) == "accounts.\"my.box\"")
    }
}
