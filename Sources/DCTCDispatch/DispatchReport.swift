import DCTCCore

/// What a dispatch did: one entry per output written, and counts.
public struct DispatchReport: Sendable, Hashable, Codable {
    /// One output file.
    public struct Output: Sendable, Hashable, Codable {
        /// The partition key (before escaping).
        public var key: String
        /// Where it was written, in the destination store.
        public var path: VPath
        /// The same as the user would type it.
        public var address: String
        /// Records written (the header line not included).
        public var records: Int
        /// Bytes stored (compressed size when compressing).
        public var bytes: Int64
        /// Bytes before compression, the header line included.
        public var uncompressedBytes: Int64
    }

    /// What was read from one input.
    public struct InputSummary: Sendable, Hashable, Codable {
        public var name: String
        /// Records read (header and blank lines not included).
        public var records: Int
        /// Of those, the ones that could not be partitioned.
        public var unpartitionable: Int
    }

    /// The outputs, sorted by key (byte order).
    public var outputs: [Output]
    public var inputs: [InputSummary]
    /// Records read from all inputs (header and blank lines not included).
    public var records: Int
    /// Records that could not be partitioned (skipped, or sent to the `--on-error file:` key).
    public var unpartitionable: Int
    /// Blank lines, which are dropped.
    public var blankLines: Int

    /// Bytes stored over all outputs.
    public var bytes: Int64 { outputs.reduce(0) { $0 + $1.bytes } }

    public init(outputs: [Output] = [], inputs: [InputSummary] = [], records: Int = 0, unpartitionable: Int = 0, blankLines: Int = 0) {
        self.outputs = outputs
        self.inputs = inputs
        self.records = records
        self.unpartitionable = unpartitionable
        self.blankLines = blankLines
    }

    /// The output of a key, if one was written.
    public func output(forKey key: String) -> Output? {
        outputs.first { $0.key.utf8.elementsEqual(key.utf8) }
    }
}
