/// Thresholds and weights of the risk score, in one place (documented in the README).
/// Each dimension scores 0 (no concern) to 100 (severe concern) by step bands.
public enum RiskModel {
    /// A dimension's bands: the first band whose bound the value meets gives the score.
    public struct Bands: Sendable {
        /// (bound, score) pairs, checked in order; `higherIsBetter` says which side of the bound is meant.
        public var steps: [(bound: Double, score: Double)]
        public var worst: Double
        public var higherIsBetter: Bool

        public func score(_ value: Double) -> Double {
            for step in steps where higherIsBetter ? value >= step.bound : value <= step.bound { return step.score }
            return worst
        }
    }

    /// Months of reserve: ≥ 6 → 10, ≥ 3 → 35, ≥ 1 → 65, else 90.
    public static let liquidity = Bands(steps: [(6, 10), (3, 35), (1, 65)], worst: 90, higherIsBetter: true)
    /// Liabilities to assets: ≤ 0.25 → 10, ≤ 0.5 → 35, ≤ 0.75 → 65, else 90.
    public static let leverage = Bands(steps: [(0.25, 10), (0.5, 35), (0.75, 65)], worst: 90, higherIsBetter: false)
    /// Operating margin (three-year mean when known): ≥ 5 % → 10, ≥ 0 → 30, ≥ −5 % → 60, else 85.
    public static let operatingResults = Bands(steps: [(0.05, 10), (0, 30), (-0.05, 60)], worst: 85, higherIsBetter: true)
    /// Revenue trend (three-year CAGR, else the latest year's growth): ≥ 5 % → 10, ≥ 0 → 30, ≥ −10 % → 60, else 85.
    public static let revenueTrend = Bands(steps: [(0.05, 10), (0, 30), (-0.10, 60)], worst: 85, higherIsBetter: true)
    /// Revenue concentration (HHI): < 0.5 → 15, < 0.7 → 40, < 0.85 → 60, else 75.
    public static let concentration = Bands(steps: [(0.4999, 15), (0.6999, 40), (0.8499, 60)], worst: 75, higherIsBetter: false)
    /// Years since the latest filing's tax year: ≤ 2 → 10, 3 → 40, 4 → 65, else 90.
    public static let filingRecency = Bands(steps: [(2, 10), (3, 40), (4, 65)], worst: 90, higherIsBetter: false)

    /// Weights of the dimensions (they sum to 1; missing dimensions are left out and the rest renormalised).
    public static let weights: [String: Double] = [
        "liquidity": 0.25, "leverage": 0.15, "operating_results": 0.20, "revenue_trend": 0.15,
        "revenue_concentration": 0.10, "data_quality": 0.15,
    ]

    /// Levels by total score: < 30 low, < 55 moderate, < 75 high, else critical.
    public static func level(_ score: Double) -> String {
        score < 30 ? "low" : score < 55 ? "moderate" : score < 75 ? "high" : "critical"
    }
}
