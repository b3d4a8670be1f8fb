/// How complete an organization's data is for an analysis: a 0–1 score over the fields the
/// analysis needs and each issue found, with its severity and a suggested fix. Deterministic:
/// the same profile and year give the same result.
public struct DataQuality: Sendable, Hashable, Codable {
    public struct Issue: Sendable, Hashable, Codable {
        public var field: String
        /// `missing`, `stale`, `incomplete` or `inconsistent`.
        public var type: String
        /// `high`, `medium` or `low`.
        public var severity: String
        public var message: String
        public var suggestedFix: String

        enum CodingKeys: String, CodingKey { case field, type, severity, message, suggestedFix = "suggested_fix" }
    }

    public var completenessScore: Double
    public var issues: [Issue]
    /// Field → its weight in the score and whether it was present.
    public var checks: [Check]
    public var filingYears: Int
    public var latestFilingYear: Int?

    public struct Check: Sendable, Hashable, Codable {
        public var field: String
        public var weight: Double
        public var present: Bool
    }

    enum CodingKeys: String, CodingKey {
        case completenessScore = "completeness_score", issues, checks, filingYears = "filing_years", latestFilingYear = "latest_filing_year"
    }

    /// The weights of what is checked (they sum to 1). Identity counts for 0.4, financial data for 0.6,
    /// so an organization known only from the BMF scores at most 0.5: below the 0.6 the analysis needs.
    public static let weights: [(field: String, weight: Double)] = [
        ("name", 0.10), ("ntee_code", 0.10), ("state", 0.05), ("city_or_zip", 0.05), ("subsection", 0.05), ("ruling", 0.05),
        ("revenue_or_assets", 0.10), ("filings", 0.30), ("three_filing_years", 0.10), ("recent_filing", 0.05),
        ("functional_expenses", 0.05),
    ]

    /// Checks a profile.
    /// - Parameters:
    ///   - profile: the organization.
    ///   - currentYear: the year the analysis runs in (a filing more than three tax years old is stale).
    public init(profile: OrganizationProfile, currentYear: Int) {
        let latest = profile.filings.first
        let years = Set(profile.filings.map(\.taxYear))
        var issues: [Issue] = []
        func issue(_ field: String, _ type: String, _ severity: String, _ message: String, _ fix: String) {
            issues.append(Issue(field: field, type: type, severity: severity, message: message, suggestedFix: fix))
        }
        var present: [String: Bool] = [
            "name": profile.field("name") != nil, "ntee_code": profile.field("ntee_code") != nil,
            "state": profile.field("state") != nil, "city_or_zip": profile.field("city") != nil || profile.field("zip") != nil,
            "subsection": profile.field("subsection") != nil, "ruling": profile.field("ruling") != nil,
            "revenue_or_assets": profile.field("revenue") != nil || profile.field("assets") != nil,
            "filings": !profile.filings.isEmpty, "three_filing_years": years.count >= 3,
            "recent_filing": latest.map { currentYear - $0.taxYear <= 3 } ?? false,
            "functional_expenses": profile.filings.contains { $0.programExpenses != nil },
        ]
        if !present["name", default: false] { issue("name", "missing", "high", "the organization has no name on record", "re-import the IRS BMF file for its state") }
        if !present["ntee_code", default: false] {
            issue("ntee_code", "missing", "medium", "no NTEE code: peers and funder fit by cause cannot be judged",
                  "look the organization up on ProPublica (`catalynx data fetch`) or classify it by hand")
        }
        if !present["state", default: false] { issue("state", "missing", "medium", "no state: geographic fit cannot be judged", "re-import the IRS BMF file") }
        if !present["revenue_or_assets", default: false] {
            issue("revenue", "missing", "medium", "no revenue or assets in the BMF or any filing", "import its 990 filings")
        }
        if profile.filings.isEmpty {
            issue("filings", "missing", "high", "no Form 990 filings on record: no financial metrics can be computed",
                  "fetch them with `catalynx data fetch \(profile.ein)` or import e-file XML with `catalynx data import-990`")
        } else {
            if years.count < 3 {
                issue("filings", "incomplete", "medium", "only \(years.count) filing year\(years.count == 1 ? "" : "s"): trends need three",
                      "import earlier returns (`catalynx data import-990`)")
            }
            if let latest, currentYear - latest.taxYear > 3 {
                issue("filings", "stale", "medium", "the latest filing is for \(latest.taxYear), \(currentYear - latest.taxYear) years ago",
                      "fetch newer filings from ProPublica (`catalynx data fetch \(profile.ein)`)")
            }
            if !present["functional_expenses", default: false] {
                issue("functional_expenses", "missing", "low", "no filing has the Part IX functional-expense split (ProPublica does not carry it)",
                      "import the organization's 990 e-file XML (`catalynx data import-990`)")
            }
            for filing in profile.filings where filing.totalRevenue == nil || filing.totalExpenses == nil {
                issue("filings.\(filing.taxYear)", "incomplete", "low", "the \(filing.taxYear) filing lacks revenue or expenses",
                      "import that year's e-file XML")
            }
            if let latest, let assets = latest.totalAssets, let liabilities = latest.totalLiabilities, let net = latest.netAssets,
               abs(assets - liabilities - net) > max(1000, abs(assets) / 100) {
                issue("filings.\(latest.taxYear).net_assets", "inconsistent", "low",
                      "net assets \(net) differ from assets − liabilities (\(assets - liabilities))", "check the return's balance sheet (Part X)")
            }
        }
        if profile.filings.isEmpty { present["recent_filing"] = false }
        checks = Self.weights.map { Check(field: $0.field, weight: $0.weight, present: present[$0.field] ?? false) }
        completenessScore = (checks.filter(\.present).reduce(0) { $0 + $1.weight } * 100).rounded() / 100
        self.issues = issues
        filingYears = years.count
        latestFilingYear = latest?.taxYear
    }
}
