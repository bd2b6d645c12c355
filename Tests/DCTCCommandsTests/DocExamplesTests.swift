import DCTCTestSupport
import Foundation
import Testing

/// The tested examples of the documentation (README.md and Docs/*.md), as Docs/contributing.md
/// describes them:
///
/// - A fenced block whose info string is `sh test` is run. The tested blocks of one document
///   form one session: one bash process (`set -euo pipefail`), in a fresh scratch folder,
///   in document order, so a later block sees the files, the current folder and the variables
///   of the earlier ones, as a reader typing them would.
/// - A ```` ```text ```` block right after a tested block (blank lines between allowed) is the
///   exact standard output of that block; a line `...` in it stands for any number of lines,
///   and `...` inside a line for any text.
/// - `sh test s3` blocks need the S3 test server: the session gets `AWS_ACCESS_KEY_ID`,
///   `AWS_SECRET_ACCESS_KEY` and `AWS_ENDPOINT_URL` of the moto server, and the buckets those
///   blocks name are removed first. Without the server (outside `make test`) such a document is
///   skipped with a note; under the harness that is a failure.
/// - `dctc` on the PATH is the binary under test; `HOME`, `XDG_CONFIG_HOME` and
///   `XDG_STATE_HOME` are inside the scratch folder, `DCTC_CONFIG` is unset, `TZ=UTC`, `LC_ALL=C`.
struct DocExample: Sendable {
    let file: String
    let line: Int
    let script: String
    let needsS3: Bool
    var expected: String?

    var location: String { "\(file):\(line)" }
}

enum DocExamples {
    static let root = SurfaceTests.packageRoot

    /// README.md and Docs/*.md that have tested blocks (Docs/briefs excluded: working notes).
    static func documents() -> [String] {
        let docs = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Docs").path)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted().map { "Docs/" + $0 }
        return (["README.md"] + docs).filter { !((try? examples(in: $0)) ?? []).isEmpty }
    }

    /// The tested blocks of one document, with their expected output.
    static func examples(in file: String) throws -> [DocExample] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        return parse(text, file: file)
    }

    static func parse(_ text: String, file: String) -> [DocExample] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var examples: [DocExample] = []
        var i = 0
        var lastTestedEnd = -2   // the line after the closing fence of the last tested block
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("```") else { i += 1; continue }
            let fence = String(trimmed.prefix { $0 == "`" })
            let info = trimmed.dropFirst(fence.count).split(separator: " ").map(String.init)
            let start = i
            var body: [String] = []
            i += 1
            while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces) != fence {
                body.append(lines[i])
                i += 1
            }
            i += 1   // the closing fence
            if info.first == "sh" && info.dropFirst().first == "test" {
                examples.append(DocExample(file: file, line: start + 1, script: body.joined(separator: "\n"),
                                           needsS3: info.contains("s3"), expected: nil))
                lastTestedEnd = i
            } else if info == ["text"], !examples.isEmpty,
                      lines[lastTestedEnd..<start].allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                examples[examples.count - 1].expected = body.joined(separator: "\n")
            }
        }
        return examples
    }

    /// True when `output` matches `expected` line by line (trailing spaces ignored), a line
    /// `...` of `expected` standing for any number of lines and `...` inside a line for any text.
    static func matches(_ output: String, _ expected: String) -> Bool {
        func lines(_ s: String) -> [String] {
            var l = s.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0.reversed().drop { $0 == " " }.reversed())
            }
            while l.last == "" { l.removeLast() }
            return l
        }
        let out = lines(output), pattern = lines(expected)
        // reachable[j]: output lines 0..<j are matched by the pattern lines seen so far.
        var reachable = [true] + Array(repeating: false, count: out.count)
        for p in pattern {
            var next = Array(repeating: false, count: out.count + 1)
            for j in 0...out.count where reachable[j] {
                if p == "..." {
                    for k in j...out.count { next[k] = true }
                } else if j < out.count && lineMatches(out[j], p) {
                    next[j + 1] = true
                }
            }
            reachable = next
        }
        return reachable[out.count]
    }

    /// True when `line` matches `pattern`, where `...` inside the pattern stands for any text.
    static func lineMatches(_ line: String, _ pattern: String) -> Bool {
        let parts = pattern.components(separatedBy: "...")
        guard parts.count > 1 else { return line == pattern }
        guard line.hasPrefix(parts[0]), let last = parts.last, line.hasSuffix(last),
              line.count >= parts[0].count + last.count else { return false }
        var rest = Substring(line.dropFirst(parts[0].count).dropLast(last.count))
        for middle in parts.dropFirst().dropLast() where !middle.isEmpty {
            guard let r = rest.range(of: middle) else { return false }
            rest = rest[r.upperBound...]
        }
        return true
    }

    /// S3 buckets named by `s3://NAME` in the examples.
    static func buckets(in examples: [DocExample]) -> [String] {
        var names = Set<String>()
        for e in examples where e.needsS3 {
            var rest = Substring(e.script)
            while let r = rest.range(of: "s3://") {
                let name = rest[r.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
                if !name.isEmpty { names.insert(String(name)) }
                rest = rest[r.upperBound...]
            }
        }
        return names.sorted()
    }
}

@Suite("Documentation examples run as written")
struct DocExamplesTests {
    @Test("the tested examples of a document run in a fresh folder and print what the document says",
          arguments: DocExamples.documents())
    func documentExamplesRun(file: String) throws {
        let examples = try DocExamples.examples(in: file)
        try #require(!examples.isEmpty)
        let scratch = try Scratch("dctc-doc")
        defer { scratch.cleanup() }

        var environment = ProcessInfo.processInfo.environment
        environment["DCTC_CONFIG"] = nil
        if examples.contains(where: \.needsS3) {
            guard let s3 = try Self.s3Environment() else { return }
            environment.merge(s3) { $1 }
        }
        for folder in ["bin", "home", "config", "state", "work", "doc"] {
            try FileManager.default.createDirectory(atPath: scratch.url(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.createSymbolicLink(atPath: scratch.url("bin/dctc"), withDestinationPath: CLI.binary)
        environment["PATH"] = scratch.url("bin") + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = scratch.url("home")
        environment["XDG_CONFIG_HOME"] = scratch.url("config")
        environment["XDG_STATE_HOME"] = scratch.url("state")
        environment["TZ"] = "UTC"
        environment["LC_ALL"] = "C"

        // One session: each block is sourced in turn, its standard output kept in its own file.
        var session = ["set -euo pipefail"]
        for bucket in DocExamples.buckets(in: examples) {
            session.append("dctc rm -r -f 's3://\(bucket)' >/dev/null 2>&1 || true")
            session.append("dctc rmdir 's3://\(bucket)' >/dev/null 2>&1 || true")
        }
        for (n, example) in examples.enumerated() {
            try example.script.write(toFile: scratch.url("doc/block-\(n).sh"), atomically: true, encoding: .utf8)
            session.append("echo '::block \(example.location)' >&2")
            session.append("source '\(scratch.url("doc/block-\(n).sh"))' > '\(scratch.url("doc/out-\(n)"))'")
        }
        session.append("echo '::done' >&2")
        try session.joined(separator: "\n").write(toFile: scratch.url("doc/session.sh"), atomically: true, encoding: .utf8)

        let r = try runProcess("/bin/bash", [scratch.url("doc/session.sh")], cwd: scratch.url("work"), environment: environment)
        let failedAt = r.stderr.components(separatedBy: "\n").last { $0.hasPrefix("::block ") }?.dropFirst(8) ?? "(before the first block)"
        let finished = r.stderr.contains("::done")
        let lastIndex = examples.firstIndex { $0.location == failedAt } ?? 0
        let lastOutput = (try? String(contentsOfFile: scratch.url("doc/out-\(lastIndex)"), encoding: .utf8)) ?? ""
        #expect(r.status == 0 && finished,
                "the example at \(failedAt) failed (exit \(r.status)):\n--- its standard output\n\(lastOutput)\n--- standard error\n\(r.stderr)")
        guard r.status == 0 && finished else { return }

        for (n, example) in examples.enumerated() {
            guard let expected = example.expected else { continue }
            let output = try String(contentsOfFile: scratch.url("doc/out-\(n)"), encoding: .utf8)
            #expect(DocExamples.matches(output, expected),
                    "the example at \(example.location) printed something else than the text block after it:\n--- printed\n\(output)--- documented\n\(expected)")
        }
    }

    /// The S3 test server's environment, or nil (with a note) when it is not running outside the harness.
    static func s3Environment() throws -> [String: String]? {
        let moto = try TestServers.environment(of: "moto")
        guard let endpoint = moto["DCTC_TEST_MOTO_ENDPOINT"], let port = URL(string: endpoint)?.port else {
            Issue.record("Scripts/test-servers/moto.sh env gives no endpoint")
            return nil
        }
        if let problem = TestServers.inHarness ? (TestServers.isListening(port) ? nil : "moto is not running on \(endpoint)")
                                               : TestServers.ensure("moto", port: port) {
            if TestServers.inHarness { Issue.record(Comment(rawValue: problem)) }
            return nil
        }
        return [
            "AWS_ACCESS_KEY_ID": moto["DCTC_TEST_MOTO_ACCESS_KEY_ID"] ?? "test",
            "AWS_SECRET_ACCESS_KEY": moto["DCTC_TEST_MOTO_SECRET_ACCESS_KEY"] ?? "test",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "us-east-1",
        ]
    }

    @Test("tested blocks, their expected output, and the ... wildcard are read as documented")
    func conventionParsing() {
        let doc = """
        Intro.

        ```sh test
        echo a
        ```

        ```text
        a
        ```

        ```sh
        not tested
        ```

        ```text
        not an expectation: the block before is not tested
        ```

        ```sh test s3
        dctc ls s3://doc-bucket/x
        ```
        """
        let examples = DocExamples.parse(doc, file: "x.md")
        #expect(examples.count == 2)
        #expect(examples.first?.line == 3)
        #expect(examples.first?.expected == "a")
        #expect(examples.last?.expected == nil)
        #expect(examples.last?.needsS3 == true)
        #expect(DocExamples.buckets(in: examples) == ["doc-bucket"])
        #expect(DocExamples.matches("a\nb\nc\n", "a\n...\nc"))
        #expect(DocExamples.matches("a\nc\n", "a\n...\nc"))
        #expect(!DocExamples.matches("a\nb\n", "a\n...\nc"))
        #expect(!DocExamples.matches("a\nb\n", "a"))
        #expect(DocExamples.matches("/tmp/x/notes.txt: saved\n", ".../notes.txt: saved"))
        #expect(DocExamples.matches("saved in /a/b (2 files)\n", "saved in ... (... files)"))
        #expect(!DocExamples.matches("saved in /a/b\n", "written to ..."))
    }
}

extension DocExamplesTests {
    @Test("the README and the user guide have tested examples")
    func mainDocumentsAreTested() {
        let documents = DocExamples.documents()
        #expect(documents.contains("README.md"))
        #expect(documents.contains("Docs/user-guide.md"))
    }
}
