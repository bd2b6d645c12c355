import DCTCCompression
import DCTCCurl
import DCTCDigest
import DCTCSSH

/// Versions of the C libraries, for `dctc version` and bug reports.
enum LibraryVersions {
    static var all: [String: String] {
        let curl = CurlGlobal.version
        return [
            "libcurl": "\(curl.major).\(curl.minor).\(curl.patch)",
            "libssh2": SSH2LibraryVersion.string,
            "zlib": CompressionLibraryVersions.zlib,
            "bzip2": CompressionLibraryVersions.bzip2,
            "openssl": CryptoLibraryVersion.string,
        ]
    }
}
