import Foundation

/// The one size grammar of dctc: `--min-size`, `--max-size`, `--max-transfer`, pipeline `min_size`…
///
/// A number (decimals allowed) with an optional unit, case-insensitive, spaces allowed between them:
/// no unit or `B` is bytes; `K`, `M`, `G`, `T`, `P`, `E` (also written `KiB`, `Ki`, `MiB`...) are powers
/// of 1024; `KB`, `MB`, `GB`, `TB`, `PB`, `EB` are powers of 1000. `10` is 10 bytes, `10K` and `10KiB`
/// are 10,240 bytes, `10KB` is 10,000 bytes, `1.5M` is 1,572,864 bytes. Results are rounded to the
/// nearest byte.
///
/// Unlike rclone, where a bare number means KiB, a bare number here means bytes.
public enum SizeParser {
    /// Parses a size.
    ///
    /// - Parameter text: Such as "500", "10K", "1.5M", "2G", "1T", "10KiB" or "10MB".
    /// - Returns: The size in bytes.
    /// - Throws: `VFSError(.invalidArgument)` naming the text when it is empty, negative, not a number,
    ///   has an unknown unit, or does not fit in 63 bits.
    public static func parse(_ text: String) throws -> Int64 {
        func invalid(_ why: String) -> VFSError {
            VFSError.invalid("'\(text)' is not a size: \(why)",
                             remedy: "write bytes with an optional unit, like 500, 10K, 1.5M, 2G, 10KiB or 10MB")
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let scalars = Array(trimmed.unicodeScalars)
        var i = 0
        var whole = ""
        var fraction = ""
        var sawPoint = false
        while i < scalars.count {
            let c = scalars[i]
            if ("0"..."9").contains(c) {
                if sawPoint { fraction.unicodeScalars.append(c) } else { whole.unicodeScalars.append(c) }
            } else if c == "." && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        if trimmed.isEmpty { throw invalid("it is empty") }
        if scalars.first == "-" { throw invalid("sizes cannot be negative") }
        guard !(whole.isEmpty && fraction.isEmpty) else { throw invalid("it does not start with a number") }
        let unit = String(String.UnicodeScalarView(scalars[i...])).trimmingCharacters(in: .whitespaces)
        guard let multiplier = multiplier(of: unit) else { throw invalid("unknown unit '\(unit)'") }

        if fraction.isEmpty {
            guard let value = Int64(whole) else { throw invalid("it is too large") }
            let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { throw invalid("it is too large") }
            return product
        }
        guard let value = Double((whole.isEmpty ? "0" : whole) + "." + fraction) else {
            throw invalid("it is not a number")
        }
        let bytes = (value * Double(multiplier)).rounded()
        // 2^63 is the first Double beyond Int64.max.
        guard bytes < 9_223_372_036_854_775_808.0 else { throw invalid("it is too large") }
        return Int64(bytes)
    }

    /// The number of bytes in a unit, or nil for an unknown unit.
    private static func multiplier(of unit: String) -> Int64? {
        let prefixes: [Character] = ["k", "m", "g", "t", "p", "e"]
        let lower = unit.lowercased()
        if lower.isEmpty || lower == "b" { return 1 }
        guard let first = lower.first, let power = prefixes.firstIndex(of: first) else { return nil }
        let rest = lower.dropFirst()
        let base: Int64
        switch rest {
        case "", "i", "ib": base = 1024
        case "b": base = 1000
        default: return nil
        }
        var result: Int64 = 1
        for _ in 0...power { result *= base }
        return result
    }

    /// A size for messages: "12 bytes", "1.5 MiB"; with `exact`, large sizes add the byte count:
    /// "1.5 MiB (1572864 bytes)".
    public static func describe(_ bytes: Int64, exact: Bool = false) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        if bytes < 1024 { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        var unitIndex = 0
        var scale: Double = 1024
        while unitIndex + 1 < units.count, Double(bytes) >= scale * 1024 {
            scale *= 1024
            unitIndex += 1
        }
        let tenths = (Double(bytes) / scale * 10).rounded()
        let number = tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int64(tenths / 10))" : "\(tenths / 10)"
        let text = "\(number) \(units[unitIndex])"
        return exact ? "\(text) (\(bytes) bytes)" : text
    }
}

/// Parses ages for `--min-age` and `--max-age`.
///
/// Either a duration or an absolute date:
///
/// - A duration is one or more numbers (decimals allowed), each with a unit: `ms`, `s`, `m` (minutes),
///   `h`, `d`, `w`, `M` (months of 30 days), `y` (years of 365 days). Units are case-sensitive (`m` is
///   minutes, `M` months). Parts add up: `1h30m`, `1d12h`. A lone bare number is seconds: `90`.
/// - A date `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fff]]`, optionally
///   followed by a zone `Z`, `+HH:MM`, `-HHMM` or `+HH` (zone only after a time). Without a zone the
///   date is local time, as in rclone. The age is `now - date` (negative for a date in the future).
public enum AgeParser {
    /// Parses an age.
    ///
    /// - Parameters:
    ///   - text: Such as "90s", "30m", "12h", "2d", "1w", "1M", "1y", "1h30m", "2024-05-01" or
    ///     "2024-05-01T12:00:00Z".
    ///   - now: The instant an absolute date is measured from.
    /// - Returns: The age in seconds.
    /// - Throws: `VFSError(.invalidArgument)` naming the text when it is empty, has an unknown unit, a
    ///   number without a unit among several parts, or an invalid date (month 13, February 30, hour 24...).
    public static func parse(_ text: String, now: Date) throws -> TimeInterval {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let scalars = Array(trimmed.unicodeScalars)
        guard !scalars.isEmpty else { throw invalid(text, "it is empty") }
        if scalars.count >= 5, scalars[0..<4].allSatisfy(isDigit), scalars[4] == "-" {
            return now.timeIntervalSince(try parseDate(scalars, text: text))
        }
        return try parseDuration(scalars, text: text)
    }

    /// Parses a duration alone (no dates): `90s`, `30m`, `1h30m`, `250ms`, `2d`; a lone bare
    /// number is seconds. The one duration grammar of dctc (`--max-duration`, `--stats`,
    /// `--timeout`, pipeline `retry_delay` and `timeout`).
    /// - Throws: `VFSError(.invalidArgument)` naming the text.
    public static func parseDuration(_ text: String) throws -> TimeInterval {
        let scalars = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
        guard !scalars.isEmpty else {
            throw VFSError.invalid("'\(text)' is not a duration: it is empty", remedy: durationRemedy)
        }
        do {
            return try parseDuration(scalars, text: text)
        } catch let e as VFSError {
            throw VFSError.invalid(e.message.replacingOccurrences(of: "is not an age", with: "is not a duration")
                .replacingOccurrences(of: "ages cannot", with: "durations cannot"), remedy: durationRemedy)
        }
    }

    static let durationRemedy = "write a duration like 90s, 30m, 12h, 2d, 1h30m or 250ms"

    private static func invalid(_ text: String, _ why: String) -> VFSError {
        VFSError.invalid("'\(text)' is not an age: \(why)",
                         remedy: "write a duration like 90s, 30m, 12h, 2d, 1w, 1M, 1y or 1h30m, or a date like 2024-05-01")
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private static func parseDuration(_ scalars: [Unicode.Scalar], text: String) throws -> TimeInterval {
        var total: TimeInterval = 0
        var i = 0
        var parts = 0
        while i < scalars.count {
            let start = i
            while i < scalars.count, isDigit(scalars[i]) || scalars[i] == "." { i += 1 }
            let number = String(String.UnicodeScalarView(scalars[start..<i]))
            guard !number.isEmpty else {
                throw invalid(text, scalars[start] == "-" ? "ages cannot be negative" : "expected a number at '\(String(String.UnicodeScalarView(scalars[start...])))'")
            }
            guard let value = Double(number), number.filter({ $0 == "." }).count <= 1 else {
                throw invalid(text, "'\(number)' is not a number")
            }
            parts += 1
            guard i < scalars.count else {
                // A bare number: seconds, but only when it is the whole text.
                guard parts == 1 else { throw invalid(text, "'\(number)' has no unit") }
                return value
            }
            let seconds: TimeInterval
            switch scalars[i] {
            case "m" where i + 1 < scalars.count && scalars[i + 1] == "s":
                i += 2
                total += value / 1000
                continue
            case "s": seconds = 1
            case "m": seconds = 60
            case "h": seconds = 3600
            case "d": seconds = 86_400
            case "w": seconds = 7 * 86_400
            case "M": seconds = 30 * 86_400
            case "y": seconds = 365 * 86_400
            default:
                throw invalid(text, "unknown unit '\(scalars[i])' (use ms, s, m, h, d, w, M or y)")
            }
            i += 1
            total += value * seconds
        }
        guard total.isFinite else { throw invalid(text, "it is too large") }
        return total
    }

    /// Parses `YYYY-MM-DD[(T| )HH:MM[:SS[.fff]][Z|±HH[:]MM|±HH]]`.
    private static func parseDate(_ s: [Unicode.Scalar], text: String) throws -> Date {
        var i = 0
        func bad(_ why: String) -> VFSError { invalid(text, why) }
        func number(_ count: Int, _ what: String) throws -> Int {
            guard i + count <= s.count, s[i..<(i + count)].allSatisfy(isDigit) else {
                throw bad("expected \(count) digits for the \(what)")
            }
            let value = s[i..<(i + count)].reduce(0) { $0 * 10 + Int($1.value - 0x30) }
            i += count
            return value
        }
        func expect(_ c: Unicode.Scalar, _ what: String) throws {
            guard i < s.count, s[i] == c else { throw bad("expected '\(c)' \(what)") }
            i += 1
        }
        let year = try number(4, "year")
        try expect("-", "after the year")
        let month = try number(2, "month")
        try expect("-", "after the month")
        let day = try number(2, "day")
        var hour = 0, minute = 0, second = 0
        var fraction: TimeInterval = 0
        var zone: TimeZone?
        if i < s.count {
            guard s[i] == "T" || s[i] == "t" || s[i] == " " else { throw bad("unexpected text after the date") }
            i += 1
            hour = try number(2, "hour")
            try expect(":", "between hours and minutes")
            minute = try number(2, "minutes")
            if i < s.count, s[i] == ":" {
                i += 1
                second = try number(2, "seconds")
                if i < s.count, s[i] == "." {
                    i += 1
                    let start = i
                    while i < s.count, isDigit(s[i]) { i += 1 }
                    guard i > start, let value = Double("0." + String(String.UnicodeScalarView(s[start..<i]))) else {
                        throw bad("expected digits after the decimal point")
                    }
                    fraction = value
                }
            }
            if i < s.count {
                if s[i] == "Z" || s[i] == "z" {
                    i += 1
                    zone = TimeZone(secondsFromGMT: 0)
                } else if s[i] == "+" || s[i] == "-" {
                    let sign = s[i] == "-" ? -1 : 1
                    i += 1
                    let zoneHours = try number(2, "zone hours")
                    var zoneMinutes = 0
                    if i < s.count {
                        if s[i] == ":" { i += 1 }
                        zoneMinutes = try number(2, "zone minutes")
                    }
                    guard zoneHours <= 14, zoneMinutes <= 59 else { throw bad("the zone offset is out of range") }
                    zone = TimeZone(secondsFromGMT: sign * (zoneHours * 3600 + zoneMinutes * 60))
                }
            }
            guard i == s.count else { throw bad("unexpected text after the time") }
        }
        guard (1...12).contains(month) else { throw bad("month \(month) does not exist") }
        let monthDays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...monthDays).contains(day) else { throw bad("day \(day) does not exist in month \(month)") }
        guard hour <= 23, minute <= 59, second <= 59 else { throw bad("the time is out of range") }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone ?? TimeZone.current
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { throw bad("the date is out of range") }
        return date.addingTimeInterval(fraction)
    }

    private static func isLeap(_ year: Int) -> Bool { CivilDate.isLeap(year) }

    /// An age for messages, with its two largest units: "3d4h", "2h", "45s", "250ms".
    public static func describe(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return "\(seconds)s" }
        if seconds < 0 { return "-" + describe(-seconds) }
        if seconds > 0 && seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        var rest = Int64(seconds.rounded())
        if rest == 0 { return "0s" }
        var parts: [String] = []
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] {
            let count = rest / size
            rest -= count * size
            if count > 0 || !parts.isEmpty { parts.append("\(count)\(unit)") }
        }
        return parts.prefix(2).filter { !$0.hasPrefix("0") }.joined()
    }
}
