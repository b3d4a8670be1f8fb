/// The weights and threshold of the funder score: the Catalynx 990-PF composite (V2), in one
/// place (documented in the README). Each dimension scores 0–1; the composite is their weighted sum.
public enum FunderModel {
    public static let weights: [(name: String, weight: Double)] = [
        ("ntee", 0.30), ("geography", 0.20), ("recipient_coherence", 0.12), ("financial_capacity", 0.10),
        ("grant_size_fit", 0.10), ("application_policy", 0.08), ("filing_recency", 0.05), ("foundation_type", 0.05),
    ]

    /// A funder passes at this composite score or above (0.62 suits high volume, 0.54 sparse markets).
    public static let passThreshold = 0.58

    /// The best composite a candidate can reach with no cause in common (NTEE ≤ 0.35), outside the
    /// organization's state (geography ≤ 0.3) and no grants on record (coherence 0.5, application
    /// policy ≤ 0.5): 0.565. Above it, only foundations of a related cause or of the same state, and
    /// grantors, need scoring; the rest are counted as considered.
    public static let ceilingWithoutCauseOrPlace = 0.30 * 0.35 + 0.20 * 0.3 + 0.12 * 0.5 + 0.10 + 0.10 + 0.08 * 0.5 + 0.05 + 0.05

    /// Assets → financial capacity: ≥ $10M 1.0, ≥ $1M 0.75, ≥ $250k 0.5, ≥ $50k 0.25, else 0.1 (unknown 0.2).
    public static func capacity(assets: Int?) -> Double {
        guard let assets else { return 0.2 }
        return assets >= 10_000_000 ? 1 : assets >= 1_000_000 ? 0.75 : assets >= 250_000 ? 0.5 : assets >= 50_000 ? 0.25 : 0.1
    }

    /// A typical grant as a share of the applicant's revenue → fit: 1–25 % 1.0, 0.2–1 % or 25–100 % 0.6, else 0.2.
    public static func sizeFit(grantToRevenue ratio: Double) -> Double {
        (0.01...0.25).contains(ratio) ? 1 : (0.002...1).contains(ratio) ? 0.6 : 0.2
    }

    /// Years since the funder's latest return → recency: ≤ 2 1.0, 3 0.6, 4–5 0.3, else 0.1.
    public static func recency(years: Int) -> Double {
        years <= 2 ? 1 : years == 3 ? 0.6 : years <= 5 ? 0.3 : 0.1
    }

    /// NTEE major groups of general grantmakers, whose own code says nothing about what they fund.
    public static let generalGrantmakerCodes = ["T2", "T3", "T7", "T9", "T0", "T1"]
}
