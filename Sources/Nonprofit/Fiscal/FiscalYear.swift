/// The one fiscal-year convention of every source (BMF, ProPublica, e-file XML): a year is
/// labelled by the calendar year in which its period ends, so that a return for July 2021 to
/// June 2022 is FY2022 whether it came from ProPublica or from its XML (whose `TaxYr` would say
/// 2021). Its months are shown when they are not January to December.
public struct FiscalYear: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The period's last month, `YYYYMM`.
    public var periodEnd: Int
    /// The period's first month, `YYYYMM`.
    public var periodStart: Int

    /// - Parameters:
    ///   - periodEnd: `YYYYMM` of the last month.
    ///   - periodStart: `YYYYMM` of the first month, when known; else the twelve months ending at `periodEnd`.
    public init(periodEnd: Int, periodStart: Int? = nil) {
        self.periodEnd = periodEnd
        self.periodStart = periodStart ?? Self.monthsBefore(periodEnd, 11)
    }

    /// The label's year: the year the period ends.
    public var year: Int { periodEnd / 100 }

    /// `FY2022`.
    public var label: String { "FY\(year)" }

    /// `Jul 2021–Jun 2022`, or nil for a calendar year.
    public var months: String? {
        let isCalendarYear = periodStart % 100 == 1 && periodEnd % 100 == 12 && periodStart / 100 == periodEnd / 100
        guard !isCalendarYear else { return nil }
        return "\(Self.monthName(periodStart)) \(periodStart / 100)–\(Self.monthName(periodEnd)) \(periodEnd / 100)"
    }

    /// `FY2022 (Jul 2021–Jun 2022)`, or `FY2022` for a calendar year.
    public var description: String { months.map { "\(label) (\($0))" } ?? label }

    public static func < (lhs: FiscalYear, rhs: FiscalYear) -> Bool { lhs.periodEnd < rhs.periodEnd }

    /// The fiscal year of a BMF or ProPublica tax period (`YYYYMM`, or `YYYY-MM…`); nil when it is not one.
    public init?(taxPeriod text: String?) {
        guard let digits = text?.filter(\.isNumber), digits.count >= 6, let period = Int(digits.prefix(6)),
              (1...12).contains(period % 100), period / 100 > 1900
        else { return nil }
        self.init(periodEnd: period)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func monthName(_ period: Int) -> String {
        let month = period % 100
        return (1...12).contains(month) ? monthNames[month - 1] : "?"
    }

    static func monthsBefore(_ period: Int, _ count: Int) -> Int {
        let index = (period / 100) * 12 + (period % 100 - 1) - count
        return (index / 12) * 100 + index % 12 + 1
    }
}
