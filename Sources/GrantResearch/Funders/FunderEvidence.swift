import Foundation
import Nonprofit

/// What the database says about the grantmakers an applicant might approach: the giving of every
/// grantor that gave in its state or to its cause family in its region (wider when those are few;
/// from the giving summaries, one row each); the grantmakers with no grant list near it; the grants to
/// it and to its peers. Then, for the funders kept, their records and giving profiles.
struct FunderEvidence {
    var facts: [FunderFacts]
    var considered: Int
    var pastGrants: [Grant]
    var grantsToPeers: [Grant]

    /// How many grantmakers with no grant list are scored (nearest first, then the largest): they
    /// can only fill the list, never fit well, so a bounded number is enough.
    static let withoutGrantsLimit = 100

    /// Fewer grantors than this near the applicant (in its state, or giving to its cause family in its
    /// region), and those giving to its cause family anywhere and to its major group in its region are
    /// scored too: they cannot fit well (their giving is elsewhere) but fill a thin list.
    static let enoughNearby = 100

    static func gather(for profile: OrganizationProfile, peers: PeerComparison?, database: any OrganizationDatabase) async throws -> FunderEvidence {
        let code = profile.nteeCode.flatMap { $0.isEmpty ? nil : $0 }
        let region = FunderModel.region(profile.state)
        let regionStates = FunderModel.regions.first { $0.0 == region }?.1.filter { $0 != profile.state }.sorted() ?? []
        // A past funder gave to the organization: by its EIN, or by its exact name in its state.
        let names = [profile.name].filter { !$0.isEmpty }
        let peerList = peers?.peers ?? []
        let related = code.map(FunderModel.relatedMajors) ?? []
        // The reads that do not depend on each other run side by side.
        async let past = database.grants(toRecipients: [profile.digits], named: names)
        async let toPeers = database.grants(toRecipients: peerList.map { $0.ein.filter(\.isNumber) }, named: peerList.map(\.name))
        async let unlisted = withoutGrantList(near: profile, region: regionStates, majors: related, database: database)
        async let considered = database.grantmakerCount()
        let pastGrants = try await past.filter { $0.recipientEIN != nil || $0.recipientState == nil || $0.recipientState == profile.state }
        let grantsToPeers = try await toPeers
        var query = GivingQuery(
            state: profile.state, region: regionStates, regionWeight: FunderModel.regionShare, elsewhereWeight: FunderModel.evidenceFloor,
            causes: code.map(FunderModel.causeLevels) ?? [], causeFloor: FunderModel.evidenceFloor,
            major: code.map { String($0.prefix(1)) }, family: code.map { String($0.prefix(3)) },
            including: Array(Set((pastGrants + grantsToPeers).map(\.grantorEIN))).sorted())
        var giving = try await database.givingEvidence(query)
        if giving.count < enoughNearby {
            query.reach = .wide
            giving = try await database.givingEvidence(query)
        }
        let (withoutGrants, filings) = try await unlisted
        let peersByGrantor = Dictionary(grouping: grantsToPeers, by: \.grantorEIN).mapValues { $0.map { NameCase.display($0.recipientName) } }
        var facts = giving.filter { $0.grantorEIN != profile.digits }.map { evidence in
            FunderFacts(ein: evidence.grantorEIN, giving: evidence, peersFunded: peersByGrantor[evidence.grantorEIN] ?? [])
        }
        for organization in withoutGrants where organization.ein != profile.digits {
            let own = filings[organization.ein] ?? []
            let paid = own.first { ($0.grantsPaid ?? 0) > 0 }.map { (year: $0.taxYear, total: $0.grantsPaid ?? 0) }
            facts.append(FunderFacts(ein: organization.ein, state: organization.state, nteeCode: organization.nteeCode, taxPeriod: organization.taxPeriod,
                                     assets: organization.assets ?? own.first?.totalAssets, grantsPaid: paid))
        }
        return FunderEvidence(facts: facts, considered: try await considered, pastGrants: pastGrants, grantsToPeers: grantsToPeers)
    }

    /// The grantmakers with no grant list near the applicant, and their filings.
    static func withoutGrantList(near profile: OrganizationProfile, region: [String], majors: [String],
                                 database: any OrganizationDatabase) async throws -> ([Organization], [String: [Filing]]) {
        let organizations = try await database.grantmakersWithoutGrants(state: profile.state, region: region, majors: majors, limit: withoutGrantsLimit)
        return (organizations, try await database.filings(ofAny: organizations.map(\.ein)))
    }

    /// A funder kept: its record, grants (latest and largest first), filings and giving profile.
    struct Detail {
        var organization: Organization
        var grants: [Grant]
        var filings: [Filing]
        var profile: FunderProfile
    }

    /// The details of the funders kept, keyed by EIN (those the database knows).
    static func details(of eins: [String], database: any OrganizationDatabase) async throws -> [String: Detail] {
        let organizations = try await database.organizations(withEINs: eins)
        let grants = try await database.grants(madeByAny: eins)
        let filings = try await database.filings(ofAny: eins)
        let recipients = try await recipientCauses(of: Array(grants.values.joined()), database: database)
        var details: [String: Detail] = [:]
        for organization in organizations {
            let (own, returns) = (grants[organization.ein] ?? [], filings[organization.ein] ?? [])
            details[organization.ein] = Detail(organization: organization, grants: own, filings: returns,
                                               profile: FunderProfile(funder: organization, grants: own, filings: returns, recipients: recipients))
        }
        return details
    }

    /// The giving profile of one grantmaker.
    static func profile(of ein: String, database: any OrganizationDatabase) async throws -> FunderProfile? {
        try await details(of: [ein], database: database)[ein]?.profile
    }

    /// The organization records of grants' recipients: by EIN, and by exact name for those named without one
    /// (`FunderProfile.RecipientCauses` decides which name matches count).
    static func recipientCauses(of grants: [Grant], database: any OrganizationDatabase) async throws -> FunderProfile.RecipientCauses {
        var byEIN: [String: Organization] = [:]
        for organization in try await database.organizations(withEINs: Array(Set(grants.compactMap(\.recipientEIN)))) { byEIN[organization.ein] = organization }
        let names = Set(grants.filter { $0.recipientEIN == nil && $0.recipientKind == "organization" }.map { $0.recipientName.uppercased() })
        let byName = Dictionary(grouping: try await database.organizations(named: Array(names)), by: { $0.name.uppercased() })
        return .init(byEIN: byEIN, byName: byName)
    }

    /// A grant with its grantor's name and the return it comes from.
    static func record(_ grant: Grant, grantor: String?, filings: [Filing]) -> FunderScoring.GrantRecord {
        let source = filings.first { $0.ein == grant.grantorEIN && $0.taxYear == grant.taxYear }.map(FunderProfile.returnName)
            ?? (grant.source == "schedule_i" ? "Schedule I, FY\(grant.taxYear)" : "Form 990-PF, FY\(grant.taxYear)")
        return FunderScoring.GrantRecord(grantorEIN: EIN(trusted: grant.grantorEIN).formatted, grantorName: grantor.map(NameCase.display),
                                         recipient: NameCase.display(grant.recipientName), recipientState: grant.recipientState, amount: grant.amount,
                                         taxYear: grant.taxYear, purpose: grant.purpose, source: source)
    }
}

extension FunderProfile {
    /// The giving profile of the grantmaker with this EIN, from the database; nil when the EIN is unknown.
    public static func load(_ ein: EIN, database: any OrganizationDatabase) async throws -> FunderProfile? {
        try await FunderEvidence.profile(of: ein.digits, database: database)
    }
}
