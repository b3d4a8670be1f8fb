import Foundation
import Nonprofit

/// The financial-health metrics of one filing year. A metric the data cannot give is `nil`,
/// and `unavailable` says why (ProPublica, for one, has no functional-expense split).
public struct YearMetrics: Sendable, Hashable, Codable {
    public var taxYear: Int
    public var formType: String
    public var sources: String
    /// Part IX program services / total functional expenses.
    public var programExpenseRatio: Double?
    /// Part IX management and general / total functional expenses.
    public var managementExpenseRatio: Double?
    /// Part IX fundraising / total functional expenses.
    public var fundraisingExpenseRatio: Double?
    /// Fundraising expenses / contributions: the cost of raising a dollar.
    public var fundraisingEfficiency: Double?
    /// Net assets at the end of the year / total expenses × 12.
    public var monthsOfReserve: Double?
    /// Total liabilities / total assets, end of year.
    public var liabilitiesToAssets: Double?
    /// (Revenue − expenses) / revenue.
    public var operatingMargin: Double?
    /// Revenue change from the previous year's filing, when that filing is for the year before.
    public var revenueGrowth: Double?
    /// Contributions / revenue.
    public var contributionDependence: Double?
    /// Herfindahl index Σ share² over contributions, program service revenue, investment income and other revenue (1 = one source).
    public var revenueConcentration: Double?
    /// Metric name (snake_case) → why it could not be computed.
    public var unavailable: [String: String]

    enum CodingKeys: String, CodingKey {
        case taxYear = "tax_year", formType = "form_type", sources
        case programExpenseRatio = "program_expense_ratio", managementExpenseRatio = "management_expense_ratio"
        case fundraisingExpenseRatio = "fundraising_expense_ratio", fundraisingEfficiency = "fundraising_efficiency"
        case monthsOfReserve = "months_of_reserve", liabilitiesToAssets = "liabilities_to_assets", operatingMargin = "operating_margin"
        case revenueGrowth = "revenue_growth", contributionDependence = "contribution_dependence"
        case revenueConcentration = "revenue_concentration", unavailable
    }
}

/// Metrics for every filing year, the latest year, the three-year revenue CAGR and three-year averages.
public struct FinancialMetrics: Sendable, Hashable, Codable {
    /// Newest first.
    public var years: [YearMetrics]
    public var latest: YearMetrics?
    /// Compound annual revenue growth from the filing three years before the latest to the latest.
    public var revenueCAGR3Years: Double?
    /// The mean of each metric over the latest three filing years in which it is known.
    public var threeYearAverages: [String: Double]

    enum CodingKeys: String, CodingKey {
        case years, latest, revenueCAGR3Years = "revenue_cagr_3y", threeYearAverages = "three_year_averages"
    }

    /// Computes the metrics from an organization's filings (any order; one per tax period).
    public init(filings: [Filing]) {
        let sorted = filings.sorted { $0.taxPeriod > $1.taxPeriod }
        years = sorted.enumerated().map { index, filing in
            Self.metrics(filing, previous: index + 1 < sorted.count ? sorted[index + 1] : nil)
        }
        latest = years.first
        revenueCAGR3Years = Self.cagr(sorted)
        threeYearAverages = Self.averages(Array(years.prefix(3)))
    }

    static func metrics(_ filing: Filing, previous: Filing?) -> YearMetrics {
        var unavailable: [String: String] = [:]
        func ratio(_ name: String, _ numerator: Int?, _ denominator: Int?, numeratorLabel: String, denominatorLabel: String) -> Double? {
            guard let numerator else {
                unavailable[name] = "\(numeratorLabel) is not in the \(filing.formType) data from \(filing.sources)"
                return nil
            }
            guard let denominator else {
                unavailable[name] = "\(denominatorLabel) is not in the \(filing.formType) data from \(filing.sources)"
                return nil
            }
            guard denominator > 0 else {
                unavailable[name] = "\(denominatorLabel) is \(denominator)"
                return nil
            }
            return Double(numerator) / Double(denominator)
        }
        let functionalTotal = filing.totalExpenses
        let split = filing.programExpenses == nil && filing.sources.contains("propublica") && !filing.sources.contains("irs990_xml")
            ? "the functional-expense split (Part IX)" : "program service expenses"
        var metrics = YearMetrics(taxYear: filing.taxYear, formType: filing.formType, sources: filing.sources, unavailable: [:])
        metrics.programExpenseRatio = ratio("program_expense_ratio", filing.programExpenses, functionalTotal,
                                            numeratorLabel: split, denominatorLabel: "total expenses")
        metrics.managementExpenseRatio = ratio("management_expense_ratio", filing.managementExpenses, functionalTotal,
                                               numeratorLabel: "management and general expenses", denominatorLabel: "total expenses")
        metrics.fundraisingExpenseRatio = ratio("fundraising_expense_ratio", filing.fundraisingExpenses, functionalTotal,
                                                numeratorLabel: "fundraising expenses", denominatorLabel: "total expenses")
        metrics.fundraisingEfficiency = ratio("fundraising_efficiency", filing.fundraisingExpenses, filing.contributions,
                                              numeratorLabel: "fundraising expenses", denominatorLabel: "contributions")
        let netAssets = filing.netAssets ?? filing.totalAssets.flatMap { assets in filing.totalLiabilities.map { assets - $0 } }
        metrics.monthsOfReserve = ratio("months_of_reserve", netAssets, filing.totalExpenses,
                                        numeratorLabel: "net assets", denominatorLabel: "total expenses").map { $0 * 12 }
        metrics.liabilitiesToAssets = ratio("liabilities_to_assets", filing.totalLiabilities, filing.totalAssets,
                                            numeratorLabel: "total liabilities", denominatorLabel: "total assets")
        metrics.operatingMargin = ratio("operating_margin", filing.totalRevenue.flatMap { revenue in filing.totalExpenses.map { revenue - $0 } },
                                        filing.totalRevenue, numeratorLabel: "revenue or expenses", denominatorLabel: "total revenue")
        metrics.contributionDependence = ratio("contribution_dependence", filing.contributions, filing.totalRevenue,
                                               numeratorLabel: "contributions", denominatorLabel: "total revenue")
        if let previous, previous.taxYear == filing.taxYear - 1 {
            metrics.revenueGrowth = ratio("revenue_growth", filing.totalRevenue.flatMap { current in previous.totalRevenue.map { current - $0 } },
                                          previous.totalRevenue, numeratorLabel: "revenue", denominatorLabel: "the previous year's revenue")
        } else {
            unavailable["revenue_growth"] = previous == nil ? "no earlier filing" : "no filing for \(filing.taxYear - 1)"
        }
        let sources = [filing.contributions, filing.programServiceRevenue, filing.investmentIncome, filing.otherRevenue]
        if sources.allSatisfy({ $0 != nil }) {
            let parts = sources.map { Double(max(0, $0 ?? 0)) }
            let total = parts.reduce(0, +)
            if total > 0 {
                metrics.revenueConcentration = parts.map { ($0 / total) * ($0 / total) }.reduce(0, +)
            } else {
                unavailable["revenue_concentration"] = "no positive revenue by source"
            }
        } else {
            unavailable["revenue_concentration"] = "revenue by source is incomplete in the \(filing.formType) data from \(filing.sources)"
        }
        metrics.unavailable = unavailable
        return metrics
    }

    static func cagr(_ newestFirst: [Filing]) -> Double? {
        guard let latest = newestFirst.first, let latestRevenue = latest.totalRevenue,
              let base = newestFirst.first(where: { $0.taxYear == latest.taxYear - 3 }), let baseRevenue = base.totalRevenue,
              baseRevenue > 0, latestRevenue > 0
        else { return nil }
        return pow(Double(latestRevenue) / Double(baseRevenue), 1.0 / 3.0) - 1
    }

    static func averages(_ years: [YearMetrics]) -> [String: Double] {
        let values: [(String, (YearMetrics) -> Double?)] = [
            ("program_expense_ratio", \.programExpenseRatio), ("management_expense_ratio", \.managementExpenseRatio),
            ("fundraising_expense_ratio", \.fundraisingExpenseRatio), ("fundraising_efficiency", \.fundraisingEfficiency),
            ("months_of_reserve", \.monthsOfReserve), ("liabilities_to_assets", \.liabilitiesToAssets),
            ("operating_margin", \.operatingMargin), ("revenue_growth", \.revenueGrowth),
            ("contribution_dependence", \.contributionDependence), ("revenue_concentration", \.revenueConcentration),
        ]
        var averages: [String: Double] = [:]
        for (name, value) in values {
            let known = years.compactMap(value)
            if !known.isEmpty { averages[name] = known.reduce(0, +) / Double(known.count) }
        }
        return averages
    }
}
