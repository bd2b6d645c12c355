import DCTCCore
@testable import DCTCDispatch
import Testing

/// A value, how to read it, and the key expected.
struct TimeCase: Sendable, CustomTestStringConvertible {
    let value: String
    let format: String?
    let grain: TimeGrain
    let zone: TimeZoneMode
    let key: String?
    init(_ value: String, _ format: String?, _ grain: TimeGrain = .day, zone: TimeZoneMode = .utc, _ key: String?) {
        self.value = value
        self.format = format
        self.grain = grain
        self.zone = zone
        self.key = key
    }
    var testDescription: String { "\(value) with \(format ?? "no format") at \(grain) (\(zone)) -> \(key ?? "unreadable")" }
}

func timeKey(_ c: TimeCase) throws -> String? {
    let bytes = Array(c.value.utf8)
    let fields = try c.format.map { try TimestampFormat($0).parse(bytes) } ?? TimestampFormat.parseAuto(bytes)
    return fields.flatMap { TimeKey.key($0, grain: c.grain, zone: c.zone) }
}

@Suite("Reading times into keys")
struct TimestampTests {
    @Test("strftime-like formats", arguments: [
        TimeCase("2013-06-03 14:02:11", "%Y-%m-%d %H:%M:%S", .hour, "2013-06-03T14"),
        TimeCase("2013-06-03 14:02:11", "%Y-%m-%d", .day, "2013-06-03"),
        TimeCase("03/Jun/2013:14:02:11 +0000", "%d/%b/%Y:%H:%M:%S %z", .day, "2013-06-03"),
        TimeCase("03/Jun/2013:23:30:00 -0700", "%d/%b/%Y:%H:%M:%S %z", .day, "2013-06-04"),
        TimeCase("03/Jun/2013:23:30:00 -0700", "%d/%b/%Y:%H:%M:%S %z", .day, zone: .asWritten, "2013-06-03"),
        TimeCase("03/Jun/2013:23:30:00 -0700", "%d/%b/%Y:%H:%M:%S %z", .hour, zone: .fixed(offsetSeconds: 3600), "2013-06-04T07"),
        TimeCase("Mon, 03 June 2013 02:04:05 PM", "%a, %d %B %Y %I:%M:%S %p", .hour, "2013-06-03T14"),
        TimeCase("12:30 AM 01/02/99", "%I:%M %p %m/%d/%y", .hour, "1999-01-02T00"),
        TimeCase("2013.154", "%Y.%j", .day, "2013-06-03"),
        TimeCase("2012.366", "%Y.%j", .day, "2012-12-31"),
        TimeCase("Jun  3 2013", "%b %e %Y", .month, "2013-06"),
        TimeCase("20130603T140211", "%Y%m%dT%H%M%S", .hour, "2013-06-03T14"),
        TimeCase("1370268131", "%s", .hour, "2013-06-03T14"),
        TimeCase("2013-06-03T14:02:11.123456Z", "%FT%T.%f%z", .year, "2013"),
        TimeCase("2013-06-03 14:02:11 UTC", "%F %T %Z", .hour, "2013-06-03T14"),
        TimeCase("2013-13-03", "%Y-%m-%d", .day, nil),
        TimeCase("2013-02-29", "%Y-%m-%d", .day, nil),
        TimeCase("2012-02-29", "%Y-%m-%d", .day, "2012-02-29"),
        TimeCase("2013-06-03 24:00:00", "%Y-%m-%d %H:%M:%S", .hour, nil),
        TimeCase("yesterday", "%Y-%m-%d", .day, nil),
        TimeCase("03/Jux/2013", "%d/%b/%Y", .day, nil),
        TimeCase("2013-06-03 EST", "%Y-%m-%d %Z", .day, nil),
    ])
    func formats(_ c: TimeCase) throws {
        #expect(try timeKey(c) == c.key)
    }

    @Test("without a format: ISO 8601 and epoch seconds (milliseconds from 12 digits)", arguments: [
        TimeCase("2013-06-03", nil, .day, "2013-06-03"),
        TimeCase("2013-06-03T14:02:11Z", nil, .hour, "2013-06-03T14"),
        TimeCase("2013-06-03 23:02:11.250-02:00", nil, .hour, "2013-06-04T01"),
        TimeCase("2013-06-03T23:02+0230", nil, .hour, "2013-06-03T20"),
        TimeCase(" 2013-06-03T14:02:11 ", nil, .hour, "2013-06-03T14"),
        TimeCase("1370268131", nil, .hour, "2013-06-03T14"),
        TimeCase("1370268131.75", nil, .day, "2013-06-03"),
        TimeCase("1370268131000", nil, .hour, "2013-06-03T14"),
        TimeCase("-86400", nil, .day, "1969-12-31"),
        TimeCase("0", nil, .month, "1970-01"),
        TimeCase("2013-06-03 garbage", nil, .day, nil),
        TimeCase("2013/06/03", nil, .day, nil),
        TimeCase("", nil, .day, nil),
        TimeCase("12abc", nil, .day, nil),
    ])
    func automatic(_ c: TimeCase) throws {
        #expect(try timeKey(c) == c.key)
    }

    @Test("formats that cannot give the grain's fields, unknown directives and %I without %p are refused",
          arguments: [("%Y-%m", TimeGrain.day), ("%H:%M", .year), ("%Y-%m-%d", .hour), ("%Y %Q", .year),
                      ("%Y-%m-%d %I", .hour), ("%Y-%m-%d %", .day)])
    func badFormats(format: String, grain: TimeGrain) {
        #expect(throws: VFSError.self) { try TimestampFormat(format, grain: grain) }
    }

    @Test("--time-zone values")
    func zones() {
        #expect(TimeZoneMode(argument: "UTC") == .utc)
        #expect(TimeZoneMode(argument: "as-written") == .asWritten)
        #expect(TimeZoneMode(argument: "+02:00") == .fixed(offsetSeconds: 7200))
        #expect(TimeZoneMode(argument: "-0530") == .fixed(offsetSeconds: -19800))
        #expect(TimeZoneMode(argument: "+00:00") == .utc)
        #expect(TimeZoneMode(argument: "Europe/Paris") == nil)
        #expect(TimeZoneMode(argument: "+02:00x") == nil)
    }

    @Test("the calendar arithmetic round-trips every day from 1600 to 2400")
    func calendarRoundTrip() {
        let start = TimeKey.daysFromCivil(1600, 1, 1)
        let end = TimeKey.daysFromCivil(2400, 12, 31)
        var expected = (1600, 1, 1)
        for day in start...end {
            let date = TimeKey.civilFromDays(day)
            #expect(date == expected)
            if date != expected { return }
            expected.2 += 1
            if expected.2 > TimeKey.daysIn(expected.1, expected.0) {
                expected.2 = 1
                expected.1 += 1
                if expected.1 > 12 { expected.1 = 1; expected.0 += 1 }
            }
        }
        #expect(TimeKey.daysFromCivil(1970, 1, 1) == 0)
        #expect(TimeKey.daysFromCivil(2013, 6, 3) == 15_859)
    }
}
