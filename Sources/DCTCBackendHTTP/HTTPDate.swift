import Foundation
import DCTCCore

/// Reads and writes the dates HTTP servers and index pages print, without `DateFormatter`
/// (slow, and locale-dependent unless set up with care).
///
/// Understood: RFC 1123 (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94
/// 08:49:37 GMT`), asctime (`Sun Nov  6 08:49:37 1994`), and the index-page forms
/// `06-Nov-1994 08:49`, `1994-11-06 08:49` and `1994-11-06 08:49:37`. Times without a zone are
/// taken as UTC (nginx prints UTC unless `autoindex_localtime` is on; Apache prints local time,
/// which is why index-page times are approximate).
enum HTTPDate {
    /// Parses an HTTP date header value (`Last-Modified`, `getlastmodified`).
    static func parse(_ text: String) -> Date? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
        var day: Int?, month: Int?, year: Int?, time: (Int, Int, Int)?
        for token in tokens {
            if let t = parseTime(token) { time = t; continue }
            if token.contains("-") {
                // RFC 850 `06-Nov-94` or ISO `1994-11-06`.
                if let (d, m, y) = parseDashedDate(token) { (day, month, year) = (d, m, y) }
                continue
            }
            if let m = monthNumber(token) { month = m; continue }
            if let n = Int(token) {
                if token.count == 4 { year = n } else if n >= 1, n <= 31, day == nil { day = n }
            }
        }
        guard let day, let month, let year, let time else { return nil }
        return makeDate(year: year, month: month, day: day, hour: time.0, minute: time.1, second: time.2)
    }

    /// Finds a date and time in free text from an index page (`21-Nov-2026 06:33`,
    /// `2024-01-31 12:00:05`) and returns it with the range of tokens it used.
    static func parseIndexDate(in tokens: [Substring]) -> (date: Date, used: Range<Int>)? {
        for (i, token) in tokens.enumerated() where token.contains("-") {
            guard let (d, m, y) = parseDashedDate(token), i + 1 < tokens.count,
                  let time = parseTime(tokens[i + 1]) else { continue }
            guard let date = makeDate(year: y, month: m, day: d, hour: time.0, minute: time.1, second: time.2) else {
                continue
            }
            return (date, i..<(i + 2))
        }
        return nil
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for `date`, whole seconds rounded down.
    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        // 1970-01-01 was a Thursday.
        let weekday = Int(((days % 7) + 7 + 4) % 7)
        let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(names[weekday]), \(two(Int64(d))) \(months[m - 1]) \(y) "
            + "\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) GMT"
    }

    // MARK: - Pieces

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func monthNumber(_ token: Substring) -> Int? {
        guard token.count >= 3 else { return nil }
        let prefix = token.prefix(3).lowercased()
        return months.firstIndex(where: { $0.lowercased() == prefix }).map { $0 + 1 }
    }

    /// `08:49` or `08:49:37`.
    private static func parseTime(_ token: Substring) -> (Int, Int, Int)? {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        guard let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        var s = 0
        if parts.count == 3 {
            // Fractions of seconds (`08:49:37.123`) are dropped.
            guard let whole = Int(parts[2].prefix(while: { $0 != "." })), (0...60).contains(whole) else { return nil }
            s = whole
        }
        return (h, m, s)
    }

    /// `06-Nov-1994`, `06-Nov-94` or `1994-11-06` (also `1994-11-06T08:49:37Z` dates).
    private static func parseDashedDate(_ token: Substring) -> (Int, Int, Int)? {
        let parts = token.prefix(while: { $0 != "T" }).split(separator: "-")
        guard parts.count == 3 else { return nil }
        if parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) {
            return (1...12).contains(m) && (1...31).contains(d) ? (d, m, y) : nil
        }
        guard let d = Int(parts[0]), (1...31).contains(d), let m = monthNumber(parts[1]), var y = Int(parts[2]) else {
            return nil
        }
        if parts[2].count == 2 { y += y < 70 ? 2000 : 1900 }
        return (d, m, y)
    }

    private static func makeDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        Int64(CivilDate.days(year: Int(year), month: Int(month), day: Int(day)))
    }

    /// The date of a day count since 1970-01-01 (inverse of `daysFromCivil`).
    private static func civil(fromDays z0: Int64) -> (Int64, Int, Int) {
        let d = CivilDate.date(fromDays: Int(z0))
        return (Int64(d.year), d.month, d.day)
    }
}
