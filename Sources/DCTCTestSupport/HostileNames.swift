/// File names chosen to break naive code: URL-special characters, shell quoting, Unicode
/// normalisation, and the 255-byte limit. Every store must round-trip each one exactly.
public enum HostileNames {
    public static let all: [String] = [
        "with space.txt",
        " leading and trailing space ",
        "question?mark",
        "hash#tag",
        "percent%20encoded",
        "percent%",
        "plus+sign",
        "single'quote",
        "double\"quote",
        "back`tick",
        "amp&semi;colon:",
        "star*and[brackets]",
        "tab\there",
        "backslash\\name",
        "日本語のファイル",
        "Ελληνικά",
        "emoji-🚀",
        "cafe\u{301}",   // e + combining acute (NFD)
        "caf\u{e9}",     // precomposed é (NFC): a different name from the one above
        ".hidden",
        "-starts-with-dash",
        "trailing.dot.",
        "~tilde",
        "equals=sign,comma",
    ]

    /// A 255-byte ASCII name, the longest most file systems allow.
    public static let longASCII = String(repeating: "a", count: 251) + ".txt"

    /// A 255-byte name of 3-byte UTF-8 characters.
    public static let longUnicode = String(repeating: "日", count: 85)
}
