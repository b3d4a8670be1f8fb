import Foundation
import Nonprofit

/// The funders likely to support an organization, judged on evidence: every candidate is a
/// grantmaker (a private non-operating foundation, or an organization with grants on record or
/// grants paid in its filings), and its fit comes from what and where it has funded. Past funders
/// of the organization come first, each grant listed; a foundation with no giving history is
/// judged on its own codes only, at half weight, and says so.
public struct FunderScoring: Sendable, Hashable, Codable {
    public struct Dimension: Sendable, Hashable, Codable {
        public var name: String
        public var weight: Double
        public var score: Double
        public var explanation: String
    }

    /// A grant on record, with the return it comes from.
    public struct GrantRecord: Sendable, Hashable, Codable {
        public var grantorEIN: String
        public var grantorName: String?
        public var recipient: String
        public var recipientState: String?
        public var amount: Int
        public var taxYear: Int
        public var purpose: String?
        /// `Form 990-PF FY2013, e-file 201401439349100200`.
        public var source: String?

        enum CodingKeys: String, CodingKey {
            case grantorEIN = "grantor_ein", grantorName = "grantor_name", recipient, recipientState = "recipient_state", amount
            case taxYear = "tax_year", purpose, source
        }
    }

    public struct Funder: Sendable, Hashable, Codable {
        public var ein: String
        public var name: String
        public var city: String?
        public var state: String?
        public var nteeCode: String?
        public var foundationCode: String?
        public var assets: Int?
        public var score: Double
        public var passes: Bool
        public var dimensions: [Dimension]
        /// The funder's largest recent grants on record.
        public var recentGrants: [GrantRecord]
        /// What it has funded, in one line (`16 grants on record, $53,374 in FY2013; median $2,000; 98% to NY`).
        public var profileSummary: String
        public var hasGivingHistory: Bool
        /// Grants it made to the organization itself: a past funder.
        public var pastGrants: [GrantRecord]
        /// Dollars of its giving to the organization's cause and place, the evidence that breaks ties.
        public var evidence: Double
        /// Whether the organization can receive this funder's grants, when it is not a 501(c)(3) public charity.
        public var caveat: String?

        public var isPastFunder: Bool { !pastGrants.isEmpty }

        enum CodingKeys: String, CodingKey {
            case ein, name, city, state, nteeCode = "ntee_code", foundationCode = "foundation_code", assets, score, passes, dimensions
            case recentGrants = "recent_grants", profileSummary = "profile_summary", hasGivingHistory = "has_giving_history"
            case pastGrants = "past_grants", evidence, caveat
        }
    }

    public var threshold: Double
    /// Every grantmaker in the database.
    public var candidatesConsidered: Int
    /// Those scored in detail: every grantmaker with giving on record, and foundations without it of a related cause or the same state.
    public var candidatesScored: Int
    public var passing: Int
    /// Past funders first, then the best fits.
    public var funders: [Funder]
    public var grantsToPeers: [GrantRecord]
    /// When the organization is itself a grantmaker (a private foundation): its own giving, instead of a funder list.
    public var ownGiving: FunderProfile?
    /// Who can receive these funders' grants, when the organization is not a 501(c)(3) public charity.
    public var eligibility: String?
    /// What the database cannot answer well, and what data would help, in plain words.
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case threshold, candidatesConsidered = "candidates_considered", candidatesScored = "candidates_scored", passing, funders
        case grantsToPeers = "grants_to_peers", ownGiving = "own_giving", eligibility, notes
    }

    public init(threshold: Double, candidatesConsidered: Int, candidatesScored: Int, passing: Int, funders: [Funder], grantsToPeers: [GrantRecord],
                ownGiving: FunderProfile? = nil, eligibility: String? = nil, notes: [String] = []) {
        self.threshold = threshold
        self.candidatesConsidered = candidatesConsidered
        self.candidatesScored = candidatesScored
        self.passing = passing
        self.funders = funders
        self.grantsToPeers = grantsToPeers
        self.ownGiving = ownGiving
        self.eligibility = eligibility
        self.notes = notes
    }

    /// Whether an organization is itself a grantmaker (a private foundation) rather than an applicant.
    public static func isGrantmaker(_ profile: OrganizationProfile) -> Bool {
        Organization.privateFoundationCodes.contains(profile.foundation ?? "") || profile.filings.first?.formType == "990PF"
    }

    /// Scores every grantmaker in the database for the organization.
    /// - Parameters:
    ///   - profile: the applicant.
    ///   - peers: its peers (grants to them are evidence of fit).
    ///   - database: grantmakers, their grants and filings, the recipients' records.
    ///   - currentYear: for recency.
    ///   - limit: how many funders to keep (past funders always).
    ///   - threshold: the mark of a good fit.
    public static func score(_ profile: OrganizationProfile, peers: PeerComparison?, database: any OrganizationDatabase, currentYear: Int,
                             limit: Int = 25, threshold: Double = FunderModel.passThreshold) async throws -> FunderScoring {
        if isGrantmaker(profile) {
            let own = try await FunderEvidence.profile(of: profile.digits, database: database)
            return FunderScoring(threshold: threshold, candidatesConsidered: try await database.grantmakerCount(), candidatesScored: 0, passing: 0,
                                 funders: [], grantsToPeers: [], ownGiving: own,
                                 notes: ["\(profile.name) is itself a grantmaker (a private foundation), so its own giving is shown instead of a list of funders."])
        }
        let evidence = try await FunderEvidence.gather(for: profile, peers: peers, database: database)
        let pastFunders = Set(evidence.pastGrants.map(\.grantorEIN))
        // Every candidate is scored; only the funders kept get their reasons written.
        let fits = FunderFit.ranked(evidence.facts.map { FunderFit($0, applicant: profile, currentYear: currentYear, explained: false) },
                                    pastFunders: pastFunders)
        // The best, in order, among those the database has a record of (a grantor may be known only from its grants).
        let wanted = max(limit, pastFunders.count)
        // Looked up once per funder kept: an organization with thousands of past funders keeps them all.
        let factsByEIN = Dictionary(evidence.facts.map { ($0.ein, $0) }, uniquingKeysWith: { first, _ in first })
        let pastGrantsByGrantor = Dictionary(grouping: evidence.pastGrants, by: \.grantorEIN)
        var kept: [Funder] = []
        var start = 0
        while kept.count < wanted, start < fits.count {
            let batch = Array(fits[start..<min(fits.count, start + wanted - kept.count + 3)])   // a few spare: a grantor may have no record
            start += batch.count
            let details = try await FunderEvidence.details(of: batch.map(\.ein), database: database)
            for fit in batch where kept.count < wanted {
                guard let detail = details[fit.ein] else { continue }
                let explained = factsByEIN[fit.ein].map { FunderFit($0, applicant: profile, currentYear: currentYear) } ?? fit
                kept.append(funder(explained, detail, applicant: profile, threshold: threshold, pastGrants: pastGrantsByGrantor[fit.ein] ?? []))
            }
        }
        let toPeers = Array(evidence.grantsToPeers.sorted { ($0.amount, $1.grantorEIN) > ($1.amount, $0.grantorEIN) }.prefix(10))
        let grantors = try await database.organizations(withEINs: toPeers.map(\.grantorEIN))
        let grantorFilings = try await database.filings(ofAny: toPeers.map(\.grantorEIN))
        return FunderScoring(threshold: threshold, candidatesConsidered: evidence.considered, candidatesScored: fits.count,
                             passing: fits.filter { $0.score >= threshold }.count, funders: kept,
                             grantsToPeers: toPeers.map { grant in
                                 FunderEvidence.record(grant, grantor: grantors.first { $0.ein == grant.grantorEIN }?.name,
                                                       filings: grantorFilings[grant.grantorEIN] ?? [])
                             },
                             eligibility: eligibilityCaveat(profile), notes: notes(profile, fits: fits))
    }

    /// A fit as the report shows it: with the funder's record, its giving in one line, the sources of its reasons.
    static func funder(_ fit: FunderFit, _ detail: FunderEvidence.Detail, applicant: OrganizationProfile, threshold: Double,
                       pastGrants: [Grant]) -> Funder {
        let organization = detail.organization
        let filings = detail.profile.returns
        let fromReturns = filings.isEmpty ? "" : " (from " + filings.prefix(2).joined(separator: "; ")
            + (filings.count > 2 ? " and \(Plural.count(filings.count - 2, "more return"))" : "") + ")"
        let dimensions = fit.dimensions.map { dimension in
            var sourced = dimension
            if fit.fromReturns.contains(dimension.name) { sourced.explanation += fromReturns }
            if fit.fromRecord.contains(dimension.name) { sourced.explanation += " (from its IRS Business Master File record)" }
            return sourced
        }
        func record(_ grant: Grant) -> GrantRecord { FunderEvidence.record(grant, grantor: organization.name, filings: detail.filings) }
        return Funder(ein: organization.formattedEIN, name: NameCase.display(organization.name), city: organization.city.map(NameCase.display),
                      state: organization.state, nteeCode: organization.nteeCode, foundationCode: organization.foundation, assets: fit.assets,
                      score: fit.score, passes: fit.score >= threshold, dimensions: dimensions, recentGrants: detail.grants.prefix(3).map(record),
                      profileSummary: detail.profile.summary, hasGivingHistory: fit.hasGivingHistory, pastGrants: pastGrants.map(record),
                      evidence: fit.evidence, caveat: caveat(for: organization, filings: detail.filings, applicant: applicant))
    }

    /// Most private foundations give to 501(c)(3) public charities only.
    static func eligibilityCaveat(_ profile: OrganizationProfile) -> String? {
        guard profile.subsection != "03" else { return nil }
        let status = IRSCodes.subsection(profile.subsection).map { "a \($0) organization" } ?? "not known to be a 501(c)(3) public charity"
        return "Most private foundations give only to 501(c)(3) public charities; \(profile.name) is \(status), so check each funder's rules before applying."
    }

    /// What a funder of this kind requires of an applicant that is not a 501(c)(3) public charity.
    static func caveat(for funder: Organization, filings: [Filing], applicant: OrganizationProfile) -> String? {
        guard applicant.subsection != "03" else { return nil }
        let kind = IRSCodes.subsection(applicant.subsection).map { "\($0) organizations" } ?? "organizations that are not 501(c)(3) public charities"
        if funder.isPrivateFoundation || filings.contains(where: { $0.formType == "990PF" }) {
            return "A private foundation: most give only to 501(c)(3) public charities, and a grant to \(kind) needs extra oversight (expenditure responsibility); ask before applying."
        }
        return "A public charity that makes grants: check that it funds \(kind) before applying."
    }

    /// When the database holds too little giving to answer well.
    static func notes(_ profile: OrganizationProfile, fits: [FunderFit]) -> [String] {
        let nearby = fits.filter { fit in
            fit.fromReturns.contains("place") && (fit.dimensions.first { $0.name == "place" }?.score ?? 0) >= 0.4
                || fit.fromReturns.contains("cause") && (fit.dimensions.first { $0.name == "cause" }?.score ?? 0) >= 0.7
        }
        guard nearby.count < 5 else { return [] }
        let place = profile.state ?? "the organization's state"
        let cause = profile.nteeDescription?.lowercased() ?? "its cause"
        return ["Of the grantmakers whose grants the database holds, \(nearby.isEmpty ? "none gives" : "only \(nearby.count) give") mostly in \(place) or to \(cause). "
                + "The IRS e-file returns (990-PF and Schedule I) of foundations that give in \(place) would make this list more complete."]
    }
}
