import DCTCCore

/// A compiled rclone-style path pattern, matched against "/"-separated paths relative to the sync root.
///
/// The syntax follows rclone's filter globs (see `FilterRule`): `*` matches any run of characters other
/// than "/", `**` any run including "/", `?` one character other than "/", `[...]` a set
/// (`[abc]`, `[a-z]`, `[!a]` or `[^a]`, `[[:alpha:]]`, `[\d]`), `{a,b}` alternatives (which may nest
/// and hold "/" and `**`), `\d` `\w` `\s` (and `\D` `\W` `\S`) classes, and `\c` for a literal `c`.
/// A pattern that starts with "/" is anchored at the root; any other pattern must match a whole
/// trailing run of path components (rclone's `(^|/)PATTERN$`).
///
/// `DCTCCore.Glob` is not reused: it has no braces, no suffix anchoring, no `**` inside a name, and it
/// compares `Character`s, under which NFC and NFD spellings are equal. This matcher compares Unicode
/// scalars, so `é` (U+00E9) and `e` + U+0301 are different names, as they are to the stores and to rclone.
///
/// Matching runs a small Thompson NFA (one pass over the path, no backtracking), so time is linear
/// in the length of the path whatever the pattern.
struct PathPattern: Sendable {
    /// How much of a directory's subtree a pattern can match.
    enum Coverage: Sendable, Equatable {
        /// No path below the directory can match.
        case none
        /// Some paths below the directory may match.
        case some
        /// Every path below the directory matches.
        case all
    }

    /// The pattern as the user wrote it.
    let source: String
    /// True when the pattern started with "/".
    let anchored: Bool

    private let program: [Instruction]
    /// For each instruction, the states reachable from it without consuming a scalar.
    private let closures: [[Int]]
    /// For each instruction, true when it is a `*`/`**` loop whose exit reaches the end without consuming.
    private let loopReachesEnd: [Bool]
    /// True when the start state holds a `*` or `**` loop whose exit reaches the end (`*`, `**`, `*{,*}`).
    private let startLoopReachesEnd: Bool
    /// `closures` as bit masks, when the program has at most 64 instructions (nearly always): the NFA
    /// then runs without allocating.
    private let closureMasks: [UInt64]?
    /// UTF-8 bytes every matching path ends with (".tmp" for `*.tmp`), checked before running the NFA.
    private let requiredSuffix: [UInt8]
    /// UTF-8 bytes every matching path starts with ("build/" for `/build/**`).
    private let requiredPrefix: [UInt8]
    /// True when every path matches (`*`, `**`, `/**`): a `*`/`**` loop that can end the match is live at
    /// every start of the last component (unanchored), or a `**` loop is (anchored, at the root).
    private let matchesEverything: Bool

    private static let slash: UInt32 = 0x2F

    /// Compiles a pattern.
    ///
    /// - Parameters:
    ///   - pattern: The glob to compile.
    ///   - displayName: How to name the pattern in error messages (defaults to `pattern`).
    /// - Throws: `VFSError(.invalidArgument)` naming the pattern for an unclosed `[` or `{`, a stray `]`
    ///   or `}`, three or more consecutive `*`, a `\` at the end, a reversed range, an unknown
    ///   `[:class:]`, or a `{{regexp}}` section (not supported).
    init(_ pattern: String, displayName: String? = nil) throws {
        let name = displayName ?? pattern
        var scalars = Array(pattern.unicodeScalars)
        anchored = scalars.first == "/"
        if anchored { scalars.removeFirst() }
        var parser = Parser(scalars: scalars, pattern: name)
        let nodes = try parser.parseAlternatives(inBraces: false)

        var program: [Instruction] = []
        Self.emit(.alternatives(nodes), into: &program)
        program.append(.match)
        self.program = program
        self.source = name

        var closures = [[Int]](repeating: [], count: program.count)
        for pc in stride(from: program.count - 1, through: 0, by: -1) {
            var out: [Int] = []
            var seen = Set<Int>()
            func add(_ states: [Int]) {
                for s in states where seen.insert(s).inserted { out.append(s) }
            }
            switch program[pc] {
            case .scalar, .anyButSlash, .set, .match:
                add([pc])
            case .star, .doubleStar:
                add([pc])
                add(closures[pc + 1])
            case .split(let targets):
                for t in targets { add(closures[t]) }
            case .jump(let target):
                add(closures[target])
            }
            closures[pc] = out
        }
        self.closures = closures
        let matchPC = program.count - 1
        let loopReachesEnd = program.indices.map { pc -> Bool in
            switch program[pc] {
            case .star, .doubleStar: return closures[pc + 1].contains(matchPC)
            default: return false
            }
        }
        self.loopReachesEnd = loopReachesEnd
        self.startLoopReachesEnd = closures[0].contains { loopReachesEnd[$0] }
        matchesEverything = anchored
            ? closures[0].contains { program[$0].isDoubleStar && loopReachesEnd[$0] }
            : startLoopReachesEnd
        if program.count <= 64 {
            closureMasks = closures.map { states in states.reduce(UInt64(0)) { $0 | (1 << UInt64($1)) } }
        } else {
            closureMasks = nil
        }

        // Literal runs at the ends of a pattern without top-level alternatives.
        let sequence = nodes.count == 1 ? nodes[0] : []
        func literal(_ node: Node) -> Unicode.Scalar? {
            if case .scalar(let value) = node { return Unicode.Scalar(value) }
            return nil
        }
        var suffix = String.UnicodeScalarView()
        for node in sequence.reversed() {
            guard let c = literal(node) else { break }
            suffix.insert(c, at: suffix.startIndex)
        }
        requiredSuffix = Array(String(suffix).utf8)
        var prefix = String.UnicodeScalarView()
        if anchored {
            for node in sequence {
                guard let c = literal(node) else { break }
                prefix.append(c)
            }
        }
        requiredPrefix = Array(String(prefix).utf8)
    }

    /// True when the pattern matches the whole path (anchored) or a whole trailing run of its components.
    func matches(_ path: String) -> Bool {
        if matchesEverything { return true }
        if !requiredSuffix.isEmpty {
            var bytes = path.utf8.reversed().makeIterator()
            for expected in requiredSuffix.reversed() where bytes.next() != expected { return false }
        }
        if !requiredPrefix.isEmpty && !path.utf8.starts(with: requiredPrefix) { return false }
        if let closureMasks {
            return runMasked(path.unicodeScalars, trailingSlash: false, masks: closureMasks) & (1 << UInt64(program.count - 1)) != 0
        }
        return run(path.unicodeScalars, trailingSlash: false).contains(program.count - 1)
    }

    /// How many of the paths strictly below `directory` (a relative path without a trailing "/") the
    /// pattern can match.
    ///
    /// The answer is sound but not always tight: `.none` and `.all` are only given when certain, and
    /// `.some` otherwise. `.all` is recognised when, after reading `directory/`, the pattern sits in a
    /// `**` loop that can end there (`/build/**` under `build`), or when it is unanchored and starts
    /// with a `*`/`**` loop that can end there (`*`, `**`): in both cases every continuation matches.
    func coverage(below directory: String) -> Coverage {
        let states: [Int]
        if let closureMasks {
            var mask = runMasked(directory.unicodeScalars, trailingSlash: true, masks: closureMasks)
            var list: [Int] = []
            while mask != 0 {
                list.append(mask.trailingZeroBitCount)
                mask &= mask - 1
            }
            states = list
        } else {
            states = run(directory.unicodeScalars, trailingSlash: true)
        }
        let consuming = states.filter { program[$0].consumes }
        if consuming.isEmpty { return .none }
        if consuming.contains(where: { program[$0].isDoubleStar && loopReachesEnd[$0] }) { return .all }
        if !anchored && startLoopReachesEnd { return .all }
        return .some
    }

    // MARK: - Matching

    /// `run` with the state set in a bit mask (programs of at most 64 instructions).
    private func runMasked(_ scalars: String.UnicodeScalarView, trailingSlash: Bool, masks: [UInt64]) -> UInt64 {
        var current = masks[0]
        func step(_ c: UInt32) {
            var next: UInt64 = 0
            var pending = current
            while pending != 0 {
                let pc = pending.trailingZeroBitCount
                pending &= pending - 1
                switch program[pc] {
                case .scalar(let x): if x == c { next |= masks[pc + 1] }
                case .anyButSlash: if c != Self.slash { next |= masks[pc + 1] }
                case .set(let set): if set.contains(c) { next |= masks[pc + 1] }
                case .star: if c != Self.slash { next |= masks[pc] }
                case .doubleStar: next |= masks[pc]
                case .split, .jump, .match: break
                }
            }
            // Unanchored: a match may also start right after any "/" (rclone's `(^|/)`).
            if !anchored && c == Self.slash { next |= masks[0] }
            current = next
        }
        for scalar in scalars {
            if current == 0 && anchored { return 0 }
            step(scalar.value)
        }
        if trailingSlash { step(Self.slash) }
        return current
    }

    /// Runs the NFA over `scalars` (then one "/" when `trailingSlash`) and returns the live states.
    private func run(_ scalars: String.UnicodeScalarView, trailingSlash: Bool) -> [Int] {
        var current: [Int] = closures[0]
        var next: [Int] = []
        current.reserveCapacity(program.count)
        next.reserveCapacity(program.count)
        var mark = [Int](repeating: -1, count: program.count)
        var generation = 0

        func step(_ c: UInt32) {
            generation += 1
            next.removeAll(keepingCapacity: true)
            for pc in current {
                let target: Int
                switch program[pc] {
                case .scalar(let x):
                    guard x == c else { continue }
                    target = pc + 1
                case .anyButSlash:
                    guard c != Self.slash else { continue }
                    target = pc + 1
                case .set(let set):
                    guard set.contains(c) else { continue }
                    target = pc + 1
                case .star:
                    guard c != Self.slash else { continue }
                    target = pc
                case .doubleStar:
                    target = pc
                case .split, .jump, .match:
                    continue
                }
                for q in closures[target] where mark[q] != generation {
                    mark[q] = generation
                    next.append(q)
                }
            }
            // Unanchored: a match may also start right after any "/" (rclone's `(^|/)`).
            if !anchored && c == Self.slash {
                for q in closures[0] where mark[q] != generation {
                    mark[q] = generation
                    next.append(q)
                }
            }
            swap(&current, &next)
        }

        for scalar in scalars {
            if current.isEmpty && anchored { return [] }
            step(scalar.value)
        }
        if trailingSlash { step(Self.slash) }
        return current
    }

    // MARK: - Compilation

    private static func emit(_ node: Node, into program: inout [Instruction]) {
        switch node {
        case .scalar(let c): program.append(.scalar(c))
        case .any: program.append(.anyButSlash)
        case .set(let set): program.append(.set(set))
        case .star: program.append(.star)
        case .doubleStar: program.append(.doubleStar)
        case .alternatives(let alternatives):
            if alternatives.count == 1 {
                for n in alternatives[0] { emit(n, into: &program) }
                return
            }
            let splitPC = program.count
            program.append(.split([]))
            var starts: [Int] = []
            var jumps: [Int] = []
            for alternative in alternatives {
                starts.append(program.count)
                for n in alternative { emit(n, into: &program) }
                jumps.append(program.count)
                program.append(.jump(-1))
            }
            let end = program.count
            program[splitPC] = .split(starts)
            for j in jumps { program[j] = .jump(end) }
        }
    }

    /// One NFA instruction. Every edge points forward except a loop's edge to itself, so
    /// epsilon-closures are computed back to front.
    private enum Instruction: Sendable {
        case scalar(UInt32)
        case anyButSlash
        case set(ScalarSet)
        /// Consumes any scalar but "/" and stays; or moves on without consuming.
        case star
        /// Consumes any scalar and stays; or moves on without consuming.
        case doubleStar
        case split([Int])
        case jump(Int)
        case match

        var consumes: Bool {
            switch self {
            case .scalar, .anyButSlash, .set, .star, .doubleStar: return true
            case .split, .jump, .match: return false
            }
        }

        var isDoubleStar: Bool {
            if case .doubleStar = self { return true }
            return false
        }
    }

    fileprivate indirect enum Node: Sendable {
        case scalar(UInt32)
        case any
        case set(ScalarSet)
        case star
        case doubleStar
        case alternatives([[Node]])
    }
}

// MARK: - Character sets

/// A `[...]` set or a `\d`-style class. It never matches "/": a set stands for one character of a name.
struct ScalarSet: Sendable, Equatable {
    /// A named class: POSIX `[:name:]` or Perl `\d` `\s` `\w`, ASCII only as in RE2.
    enum Named: String, Sendable, Equatable {
        case alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, word, xdigit
        /// Perl's `\s` (RE2: no vertical tab, unlike `[:space:]`).
        case perlSpace

        func contains(_ c: UInt32) -> Bool {
            switch self {
            case .alnum: return Named.digit.contains(c) || Named.alpha.contains(c)
            case .alpha: return Named.upper.contains(c) || Named.lower.contains(c)
            case .ascii: return c <= 0x7F
            case .blank: return c == 0x20 || c == 0x09
            case .cntrl: return c <= 0x1F || c == 0x7F
            case .digit: return (0x30...0x39).contains(c)
            case .graph: return (0x21...0x7E).contains(c)
            case .lower: return (0x61...0x7A).contains(c)
            case .print: return (0x20...0x7E).contains(c)
            case .punct: return Named.graph.contains(c) && !Named.alnum.contains(c)
            case .space: return c == 0x20 || (0x09...0x0D).contains(c)
            case .upper: return (0x41...0x5A).contains(c)
            case .word: return Named.alnum.contains(c) || c == 0x5F
            case .xdigit: return Named.digit.contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
            case .perlSpace: return c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D
            }
        }
    }

    /// A named class in a set, possibly inverted (`\D` is `digit` inverted).
    struct Member: Sendable, Equatable {
        var kind: Named
        var inverted: Bool
    }

    var ranges: [ClosedRange<UInt32>] = []
    var named: [Member] = []
    var negated = false

    func contains(_ c: UInt32) -> Bool {
        if c == 0x2F { return false }
        let member = ranges.contains { $0.contains(c) } || named.contains { $0.kind.contains(c) != $0.inverted }
        return member != negated
    }

    /// The class for a Perl class letter (`d`, `D`, `s`, `S`, `w`, `W`), or nil for any other letter.
    static func perl(_ letter: Unicode.Scalar) -> Member? {
        switch letter {
        case "d": return Member(kind: .digit, inverted: false)
        case "D": return Member(kind: .digit, inverted: true)
        case "s": return Member(kind: .perlSpace, inverted: false)
        case "S": return Member(kind: .perlSpace, inverted: true)
        case "w": return Member(kind: .word, inverted: false)
        case "W": return Member(kind: .word, inverted: true)
        default: return nil
        }
    }
}

// MARK: - Parser

private struct Parser {
    let scalars: [Unicode.Scalar]
    let pattern: String
    var i = 0

    init(scalars: [Unicode.Scalar], pattern: String) {
        self.scalars = scalars
        self.pattern = pattern
    }

    private func error(_ what: String, remedy: String) -> VFSError {
        VFSError.invalid("bad pattern '\(pattern)': \(what)", remedy: remedy)
    }

    /// Parses up to the end (or, in braces, up to and including the closing "}"), splitting on "," in braces.
    mutating func parseAlternatives(inBraces: Bool) throws -> [[PathPattern.Node]] {
        var alternatives: [[PathPattern.Node]] = [[]]
        func append(_ node: PathPattern.Node) { alternatives[alternatives.count - 1].append(node) }
        while i < scalars.count {
            let c = scalars[i]
            switch c {
            case "*":
                var stars = 0
                while i < scalars.count, scalars[i] == "*" { stars += 1; i += 1 }
                guard stars <= 2 else {
                    throw error("too many stars in a row",
                                remedy: "use * within one name or ** across folders, or escape a literal star as \\*")
                }
                append(stars == 1 ? .star : .doubleStar)
                continue
            case "?":
                append(.any)
            case "\\":
                i += 1
                guard i < scalars.count else {
                    throw error("it ends with a lone \\", remedy: "write \\\\ for a literal backslash")
                }
                let escaped = scalars[i]
                if let member = ScalarSet.perl(escaped) {
                    append(.set(ScalarSet(named: [member])))
                } else {
                    append(.scalar(escaped.value))
                }
            case "[":
                i += 1
                append(.set(try parseSet()))
                continue
            case "]":
                throw error("] without a matching [", remedy: "escape a literal bracket as \\]")
            case "{":
                if i + 1 < scalars.count, scalars[i + 1] == "{" {
                    throw error("regular expressions ({{...}}) are not supported",
                                remedy: "use glob syntax: * ? [a-z] {a,b} **")
                }
                i += 1
                append(.alternatives(try parseAlternatives(inBraces: true)))
                continue
            case "}":
                guard inBraces else {
                    throw error("} without a matching {", remedy: "escape a literal brace as \\}")
                }
                i += 1
                return alternatives
            case "," where inBraces:
                alternatives.append([])
            default:
                append(.scalar(c.value))
            }
            i += 1
        }
        if inBraces {
            throw error("{ is never closed", remedy: "close the alternatives with } or escape a literal brace as \\{")
        }
        return alternatives
    }

    /// Parses a set after its "[" up to and including the closing "]".
    ///
    /// A "]" right after "[" (or "[!") is a literal member, as in shell globs.
    mutating func parseSet() throws -> ScalarSet {
        var set = ScalarSet()
        if i < scalars.count, scalars[i] == "!" || scalars[i] == "^" {
            set.negated = true
            i += 1
        }
        var first = true
        while i < scalars.count {
            if scalars[i] == "]" && !first {
                i += 1
                return set
            }
            first = false
            if scalars[i] == "[", i + 1 < scalars.count, scalars[i + 1] == ":" {
                set.named.append(ScalarSet.Member(kind: try parseNamedClass(), inverted: false))
                continue
            }
            let memberStart = i
            switch try parseSetItem() {
            case .named(let member):
                set.named.append(member)
            case .scalar(let low):
                guard i + 1 < scalars.count, scalars[i] == "-", scalars[i + 1] != "]" else {
                    set.ranges.append(low...low)
                    continue
                }
                i += 1
                guard case .scalar(let high) = try parseSetItem() else {
                    throw error("a range cannot end with a class like \\d",
                                remedy: "write ranges between single characters, like [a-z]")
                }
                guard low <= high else {
                    let text = String(String.UnicodeScalarView(scalars[memberStart..<i]))
                    throw error("range \(text) is reversed", remedy: "write ranges low to high, like [a-z]")
                }
                set.ranges.append(low...high)
            }
        }
        throw error("[ is never closed", remedy: "close the set with ] or escape a literal bracket as \\[")
    }

    private enum SetItem {
        case scalar(UInt32)
        case named(ScalarSet.Member)
    }

    /// Reads one member of a set: a character, `\c` for a literal `c`, or a Perl class (`\d`).
    private mutating func parseSetItem() throws -> SetItem {
        var c = scalars[i]
        i += 1
        if c == "\\" {
            guard i < scalars.count else {
                throw error("[ is never closed", remedy: "close the set with ] or escape a literal bracket as \\[")
            }
            c = scalars[i]
            i += 1
            if let member = ScalarSet.perl(c) { return .named(member) }
        }
        return .scalar(c.value)
    }

    /// Parses `[:name:]` (the cursor is on its "[").
    private mutating func parseNamedClass() throws -> ScalarSet.Named {
        let start = i + 2
        var j = start
        while j + 1 < scalars.count, !(scalars[j] == ":" && scalars[j + 1] == "]") { j += 1 }
        guard j + 1 < scalars.count else {
            throw error("[: is never closed", remedy: "write a class like [[:alpha:]] or escape the bracket as \\[")
        }
        let name = String(String.UnicodeScalarView(scalars[start..<j]))
        guard let named = ScalarSet.Named(rawValue: name), named != .perlSpace else {
            throw error("unknown character class [:\(name):]",
                        remedy: "use alnum, alpha, ascii, blank, cntrl, digit, graph, lower, print, punct, space, upper, word or xdigit")
        }
        i = j + 2
        return named
    }
}
