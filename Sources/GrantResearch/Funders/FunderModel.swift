import Nonprofit

/// The weights and bands of the funder score, in one place (documented in the README). A funder is
/// judged by what and where it has funded, never mainly by its own codes: each dimension scores
/// 0–1 from the grants on record; the composite is their weighted sum.
public enum FunderModel {
    public static let weights: [(name: String, weight: Double)] = [
        ("cause", 0.30), ("place", 0.20), ("grant_size", 0.15), ("peers", 0.15), ("recency", 0.10), ("openness", 0.05),
        ("capacity", 0.05),
    ]

    /// Each dimension's position in `weights`.
    static let dimensionIndex = Dictionary(uniqueKeysWithValues: weights.enumerated().map { ($0.element.name, $0.offset) })

    /// A funder fits well at this composite score or above.
    public static let passThreshold = 0.5

    /// A foundation with no giving history on record is judged by its own NTEE code and address only,
    /// at this fraction of what the same fit would score from grants.
    public static let priorWeight = 0.5

    /// The composite of a funder whose giving on record went wholly outside the applicant's state and region (or,
    /// without giving on record, that is based outside them) is multiplied by this.
    public static let elsewhereFactor = 0.6

    /// How close two NTEE codes are: same code 1, same three characters 0.85, same major group 0.7,
    /// same super-group 0.4, else 0 (the first of `causeLevels` that matches).
    public static func closeness(_ code: String?, to applicant: String) -> Double {
        GivingQuery.CauseLevel.closeness(code, levels: causeLevels(applicant))
    }

    /// The levels of `closeness` to an applicant's NTEE code, most specific first, as the database weighs them.
    public static func causeLevels(_ applicant: String) -> [GivingQuery.CauseLevel] {
        let major = String(applicant.prefix(1))
        return [.code(applicant, 1), .prefix(String(applicant.prefix(3)), 0.85), .prefix(major, 0.7), .majors(relatedMajors(applicant), 0.4)]
    }

    /// The major groups of an NTEE code's super-group (`E31` → E, F, G, H), sorted.
    public static func relatedMajors(_ code: String) -> [String] {
        NTEE.superGroup(String(code.prefix(1))).map { group in NTEE.majorGroups.keys.filter { NTEE.superGroup($0) == group }.sorted() } ?? []
    }

    /// A dollar given elsewhere in the applicant's region counts this much toward place (a dollar in its state counts 1).
    public static let regionShare = 0.4

    /// In the weight of evidence that breaks ties, a dollar given outside the region counts this much,
    /// and a dollar to an unrelated cause at least this much.
    public static let evidenceFloor = 0.1

    /// Assets → capacity: ≥ $10M 1.0, ≥ $1M 0.75, ≥ $250k 0.5, ≥ $50k 0.25, else 0.1 (unknown 0.2).
    public static func capacity(assets: Int?) -> Double {
        guard let assets else { return 0.2 }
        return assets >= 10_000_000 ? 1 : assets >= 1_000_000 ? 0.75 : assets >= 250_000 ? 0.5 : assets >= 50_000 ? 0.25 : 0.1
    }

    /// A typical grant as a share of the applicant's revenue → fit: 1–25 % 1.0, 0.2–1 % or 25–100 % 0.6, else 0.2.
    public static func sizeFit(grantToRevenue ratio: Double) -> Double {
        (0.01...0.25).contains(ratio) ? 1 : (0.002...1).contains(ratio) ? 0.6 : 0.2
    }

    /// Years since the latest giving on record → recency: ≤ 2 1.0, 3 0.6, 4–5 0.3, else 0.1.
    public static func recency(years: Int) -> Double {
        years <= 2 ? 1 : years == 3 ? 0.6 : years <= 5 ? 0.3 : 0.1
    }

    /// The census region of a state (`VA` → South), for giving near the applicant.
    public static func region(_ state: String?) -> String? {
        guard let state else { return nil }
        for (region, states) in regions where states.contains(state) { return region }
        return nil
    }

    public static let regions: [(String, Set<String>)] = [
        ("the Northeast", ["CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"]),
        ("the Midwest", ["IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"]),
        ("the South", ["DE", "DC", "FL", "GA", "MD", "NC", "SC", "VA", "WV", "AL", "KY", "MS", "TN", "AR", "LA", "OK", "TX"]),
        ("the West", ["AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"]),
    ]
}
