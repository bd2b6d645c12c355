import DCTCCompression
import DCTCCurl
import DCTCDigest
import DCTCSSH

/// Versions of the C libraries, for `dctc version` and bug reports.
enum LibraryVersions {
    static var all: [String: String] {
        [:]
    }
}
