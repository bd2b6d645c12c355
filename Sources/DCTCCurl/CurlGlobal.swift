import CDCTCCurl
import DCTCCore

/// libcurl's process-wide state: `curl_global_init` runs once, before the first handle.
///
/// `curl_global_init` is not thread-safe and must precede every other libcurl call, so it sits
/// behind a lazily initialised `static let` (Swift runs that initialiser exactly once, under a
/// lock). It is never undone: `curl_global_cleanup` at exit gains nothing and races handles.
public enum CurlGlobal {
    private static let initResult: UInt32 = CDCTCCurl_global_init_default().rawValue

    /// Runs `curl_global_init(CURL_GLOBAL_DEFAULT)` the first time it is called.
    ///
    /// - Throws: `CurlError` when libcurl cannot initialise (out of memory, TLS library failure).
    public static func ensureInitialized() throws {
        let code = CURLcode(rawValue: initResult)
        if code != CURLE_OK { throw CurlError(code: code, detail: "curl_global_init failed", url: "") }
    }

    /// libcurl's version and the libraries it was built with (`curl_version()`), e.g.
    /// `libcurl/7.88.1 OpenSSL/3.0.19 zlib/1.2.13 …`.
    public static var versionDescription: String {
        String(cString: curl_version())
    }

    /// libcurl's version as `(major, minor, patch)`, from `curl_version_info(CURLVERSION_NOW)`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        guard let info = CDCTCCurl_version_info_now() else { return (0, 0, 0) }
        let n = Int(info.pointee.version_num)
        return (n >> 16, (n >> 8) & 0xff, n & 0xff)
    }

    /// The URL schemes this libcurl build supports (`curl_version_info(...)->protocols`).
    public static var supportedProtocols: Set<String> {
        guard let info = CDCTCCurl_version_info_now(), var p = info.pointee.protocols else { return [] }
        var out: Set<String> = []
        while let name = p.pointee {
            out.insert(String(cString: name))
            p += 1
        }
        return out
    }
}
