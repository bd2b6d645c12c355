import CDCTCBZip2
import CDCTCZlib

/// Versions of zlib (`zlibVersion()`) and libbz2 (`BZ2_bzlibVersion()`), for `dctc version`.
public enum CompressionLibraryVersions {
    public static var zlib: String {
        guard let v = zlibVersion() else { return "unknown" }
        return String(cString: v)
    }

    public static var bzip2: String {
        guard let v = BZ2_bzlibVersion() else { return "unknown" }
        // "1.0.8, 13-Jul-2019": keep the number.
        return String(String(cString: v).prefix { $0 != "," })
    }
}
