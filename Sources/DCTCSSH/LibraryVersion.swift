import CDCTCSSH2

/// The libssh2 this build links (`libssh2_version(0)`), for `dctc version`.
public enum SSH2LibraryVersion {
    public static var string: String {
        guard let v = libssh2_version(0) else { return "unknown" }
        return String(cString: v)
    }
}
