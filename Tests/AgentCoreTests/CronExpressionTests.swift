import Foundation
import Testing
@testable import AgentCore

/// Cron arithmetic on the wall clock of a time zone, and the expressions it refuses.
@Suite("Cron expressions")
struct CronExpressionTests {
    let utc = TimeZone(identifier: "UTC")!
    let newYork = TimeZone(identifier: "America/New_York")!

    func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    func next(_ expression: String, after: String, in zone: TimeZone? = nil) throws -> Date? {
        try CronExpression(expression).next(after: date(after), in: zone ?? utc)
    }

    @Test func aWeeklyTickIsAtTheLocalHourSummerAndWinter() throws {
        // Thursday 3 December 2026 → Monday 7 December, 06:00 in New York (EST, UTC-5).
        #expect(try next("0 6 * * 1", after: "2026-12-03T07:00:00Z", in: newYork) == date("2026-12-07T11:00:00Z"))
        // In July New York is on EDT (UTC-4).
        #expect(try next("0 6 * * 1", after: "2026-07-01T00:00:00Z", in: newYork) == date("2026-07-06T10:00:00Z"))
        #expect(try next("0 6 * * MON", after: "2026-07-06T10:00:00Z", in: newYork) == date("2026-07-13T10:00:00Z"), "strictly after")
    }

    @Test func fieldsTakeListsRangesStepsAndNames() throws {
        #expect(try next("*/15 * * * *", after: "2026-12-03T10:07:00Z") == date("2026-12-03T10:15:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-12-03T10:59:59Z") == date("2026-12-03T11:00:00Z"))
        #expect(try next("0 9-17/4 * * *", after: "2026-12-03T13:00:00Z") == date("2026-12-03T17:00:00Z"))
        #expect(try next("30 8 1,15 * *", after: "2026-12-03T00:00:00Z") == date("2026-12-15T08:30:00Z"))
        #expect(try next("0 0 * * MON-FRI", after: "2026-12-04T12:00:00Z") == date("2026-12-07T00:00:00Z"), "Friday → Monday")
        #expect(try next("0 0 * * 7", after: "2026-12-03T00:00:00Z") == date("2026-12-06T00:00:00Z"), "7 is Sunday too")
        #expect(try next("0 0 1 jan,jul *", after: "2026-02-01T00:00:00Z") == date("2026-07-01T00:00:00Z"))
        #expect(try next("@monthly", after: "2026-12-03T00:00:00Z") == date("2027-01-01T00:00:00Z"))
        #expect(try next("@hourly", after: "2026-12-03T00:00:00Z") == date("2026-12-03T01:00:00Z"))
    }

    @Test func bothDayFieldsMatchEitherDay() throws {
        // The 13th or any Friday: Friday 4 December comes first.
        #expect(try next("0 0 13 * 5", after: "2026-12-01T00:00:00Z") == date("2026-12-04T00:00:00Z"))
        #expect(try next("0 0 13 * *", after: "2026-12-01T00:00:00Z") == date("2026-12-13T00:00:00Z"))
    }

    @Test func rareAndImpossibleDays() throws {
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z") == date("2028-02-29T00:00:00Z"))
        #expect(try next("0 0 31 * *", after: "2026-04-01T00:00:00Z") == date("2026-05-31T00:00:00Z"))
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil)
    }

    @Test func aWallTimeTheClocksSkipHasNoTick() throws {
        // 8 March 2026: New York's clocks go from 02:00 to 03:00; 02:30 does not exist that day.
        #expect(try next("30 2 * * *", after: "2026-03-07T08:00:00Z", in: newYork) == date("2026-03-09T06:30:00Z"))
        // 1 November 2026: 01:30 happens twice; it ticks once, at the first (EDT).
        let cron = try CronExpression("30 1 * * *")
        let ticks = cron.ticks(after: date("2026-11-01T00:00:00Z"), through: date("2026-11-02T12:00:00Z"), in: newYork, limit: 10)
        #expect(ticks == [date("2026-11-01T05:30:00Z"), date("2026-11-02T06:30:00Z")])
    }

    @Test func ticksBetweenTwoTimesAreCountedAndCapped() throws {
        let hourly = try CronExpression("0 * * * *")
        #expect(hourly.ticks(after: date("2026-12-03T00:00:00Z"), through: date("2026-12-04T00:00:00Z"), in: utc, limit: 100).count == 24)
        #expect(hourly.ticks(after: date("2026-12-03T00:00:00Z"), through: date("2026-12-04T00:00:00Z"), in: utc, limit: 5).count == 5)
    }

    @Test(arguments: [
        ("60 * * * *", "the minute 60 is outside 0–59"),
        ("* * *", "five fields"),
        ("@often", "unknown shorthand '@often'"),
        ("5-1 * * * *", "runs backwards"),
        ("*/0 * * * *", "step '0' is not a positive whole number"),
        ("* * * FOO *", "the month field has 'FOO' where it needs a number or one of JAN"),
        ("* * 0 * *", "the day-of-month 0 is outside 1–31"),
    ])
    func badExpressionsSayWhichFieldIsWrong(_ expression: String, _ message: String) {
        #expect {
            try CronExpression(expression)
        } throws: { error in
            (error as? CronError)?.description.contains(message) == true
        }
    }
}
