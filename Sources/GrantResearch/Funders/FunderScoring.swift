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
        ["02", "03", "04"].contains(profile.foundation ?? "") || profile.filings.first?.formType == "990PF"
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
        let evidence = try await FunderEvidence.gather(for: profile, peers: peers, database: database)
        if isGrantmaker(profile) {
            let own = try await FunderEvidence.profile(of: profile.digits, database: database)
            return FunderScoring(threshold: threshold, candidatesConsidered: evidence.considered, candidatesScored: 0, passing: 0, funders: [],
                                 grantsToPeers: [], ownGiving: own,
                                 notes: ["\(profile.name) is itself a grantmaker (a private foundation), so its own giving is shown instead of a list of funders."])
        }
        var scored = evidence.candidates.map { candidate in
            score(candidate, evidence: evidence, applicant: profile, currentYear: currentYear, threshold: threshold)
        }
        scored.sort { a, b in
            if a.isPastFunder != b.isPastFunder { return a.isPastFunder }
            // Ties go to the stronger evidence (grant dollars to the cause and place), then to capacity, never to the name.
            return (a.score, a.evidence, a.assets ?? 0, b.ein) > (b.score, b.evidence, b.assets ?? 0, a.ein)
        }
        let past = scored.filter(\.isPastFunder)
        let kept = past + scored.filter { !$0.isPastFunder }.prefix(max(0, limit - past.count))
        return FunderScoring(threshold: threshold, candidatesConsidered: evidence.considered, candidatesScored: scored.count,
                             passing: scored.filter(\.passes).count, funders: Array(kept),
                             grantsToPeers: evidence.grantsToPeers.sorted { $0.amount > $1.amount }.map { evidence.record($0) },
                             eligibility: eligibilityCaveat(profile), notes: notes(profile, evidence: evidence, scored: scored))
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
        if ["02", "03", "04"].contains(funder.foundation ?? "") || filings.contains(where: { $0.formType == "990PF" }) {
            return "A private foundation: most give only to 501(c)(3) public charities, and a grant to \(kind) needs extra oversight (expenditure responsibility); ask before applying."
        }
        return "A public charity that makes grants: check that it funds \(kind) before applying."
    }

    /// When the database holds too little giving to answer well.
    static func notes(_ profile: OrganizationProfile, evidence: FunderEvidence, scored: [Funder]) -> [String] {
        let withGiving = scored.filter(\.hasGivingHistory)
        let nearby = withGiving.filter { funder in
            (funder.dimensions.first { $0.name == "place" }?.score ?? 0) >= 0.4 || (funder.dimensions.first { $0.name == "cause" }?.score ?? 0) >= 0.7
        }
        guard nearby.count < 5 else { return [] }
        let place = profile.state ?? "the organization's state"
        let cause = profile.nteeDescription?.lowercased() ?? "its cause"
        return ["The database holds the grant records of \(Plural.count(withGiving.count, "grantmaker")); \(nearby.isEmpty ? "none gives" : "only \(nearby.count) give") in \(place) or to \(cause). "
                + "The IRS e-file returns (990-PF and Schedule I) of foundations that give in \(place) would make this list more complete."]
    }

    /// One candidate's fit.
    static func score(_ candidate: Organization, evidence: FunderEvidence, applicant: OrganizationProfile, currentYear: Int,
                      threshold: Double) -> Funder {
        let grants = evidence.grants[candidate.ein] ?? []
        let filings = evidence.filings[candidate.ein] ?? []
        let profile = FunderProfile(funder: candidate, grants: grants, filings: filings, recipients: evidence.recipients)
        var scores: [String: (Double, String)] = [:]
        let prior = FunderModel.priorWeight
        let state = applicant.state
        let region = FunderModel.region(state)
        func dollars(_ grant: Grant) -> Double { Double(max(0, grant.amount)) }
        func recipientState(_ grant: Grant) -> String? { grant.recipientState ?? evidence.recipients.organization(for: grant)?.0.state }
        // Every reason names where it comes from: the returns listing the grants, or the BMF row.
        let returns = Array(Set(grants.map { evidence.record($0).source ?? "" }.filter { !$0.isEmpty })).sorted()
        let fromGrants = returns.isEmpty ? "" : " (from " + returns.prefix(2).joined(separator: "; ")
            + (returns.count > 2 ? " and \(Plural.count(returns.count - 2, "more return"))" : "") + ")"
        let fromBMF = " (from its IRS Business Master File record)"

        // Cause: the share of its dollars, with a known recipient cause, that went to the applicant's cause or one near it.
        if let code = applicant.nteeCode, !code.isEmpty {
            let known = grants.compactMap { grant in evidence.recipients.organization(for: grant).map { (grant, $0.0.nteeCode) } }
            let knownDollars = known.reduce(0) { $0 + dollars($1.0) }
            if knownDollars > 0 {
                let close = known.reduce(0) { $0 + dollars($1.0) * FunderModel.closeness($1.1, to: code) }
                scores["cause"] = (close / knownDollars, "\(Money.percent(close / knownDollars, digits: 0)) of its grant dollars with a known recipient cause went to \(applicant.nteeDescription?.lowercased() ?? code) or a cause near it" + fromGrants)
            } else if !grants.isEmpty {
                scores["cause"] = (0.3, "the causes of its \(Plural.count(grants.count, "recipient")) are not on record" + fromGrants)
            } else {
                let fit = FunderModel.closeness(candidate.nteeCode, to: code)
                scores["cause"] = (fit * prior, "no giving history on record; its own NTEE code" + (candidate.nteeCode.map { " \($0)" } ?? " (none)")
                                   + (fit > 0 ? " is near the organization's \(code)" : " says nothing of \(code)") + fromBMF)
            }
        } else {
            scores["cause"] = (0.3, "the organization has no NTEE code, so causes cannot be compared")
        }

        // Place: where its dollars went.
        let placed = grants.compactMap { grant in recipientState(grant).map { (grant, $0) } }
        let placedDollars = placed.reduce(0) { $0 + dollars($1.0) }
        if placedDollars > 0, let state {
            let inState = placed.filter { $0.1 == state }.reduce(0) { $0 + dollars($1.0) } / placedDollars
            let inRegion = placed.filter { $0.1 != state && FunderModel.region($0.1) == region }.reduce(0) { $0 + dollars($1.0) } / placedDollars
            let main = Dictionary(grouping: placed, by: \.1).mapValues { $0.reduce(0) { $0 + dollars($1.0) } }.max { $0.value < $1.value }?.key
            scores["place"] = (min(1, inState + 0.4 * inRegion), "\(Money.percent(inState, digits: 0)) of its grant dollars went to \(state)"
                               + (inRegion > 0 ? " and \(Money.percent(inRegion, digits: 0)) elsewhere in \(region ?? "the region")" : "")
                               + (inState + inRegion < 0.05 ? "; it gives in \(main ?? "other states"), so its fit is discounted" : "") + fromGrants)
        } else if grants.isEmpty, let state {
            let same = candidate.state == state
            let near = !same && FunderModel.region(candidate.state) == region
            scores["place"] = ((same ? 0.8 : near ? 0.4 : 0.1) * prior,
                               "no giving history on record; based in \(candidate.state ?? "an unknown state")"
                               + (same ? ", the organization's state" : near ? ", in its region"
                                  : candidate.state == nil ? "" : "; its fit is discounted, as most foundations give near home") + fromBMF)
        } else {
            scores["place"] = (0.3, state == nil ? "the organization's state is unknown" : "its recipients' places are not on record")
        }

        // Grant size: a typical grant against the applicant's revenue.
        let revenue = applicant.sizeRevenue ?? 0
        if let median = profile.medianGrant, revenue > 0 {
            let ratio = Double(median) / Double(revenue)
            scores["grant_size"] = (FunderModel.sizeFit(grantToRevenue: ratio),
                                    "its median grant of \(Money.full(median)) is \(ratio < 0.001 ? "less than 0.1%" : Money.percent(ratio)) of the organization's revenue"
                                    + fromGrants)
        } else if let assets = profile.assets, assets > 0, revenue > 0 {
            let estimate = Double(assets) * 0.05 / 10
            scores["grant_size"] = (FunderModel.sizeFit(grantToRevenue: estimate / Double(revenue)) * prior,
                                    "no grant list on record; a grant estimated at \(Money.short(Int(estimate))) (5% of assets over ten grants)")
        } else {
            scores["grant_size"] = (0.3, revenue > 0 ? "no grants or assets on record to size a typical grant" : "the organization's revenue is unknown")
        }

        // Peers: grants to the applicant's peers, else to organizations like it.
        let toPeers = grants.filter(evidence.isToPeer)
        let alike = grants.filter { grant in
            guard let code = applicant.nteeCode, let organization = evidence.recipients.organization(for: grant)?.0 else { return false }
            return FunderModel.closeness(organization.nteeCode, to: code) >= 0.85
        }
        if !toPeers.isEmpty {
            scores["peers"] = (1, "gave to \(Plural.count(Set(toPeers.map(\.recipientName)).count, "of its peers", "of its peers")): "
                               + ListText.joined(Array(Set(toPeers.map { NameCase.display($0.recipientName) })).sorted().prefix(3).map { $0 }) + fromGrants)
        } else if !alike.isEmpty {
            let nearby = alike.contains { recipientState($0) == state }
            scores["peers"] = (nearby ? 0.7 : 0.4, "gave to \(Plural.count(alike.count, "organization")) of the same cause" + (nearby ? " in \(state ?? "its state")" : "") + fromGrants)
        } else {
            scores["peers"] = (0, grants.isEmpty ? "no grants on record" : "no grants to its peers or to organizations like it on record")
        }

        // Recency: the latest giving on record.
        let latestGrant = grants.map(\.taxYear).max()
        let latestPaid = filings.filter { ($0.grantsPaid ?? 0) > 0 }.map(\.taxYear).max()
        if let latest = [latestGrant, latestPaid].compactMap({ $0 }).max() {
            let source = filings.first { $0.taxYear == latest }.map { " (from " + FunderProfile.returnName($0) + ")" } ?? fromGrants
            scores["recency"] = (FunderModel.recency(years: currentYear - latest), "latest giving on record in FY\(latest)" + source)
        } else if let period = FiscalYear(taxPeriod: candidate.taxPeriod) {
            scores["recency"] = (FunderModel.recency(years: currentYear - period.year) * prior, "no giving on record; latest return \(period.label)" + fromBMF)
        } else {
            scores["recency"] = (0.05, "no return on record")
        }

        // Openness: new grantees in its latest year.
        if let latest = profile.byYear.first, let share = latest.firstTimeShare {
            scores["openness"] = (share, "\(Money.percent(share, digits: 0)) of its \(latest.fiscalYear) recipients were new to it" + fromGrants)
        } else {
            scores["openness"] = (grants.isEmpty ? 0 : 0.5, grants.isEmpty ? "no grants on record" : "only one year of grants on record")
        }

        scores["capacity"] = (FunderModel.capacity(assets: profile.assets), profile.assets.map { "assets of \(Money.short($0))" } ?? "assets unknown")

        let dimensions = FunderModel.weights.map { dimension in
            let (score, explanation) = scores[dimension.name] ?? (0, "not assessed")
            return Dimension(name: dimension.name, weight: dimension.weight, score: (score * 100).rounded() / 100, explanation: explanation)
        }
        // A funder whose giving on record all went far from the applicant (another region) fits it little, however it gives;
        // without giving on record, a foundation based in another region is presumed to give there (most give near home).
        let basedElsewhere = grants.isEmpty && state != nil && candidate.state != nil && candidate.state != state
            && FunderModel.region(candidate.state) != region
        let givesElsewhere = (placedDollars > 0 && (scores["place"]?.0 ?? 0) < 0.05) || basedElsewhere
        let focus = givesElsewhere ? FunderModel.elsewhereFactor : 1
        let total = (dimensions.reduce(0) { $0 + $1.score * $1.weight } * focus * 1000).rounded() / 1000
        let weightOfEvidence = grants.reduce(0.0) { sum, grant in
            let closeness = applicant.nteeCode.map { FunderModel.closeness(evidence.recipients.organization(for: grant)?.0.nteeCode, to: $0) } ?? 0
            let here = recipientState(grant) == state ? 1 : FunderModel.region(recipientState(grant)) == region ? 0.4 : 0.1
            return sum + dollars(grant) * max(closeness, 0.1) * here
        }
        let past = evidence.pastGrants.filter { $0.grantorEIN == candidate.ein }
        return Funder(ein: candidate.formattedEIN, name: NameCase.display(candidate.name), city: candidate.city.map(NameCase.display), state: candidate.state,
                      nteeCode: candidate.nteeCode, foundationCode: candidate.foundation, assets: profile.assets, score: total,
                      passes: total >= threshold, dimensions: dimensions, recentGrants: grants.prefix(3).map { evidence.record($0) },
                      profileSummary: profile.summary, hasGivingHistory: profile.hasGivingHistory, pastGrants: past.map { evidence.record($0) },
                      evidence: weightOfEvidence.rounded(), caveat: caveat(for: candidate, filings: filings, applicant: applicant))
    }
}

/// What the database says about the grantmakers an applicant might approach: the candidates, their
/// grants and filings, their recipients' records, and the grants to the applicant and its peers.
struct FunderEvidence {
    var candidates: [Organization]
    var considered: Int
    var grants: [String: [Grant]]
    var filings: [String: [Filing]]
    var recipients: FunderProfile.RecipientCauses
    var names: [String: String]
    var pastGrants: [Grant]
    var grantsToPeers: [Grant]
    var peerEINs: Set<String>
    var peerNames: Set<String>

    /// How many recipient names are looked up by name for their cause (the rest stay unknown): bounds the work per analysis.
    static let nameLookups = 60

    func isToPeer(_ grant: Grant) -> Bool {
        grant.recipientEIN.map(peerEINs.contains) ?? false || peerNames.contains(grant.recipientName.uppercased())
    }

    /// A grant with its grantor's name and the return it comes from.
    func record(_ grant: Grant) -> FunderScoring.GrantRecord {
        let source = filings[grant.grantorEIN]?.first { $0.taxYear == grant.taxYear }.map(FunderProfile.returnName)
            ?? (grant.source == "schedule_i" ? "Schedule I, FY\(grant.taxYear)" : "Form 990-PF, FY\(grant.taxYear)")
        return FunderScoring.GrantRecord(grantorEIN: EIN(trusted: grant.grantorEIN).formatted, grantorName: names[grant.grantorEIN].map(NameCase.display),
                                         recipient: NameCase.display(grant.recipientName), recipientState: grant.recipientState, amount: grant.amount,
                                         taxYear: grant.taxYear, purpose: grant.purpose, source: source)
    }

    static func gather(for profile: OrganizationProfile, peers: PeerComparison?, database: any OrganizationDatabase) async throws -> FunderEvidence {
        let related = profile.nteeMajor.flatMap(NTEE.superGroup).map { group in NTEE.majorGroups.keys.filter { NTEE.superGroup($0) == group }.sorted() }
        let candidates = try await database.grantmakers(nteeMajors: related ?? [], state: profile.state).filter { $0.ein != profile.digits }
        let considered = try await database.grantmakerCount()
        let grantors = try await database.grantorEINs()
        let grants = try await database.grants(madeByAny: candidates.map(\.ein).filter(grantors.contains))
        let filings = try await database.filings(ofAny: candidates.map(\.ein))
        let allGrants = Array(grants.values.joined())
        let recipients = try await recipientCauses(of: allGrants, database: database)
        var names: [String: String] = [:]
        for candidate in candidates { names[candidate.ein] = candidate.name }
        let applicantNames = [profile.name, profile.name.uppercased()].filter { !$0.isEmpty }
        let byEINReceived = try await database.grants(receivedBy: EIN(trusted: profile.digits))
        let byNameReceived = try await database.grants(toRecipientsNamed: applicantNames).filter { $0.recipientState == nil || $0.recipientState == profile.state }
        let peerEINs = Set((peers?.peers ?? []).map { $0.ein.filter(\.isNumber) })
        let peerNames = Set((peers?.peers ?? []).map { $0.name.uppercased() })
        var evidence = FunderEvidence(candidates: candidates, considered: considered, grants: grants, filings: filings,
                                      recipients: recipients, names: names,
                                      pastGrants: byEINReceived + byNameReceived, grantsToPeers: [], peerEINs: peerEINs, peerNames: peerNames)
        evidence.grantsToPeers = allGrants.filter(evidence.isToPeer)
        // A past funder not among the candidates (its record says nothing of grantmaking) is a grantmaker all the same.
        let missing = Set(evidence.pastGrants.map(\.grantorEIN)).subtracting(candidates.map(\.ein))
        if !missing.isEmpty {
            let more = try await database.organizations(withEINs: Array(missing))
            evidence.candidates += more
            for organization in more { evidence.names[organization.ein] = organization.name }
            for (ein, list) in try await database.grants(madeByAny: Array(missing)) { evidence.grants[ein] = list }
            for (ein, list) in try await database.filings(ofAny: Array(missing)) { evidence.filings[ein] = list }
        }
        return evidence
    }

    /// The giving profile of one grantmaker, with its recipients looked up.
    static func profile(of ein: String, database: any OrganizationDatabase) async throws -> FunderProfile? {
        guard let funder = try await database.organization(EIN(trusted: ein)) else { return nil }
        let grants = try await database.grants(madeBy: EIN(trusted: ein))
        let filings = try await database.filings(EIN(trusted: ein))
        return FunderProfile(funder: funder, grants: grants, filings: filings, recipients: try await recipientCauses(of: grants, database: database))
    }

    /// The organization records of the grants' recipients: by EIN, and by exact name as a fallback
    /// (the largest unknown recipients first, a bounded number of look-ups).
    static func recipientCauses(of grants: [Grant], database: any OrganizationDatabase) async throws -> FunderProfile.RecipientCauses {
        var byEIN: [String: Organization] = [:]
        for organization in try await database.organizations(withEINs: Array(Set(grants.compactMap(\.recipientEIN)))) { byEIN[organization.ein] = organization }
        var totals: [String: Int] = [:]
        for grant in grants where grant.recipientEIN == nil && grant.recipientKind == "organization" { totals[grant.recipientName.uppercased(), default: 0] += grant.amount }
        var byName: [String: [Organization]] = [:]
        for name in totals.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(nameLookups).map(\.key) {
            let matches = try await database.search(OrganizationSearch(text: name, limit: 10)).filter { $0.name.uppercased() == name }
            if !matches.isEmpty { byName[name] = matches }
        }
        return .init(byEIN: byEIN, byName: byName)
    }
}

extension FunderProfile {
    /// The giving profile of the grantmaker with this EIN, from the database; nil when the EIN is unknown.
    public static func load(_ ein: EIN, database: any OrganizationDatabase) async throws -> FunderProfile? {
        try await FunderEvidence.profile(of: ein.digits, database: database)
    }
}
