import DCTCCore

/// The parts of a time read from a record; the ones the format did not have are nil.
public struct TimeFields: Sendable, Hashable {
    public var year: Int?
    public var month: Int?
    public var day: Int?
    public var dayOfYear: Int?
    public var hour: Int?
    public var minute: Int?
    public var second: Int?
    /// From `%p`: true for PM (with `%I`).
    public var pm: Bool?
    /// Seconds east of UTC, when the text carried an offset.
    public var offsetSeconds: Int?
    /// Seconds since 1970-01-01T00:00:00Z, when the text was an epoch time.
    public var epochSeconds: Int64?

    public init() {}
}

/// A strftime-like time format, compiled once and matched against many values.
///
/// Directives (as `strptime(3)`, matched on bytes, English names):
/// `%Y` 4-digit year, `%y` 2-digit year (69-99 → 19xx, else 20xx), `%m` month, `%d` day,
/// `%e` space-padded day, `%j` day of the year, `%H` hour (00-23), `%k` space-padded hour,
/// `%I`/`%l` hour (1-12, with `%p`), `%p` AM/PM, `%M` minute, `%S` second, `%f` fraction
/// digits (read and ignored), `%b`/`%h`/`%B` month name (full or 3 letters, any case),
/// `%a`/`%A` weekday name (ignored), `%z` offset (`Z`, `+HH`, `+HHMM`, `+HH:MM`), `%Z` zone
/// name (`UTC`, `GMT`, `UT` or `Z` only), `%s` epoch seconds, `%T` = `%H:%M:%S`,
/// `%F` = `%Y-%m-%d`, `%D` = `%m/%d/%y`, `%R` = `%H:%M`, `%n`/`%t` whitespace, `%%` a `%`.
/// Whitespace in the format matches any run of spaces and tabs, none included; other
/// characters match themselves. The format must match the start of the value; what
/// follows is ignored (`%Y-%m-%d` reads the day of `2013-06-03 14:02:11`).
///
/// Without a format (`parseAuto`), a value is read as ISO 8601 (`2013-06-03`,
/// `2013-06-03T14:02:11Z`, `2013-06-03 14:02:11.250+02:00`) or as epoch seconds (digits,
/// optionally with a fraction; 12 digits or more are milliseconds), and must be nothing else.
public struct TimestampFormat: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case literal(UInt8)
        case space
        case year4, year2, month, day, dayOfYear, hour24, hour12, minute, second, fraction
        case meridiem, monthName, weekdayName, offset, zoneName, epoch
    }

    public let pattern: String
    let tokens: [Token]

    /// Compiles a format.
    /// - Parameters:
    ///   - pattern: the strftime-like format.
    ///   - grain: when given, the format must have the fields the grain needs (a year, a
    ///     month, a day, an hour), or `%s`.
    /// - Throws: `VFSError(.invalidArgument)` for an unknown directive, a lone `%`, `%I`
    ///   without `%p`, or fields missing for the grain.
    public init(_ pattern: String, grain: TimeGrain? = nil) throws {
        var tokens: [Token] = []
        let bytes = Array(pattern.utf8)
        var i = 0
        func bad(_ why: String) -> VFSError {
            VFSError.invalid("--date-format '\(pattern)': \(why)",
                             remedy: "see `dctc dispatch --help` for the directives (%Y %m %d %H %M %S %b %z ...)")
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") {
                if tokens.last != .space { tokens.append(.space) }
                i += 1
                continue
            }
            guard b == UInt8(ascii: "%") else {
                tokens.append(.literal(b))
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { throw bad("a lone % at the end") }
            let d = Character(Unicode.Scalar(bytes[i + 1]))
            i += 2
            switch d {
            case "Y": tokens.append(.year4)
            case "y": tokens.append(.year2)
            case "m": tokens.append(.month)
            case "d": tokens.append(.day)
            case "e": tokens += [.space, .day]
            case "j": tokens.append(.dayOfYear)
            case "H": tokens.append(.hour24)
            case "k": tokens += [.space, .hour24]
            case "I": tokens.append(.hour12)
            case "l": tokens += [.space, .hour12]
            case "M": tokens.append(.minute)
            case "S": tokens.append(.second)
            case "f": tokens.append(.fraction)
            case "p": tokens.append(.meridiem)
            case "b", "h", "B": tokens.append(.monthName)
            case "a", "A": tokens.append(.weekdayName)
            case "z": tokens.append(.offset)
            case "Z": tokens.append(.zoneName)
            case "s": tokens.append(.epoch)
            case "T": tokens += [.hour24, .literal(UInt8(ascii: ":")), .minute, .literal(UInt8(ascii: ":")), .second]
            case "F": tokens += [.year4, .literal(UInt8(ascii: "-")), .month, .literal(UInt8(ascii: "-")), .day]
            case "D": tokens += [.month, .literal(UInt8(ascii: "/")), .day, .literal(UInt8(ascii: "/")), .year2]
            case "R": tokens += [.hour24, .literal(UInt8(ascii: ":")), .minute]
            case "n", "t": if tokens.last != .space { tokens.append(.space) }
            case "%": tokens.append(.literal(UInt8(ascii: "%")))
            default: throw bad("unknown directive %\(d)")
            }
        }
        if tokens.contains(.hour12) && !tokens.contains(.meridiem) { throw bad("%I needs %p (AM/PM)") }
        if let grain, !tokens.contains(.epoch) {
            let hasYear = tokens.contains(.year4) || tokens.contains(.year2)
            let hasMonth = tokens.contains(.month) || tokens.contains(.monthName) || tokens.contains(.dayOfYear)
            let hasDay = tokens.contains(.day) || tokens.contains(.dayOfYear)
            let hasHour = tokens.contains(.hour24) || tokens.contains(.hour12)
            if !hasYear { throw bad("it has no year (%Y or %y)") }
            switch grain {
            case .year: break
            case .month: if !hasMonth { throw bad("it has no month (%m or %b) for --grain month") }
            case .day: if !hasDay || !hasMonth { throw bad("it has no day (%d) for --grain day") }
            case .hour:
                if !hasDay || !hasMonth { throw bad("it has no day (%d) for --grain hour") }
                if !hasHour { throw bad("it has no hour (%H) for --grain hour") }
            }
        }
        self.pattern = pattern
        self.tokens = tokens
    }

    // MARK: - Reading

    /// Reads the start of `text` with this format.
    /// - Returns: the fields, or nil when the text does not match.
    public func parse<C: RandomAccessCollection>(_ text: C) -> TimeFields? where C.Element == UInt8, C.Index == Int {
        var scanner = ByteScanner(text)
        var f = TimeFields()
        for token in tokens {
            switch token {
            case .literal(let b):
                guard scanner.take(b) else { return nil }
            case .space:
                scanner.skipSpaces()
            case .year4:
                guard let v = scanner.number(minDigits: 4, maxDigits: 4) else { return nil }
                f.year = v
            case .year2:
                guard let v = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                f.year = v >= 69 ? 1900 + v : 2000 + v
            case .month:
                guard let v = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
                f.month = v
            case .day:
                guard let v = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
                f.day = v
            case .dayOfYear:
                guard let v = scanner.number(minDigits: 1, maxDigits: 3) else { return nil }
                f.dayOfYear = v
            case .hour24, .hour12:
                guard let v = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
                f.hour = v
            case .minute:
                guard let v = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
                f.minute = v
            case .second:
                guard let v = scanner.number(minDigits: 1, maxDigits: 2) else { return nil }
                f.second = v
            case .fraction:
                guard scanner.skipDigits() else { return nil }
            case .meridiem:
                if scanner.takeWord("am") { f.pm = false } else if scanner.takeWord("pm") { f.pm = true } else { return nil }
            case .monthName:
                guard let m = scanner.name(from: Self.monthNames) else { return nil }
                f.month = m + 1
            case .weekdayName:
                guard scanner.name(from: Self.weekdayNames) != nil else { return nil }
            case .offset:
                guard let (seconds, end) = Self.offset(in: scanner.bytes, at: scanner.index) else { return nil }
                f.offsetSeconds = seconds
                scanner.index = end
            case .zoneName:
                if scanner.takeWord("utc") || scanner.takeWord("gmt") || scanner.takeWord("ut") || scanner.takeWord("z") {
                    f.offsetSeconds = 0
                } else {
                    return nil
                }
            case .epoch:
                let negative = scanner.take(UInt8(ascii: "-"))
                guard let v = scanner.bigNumber() else { return nil }
                f.epochSeconds = negative ? -v : v
            }
        }
        return f
    }

    /// Reads a whole value as ISO 8601 or epoch seconds (see the type's discussion).
    /// - Returns: the fields, or nil when the value is neither.
    public static func parseAuto<C: RandomAccessCollection>(_ text: C) -> TimeFields? where C.Element == UInt8, C.Index == Int {
        var scanner = ByteScanner(text)
        scanner.skipSpaces()
        let start = scanner.index
        var f = TimeFields()
        // Epoch: [-]digits[.digits]
        let negative = scanner.take(UInt8(ascii: "-"))
        let digitStart = scanner.index
        if let whole = scanner.bigNumber() {
            let digits = scanner.index - digitStart
            var isEpoch = scanner.atEndAfterSpaces()
            if !isEpoch && scanner.take(UInt8(ascii: ".")) {
                isEpoch = scanner.skipDigits() && scanner.atEndAfterSpaces()
            }
            if isEpoch {
                var seconds = negative ? -whole : whole
                if digits >= 12 { seconds = floorDivide(seconds, 1000) }
                f.epochSeconds = seconds
                return f
            }
        }
        // ISO 8601: YYYY-MM-DD[(T| )HH:MM[:SS[(.|,)fff]]][Z|±HH[:MM]|±HHMM]
        scanner.index = start
        guard let year = scanner.number(minDigits: 4, maxDigits: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
        f.year = year
        f.month = month
        f.day = day
        if scanner.atEndAfterSpaces() { return f }
        guard scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")),
              let hour = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
              let minute = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
        f.hour = hour
        f.minute = minute
        if scanner.take(UInt8(ascii: ":")) {
            guard let second = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
            f.second = second
            if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                guard scanner.skipDigits() else { return nil }
            }
        }
        if scanner.atEndAfterSpaces() { return f }
        guard let (offset, end) = offset(in: scanner.bytes, at: scanner.index) else { return nil }
        scanner.index = end
        guard scanner.atEndAfterSpaces() else { return nil }
        f.offsetSeconds = offset
        return f
    }

    /// Reads a UTC offset (`Z`, `+HH`, `+HHMM`, `+HH:MM`, `-...`) starting at `index`.
    /// - Returns: the offset in seconds east of UTC and the index after it, or nil.
    static func offset<C: RandomAccessCollection>(in bytes: C, at index: Int) -> (Int, Int)? where C.Element == UInt8, C.Index == Int {
        guard index < bytes.endIndex else { return nil }
        let first = bytes[index]
        if first == UInt8(ascii: "Z") || first == UInt8(ascii: "z") { return (0, index + 1) }
        guard first == UInt8(ascii: "+") || first == UInt8(ascii: "-") else { return nil }
        var scanner = ByteScanner(bytes)
        scanner.index = index + 1
        guard let hours = scanner.number(minDigits: 2, maxDigits: 2), hours <= 23 else { return nil }
        var minutes = 0
        let colon = scanner.take(UInt8(ascii: ":"))
        if let m = scanner.number(minDigits: 2, maxDigits: 2) {
            guard m <= 59 else { return nil }
            minutes = m
        } else if colon {
            return nil
        }
        let seconds = hours * 3600 + minutes * 60
        return (first == UInt8(ascii: "-") ? -seconds : seconds, scanner.index)
    }

    /// An offset that must be the whole text (for `--time-zone`).
    static func parseOffset(_ bytes: [UInt8], fullMatch: Bool) -> Int? {
        guard let (seconds, end) = offset(in: bytes, at: 0), !fullMatch || end == bytes.count else { return nil }
        return seconds
    }

    static let monthNames: [(full: String, short: String)] = [
        ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may", "may"), ("june", "jun"),
        ("july", "jul"), ("august", "aug"), ("september", "sep"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
    ]
    static let weekdayNames: [(full: String, short: String)] = [
        ("monday", "mon"), ("tuesday", "tue"), ("wednesday", "wed"), ("thursday", "thu"), ("friday", "fri"),
        ("saturday", "sat"), ("sunday", "sun"),
    ]
}

/// Floor division (rounds towards minus infinity), for times before 1970.
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// A cursor over bytes for the time parsers.
struct ByteScanner<C: RandomAccessCollection> where C.Element == UInt8, C.Index == Int {
    let bytes: C
    var index: Int

    init(_ bytes: C) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var peek: UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    mutating func take(_ b: UInt8) -> Bool {
        guard peek == b else { return false }
        index += 1
        return true
    }

    mutating func skipSpaces() {
        while let b = peek, b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") { index += 1 }
    }

    /// True (and consumed) when only spaces are left.
    mutating func atEndAfterSpaces() -> Bool {
        let saved = index
        skipSpaces()
        if index == bytes.endIndex { return true }
        index = saved
        return false
    }

    /// Skips digits; true when there was at least one.
    mutating func skipDigits() -> Bool {
        let start = index
        while let b = peek, b >= 0x30 && b <= 0x39 { index += 1 }
        return index > start
    }

    /// A decimal number of `minDigits`...`maxDigits` digits (as many as there are, up to the max).
    mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
        let start = index
        var value = 0
        while index - start < maxDigits, let b = peek, b >= 0x30 && b <= 0x39 {
            value = value * 10 + Int(b - 0x30)
            index += 1
        }
        guard index - start >= minDigits else { index = start; return nil }
        return value
    }

    /// A run of up to 18 digits (epoch seconds or milliseconds).
    mutating func bigNumber() -> Int64? {
        let start = index
        var value: Int64 = 0
        while let b = peek, b >= 0x30 && b <= 0x39 {
            guard index - start < 18 else { index = start; return nil }
            value = value * 10 + Int64(b - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    /// Takes `word` (lowercase ASCII) in any case.
    mutating func takeWord(_ word: String) -> Bool {
        var i = index
        for w in word.utf8 {
            guard i < bytes.endIndex, bytes[i] | 0x20 == w else { return false }
            i += 1
        }
        index = i
        return true
    }

    /// The index of the name (full, else short) found here, in any case.
    mutating func name(from names: [(full: String, short: String)]) -> Int? {
        for (i, n) in names.enumerated() where takeWord(n.full) { return i }
        for (i, n) in names.enumerated() where takeWord(n.short) { return i }
        return nil
    }
}
