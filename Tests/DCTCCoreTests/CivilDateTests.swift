import DCTCCore
import Foundation
import Testing

@Suite struct CivilDateTests {
    @Test func knownDatesHaveTheirDayNumbers() {
        #expect(CivilDate.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilDate.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilDate.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilDate.days(year: 2024, month: 2, day: 29) == 19_782)
        #expect(CivilDate.epochSeconds(year: 2024, month: 3, day: 10, hour: 12, minute: 30, second: 15) == 1_710_073_815)
    }

    @Test func dayNumbersRoundTripAndAgreeWithFoundation() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let d = CivilDate.date(fromDays: day)
            #expect(CivilDate.days(year: d.year, month: d.month, day: d.day) == day)
            #expect(d.day >= 1 && d.day <= CivilDate.daysIn(month: d.month, year: d.year))
            if d.year > 1600 && d.year < 4000 {
                let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(day) * 86_400))
                #expect(parts.year == d.year && parts.month == d.month && parts.day == d.day)
            }
        }
    }

    @Test func leapYearsFollowTheGregorianRule() {
        #expect(CivilDate.isLeap(2000) && CivilDate.isLeap(2024) && !CivilDate.isLeap(1900) && !CivilDate.isLeap(2023))
        #expect(CivilDate.daysIn(month: 2, year: 2000) == 29 && CivilDate.daysIn(month: 2, year: 2100) == 28)
    }
}
