import Foundation

/// A 0–100 risk score (higher is riskier) from named dimensions, each with its score, weight
/// and the evidence behind it in plain words, and a confidence in the whole.
public struct RiskAssessment: Sendable, Hashable, Codable {
    public struct Dimension: Sendable, Hashable, Codable {
        public var name: String
        /// 0–100, or nil when the data cannot say (then it carries no weight).
        public var score: Double?
        public var weight: Double
        public var evidence: String
    }

    public var score: Double
    public var level: String
    public var dimensions: [Dimension]
    /// 0–1: the share of the model's weight backed by data, reduced when the latest return is old
    /// and when the data are incomplete (a missing cause code, a missing expense split).
    public var confidence: Double

    /// Assesses risk from the financial metrics and the data-quality check of the same profile.
    /// - Parameters:
    ///   - metrics: the organization's metrics.
    ///   - dataQuality: the completeness and the newest return on record (a return the BMF knows
    ///     of counts for recency even when its detail is not on record).
    public init(metrics: FinancialMetrics, dataQuality: DataQuality?) {
        func percent(_ value: Double) -> String { Money.percent(abs(value)) }
        var dimensions: [Dimension] = []
        func add(_ name: String, _ value: Double?, _ bands: RiskModel.Bands, evidence: (Double) -> String, missing: String) {
            dimensions.append(Dimension(name: name, score: value.map(bands.score), weight: RiskModel.weights[name] ?? 0,
                                        evidence: value.map(evidence) ?? missing))
        }
        let latest = metrics.latest
        let year = latest?.fiscalYear ?? ""
        add("liquidity", latest?.monthsOfReserve, RiskModel.liquidity,
            evidence: { months in
                if let deficit = latest?.netAssetDeficit {
                    return "net assets are negative in \(year): a deficit of \(Money.full(deficit)), so there is no reserve"
                }
                return String(format: "net assets would cover %.1f months of expenses in %@", months, year)
            },
            missing: latest?.unavailable["months_of_reserve"] ?? "no filing")
        add("leverage", latest?.liabilitiesToAssets, RiskModel.leverage,
            evidence: { "liabilities are \(Money.percent($0)) of assets in \(year)" },
            missing: latest?.unavailable["liabilities_to_assets"] ?? "no filing")
        let margin = metrics.threeYearAverages["operating_margin"]
        let averaged = min(3, metrics.years.count)
        add("operating_results", margin, RiskModel.operatingResults,
            evidence: { value in
                let result = value < 0 ? "a deficit of \(percent(value)) of revenue" : "a surplus of \(percent(value)) of revenue"
                return averaged == 1 ? "\(result) in \(year)" : "\(result) on average over the latest \(averaged) years"
            },
            missing: latest?.unavailable["operating_margin"] ?? "no filing")
        let trend = metrics.revenueCAGR3Years ?? latest?.revenueGrowth
        add("revenue_trend", trend, RiskModel.revenueTrend,
            evidence: { value in
                let direction = value < 0 ? "fell" : "grew"
                return metrics.revenueCAGR3Years != nil
                    ? "revenue \(direction) by \(percent(value)) a year on average over the three years to \(year)"
                    : "revenue \(direction) by \(percent(value)) in \(year)"
            },
            missing: "fewer than two consecutive years of revenue")
        add("revenue_concentration", latest?.revenueConcentration, RiskModel.concentration,
            evidence: { value in
                let share = latest?.contributionDependence.map { "contributions and grants are \(Money.percent($0)) of revenue" }
                return (share.map { $0 + "; " } ?? "") + String(format: "revenue concentration index %.2f (1 means a single source)", value)
            },
            missing: latest?.unavailable["revenue_concentration"] ?? "no filing")
        let age = dataQuality?.latestReturnAge.map(Double.init)
        let completeness = dataQuality?.completenessScore
        var dataScore = age.map(RiskModel.filingRecency.score)
        if let completeness, let score = dataScore { dataScore = min(100, score + (1 - completeness) * 40) }
        let newest = dataQuality?.latestReturn ?? year
        dimensions.append(Dimension(
            name: "data_quality", score: dataScore, weight: RiskModel.weights["data_quality"] ?? 0,
            evidence: age.map { age in
                let ago = Int(age) <= 0 ? "this year" : "\(Plural.count(Int(age), "year")) ago"
                return "the latest return on record is for \(newest), \(ago)"
                    + (completeness.map { String(format: "; the data are %.0f%% complete", $0 * 100) } ?? "")
            } ?? "no filings at all"))
        let known = dimensions.filter { $0.score != nil }
        let knownWeight = known.reduce(0) { $0 + $1.weight }
        let weighted = known.reduce(0) { $0 + ($1.score ?? 0) * $1.weight }
        score = knownWeight > 0 ? (weighted / knownWeight).rounded() : 100
        level = knownWeight > 0 ? RiskModel.level(score) : "unknown"
        let recency = age.map { $0 <= 2 ? 1.0 : $0 <= 4 ? 0.8 : 0.6 } ?? 0
        let completenessFactor = 0.75 + 0.25 * (completeness ?? 1)
        // The weights summed in one order: a dictionary's order changes from process to process, and with it the last bit of
        // the sum, which could round the confidence differently between two runs of the same analysis.
        let totalWeight = RiskModel.weights.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value }
        confidence = ((knownWeight / totalWeight) * recency * completenessFactor * 100).rounded() / 100
        self.dimensions = dimensions
    }
}
