import DCTCCore
import Foundation

/// One `--include`/`--exclude` rule (or one `+`/`-` line of a `--filter-from` file): an action and a
/// glob in rclone's filter syntax.
///
/// Paths are matched relative to the sync root, "/"-separated, without a leading "/":
///
/// - A pattern without a leading "/" matches a whole trailing run of path components:
///   `*.jpg` matches `x.jpg` and `a/b/x.jpg` but not `a/bx.jpg/c`; `dir/*.jpg` matches `x/dir/a.jpg`;
///   `file.jpg` does not match `afile.jpg`.
/// - A pattern with a leading "/" is anchored at the sync root: `/file.jpg` matches `file.jpg` only,
///   `/dir/**` everything under the top-level `dir`.
/// - `*` matches any run of characters within one name (not "/"), `**` any run including "/"
///   (`dir/**` matches `dir/a` and `dir/b/c`; `a**` matches `abc` and `a/b/c`; three stars are an error),
///   `?` one character other than "/".
/// - `[abc]`, `[a-z]`, `[!a]` or `[^a]`, `[[:alpha:]]`, `[\d]` are sets of one character (never "/");
///   `\d` `\w` `\s` (and `\D` `\W` `\S`) are ASCII classes as in rclone's regular expressions.
/// - `{jpg,png}` are alternatives; they may nest and hold "/" and `**`. A `,` outside braces is literal.
/// - `\c` matches the character `c` literally (`\*`, `\[`, `\{`, `\\`); a stray `]` or `}` is an error
///   (escape it), as in rclone.
/// - A pattern ending in "/" names directories: `- tmp/` excludes everything under any directory called
///   `tmp` (rclone reads it as `tmp/**`); `+ dir/` matches no file at all (it only told rclone which
///   directories to list) but still counts as an include rule.
///
/// Characters are compared as Unicode scalars, without normalisation or case folding: `é` written as
/// U+00E9 does not match `e` followed by U+0301. rclone's `{{regexp}}` sections are not supported.
///
/// Differences from rclone, all deliberate: sets never match "/" (rclone's `[^a]` does), and `[!a]`
/// negates as in shells (rclone passes it to Go's regexp, where it means "! or a").
public struct FilterRule: Sendable, Hashable, CustomStringConvertible {
    /// What a rule does to the paths it matches.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// The file takes part (`--include`, `+`).
        case include
        /// The file is left out (`--exclude`, `-`).
        case exclude
    }

    /// What the rule does to the paths it matches.
    public let action: Action
    /// The pattern as written.
    public let pattern: String

    /// The compiled pattern used against file paths (for an excluded directory pattern, `pattern**`).
    let matcher: PathPattern

    /// Compiles a rule.
    ///
    /// - Parameters:
    ///   - action: Include or exclude.
    ///   - pattern: A glob in rclone's filter syntax (see the type's discussion).
    /// - Throws: `VFSError(.invalidArgument)` naming the pattern when it is empty or malformed: an unclosed
    ///   `[` or `{`, a stray `]` or `}`, `***`, a trailing lone `\`, a reversed range like `[z-a]`, an
    ///   unknown `[:class:]`, or a `{{regexp}}` section.
    public init(_ action: Action, _ pattern: String) throws {
        guard !pattern.isEmpty else {
            throw VFSError.invalid("empty \(action == .include ? "--include" : "--exclude") pattern",
                                   remedy: "give a pattern such as '*.tmp', or '**' for everything")
        }
        self.action = action
        self.pattern = pattern
        if pattern.hasSuffix("/") && action == .exclude {
            // rclone: excluding "dir/" is excluding "dir/**".
            matcher = try PathPattern(pattern + "**", displayName: pattern)
        } else {
            matcher = try PathPattern(pattern)
        }
    }

    /// True when the pattern ends in "/" and so names directories rather than files.
    public var isDirectoryPattern: Bool { pattern.hasSuffix("/") }

    /// True when the pattern starts with "/" and so is anchored at the sync root.
    public var isAnchored: Bool { matcher.anchored }

    /// True when the rule can decide about files (every rule but an include of a directory pattern).
    var appliesToFiles: Bool { !(isDirectoryPattern && action == .include) }

    /// Whether the rule matches a file.
    ///
    /// - Parameter relativePath: The file's path relative to the sync root, "/"-separated, no leading "/".
    /// - Returns: True when the rule decides about this file (an include of a directory pattern never does).
    public func matches(file relativePath: String) -> Bool {
        appliesToFiles && matcher.matches(relativePath)
    }

    /// The rule as the equivalent command-line flag, shell-quoted: `--exclude '*.tmp'`.
    public var description: String {
        let flag = action == .include ? "--include" : "--exclude"
        return "\(flag) '\(pattern.replacingOccurrences(of: "'", with: "'\\''"))'"
    }

    /// The rule as a `--filter-from` line: `- *.tmp`.
    public var filterLine: String { "\(action == .include ? "+" : "-") \(pattern)" }

    public static func == (a: FilterRule, b: FilterRule) -> Bool {
        // Scalar by scalar: String's == would equate NFC and NFD spellings, which match different names.
        a.action == b.action && a.pattern.unicodeScalars.elementsEqual(b.pattern.unicodeScalars)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(action)
        hasher.combine(pattern)
    }
}
