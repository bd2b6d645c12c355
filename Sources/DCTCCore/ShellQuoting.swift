/// Quotes a word for a POSIX shell so that a printed command can be pasted as it is: words of
/// safe characters stay bare, anything else is single-quoted (`it's` → `'it'\''s'`).
public func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-")
    if !word.isEmpty, word.allSatisfy({ safe.contains($0) }), !word.hasPrefix("-") { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
