import DCTCCore
import DCTCDigest
import Foundation

/// What a partition was built from: the step's spec digest and the fingerprint of every input
/// partition at build time, plus the output's own fingerprint.
///
/// Kept as JSON in the state file and in the output's sidecar (`_dctc.json`), so it travels
/// with the data and can be adopted after the state file is lost.
public struct Trace: Sendable, Codable, Hashable {
    public struct Input: Sendable, Codable, Hashable {
        public var ref: String
        public var address: String
        public var fingerprint: Fingerprint?
    }
    public var pipeline: String
    public var step: String
    public var partition: String
    public var spec: String
    public var inputs: [Input]
    public var output: Input
    public var builtAt: Date
    public var dctcVersion: String

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    func json() throws -> String { String(decoding: try Self.encoder.encode(self), as: UTF8.self) }

    static func decode(_ text: String) -> Trace? { try? decoder.decode(Trace.self, from: Data(text.utf8)) }
}

extension Step {
    /// A digest of what decides the step's output: its kind and command, its inputs with their
    /// address templates and dependency functions, and the output's template. Retries, checks
    /// and the rebuild policy are left out: changing them does not change the data.
    public func specDigest(in pipeline: Pipeline) -> String {
        var text = "dctc-flow-spec-1\nkind=\(kind.name)\n"
        switch kind {
        case .sync: break
        case .copy(let c, let d): text += "compress=\(c ?? "")\ndecompress=\(d)\n"
        case .shell(let command): text += "command=\(command)\n"
        case .dispatch(let settings):
            for (k, v) in settings.sorted(by: { $0.key < $1.key }) { text += "dispatch.\(k)=\(v)\n" }
        }
        for input in inputs {
            let template = pipeline.datasets[input.dataset]?.template.text ?? ""
            let fns = input.functions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            text += "input=\(input.dataset)|\(template)|\(fns)|optional=\(input.optional)\n"
        }
        text += "output=\(pipeline.datasets[output]?.template.text ?? "")\n"
        return (try? Digest.hash(Array(text.utf8), kind: .sha256)).map { "sha256:" + $0.prefix(32) } ?? text
    }
}
