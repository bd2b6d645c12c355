import CDCTCCurl
import DCTCCore
import Foundation

/// A libcurl share handle (`CURLSH`) through which the easy handles of one `CurlClient`
/// share their DNS cache and TLS session IDs across threads.
///
/// libcurl calls the lock functions around every access to shared data; each kind of data
/// (`CURL_LOCK_DATA_*`) has its own `NSLock`, so a DNS lookup never waits for a TLS session
/// lookup. The connection cache is deliberately not shared: in libcurl 7.88 a shared
/// connection cache is not thread-safe (known bug 11.11, curl issue #4915). Each worker keeps
/// its own connections instead, which `curl_easy_reset` preserves between requests.
///
/// Easy handles that use the share keep a strong reference to it, so `curl_share_cleanup`
/// in `deinit` runs only after the last of them is gone.
final class CurlShare: @unchecked Sendable {
    // The handle is configured in init and never changed; libcurl synchronises use through the locks.
    let handle: UnsafeMutableRawPointer
    private let locks: [NSLock]

    /// Creates the share (`curl_share_init`) and installs the lock functions.
    ///
    /// - Throws: `CurlError` (`CURLE_OUT_OF_MEMORY`) when libcurl cannot allocate it.
    init() throws {
        try CurlGlobal.ensureInitialized()
        guard let h = curl_share_init() else {
            throw CurlError(code: CURLE_OUT_OF_MEMORY, detail: "curl_share_init failed", url: "")
        }
        handle = h
        locks = (0..<16).map { _ in NSLock() }
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = CDCTCCurl_share_setopt_userdata(handle, me)
        _ = CDCTCCurl_share_setopt_lock_function(handle, { _, data, _, userdata in
            guard let userdata else { return }
            Unmanaged<CurlShare>.fromOpaque(userdata).takeUnretainedValue().lock(data)
        })
        _ = CDCTCCurl_share_setopt_unlock_function(handle, { _, data, userdata in
            guard let userdata else { return }
            Unmanaged<CurlShare>.fromOpaque(userdata).takeUnretainedValue().unlock(data)
        })
        for data in [CURL_LOCK_DATA_DNS, CURL_LOCK_DATA_SSL_SESSION] {
            let rc = CDCTCCurl_share_setopt_lock_data(handle, CURLSHOPT_SHARE, data)
            if rc != CURLSHE_OK {
                let text = String(cString: curl_share_strerror(rc))
                curl_share_cleanup(handle)
                throw CurlError(code: CURLE_FAILED_INIT, detail: "curl_share_setopt: \(text)", url: "")
            }
        }
    }

    deinit {
        curl_share_cleanup(handle)
    }

    private func lock(_ data: curl_lock_data) {
        let i = Int(data.rawValue)
        if i >= 0, i < locks.count { locks[i].lock() }
    }

    private func unlock(_ data: curl_lock_data) {
        let i = Int(data.rawValue)
        if i >= 0, i < locks.count { locks[i].unlock() }
    }
}
