import Nonprofit

/// How complete an organization's data is for an analysis: a 0–1 score over the fields the
/// analysis needs and each issue found, with its severity and what would fix it, in plain words.
/// Deterministic: the same profile and year give the same result.
public struct DataQuality: Sendable, Hashable, Codable {
    public struct Issue: Sendable, Hashable, Codable {
        public var field: String
        /// `missing`, `stale`, `incomplete` or `inconsistent`.
        public var type: String
        /// `high`, `medium` or `low`.
        public var severity: String
        public var message: String
        /// What would improve the answer, in words a reader without the tool understands.
        public var suggestedFix: String

        enum CodingKeys: String, CodingKey { case field, type, severity, message, suggestedFix = "suggested_fix" }
    }

    public var completenessScore: Double
    public var issues: [Issue]
    /// Field → its weight in the score and whether it was present.
    public var checks: [Check]
    public var filingYears: Int
    /// The year of the latest filing with figures on record.
    public var latestFilingYear: Int?
    /// The newest return anything on record knows of (a filing, or the BMF's summary of a newer one): `FY2024 (Apr 2023–Mar 2024)`.
    public var latestReturn: String?
    /// How many years before the analysis year that return's period ended.
    public var latestReturnAge: Int?

    public struct Check: Sendable, Hashable, Codable {
        public var field: String
        public var weight: Double
        public var present: Bool
    }

    enum CodingKeys: String, CodingKey {
        case completenessScore = "completeness_score", issues, checks, filingYears = "filing_years", latestFilingYear = "latest_filing_year"
        case latestReturn = "latest_return", latestReturnAge = "latest_return_age"
    }

    /// The weights of what is checked (they sum to 1). Identity counts for 0.3 and financial data
    /// for 0.7, so one complete return passes the 0.6 the analysis needs even without codes (a
    /// missing NTEE code or ruling lowers the score and the risk confidence, and is reported),
    /// while an organization known only from the BMF scores at most 0.4.
    public static let weights: [(field: String, weight: Double)] = [
        ("name", 0.05), ("ntee_code", 0.10), ("state", 0.05), ("city_or_zip", 0.03), ("subsection", 0.04), ("ruling", 0.03),
        ("revenue_or_assets", 0.10), ("filings", 0.35), ("three_filing_years", 0.10), ("recent_filing", 0.05),
        ("expense_detail", 0.10),
    ]

    /// A return older than this many years is stale.
    public static let staleAfterYears = 3

    /// Checks a profile.
    /// - Parameters:
    ///   - profile: the organization.
    ///   - currentYear: the year the analysis runs in (a return more than three years old is stale).
    public init(profile: OrganizationProfile, currentYear: Int) {
        let latest = profile.filings.first
        let years = Set(profile.filings.map(\.taxYear))
        let newest = profile.latestKnownYear
        let age = newest.map { currentYear - $0.year }
        var issues: [Issue] = []
        func issue(_ field: String, _ type: String, _ severity: String, _ message: String, _ fix: String) {
            issues.append(Issue(field: field, type: type, severity: severity, message: message, suggestedFix: fix))
        }
        let withFigures = profile.filings.filter { $0.totalRevenue != nil && $0.totalExpenses != nil }
        var present: [String: Bool] = [
            "name": profile.field("name") != nil, "ntee_code": profile.field("ntee_code") != nil,
            "state": profile.field("state") != nil, "city_or_zip": profile.field("city") != nil || profile.field("zip") != nil,
            "subsection": profile.field("subsection") != nil, "ruling": profile.field("ruling") != nil,
            "revenue_or_assets": profile.sizeRevenue != nil || profile.field("assets") != nil,
            "filings": !withFigures.isEmpty, "three_filing_years": years.count >= 3,
            "recent_filing": !profile.filings.isEmpty && age.map { $0 <= Self.staleAfterYears } == true,
            "expense_detail": profile.filings.contains { $0.programExpenses != nil || $0.charitableDisbursements != nil },
        ]
        let registry = "the IRS Business Master File record for its state"
        if !present["name", default: false] { issue("name", "missing", "high", "the organization has no name on record", "Add \(registry).") }
        if !present["ntee_code", default: false] {
            issue("ntee_code", "missing", "medium", "no NTEE cause code, so peers and funders cannot be matched by cause",
                  "Add \(registry), or ProPublica's record of the organization, which carry its NTEE code.")
        }
        if !present["state", default: false] {
            issue("state", "missing", "medium", "no state, so peers and funders cannot be matched by place", "Add \(registry).")
        }
        if !present["revenue_or_assets", default: false] {
            issue("revenue", "missing", "medium", "no revenue or assets in the BMF or any filing", "Add the organization's Form 990 returns.")
        }
        if profile.filings.isEmpty {
            issue("filings", "missing", "high", "no Form 990 filings on record, so no financial metrics or risk can be computed",
                  "Add the organization's Form 990 returns (ProPublica's Nonprofit Explorer or the IRS e-file XML).")
        } else {
            if withFigures.isEmpty {
                issue("filings", "incomplete", "high", "no filing on record gives both revenue and expenses",
                      "Add the organization's Form 990 e-file XML returns.")
            }
            if years.count < 3 {
                issue("filings", "incomplete", "medium",
                      "only \(Plural.count(years.count, "year")) of filings on record; trends need three",
                      "Add earlier Form 990 returns.")
            }
            if let newest, let age, age > Self.staleAfterYears {
                issue("filings", "stale", "medium", "the latest return on record is for \(newest), \(Plural.count(age, "year")) ago",
                      "Look for newer returns on ProPublica's Nonprofit Explorer or in the IRS e-file data.")
            }
            if let latest, let figures = profile.latestFigures, figures.newerThanFilings {
                let newer = FiscalYear(periodEnd: figures.periodEnd).label
                issue("filings", "incomplete", "low",
                      "the IRS knows a newer return (\(newer)) than the filings on record; detailed metrics run through \(latest.fiscalYear.label)",
                      "Add the \(newer) return's e-file XML for its full detail.")
            }
            if !present["expense_detail", default: false] {
                let onlySummaries = profile.filings.allSatisfy { !$0.sources.contains("irs990_xml") }
                issue("expense_detail", "missing", "low",
                      "no filing on record splits expenses into programs, management and fundraising"
                        + (onlySummaries ? " (ProPublica's summaries do not carry it)" : ""),
                      "Add a Form 990 e-file XML return, whose Part IX has the split.")
            }
            for filing in profile.filings where filing.totalRevenue == nil || filing.totalExpenses == nil {
                issue("filings.\(filing.taxYear)", "incomplete", "low", "the \(filing.fiscalYear.label) filing lacks revenue or expenses",
                      "Add that year's e-file XML return.")
            }
            if let latest, let assets = latest.totalAssets, let liabilities = latest.totalLiabilities, let net = latest.netAssets,
               abs(assets - liabilities - net) > max(1000, abs(assets) / 100) {
                issue("filings.\(latest.taxYear).net_assets", "inconsistent", "low",
                      "net assets of \(Money.full(net)) differ from assets minus liabilities (\(Money.full(assets - liabilities))) in \(latest.fiscalYear.label)",
                      "Check the return's balance sheet (Part X).")
            }
        }
        if profile.filings.isEmpty { present["recent_filing"] = false }
        checks = Self.weights.map { Check(field: $0.field, weight: $0.weight, present: present[$0.field] ?? false) }
        completenessScore = (checks.filter(\.present).reduce(0) { $0 + $1.weight } * 100).rounded() / 100
        self.issues = issues
        filingYears = years.count
        latestFilingYear = latest?.taxYear
        latestReturn = newest?.description
        latestReturnAge = age
    }
}
