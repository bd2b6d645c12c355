/// Shell-style glob patterns over paths: `*` and `?` within one name, `[abc]`, `[a-z]`,
/// `[!x]`, `\` to escape, and `**` as a whole component for any number of directories.
///
/// Matching works on `Character`s (grapheme clusters), so `?` matches one visible
/// character even when it is made of combining scalars.
public struct Glob: Sendable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case literal(Character)
        case any          // ?
        case star         // *
        case set([ClosedRange<Character>], negated: Bool)
    }

    enum Segment: Sendable, Equatable {
        case recursive          // **
        case name([Token])
    }

    let segments: [Segment]
    public let description: String

    /// True when the string has an unescaped glob character.
    public static func hasMagic(_ s: String) -> Bool {
        var escaped = false
        for c in s {
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "*" || c == "?" || c == "[" { return true }
        }
        return false
    }

    /// Compiles a pattern given as a path (absolute patterns match absolute paths).
    /// - Throws: `.invalidArgument` for an unterminated `[`.
    public init(_ pattern: VPath) throws {
        description = pattern.string
        segments = try pattern.components.map { c in
            if c == "**" { return .recursive }
            return .name(try Glob.tokenize(c, pattern: pattern.string))
        }
    }

    /// Compiles a pattern for single names (`--name '*.csv'`).
    public init(name: String) throws {
        description = name
        segments = [.name(try Glob.tokenize(name, pattern: name))]
    }

    public var hasRecursiveWildcard: Bool { segments.contains(.recursive) }

    /// True when the whole path matches.
    public func matches(_ path: VPath) -> Bool {
        Glob.match(segments[...], path.components[...])
    }

    /// True when one name matches (for patterns made with `init(name:)`).
    public func matches(name: String) -> Bool {
        guard segments.count == 1, case .name(let tokens) = segments[0] else { return false }
        return Glob.match(tokens[...], Array(name)[...])
    }

    private static func match(_ segs: ArraySlice<Segment>, _ comps: ArraySlice<String>) -> Bool {
        guard let first = segs.first else { return comps.isEmpty }
        switch first {
        case .recursive:
            // Zero or more components.
            var rest = comps
            while true {
                if match(segs.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case .name(let tokens):
            guard let c = comps.first, match(tokens[...], Array(c)[...]) else { return false }
            return match(segs.dropFirst(), comps.dropFirst())
        }
    }

    private static func match(_ tokens: ArraySlice<Token>, _ chars: ArraySlice<Character>) -> Bool {
        guard let t = tokens.first else { return chars.isEmpty }
        switch t {
        case .star:
            var rest = chars
            while true {
                if match(tokens.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case .any:
            guard !chars.isEmpty else { return false }
            return match(tokens.dropFirst(), chars.dropFirst())
        case .literal(let l):
            guard chars.first == l else { return false }
            return match(tokens.dropFirst(), chars.dropFirst())
        case .set(let ranges, let negated):
            guard let c = chars.first else { return false }
            let inSet = ranges.contains { $0.contains(c) }
            guard inSet != negated else { return false }
            return match(tokens.dropFirst(), chars.dropFirst())
        }
    }

    private static func tokenize(_ s: String, pattern: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                i += 1
                tokens.append(.literal(i < chars.count ? chars[i] : "\\"))
            case "*":
                if tokens.last != .star { tokens.append(.star) }
            case "?":
                tokens.append(.any)
            case "[":
                var j = i + 1
                var negated = false
                if j < chars.count, chars[j] == "!" || chars[j] == "^" { negated = true; j += 1 }
                var ranges: [ClosedRange<Character>] = []
                var first = true
                while j < chars.count, chars[j] != "]" || first {
                    first = false
                    let lo = chars[j]
                    if j + 2 < chars.count, chars[j + 1] == "-", chars[j + 2] != "]" {
                        let hi = chars[j + 2]
                        guard lo <= hi else {
                            throw VFSError.invalid("bad range \(lo)-\(hi) in pattern", path: pattern,
                                                   remedy: "write ranges low to high, like [a-z]")
                        }
                        ranges.append(lo...hi)
                        j += 3
                    } else {
                        ranges.append(lo...lo)
                        j += 1
                    }
                }
                guard j < chars.count else {
                    throw VFSError.invalid("unterminated [ in pattern", path: pattern,
                                           remedy: "close the set with ] or escape the bracket as \\[")
                }
                tokens.append(.set(ranges, negated: negated))
                i = j
            default:
                tokens.append(.literal(c))
            }
            i += 1
        }
        return tokens
    }
}
