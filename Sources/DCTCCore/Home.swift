#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The one home folder of a dctc process: `~` in addresses, `~/.ssh/*`, `~/.aws/*`, `~/.netrc`,
/// the config and the state all resolve against it.
///
/// `$HOME` when it is set and non-empty (as aws-cli, botocore, rclone and curl read it); the
/// passwd entry of the effective user only when `HOME` is unset or empty. Swift's
/// `NSHomeDirectory()` ignores `$HOME` on Linux: nothing in dctc calls it.
public enum Home {
    /// The home folder for `environment` (default: this process's environment).
    public static func directory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return passwdHome() ?? "/"
    }

    /// `path` with a leading `~` or `~/` replaced by the home folder; other paths unchanged.
    public static func expandTilde(_ path: String, home: String = Home.directory()) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// The passwd entry's home of the effective user, or nil.
    static func passwdHome() -> String? {
        guard let pw = getpwuid(geteuid()), let dir = pw.pointee.pw_dir else { return nil }
        let s = String(cString: dir)
        return s.isEmpty ? nil : s
    }
}
