import DCTCCore

/// The compression formats dctc recognises, with their magic bytes and file extensions.
///
/// Detection looks at the magic bytes first and at the file name second: a bzip2 file named
/// `x.gz` is bzip2, and a file named `x.gz` whose bytes are not gzip is treated as gzip and
/// fails to decode ("not gzip data") rather than being passed through silently. The name
/// matters on its own only when the content cannot say (an empty `x.gz` is an empty gzip
/// file, which decodes to nothing).
///
/// gzip and bzip2 are streams (`decoder`, `encoder`); zip is an archive of several files,
/// read and written with `ZipArchiveReader`/`ZipArchiveWriter`, never decoded on the fly.
public enum Codec: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case gzip, bzip2, zip

    public var description: String { rawValue }

    /// The usual file extension, without the dot: `gz`, `bz2`, `zip`.
    public var fileExtension: String {
        switch self {
        case .gzip: "gz"
        case .bzip2: "bz2"
        case .zip: "zip"
        }
    }

    /// True for codecs that transform one byte stream into another (gzip, bzip2).
    public var isStream: Bool { self != .zip }

    /// Every extension that means this codec, lowercased, with the name it stands for once
    /// stripped (`tgz` is a gzip-compressed `.tar`).
    private var extensions: [(ext: String, replacement: String)] {
        switch self {
        case .gzip: [("gz", ""), ("tgz", ".tar")]
        case .bzip2: [("bz2", ""), ("tbz2", ".tar"), ("tbz", ".tar")]
        case .zip: [("zip", "")]
        }
    }

    /// How many leading bytes `detect(magic:)` needs to recognise every codec.
    public static let magicLength = 4

    // MARK: - Detection

    /// The codec whose magic bytes start `magic`, or nil.
    ///
    /// gzip is `1f 8b`; bzip2 is `BZh` followed by a block size digit `1`...`9`; zip is
    /// `PK 03 04` (a local file header) or `PK 05 06` (the end record of an empty archive).
    public static func detect(magic: some Collection<UInt8>) -> Codec? {
        let m = Array(magic.prefix(magicLength))
        if m.count >= 2 && m[0] == 0x1f && m[1] == 0x8b { return .gzip }
        if m.count >= 4 && m[0] == 0x42 && m[1] == 0x5a && m[2] == 0x68 && (0x31...0x39).contains(m[3]) {
            return .bzip2
        }
        if m.count >= 4 && m[0] == 0x50 && m[1] == 0x4b
            && ((m[2] == 3 && m[3] == 4) || (m[2] == 5 && m[3] == 6)) {
            return .zip
        }
        return nil
    }

    /// The codec of some content: by its magic bytes first, by the extension of `name` second.
    ///
    /// - Parameters:
    ///   - magic: the first bytes of the content (`magicLength` suffice; fewer when it is shorter).
    ///   - name: the file name (or path) the content came from.
    public static func detect(magic: some Collection<UInt8>, name: String) -> Codec? {
        detect(magic: magic) ?? forName(name)
    }

    /// The codec an extension stands for (`gz`, `.GZ`, `tgz`, `bz2`, `tbz2`, `zip`), or nil.
    public static func forExtension(_ ext: String) -> Codec? {
        var e = ext.lowercased()
        if e.hasPrefix(".") { e.removeFirst() }
        return allCases.first { codec in codec.extensions.contains { $0.ext == e } }
    }

    /// The codec the extension of a file name (or path) stands for, or nil.
    public static func forName(_ name: String) -> Codec? {
        let last = name.split(separator: "/").last.map(String.init) ?? name
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return nil }
        return forExtension(String(last[last.index(after: dot)...]))
    }

    /// Parses a codec as users write it in options: `gz`/`gzip`, `bz2`/`bzip2`, `zip`.
    public init?(userName: String) {
        switch userName.lowercased() {
        case "gz", "gzip": self = .gzip
        case "bz2", "bzip2": self = .bzip2
        case "zip": self = .zip
        default: return nil
        }
    }

    // MARK: - Names

    /// `name` with this codec's extension appended: `a.txt` → `a.txt.gz`.
    public func addingExtension(to name: String) -> String {
        "\(name).\(fileExtension)"
    }

    /// `name` without this codec's extension (`a.txt.gz` → `a.txt`, `a.tgz` → `a.tar`), or nil
    /// when it has none or nothing would be left of the name. The extension may be in any case.
    public func strippingExtension(from name: String) -> String? {
        for (ext, replacement) in extensions {
            let suffix = "." + ext
            guard name.count > suffix.count,
                  name.lowercased().hasSuffix(suffix) else { continue }
            let stem = String(name.dropLast(suffix.count))
            guard !stem.isEmpty, !stem.hasSuffix("/") else { continue }
            return stem + replacement
        }
        return nil
    }

    // MARK: - Codecs

    /// The compression levels this codec accepts (`encoder(level:)`), and its default.
    public var levels: ClosedRange<Int> {
        switch self {
        case .gzip: GzipEncoder.levels
        case .bzip2: Bzip2Encoder.blockSizes
        case .zip: 1...9
        }
    }

    public var defaultLevel: Int {
        switch self {
        case .gzip: GzipEncoder.defaultLevel
        case .bzip2: Bzip2Encoder.defaultBlockSize
        case .zip: 6
        }
    }

    /// A fresh decoder for this codec.
    ///
    /// - Parameter displayPath: the file name decoding errors will show.
    /// - Throws: `VFSError(.unsupported)` for zip, which is an archive rather than a stream;
    ///   `VFSError(.io)` when the C library cannot initialise.
    public func decoder(displayPath: String) throws -> any ChunkedByteTransform {
        switch self {
        case .gzip: try GzipDecoder(displayPath: displayPath)
        case .bzip2: try Bzip2Decoder(displayPath: displayPath)
        case .zip: throw Self.zipIsNotAStream(path: displayPath)
        }
    }

    /// A fresh encoder for this codec.
    ///
    /// - Parameter level: the gzip level or the bzip2 block size (1...9); nil for the default.
    /// - Throws: `VFSError(.invalidArgument)` for a level out of range; `VFSError(.unsupported)`
    ///   for zip; `VFSError(.io)` when the C library cannot initialise.
    public func encoder(level: Int? = nil) throws -> any ChunkedByteTransform {
        switch self {
        case .gzip: try GzipEncoder(level: level ?? GzipEncoder.defaultLevel)
        case .bzip2: try Bzip2Encoder(blockSize: level ?? Bzip2Encoder.defaultBlockSize)
        case .zip: throw Self.zipIsNotAStream(path: nil)
        }
    }

    static func zipIsNotAStream(path: String?) -> VFSError {
        VFSError(.unsupported, "zip archives are not decompressed or compressed on the fly", path: path,
                 remedy: "list them with `dctc ls ARCHIVE.zip`")
    }
}
