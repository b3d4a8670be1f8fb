import Foundation
import Nonprofit

/// The financial-health metrics of one filing year. A metric the data cannot give is `nil`,
/// and `unavailable` says why, in plain words (ProPublica's summaries, for one, do not split expenses).
public struct YearMetrics: Sendable, Hashable, Codable {
    public var taxYear: Int
    /// `FY2022`.
    public var fiscalYear: String
    public var formType: String
    public var sources: String
    /// Part IX program services / total functional expenses (990-EZ: program service expenses / total expenses).
    public var programExpenseRatio: Double?
    /// Part IX management and general / total functional expenses.
    public var managementExpenseRatio: Double?
    /// Part IX fundraising / total functional expenses.
    public var fundraisingExpenseRatio: Double?
    /// Fundraising expenses / contributions: the cost of raising a dollar.
    public var fundraisingEfficiency: Double?
    /// A 990-PF's disbursements for charitable purposes / its total expenses (Part I, column d over column a).
    public var charitableDisbursementRatio: Double?
    /// A 990-PF's disbursements for charitable purposes / its assets at fair market value (the 5 % payout rule's measure).
    public var payoutRatio: Double?
    /// Net assets at the end of the year / total expenses × 12.
    public var monthsOfReserve: Double?
    /// The amount by which liabilities exceed assets, when net assets are negative.
    public var netAssetDeficit: Int?
    /// Total liabilities / total assets, end of year.
    public var liabilitiesToAssets: Double?
    /// (Revenue − expenses) / revenue.
    public var operatingMargin: Double?
    /// Revenue change from the year before: the previous filing's revenue, else the return's own prior-year column.
    public var revenueGrowth: Double?
    /// Contributions / revenue.
    public var contributionDependence: Double?
    /// Herfindahl index Σ share² over contributions, program service revenue, investment income and other revenue (1 = one source).
    public var revenueConcentration: Double?
    /// Metric name (snake_case) → why it could not be computed.
    public var unavailable: [String: String]

    enum CodingKeys: String, CodingKey {
        case taxYear = "tax_year", fiscalYear = "fiscal_year", formType = "form_type", sources
        case programExpenseRatio = "program_expense_ratio", managementExpenseRatio = "management_expense_ratio"
        case fundraisingExpenseRatio = "fundraising_expense_ratio", fundraisingEfficiency = "fundraising_efficiency"
        case charitableDisbursementRatio = "charitable_disbursement_ratio", payoutRatio = "payout_ratio"
        case monthsOfReserve = "months_of_reserve", netAssetDeficit = "net_asset_deficit", liabilitiesToAssets = "liabilities_to_assets"
        case operatingMargin = "operating_margin", revenueGrowth = "revenue_growth", contributionDependence = "contribution_dependence"
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
        let summary = filing.sources.contains("irs990_xml") ? "the \(filing.fiscalYear.label) return"
            : "\(SourceName.text(filing.sources))'s summary of the \(filing.fiscalYear.label) return"
        func ratio(_ name: String, _ numerator: Int?, _ denominator: Int?, numeratorLabel: String, denominatorLabel: String) -> Double? {
            guard let numerator else {
                unavailable[name] = "\(summary) does not give \(numeratorLabel)"
                return nil
            }
            guard let denominator else {
                unavailable[name] = "\(summary) does not give \(denominatorLabel)"
                return nil
            }
            guard denominator > 0 else {
                unavailable[name] = "\(denominatorLabel) is \(Money.full(denominator))"
                return nil
            }
            return Double(numerator) / Double(denominator)
        }
        var metrics = YearMetrics(taxYear: filing.taxYear, fiscalYear: filing.fiscalYear.label, formType: filing.formType,
                                  sources: filing.sources, unavailable: [:])
        let total = filing.totalExpenses
        switch filing.formType {
        case "990PF":
            let noSplit = "a 990-PF has no program, management and fundraising split; see its charitable disbursements"
            for name in ["program_expense_ratio", "management_expense_ratio", "fundraising_expense_ratio", "fundraising_efficiency"] {
                unavailable[name] = noSplit
            }
            metrics.charitableDisbursementRatio = ratio("charitable_disbursement_ratio", filing.charitableDisbursements, total,
                                                        numeratorLabel: "its disbursements for charitable purposes", denominatorLabel: "total expenses")
            metrics.payoutRatio = ratio("payout_ratio", filing.charitableDisbursements, filing.fairMarketValueOfAssets,
                                        numeratorLabel: "its disbursements for charitable purposes",
                                        denominatorLabel: "its assets at fair market value")
        default:
            let split = filing.sources.contains("irs990_xml") ? "program service expenses" : "the split of expenses into programs, management and fundraising"
            metrics.programExpenseRatio = ratio("program_expense_ratio", filing.programExpenses, total,
                                                numeratorLabel: split, denominatorLabel: "total expenses")
            if filing.formType == "990EZ" {
                let noSplit = "Form 990-EZ does not split management and fundraising expenses"
                for name in ["management_expense_ratio", "fundraising_expense_ratio", "fundraising_efficiency"] { unavailable[name] = noSplit }
            } else {
                metrics.managementExpenseRatio = ratio("management_expense_ratio", filing.managementExpenses, total,
                                                       numeratorLabel: filing.programExpenses == nil ? split : "management and general expenses",
                                                       denominatorLabel: "total expenses")
                metrics.fundraisingExpenseRatio = ratio("fundraising_expense_ratio", filing.fundraisingExpenses, total,
                                                        numeratorLabel: filing.programExpenses == nil ? split : "fundraising expenses",
                                                        denominatorLabel: "total expenses")
                metrics.fundraisingEfficiency = ratio("fundraising_efficiency", filing.fundraisingExpenses, filing.contributions,
                                                      numeratorLabel: filing.programExpenses == nil ? split : "fundraising expenses",
                                                      denominatorLabel: "contributions")
            }
            unavailable["charitable_disbursement_ratio"] = "only a 990-PF reports disbursements for charitable purposes"
            unavailable["payout_ratio"] = "only a 990-PF reports disbursements for charitable purposes"
        }
        let netAssets = filing.netAssets ?? filing.totalAssets.flatMap { assets in filing.totalLiabilities.map { assets - $0 } }
        if let netAssets, netAssets < 0 { metrics.netAssetDeficit = -netAssets }
        metrics.monthsOfReserve = ratio("months_of_reserve", netAssets, filing.totalExpenses,
                                        numeratorLabel: "net assets", denominatorLabel: "total expenses").map { $0 * 12 }
        metrics.liabilitiesToAssets = ratio("liabilities_to_assets", filing.totalLiabilities, filing.totalAssets,
                                            numeratorLabel: "total liabilities", denominatorLabel: "total assets")
        metrics.operatingMargin = ratio("operating_margin", filing.totalRevenue.flatMap { revenue in filing.totalExpenses.map { revenue - $0 } },
                                        filing.totalRevenue, numeratorLabel: "revenue and expenses", denominatorLabel: "total revenue")
        metrics.contributionDependence = ratio("contribution_dependence", filing.contributions, filing.totalRevenue,
                                               numeratorLabel: "contributions", denominatorLabel: "total revenue")
        if let previous, previous.taxYear == filing.taxYear - 1, previous.totalRevenue != nil {
            metrics.revenueGrowth = ratio("revenue_growth", filing.totalRevenue.flatMap { current in previous.totalRevenue.map { current - $0 } },
                                          previous.totalRevenue, numeratorLabel: "revenue", denominatorLabel: "the previous year's revenue")
        } else if let prior = filing.priorYearRevenue {
            // No filing for the year before: the return's own prior-year column says what it was.
            metrics.revenueGrowth = ratio("revenue_growth", filing.totalRevenue.map { $0 - prior }, prior,
                                          numeratorLabel: "revenue", denominatorLabel: "the prior year's revenue")
        } else {
            unavailable["revenue_growth"] = previous == nil ? "no earlier filing on record" : "no filing on record for FY\(filing.taxYear - 1)"
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
            unavailable["revenue_concentration"] = "\(summary) does not break revenue down by source"
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
            ("charitable_disbursement_ratio", \.charitableDisbursementRatio), ("payout_ratio", \.payoutRatio),
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
