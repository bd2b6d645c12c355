import DCTCCore
import Foundation
import Testing

@Suite("--bwlimit: rclone's rates, UP:DOWN and timetables; one shared token bucket")
struct BandwidthLimitTests {
    static let KiB: Int64 = 1024
    static let MiB: Int64 = 1024 * 1024

    @Test("a rate: units as sizes, a bare number in KiB/s (rclone's unit), off for none")
    func rates() throws {
        let cases: [(String, Int64?)] = [("2M", 2 * Self.MiB), ("512k", 512 * Self.KiB), ("512", 512 * Self.KiB),
                                         ("1.5M", 3 * Self.MiB / 2), ("10MB", 10_000_000), ("off", nil), ("OFF", nil)]
        for (text, expected) in cases {
            let s = try BandwidthSchedule(parse: text)
            #expect(s.entries.count == 1, "\(text)")
            #expect(s.rate(at: Date()) == .init(upload: expected, download: expected), "\(text)")
        }
    }

    @Test("UP:DOWN limits each direction; either may be off")
    func upDown() throws {
        #expect(try BandwidthSchedule(parse: "10M:512k").rate(at: Date()) == .init(upload: 10 * Self.MiB, download: 512 * Self.KiB))
        #expect(try BandwidthSchedule(parse: "off:1M").rate(at: Date()) == .init(upload: nil, download: Self.MiB))
    }

    /// 2026-12-07 is a Monday.
    static func at(_ day: Int, _ hour: Int, _ minute: Int) -> Date {
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute) = (2026, 12, day, hour, minute)
        return Self.utc.date(from: c) ?? Date()
    }
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC") ?? c.timeZone
        return c
    }()

    @Test("a daily timetable: each rate holds from its time to the next, the last one over midnight")
    func dailyTimetable() throws {
        let s = try BandwidthSchedule(parse: "08:00,512k 19:00,off")
        #expect(s.rate(at: Self.at(7, 8, 0), calendar: Self.utc).upload == 512 * Self.KiB)
        #expect(s.rate(at: Self.at(7, 18, 59), calendar: Self.utc).upload == 512 * Self.KiB)
        #expect(s.rate(at: Self.at(7, 19, 0), calendar: Self.utc).upload == nil)
        #expect(s.rate(at: Self.at(8, 3, 0), calendar: Self.utc).upload == nil, "overnight the 19:00 rate holds")
    }

    @Test("a weekly timetable: an entry with a day holds until the next entry of the week, wrapping on Sunday night")
    func weeklyTimetable() throws {
        let s = try BandwidthSchedule(parse: "Mon-08:00,1M Sat-00:00,off")
        #expect(s.rate(at: Self.at(7, 7, 59), calendar: Self.utc).upload == nil, "Monday before 08:00: Saturday's off")
        #expect(s.rate(at: Self.at(9, 12, 0), calendar: Self.utc).upload == Self.MiB, "Wednesday")
        #expect(s.rate(at: Self.at(12, 12, 0), calendar: Self.utc).upload == nil, "Saturday")
        #expect(s.rate(at: Self.at(13, 23, 0), calendar: Self.utc).upload == nil, "Sunday night")
        #expect(try BandwidthSchedule(parse: "monday-08:00,1M").entries.first?.weekday == 1)
    }

    @Test("what is not a limit is refused, naming the text and the wrong part", arguments: [
        "", "2Q", "0", "0M", "-1M", "1M:2M:3M", "25:00,1M", "8,1M", "08:00", "08:00,1M,2M", "Mond-08:00,1M", "xx-08:00,1M", "08:60,1M",
    ])
    func refusals(_ text: String) {
        let error = #expect(throws: VFSError.self) { try BandwidthSchedule(parse: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("'\(text)' is not a bandwidth limit") == true, "\(String(describing: error))")
        #expect(error?.remedy?.isEmpty == false)
    }

    /// A limiter on a clock the test moves.
    final class Clock: @unchecked Sendable {
        let t = Locked(100.0)
    }

    @Test("the bucket paces chunks at the rate, shared by every caller, with at most 0.1 s of banked credit")
    func bucketPaces() throws {
        let clock = Clock()
        let limiter = BandwidthLimiter(now: { clock.t.value })
        limiter.configure(try BandwidthSchedule(parse: "1M:off"))
        let chunk = Int(Self.MiB / 4)
        // Four quarter-MiB chunks at 1 MiB/s: the first passes at once, each next waits 0.25 s more.
        let waits = (0..<4).map { _ in limiter.reserve(chunk, .upload) }
        #expect(waits == [0, 0.25, 0.5, 0.75])
        // A second transfer shares the rate: its chunk comes after those booked.
        #expect(limiter.reserve(chunk, .upload) == 1.0)
        // Downloads are unlimited here.
        #expect(limiter.reserve(chunk, .download) == 0)
        // After a long idle stretch, only 0.1 s of credit is banked: two chunks, the second waits 0.15 s.
        clock.t.value = 1000
        #expect(limiter.reserve(chunk, .upload) == 0)
        #expect(abs(limiter.reserve(chunk, .upload) - 0.15) < 1e-9)
        limiter.configure(nil)
        #expect(!limiter.isActive)
        #expect(limiter.reserve(chunk, .upload) == 0)
    }

    @Test("a limited stream passes every byte in order and stops its source when cancelled")
    func limitedStreamKeepsBytes() async throws {
        let limiter = BandwidthLimiter()
        limiter.configure(try BandwidthSchedule(parse: "1G"))
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var out: [UInt8] = []
        for try await chunk in ByteStream.bytes(bytes, chunkSize: 4096).limited(.upload, by: limiter) { out += chunk }
        #expect(out == bytes)
        let unlimited = BandwidthLimiter()
        let s = ByteStream.bytes(bytes)
        #expect(s.limited(.upload, by: unlimited).source === s.source, "no limit: the stream itself")
    }
}
