import Foundation

/// A 0–100 risk score (higher is riskier) from named dimensions, each with its score, weight
/// and the evidence behind it, and a confidence in the whole.
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
    /// 0–1: the share of the model's weight backed by data, reduced when the latest filing is old.
    public var confidence: Double

    /// Assesses risk from the financial metrics.
    /// - Parameters:
    ///   - metrics: the organization's metrics.
    ///   - currentYear: the year "now" is in (for filing recency).
    ///   - completeness: the data-quality completeness score 0–1, when known.
    public init(metrics: FinancialMetrics, currentYear: Int, completeness: Double? = nil) {
        func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
        var dimensions: [Dimension] = []
        func add(_ name: String, _ value: Double?, _ bands: RiskModel.Bands, evidence: (Double) -> String, missing: String) {
            dimensions.append(Dimension(name: name, score: value.map(bands.score), weight: RiskModel.weights[name] ?? 0,
                                        evidence: value.map(evidence) ?? missing))
        }
        let latest = metrics.latest
        add("liquidity", latest?.monthsOfReserve, RiskModel.liquidity,
            evidence: { String(format: "%.1f months of reserve (net assets / expenses × 12) in %d", $0, latest?.taxYear ?? 0) },
            missing: latest?.unavailable["months_of_reserve"] ?? "no filing")
        add("leverage", latest?.liabilitiesToAssets, RiskModel.leverage,
            evidence: { "liabilities are \(percent($0)) of assets in \(latest?.taxYear ?? 0)" },
            missing: latest?.unavailable["liabilities_to_assets"] ?? "no filing")
        let margin = metrics.threeYearAverages["operating_margin"]
        add("operating_results", margin, RiskModel.operatingResults,
            evidence: { "operating margin averages \(percent($0)) over the latest \(min(3, metrics.years.count)) filings" },
            missing: latest?.unavailable["operating_margin"] ?? "no filing")
        let trend = metrics.revenueCAGR3Years ?? latest?.revenueGrowth
        add("revenue_trend", trend, RiskModel.revenueTrend,
            evidence: { metrics.revenueCAGR3Years != nil ? "revenue \($0 < 0 ? "fell" : "grew") \(percent(abs($0))) a year over three years"
                : "revenue \($0 < 0 ? "fell" : "grew") \(percent(abs($0))) in the latest year" },
            missing: "fewer than two consecutive years of revenue")
        add("revenue_concentration", latest?.revenueConcentration, RiskModel.concentration,
            evidence: { String(format: "revenue concentration (HHI) %.2f; contributions are %@ of revenue", $0, latest?.contributionDependence.map(percent) ?? "an unknown share") },
            missing: latest?.unavailable["revenue_concentration"] ?? "no filing")
        let age = latest.map { Double(currentYear - $0.taxYear) }
        var dataScore = age.map(RiskModel.filingRecency.score)
        if let completeness, let score = dataScore { dataScore = min(100, score + (1 - completeness) * 40) }
        dimensions.append(Dimension(
            name: "data_quality", score: dataScore, weight: RiskModel.weights["data_quality"] ?? 0,
            evidence: age.map { "latest filing is for \(latest?.taxYear ?? 0), \(Int($0)) year\(Int($0) == 1 ? "" : "s") ago"
                + (completeness.map { String(format: "; completeness %.2f", $0) } ?? "") } ?? "no filings at all"))
        let known = dimensions.filter { $0.score != nil }
        let knownWeight = known.reduce(0) { $0 + $1.weight }
        let weighted = known.reduce(0) { $0 + ($1.score ?? 0) * $1.weight }
        score = knownWeight > 0 ? (weighted / knownWeight).rounded() : 100
        level = knownWeight > 0 ? RiskModel.level(score) : "unknown"
        let recency = age.map { $0 <= 2 ? 1.0 : $0 <= 4 ? 0.8 : 0.6 } ?? 0
        confidence = ((knownWeight / RiskModel.weights.values.reduce(0, +)) * recency * 100).rounded() / 100
        self.dimensions = dimensions
    }
}
