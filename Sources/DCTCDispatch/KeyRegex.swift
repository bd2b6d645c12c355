import DCTCCore
import Foundation

/// The `--regex` of dispatch: an ICU regular expression (`NSRegularExpression`) whose capture
/// group named `key`, else group 1, holds the value.
///
/// ICU syntax is Perl-like (`\d`, `\s`, `[^]]`, non-greedy `*?`, `(?<name>...)`), which is
/// what people write for log lines. The match is searched anywhere in the record.
final class KeyRegex {
    private let regex: NSRegularExpression
    private let named: Bool
    let pattern: String

    /// Compiles the pattern.
    /// - Throws: `VFSError(.invalidArgument)` when it does not compile or has no capture group.
    init(_ pattern: String) throws {
        do {
            regex = try NSRegularExpression(pattern: pattern)
        } catch {
            throw VFSError.invalid("--regex '\(pattern)' is not a valid regular expression",
                                   remedy: "use ICU/Perl syntax, e.g. '\\[(\\d+/\\w+/\\d+)'")
        }
        guard regex.numberOfCaptureGroups >= 1 else {
            throw VFSError.invalid("--regex '\(pattern)' has no capture group",
                                   remedy: "put the part that decides the output in parentheses, e.g. '^(\\S+)'")
        }
        named = pattern.contains("(?<key>")
        self.pattern = pattern
    }

    /// The captured value, or why there is none.
    func capture(in text: String) -> Result<String, Failure> {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = regex.firstMatch(in: text, range: range) else { return .failure(.noMatch) }
        let group = named ? match.range(withName: "key") : match.range(at: 1)
        guard group.location != NSNotFound, let r = Range(group, in: text) else { return .failure(.emptyGroup) }
        return .success(String(text[r]))
    }

    enum Failure: Error { case noMatch, emptyGroup }
}
