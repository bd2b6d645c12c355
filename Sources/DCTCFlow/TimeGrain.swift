import DCTCCore

/// The size of a time partition: an hour, a day, a month or a year.
public enum TimeGrain: String, Sendable, CaseIterable, Codable, Comparable {
    case hour, day, month, year

    var rank: Int {
        switch self {
        case .hour: 0
        case .day: 1
        case .month: 2
        case .year: 3
        }
    }

    public static func < (a: TimeGrain, b: TimeGrain) -> Bool { a.rank < b.rank }

    /// The text form of a partition of this grain: `2013-06-03T14`, `2013-06-03`, `2013-06`, `2013`.
    public var defaultFormat: String {
        switch self {
        case .hour: "%Y-%m-%dT%H"
        case .day: "%Y-%m-%d"
        case .month: "%Y-%m"
        case .year: "%Y"
        }
    }
}

/// A point in civil time (UTC, proleptic Gregorian), truncated to a grain.
///
/// Arithmetic works on day numbers (days since 1970-01-01) with the civil-from-days algorithm,
/// so it is exact, fast and independent of the machine's time zone and calendar settings.
public struct TimePeriod: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let grain: TimeGrain
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int

    /// Builds a period, truncating the finer fields the grain does not have.
    public init(grain: TimeGrain, year: Int, month: Int = 1, day: Int = 1, hour: Int = 0) {
        self.grain = grain
        self.year = year
        self.month = grain >= .year ? 1 : month
        self.day = grain >= .month ? 1 : day
        self.hour = grain >= .day ? 0 : hour
    }

    /// The period of `grain` containing this one's start.
    public func truncated(to grain: TimeGrain) -> TimePeriod {
        TimePeriod(grain: grain, year: year, month: month, day: day, hour: hour)
    }

    /// Days since 1970-01-01 of this period's first day.
    public var dayNumber: Int { Self.daysFromCivil(year, month, day) }

    /// Hours since 1970-01-01T00 of this period's start.
    public var hourNumber: Int { dayNumber * 24 + hour }

    /// The period `n` grains later (earlier when negative).
    public func advanced(by n: Int) -> TimePeriod {
        switch grain {
        case .hour:
            let h = hourNumber + n
            let d = Int((Double(h) / 24).rounded(.down))
            let (y, m, dd) = Self.civilFromDays(d)
            return TimePeriod(grain: .hour, year: y, month: m, day: dd, hour: h - d * 24)
        case .day:
            let (y, m, d) = Self.civilFromDays(dayNumber + n)
            return TimePeriod(grain: .day, year: y, month: m, day: d)
        case .month:
            let total = year * 12 + (month - 1) + n
            let y = Int((Double(total) / 12).rounded(.down))
            return TimePeriod(grain: .month, year: y, month: total - y * 12 + 1)
        case .year:
            return TimePeriod(grain: .year, year: year + n)
        }
    }

    /// The first period of `grain` after this period ends (its exclusive end, at a finer grain).
    public func end(in grain: TimeGrain) -> TimePeriod {
        advanced(by: 1).truncated(to: grain)
    }

    /// Every period of `finer` grain inside this one, in order.
    public func periods(of finer: TimeGrain) -> [TimePeriod] {
        var out: [TimePeriod] = []
        var p = truncated(to: finer)
        let stop = end(in: finer)
        while p < stop { out.append(p); p = p.advanced(by: 1) }
        return out
    }

    /// Day of the week, 1 = Monday … 7 = Sunday (ISO 8601).
    public var isoWeekday: Int { ((dayNumber % 7) + 7 + 3) % 7 + 1 }

    /// Orders by start time (then by grain, coarse first).
    public static func < (a: TimePeriod, b: TimePeriod) -> Bool {
        if a.hourNumber != b.hourNumber { return a.hourNumber < b.hourNumber }
        return a.grain > b.grain
    }

    /// The canonical text of this period (its grain's default format).
    public var description: String { format(grain.defaultFormat) }

    /// Formats with a strftime-like pattern: `%Y` `%m` `%d` `%H` `%y` `%j` `%%`.
    public func format(_ pattern: String) -> String {
        var out = ""
        var it = pattern.makeIterator()
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        while let c = it.next() {
            guard c == "%" else { out.append(c); continue }
            switch it.next() {
            case "Y": out += pad(year, 4)
            case "y": out += pad(((year % 100) + 100) % 100, 2)
            case "m": out += pad(month, 2)
            case "d": out += pad(day, 2)
            case "H": out += pad(hour, 2)
            case "j": out += pad(dayNumber - Self.daysFromCivil(year, 1, 1) + 1, 3)
            case "%": out += "%"
            case let other?: out += "%" + String(other)
            case nil: out += "%"
            }
        }
        return out
    }

    /// The conversions `format(_:)` understands, for validation.
    public static let formatLetters: Set<Character> = ["Y", "y", "m", "d", "H", "j", "%"]

    /// Parses the canonical text of a period: `2013`, `2013-06`, `2013-06-03`, `2013-06-03T14`
    /// (a space or `T` before the hour; `:00` minutes allowed).
    public static func parse(_ text: String) -> TimePeriod? {
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(date.count), date.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              date[0].count == 4, date.dropFirst().allSatisfy({ $0.count == 2 }),
              let y = Int(date[0]) else { return nil }
        let m = date.count > 1 ? Int(date[1]) ?? 0 : 1
        let d = date.count > 2 ? Int(date[2]) ?? 0 : 1
        guard (1...12).contains(m), d >= 1, d <= daysIn(y, m) else { return nil }
        if parts.count == 2 {
            guard date.count == 3 else { return nil }
            var hourText = Substring(parts[1])
            if hourText.hasSuffix(":00") { hourText = hourText.dropLast(3) }
            guard hourText.count == 2, let h = Int(hourText), (0...23).contains(h) else { return nil }
            return TimePeriod(grain: .hour, year: y, month: m, day: d, hour: h)
        }
        let grain: TimeGrain = date.count == 1 ? .year : date.count == 2 ? .month : .day
        return TimePeriod(grain: grain, year: y, month: m, day: d)
    }

    static func daysIn(_ y: Int, _ m: Int) -> Int { CivilDate.daysIn(month: m, year: y) }

    /// Days since 1970-01-01 of a civil date.
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilDate.days(year: y, month: m, day: d) }

    /// The civil date of a day number (the inverse of `daysFromCivil`).
    static func civilFromDays(_ z: Int) -> (Int, Int, Int) {
        let d = CivilDate.date(fromDays: z)
        return (d.year, d.month, d.day)
    }

    /// The period containing a moment (UTC).
    public static func containing(_ secondsSince1970: Double, grain: TimeGrain) -> TimePeriod {
        let h = Int((secondsSince1970 / 3600).rounded(.down))
        let d = Int((Double(h) / 24).rounded(.down))
        let (y, m, dd) = civilFromDays(d)
        return TimePeriod(grain: grain, year: y, month: m, day: dd, hour: h - d * 24)
    }
}
