import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) as Vixie cron and
/// POSIX `crontab` read it: `*`, lists (`1,15`), ranges (`1-5`), steps (`*/15`, `0-30/10`), month
/// and weekday names (`JAN`, `MON-FRI`), 0 or 7 for Sunday, and the shorthands `@yearly`,
/// `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly`. When both day fields are
/// restricted a day matches either, as in cron.
///
/// Times are read on the wall clock of a time zone: `0 6 * * 1` in America/New_York is 06:00 there,
/// summer and winter. A local time that does not exist (the hour skipped when clocks go forward)
/// has no tick; a local time that happens twice (the hour repeated when clocks go back) ticks once,
/// at its first occurrence.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text it was read from.
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    static let shorthands = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                             "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Reads an expression.
    /// - Throws: `CronError` naming the field and what is wrong with it.
    public init(_ text: String) throws(CronError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") {
            throw CronError(expression: text, "unknown shorthand '\(trimmed)'; use one of \(Self.shorthands.keys.sorted().joined(separator: ", ")) or five fields")
        }
        let fields = expanded.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw CronError(expression: text, "a cron expression has five fields (minute hour day-of-month month day-of-week), this has \(fields.count)")
        }
        description = trimmed
        minutes = try Self.field(fields[0], "minute", 0...59, names: [], in: text)
        hours = try Self.field(fields[1], "hour", 0...23, names: [], in: text)
        days = try Self.field(fields[2], "day-of-month", 1...31, names: [], in: text)
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames, in: text)
        let weekdays = try Self.field(fields[4], "day-of-week", 0...7, names: Self.weekdayNames, in: text)
        self.weekdays = Set(weekdays.map { $0 % 7 })
        daysRestricted = !fields[2].hasPrefix("*")
        weekdaysRestricted = !fields[4].hasPrefix("*")
    }

    /// The first tick strictly after `date`, on the wall clock of `timeZone`; nil when none comes
    /// within eight years (`0 0 30 2 *`: February never has a 30th).
    public func next(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // The next whole minute after `date`, read on the zone's wall clock.
        let start = calendar.dateInterval(of: .minute, for: date).map { $0.end } ?? date.addingTimeInterval(60)
        var local = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: start)
        guard var year = local.year, var month = local.month, var day = local.day, var hour = local.hour, var minute = local.minute else { return nil }
        let lastYear = year + 8
        while year <= lastYear {
            guard months.contains(month), day <= Self.daysIn(month: month, year: year) else {
                (year, month, day, hour, minute) = month == 12 ? (year + 1, 1, 1, 0, 0) : (year, month + 1, 1, 0, 0)
                continue
            }
            guard matches(day: day, weekday: Self.weekday(year: year, month: month, day: day)) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            guard let nextHour = hours.filter({ $0 >= hour }).min() else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if nextHour != hour { (hour, minute) = (nextHour, 0) }
            guard let nextMinute = minutes.filter({ $0 >= minute }).min() else {
                (hour, minute) = (hour + 1, 0)
                if hour > 23 { (day, hour) = (day + 1, 0) }
                continue
            }
            local = DateComponents(year: year, month: month, day: day, hour: hour, minute: nextMinute)
            // A wall time the zone skips (clocks going forward) comes back as another time: no tick then.
            if let tick = calendar.date(from: local),
               calendar.dateComponents([.year, .month, .day, .hour, .minute], from: tick) == local, tick > date {
                return tick
            }
            minute = nextMinute + 1
            if minute > 59 { (hour, minute) = (hour + 1, 0) }
            if hour > 23 { (day, hour) = (day + 1, 0) }
        }
        return nil
    }

    /// The ticks after `start` up to and including `end`, at most `limit` of them (oldest first).
    public func ticks(after start: Date, through end: Date, in timeZone: TimeZone, limit: Int) -> [Date] {
        var ticks: [Date] = []
        var cursor = start
        while ticks.count < limit, let tick = next(after: cursor, in: timeZone), tick <= end {
            ticks.append(tick)
            cursor = tick
        }
        return ticks
    }

    private func matches(day: Int, weekday: Int) -> Bool {
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): days.contains(day) || weekdays.contains(weekday)
        case (true, false): days.contains(day)
        case (false, true): weekdays.contains(weekday)
        case (false, false): true
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// 0 = Sunday, by Zeller's congruence (the proleptic Gregorian calendar).
    private static func weekday(year: Int, month: Int, day: Int) -> Int {
        let (m, y) = month < 3 ? (month + 12, year - 1) : (month, year)
        let h = (day + (13 * (m + 1)) / 5 + y % 100 + (y % 100) / 4 + (y / 100) / 4 + 5 * (y / 100)) % 7  // 0 = Saturday
        return (h + 6) % 7
    }

    private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String], in expression: String) throws(CronError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw CronError(expression: expression, "the \(name) field's step '\(pieces[1])' is not a positive whole number")
                }
                step = parsed
            }
            let base = pieces[0]
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range
            } else {
                let ends = base.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                let low = try value(ends[0], name, range, names: names, in: expression)
                let high = ends.count == 2 ? try value(ends[1], name, range, names: names, in: expression) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError(expression: expression, "the \(name) range '\(base)' runs backwards") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func value(_ text: Substring, _ name: String, _ range: ClosedRange<Int>, names: [String], in expression: String) throws(CronError) -> Int {
        if let index = names.firstIndex(of: text.uppercased()) { return index + (name == "month" ? 1 : 0) }
        guard let number = Int(text) else {
            let allowed = names.isEmpty ? "a number" : "a number or one of \(names.joined(separator: ", "))"
            throw CronError(expression: expression, "the \(name) field has '\(text)' where it needs \(allowed)")
        }
        guard range.contains(number) else {
            throw CronError(expression: expression, "the \(name) \(number) is outside \(range.lowerBound)–\(range.upperBound)")
        }
        return number
    }
}

/// A cron expression that cannot be read, and why.
public struct CronError: Error, Sendable, Hashable, CustomStringConvertible {
    public let expression: String
    public let reason: String

    init(expression: String, _ reason: String) {
        self.expression = expression
        self.reason = reason
    }

    public var description: String { "cron '\(expression)': \(reason)" }
}
