import Foundation

/// The metrics people read, in the order reports show them: a label, the snake_case key and how
/// to get the latest value. One list for every renderer (HTML, Markdown, the terminal table).
public enum MetricCatalog {
    public struct Entry: Sendable {
        public var label: String
        public var key: String
        public var value: @Sendable (FinancialMetrics) -> Double?

        /// Whether a return on this form can give the metric (a 990 has no charitable disbursements, a 990-EZ no
        /// fundraising line, a 990-PF no program split): metrics that cannot apply are left out, not shown as missing.
        public func applies(to formType: String) -> Bool {
            switch key {
            case "charitable_disbursement_ratio", "payout_ratio": formType == "990PF"
            case "program_expense_ratio": formType != "990PF"
            case "management_expense_ratio", "fundraising_expense_ratio", "fundraising_efficiency": formType == "990"
            default: true
            }
        }
    }

    /// The label of a metric key (`months_of_reserve` → `Months of reserve`), also for peer ranks.
    public static func label(_ key: String) -> String {
        if key == "revenue" { return "Revenue" }
        return latest.first { $0.key == key }?.label ?? key.prefix(1).uppercased() + key.dropFirst().replacingOccurrences(of: "_", with: " ")
    }

    public static let latest: [Entry] = [
        Entry(label: "Program expense ratio", key: "program_expense_ratio") { $0.latest?.programExpenseRatio },
        Entry(label: "Management expense ratio", key: "management_expense_ratio") { $0.latest?.managementExpenseRatio },
        Entry(label: "Fundraising expense ratio", key: "fundraising_expense_ratio") { $0.latest?.fundraisingExpenseRatio },
        Entry(label: "Fundraising cost per dollar raised", key: "fundraising_efficiency") { $0.latest?.fundraisingEfficiency },
        Entry(label: "Charitable disbursements (share of expenses)", key: "charitable_disbursement_ratio") { $0.latest?.charitableDisbursementRatio },
        Entry(label: "Payout (share of assets)", key: "payout_ratio") { $0.latest?.payoutRatio },
        Entry(label: "Months of reserve", key: "months_of_reserve") { $0.latest?.monthsOfReserve },
        Entry(label: "Liabilities to assets", key: "liabilities_to_assets") { $0.latest?.liabilitiesToAssets },
        Entry(label: "Operating margin", key: "operating_margin") { $0.latest?.operatingMargin },
        Entry(label: "Revenue growth (one year)", key: "revenue_growth") { $0.latest?.revenueGrowth },
        Entry(label: "Revenue growth (a year, over three years)", key: "revenue_cagr_3y") { $0.revenueCAGR3Years },
        Entry(label: "Share of revenue from contributions", key: "contribution_dependence") { $0.latest?.contributionDependence },
        Entry(label: "Revenue concentration (1 = one source)", key: "revenue_concentration") { $0.latest?.revenueConcentration },
    ]

    /// Why the latest value of `key` is missing.
    public static func reason(_ key: String, in metrics: FinancialMetrics) -> String {
        metrics.latest?.unavailable[key] ?? (key == "revenue_cagr_3y" ? "no filing on record three years before the latest" : "")
    }

    /// A metric value as people read it: months with one decimal, HHI as a fraction, dollars
    /// short, efficiency per dollar, ratios as percentages.
    public static func display(_ key: String, _ value: Double) -> String {
        switch key {
        case "months_of_reserve": String(format: "%.1f months", value)
        case "revenue_concentration": String(format: "%.2f", value)
        case "revenue": Money.short(Int(value))
        case "fundraising_efficiency": String(format: "$%.2f per $1", value)
        default: Money.percent(value)
        }
    }
}
