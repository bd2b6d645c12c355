/// Splits a command line into words the way a POSIX shell would, without expanding anything.
///
/// Used for aliases (`ll = "ls -l -h"`). Whitespace separates words; `'...'` keeps everything
/// literally; `"..."` keeps everything except that a backslash escapes `"`, `\`, `$` and `` ` ``;
/// outside quotes a backslash makes the next character literal. Quoted parts join the text
/// around them (`a"b c"` is one word) and `''` is an empty word. `$VAR`, `~` and globs are kept
/// as written.
public enum ShellWords {
    /// Why a command line could not be split.
    public struct SplitError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Splits `text` into words.
    ///
    /// - Parameters:
    ///   - text: A command line.
    /// - Returns: The words, without quotes.
    /// - Throws: `SplitError` for an unterminated quote or a trailing backslash.
    public static func split(_ text: String) throws(SplitError) -> [String] {
        let s = Array(text.unicodeScalars)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(String(current))
                    current = String.UnicodeScalarView()
                    inWord = false
                }
                i += 1
            case "'":
                inWord = true
                i += 1
                while i < s.count, s[i] != "'" {
                    current.append(s[i])
                    i += 1
                }
                guard i < s.count else { throw SplitError(message: "unterminated single quote") }
                i += 1
            case "\"":
                inWord = true
                i += 1
                while i < s.count, s[i] != "\"" {
                    if s[i] == "\\", i + 1 < s.count, ["\"", "\\", "$", "`", "\n"].contains(s[i + 1]) {
                        if s[i + 1] != "\n" { current.append(s[i + 1]) }
                        i += 2
                    } else {
                        current.append(s[i])
                        i += 1
                    }
                }
                guard i < s.count else { throw SplitError(message: "unterminated double quote") }
                i += 1
            case "\\":
                guard i + 1 < s.count else { throw SplitError(message: "trailing backslash") }
                if s[i + 1] != "\n" {
                    inWord = true
                    current.append(s[i + 1])
                }
                i += 2
            default:
                inWord = true
                current.append(c)
                i += 1
            }
        }
        if inWord { words.append(String(current)) }
        return words
    }
}
