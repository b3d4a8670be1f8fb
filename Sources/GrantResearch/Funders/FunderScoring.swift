import Foundation
import Nonprofit

/// Candidate funders for an organization, each scored with the 990-PF composite and every
/// dimension explained; and the grants on record that went to its peers.
public struct FunderScoring: Sendable, Hashable, Codable {
    public struct Dimension: Sendable, Hashable, Codable {
        public var name: String
        public var weight: Double
        public var score: Double
        public var explanation: String
    }

    public struct GrantRecord: Sendable, Hashable, Codable {
        public var grantorEIN: String
        public var grantorName: String?
        public var recipient: String
        public var recipientState: String?
        public var amount: Int
        public var taxYear: Int
        public var purpose: String?

        enum CodingKeys: String, CodingKey {
            case grantorEIN = "grantor_ein", grantorName = "grantor_name", recipient, recipientState = "recipient_state", amount
            case taxYear = "tax_year", purpose
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

        enum CodingKeys: String, CodingKey {
            case ein, name, city, state, nteeCode = "ntee_code", foundationCode = "foundation_code", assets, score, passes, dimensions
            case recentGrants = "recent_grants"
        }
    }

    public var threshold: Double
    /// Every candidate funder in the database.
    public var candidatesConsidered: Int
    /// Those that could reach the threshold and were scored (see `FunderModel.ceilingWithoutCauseOrPlace`).
    public var candidatesScored: Int
    public var passing: Int
    /// The best-scoring funders, best first.
    public var funders: [Funder]
    public var grantsToPeers: [GrantRecord]

    enum CodingKeys: String, CodingKey {
        case threshold, candidatesConsidered = "candidates_considered", candidatesScored = "candidates_scored", passing, funders, grantsToPeers = "grants_to_peers"
    }

    /// Scores every candidate funder in the database for the organization.
    /// - Parameters:
    ///   - profile: the applicant.
    ///   - peers: its peers (grants to them are evidence of fit).
    ///   - database: candidates, their grants.
    ///   - currentYear: for filing recency.
    ///   - limit: how many of the best funders to keep.
    ///   - threshold: the pass mark.
    public static func score(_ profile: OrganizationProfile, peers: PeerComparison?, database: any OrganizationDatabase, currentYear: Int,
                             limit: Int = 25, threshold: Double = FunderModel.passThreshold) async throws -> FunderScoring {
        let screen = threshold > FunderModel.ceilingWithoutCauseOrPlace
        let related = profile.nteeMajor.flatMap(NTEE.superGroup).map { group in NTEE.majorGroups.keys.filter { NTEE.superGroup($0) == group } }
        let candidates = try await database.candidateFunders(nteeMajors: screen ? (related ?? []) : nil, state: profile.state)
            .filter { $0.ein != profile.digits }
        let considered = try await database.candidateFunderCount()
        let grantors = try await database.grantorEINs()
        let grants = try await database.grants(madeByAny: candidates.map(\.ein).filter(grantors.contains))
        let peerEINs = Set((peers?.peers ?? []).map { $0.ein.filter(\.isNumber) })
        let peerNames = Set((peers?.peers ?? []).map { $0.name.uppercased() })
        var names: [String: String] = [:]
        for candidate in candidates { names[candidate.ein] = candidate.name }
        func record(_ grant: Grant) -> GrantRecord {
            GrantRecord(grantorEIN: EIN(trusted: grant.grantorEIN).formatted, grantorName: names[grant.grantorEIN], recipient: grant.recipientName,
                        recipientState: grant.recipientState, amount: grant.amount, taxYear: grant.taxYear, purpose: grant.purpose)
        }
        let toPeers = grants.values.joined().filter { grant in
            grant.recipientEIN.map(peerEINs.contains) ?? false || peerNames.contains(grant.recipientName.uppercased())
        }
        var scored = candidates.map { candidate in
            let funderGrants = grants[candidate.ein] ?? []
            let dimensions = Self.dimensions(candidate, grants: funderGrants, applicant: profile, peerEINs: peerEINs, peerNames: peerNames,
                                             currentYear: currentYear)
            let score = (dimensions.reduce(0) { $0 + $1.score * $1.weight } * 1000).rounded() / 1000
            return Funder(ein: candidate.formattedEIN, name: candidate.name, city: candidate.city, state: candidate.state,
                          nteeCode: candidate.nteeCode, foundationCode: candidate.foundation, assets: candidate.assets, score: score,
                          passes: score >= threshold, dimensions: dimensions, recentGrants: funderGrants.prefix(3).map(record))
        }
        scored.sort { ($0.score, $1.name) > ($1.score, $0.name) }
        return FunderScoring(threshold: threshold, candidatesConsidered: considered, candidatesScored: scored.count, passing: scored.filter(\.passes).count,
                             funders: Array(scored.prefix(limit)), grantsToPeers: toPeers.sorted { $0.amount > $1.amount }.map(record))
    }

    /// The eight dimensions of one candidate.
    static func dimensions(_ funder: Organization, grants: [Grant], applicant: OrganizationProfile, peerEINs: Set<String>,
                           peerNames: Set<String>, currentYear: Int) -> [Dimension] {
        var scores: [String: (Double, String)] = [:]
        scores["ntee"] = causeFit(funder: funder.nteeCode, applicant: applicant.nteeCode)

        let state = applicant.state ?? "?"
        let organizationGrants = grants.filter { $0.recipientKind == "organization" }
        if !grants.isEmpty {
            let total = grants.reduce(0) { $0 + max(0, $1.amount) }
            let inState = grants.filter { $0.recipientState == applicant.state }.reduce(0) { $0 + max(0, $1.amount) }
            let share = total > 0 ? Double(inState) / Double(total) : 0
            scores["geography"] = (0.2 + 0.8 * share, "\(Money.percent(share, digits: 0)) of its \(grants.count) grants on record went to \(state)")
        } else if let funderState = funder.state, funderState == applicant.state {
            scores["geography"] = (funder.city == applicant.city && funder.city != nil ? 1 : 0.9,
                                   "based in \(funder.city.map { "\($0), " } ?? "")\(funderState), the organization's state")
        } else if let funderState = funder.state {
            scores["geography"] = (0.15, "based in \(funderState); the organization is in \(state) and no grants show giving there")
        } else {
            scores["geography"] = (0.3, "the funder's state is unknown")
        }

        if grants.isEmpty {
            scores["recipient_coherence"] = (0.5, "no grants on record to compare recipients with")
        } else {
            let organizationShare = Double(organizationGrants.count) / Double(grants.count)
            let toPeers = grants.filter { grant in grant.recipientEIN.map(peerEINs.contains) ?? false || peerNames.contains(grant.recipientName.uppercased()) }
            scores["recipient_coherence"] = (0.6 * organizationShare + (toPeers.isEmpty ? 0 : 0.4),
                                             "\(Money.percent(organizationShare, digits: 0)) of its grants went to organizations"
                                             + (toPeers.isEmpty ? "; none to the organization's peers" : "; \(toPeers.count) to its peers"))
        }

        scores["financial_capacity"] = (FunderModel.capacity(assets: funder.assets),
                                        funder.assets.map { "assets of \(Money.short($0))" } ?? "assets unknown")

        let typical: (amount: Double, basis: String)?
        let amounts = organizationGrants.map { Double($0.amount) }.filter { $0 > 0 }
        if !amounts.isEmpty {
            typical = (PeerComparison.median(amounts), "median grant")
        } else if let assets = funder.assets, assets > 0 {
            typical = (Double(assets) * 0.05 / 10, "estimated grant (5% payout over ten grants)")
        } else {
            typical = nil
        }
        if let typical, let revenue = applicant.sizeRevenue, revenue > 0 {
            let ratio = typical.amount / Double(revenue)
            scores["grant_size_fit"] = (FunderModel.sizeFit(grantToRevenue: ratio),
                                        "\(typical.basis) \(Money.short(Int(typical.amount))) is \(Money.percent(ratio)) of the organization's revenue")
        } else {
            scores["grant_size_fit"] = (0.5, typical == nil ? "no grants or assets to size a typical grant" : "the organization's revenue is unknown")
        }

        switch funder.foundation {
        case "02", "03": scores["application_policy"] = (0.3, "an operating foundation: it mostly runs its own programs")
        case "04": scores["application_policy"] = (0.5, "no 990-PF application policy on record (check whether it accepts unsolicited requests)")
        default: scores["application_policy"] = (0.7, "a public charity that makes grants (Schedule I)")
        }

        let lastYear = max(grants.map(\.taxYear).max() ?? 0, funder.taxPeriod.flatMap { Int($0.prefix(4)) } ?? 0)
        scores["filing_recency"] = lastYear > 0
            ? (FunderModel.recency(years: currentYear - lastYear), "latest return on record for \(lastYear)")
            : (0.1, "no return on record")

        switch funder.foundation {
        case "04": scores["foundation_type"] = (1, "private non-operating foundation: grantmaking is its purpose")
        case "03": scores["foundation_type"] = (0.4, "private operating foundation")
        case "02": scores["foundation_type"] = (0.3, "private operating foundation exempt from excise tax")
        default: scores["foundation_type"] = (0.6, "public charity with grants on record")
        }
        return FunderModel.weights.map { dimension in
            let (score, explanation) = scores[dimension.name] ?? (0, "not assessed")
            return Dimension(name: dimension.name, weight: dimension.weight, score: (score * 100).rounded() / 100, explanation: explanation)
        }
    }

    /// How the funder's NTEE code fits the applicant's: same code 1.0, same three characters 0.85,
    /// same major group 0.7, same super-group 0.45, a general grantmaker 0.35, else 0.1.
    static func causeFit(funder: String?, applicant: String?) -> (Double, String) {
        guard let applicant, !applicant.isEmpty else { return (0.3, "the organization has no NTEE code") }
        guard let funder, !funder.isEmpty else { return (0.35, "the funder has no NTEE code: its focus is unknown") }
        if funder == applicant { return (1, "same NTEE code \(funder)") }
        if funder.prefix(3) == applicant.prefix(3) { return (0.85, "same NTEE code family \(funder.prefix(3))") }
        let major = String(applicant.prefix(1))
        let name = NTEE.majorGroups[major] ?? major
        if funder.prefix(1) == applicant.prefix(1) { return (0.7, "same NTEE group (\(name))") }
        if FunderModel.generalGrantmakerCodes.contains(String(funder.prefix(2))) {
            return (0.35, "a general grantmaker (\(funder)): its causes are not in its code")
        }
        if let a = NTEE.superGroup(String(funder.prefix(1))), a == NTEE.superGroup(major) {
            return (0.45, "related cause: \(NTEE.majorGroups[String(funder.prefix(1))] ?? funder) (\(funder))")
        }
        return (0.1, "funds \(NTEE.majorGroups[String(funder.prefix(1))] ?? funder) (\(funder)), not \(name)")
    }
}
