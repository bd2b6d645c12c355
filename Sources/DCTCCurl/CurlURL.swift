import Foundation

/// Credential handling for URLs handed to libcurl.
///
/// Credentials never travel inside the URL given to libcurl: `splitCredentials` moves a
/// `user:password@` part into the request's user and password (sent with `CURLOPT_USERNAME` /
/// `CURLOPT_PASSWORD`), so libcurl's effective URL and error texts cannot echo them, and
/// `redacted` removes them from anything shown to a user.
enum CurlURL {
    /// The URL without its `user:password@` part, for messages and logs.
    static func redacted(_ url: String) -> String {
        split(url).map { $0.clean } ?? url
    }

    /// The URL without credentials, plus the percent-decoded user and password it carried.
    static func splitCredentials(_ url: String) -> (url: String, user: String?, password: String?) {
        guard let parts = split(url) else { return (url, nil, nil) }
        return (parts.clean, parts.user, parts.password)
    }

    /// nil when the URL has no userinfo.
    private static func split(_ url: String) -> (clean: String, user: String?, password: String?)? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let authorityStart = schemeEnd.upperBound
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userinfo = authority[authority.startIndex..<at]
        let clean = String(url[..<authorityStart]) + String(url[authority.index(after: at)...])
        let user: Substring
        let password: Substring?
        if let colon = userinfo.firstIndex(of: ":") {
            user = userinfo[userinfo.startIndex..<colon]
            password = userinfo[userinfo.index(after: colon)...]
        } else {
            user = userinfo
            password = nil
        }
        let decodedUser = String(user).removingPercentEncoding ?? String(user)
        let decodedPassword = password.map { String($0).removingPercentEncoding ?? String($0) }
        return (clean, decodedUser.isEmpty ? nil : decodedUser, decodedPassword)
    }

    /// The lower-cased scheme (`http`), or nil.
    static func scheme(of url: String) -> String? {
        guard let r = url.range(of: "://") else { return nil }
        return String(url[..<r.lowerBound]).lowercased()
    }
}
