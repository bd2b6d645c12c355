import DCTCCore

/// Turns the fields of a time into a partition key: `2013`, `2013-06`, `2013-06-03`,
/// `2013-06-03T14`.
///
/// Calendar arithmetic is proleptic Gregorian on days since 1970-01-01 (the civil-from-days
/// algorithms of Howard Hinnant's "chrono-compatible low-level date algorithms"), so no
/// time zone database or locale is involved and keys are the same on every machine.
public enum TimeKey {
    /// The key of `fields` at `grain` on the clock `zone` says.
    /// - Returns: nil when the fields do not make a valid time (month 13, 31 June, hour 24,
    ///   a year outside 0...9999, no year).
    public static func key(_ fields: TimeFields, grain: TimeGrain, zone: TimeZoneMode) -> String? {
        var civil: (year: Int, month: Int, day: Int, hour: Int)
        if let epoch = fields.epochSeconds {
            let shift: Int64 = if case .fixed(let s) = zone { Int64(s) } else { 0 }
            civil = civilTime(epochSeconds: epoch + shift)
        } else {
            guard let year = fields.year else { return nil }
            var month = fields.month ?? 1
            var day = fields.day ?? 1
            if let dayOfYear = fields.dayOfYear, fields.month == nil {
                let length = isLeap(year) ? 366 : 365
                guard (1...length).contains(dayOfYear) else { return nil }
                let date = civilFromDays(daysFromCivil(year, 1, 1) + dayOfYear - 1)
                month = date.month
                day = date.day
            }
            var hour = fields.hour ?? 0
            if let pm = fields.pm {
                guard (1...12).contains(hour) else { return nil }
                hour = (hour % 12) + (pm ? 12 : 0)
            }
            let minute = fields.minute ?? 0
            let second = fields.second ?? 0
            guard (1...12).contains(month), (1...daysIn(month, year)).contains(day), (0...23).contains(hour),
                  (0...59).contains(minute), (0...60).contains(second) else { return nil }
            civil = (year, month, day, hour)
            if let offset = fields.offsetSeconds, zone != .asWritten {
                let target: Int = if case .fixed(let s) = zone { s } else { 0 }
                let seconds = Int64(daysFromCivil(year, month, day)) * 86_400
                    + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset) + Int64(target)
                civil = civilTime(epochSeconds: seconds)
            }
        }
        guard (0...9999).contains(civil.year) else { return nil }
        let y = pad(civil.year, 4), m = pad(civil.month, 2), d = pad(civil.day, 2), h = pad(civil.hour, 2)
        switch grain {
        case .year: return y
        case .month: return "\(y)-\(m)"
        case .day: return "\(y)-\(m)-\(d)"
        case .hour: return "\(y)-\(m)-\(d)T\(h)"
        }
    }

    // MARK: - Calendar

    static func civilTime(epochSeconds: Int64) -> (year: Int, month: Int, day: Int, hour: Int) {
        let days = floorDivide(epochSeconds, 86_400)
        let secondOfDay = epochSeconds - days * 86_400
        let date = civilFromDays(Int(days))
        return (date.year, date.month, date.day, Int(secondOfDay / 3600))
    }

    static func isLeap(_ y: Int) -> Bool { CivilDate.isLeap(y) }

    static func daysIn(_ month: Int, _ year: Int) -> Int { CivilDate.daysIn(month: month, year: year) }

    /// Days from 1970-01-01 to the given date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        CivilDate.days(year: year, month: month, day: day)
    }

    /// The date `days` after 1970-01-01.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) { CivilDate.date(fromDays: days) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
