import Foundation
import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Funders and peers")
struct FunderScoringTests {
    @Test func weightsSumToOneAndClosenessStepsDown() {
        #expect(abs(FunderModel.weights.reduce(0) { $0 + $1.weight } - 1) < 1e-12)
        #expect(FunderModel.closeness("E31", to: "E31") == 1)
        #expect(FunderModel.closeness("E310", to: "E31") == 0.85)
        #expect(FunderModel.closeness("E20", to: "E31") == 0.7)
        #expect(FunderModel.closeness("G30", to: "E31") == 0.4)   // health super-group
        #expect(FunderModel.closeness("B20", to: "E31") == 0)
        #expect(FunderModel.region("VA") == "the South" && FunderModel.region("CO") == "the West")
    }

    /// A database with the real returns of `data/irs990_xml` and a few organizations known from elsewhere.
    static func database(with organizations: [Organization] = []) async throws -> SQLiteOrganizationDatabase {
        let database = try Fixture.database()
        _ = try await Form990Importer(database: database).importPaths([Fixture.root.appendingPathComponent("data/irs990_xml").path])
        if !organizations.isEmpty { try await Fixture.insert(database, organizations: organizations) }
        return database
    }

    @Test func theRealFoundationReturnGivesItsGivingProfile() async throws {
        let database = try await Self.database()
        let profile = try #require(try await FunderProfile.load(EIN("141833603"), database: database))
        #expect(profile.grantCount == 16)
        #expect(profile.totalGiven == 53_374)
        #expect(profile.byYear.map(\.fiscalYear) == ["FY2013"])
        #expect(profile.medianGrant == 1_000 && profile.smallestGrant == 150 && profile.largestGrant == 16_000)
        #expect(profile.topRecipients.first?.name == "Elton John AIDS Foundation" && profile.topRecipients.first?.total == 16_000)
        #expect(profile.places.first?.label == "NY")
        #expect(abs((profile.places.first?.share ?? 0) - 40_374.0 / 53_374) < 0.01)
        #expect(profile.kind == "private non-operating foundation")
        #expect(profile.returns == ["Form 990-PF FY2013, e-file 201401439349100200"])
        #expect(abs((profile.payoutRatio ?? 0) - 75_191.0 / 1_212_306) < 1e-9)
        #expect(profile.summary.hasPrefix("16 grants on record, $53,374 in FY2013; median $1,000"))
    }

    /// A recipient of a real grant, given its organization row, finds the grantor first, as a past funder, with the grant and its return.
    @Test func aRecipientOfARealGrantListsItsGrantorAsPastFunder() async throws {
        let rockies = Fixture.organization("043730045", "MEDICAL CENTER OF THE ROCKIES", state: "CO", ntee: "E22", revenue: 400_000_000)
        let bardavon = Fixture.organization("141111111", "BARDAVON 1869 OPERAHOUSE", state: "NY", ntee: "A61", revenue: 3_000_000)
        let database = try await Self.database(with: [rockies, bardavon])
        let byEIN = try await FunderScoring.score(OrganizationProfile(rockies, filings: []), peers: nil, database: database, currentYear: 2026)
        let first = try #require(byEIN.funders.first)
        #expect(first.ein == "74-1894581" && first.isPastFunder)
        #expect(first.pastGrants.map(\.amount) == [6_117])
        #expect(first.pastGrants.first?.source == "Form 990 FY2024, e-file 202403589349300950")
        // Known by name only (a 990-PF's grant has no recipient EIN), in the recipient's state.
        let byName = try await FunderScoring.score(OrganizationProfile(bardavon, filings: []), peers: nil, database: database, currentYear: 2026)
        #expect(byName.funders.first?.ein == "14-1833603" && byName.funders.first?.pastGrants.first?.amount == 8_500)
    }

    /// Every candidate is a grantmaker; a passing funder has giving on record; a foundation with none says so.
    @Test func fitComesFromGivingAndEveryCandidateIsAGrantmaker() async throws {
        let applicant = Fixture.organization("860000020", "COLORADO HOSPITAL GROUP", state: "CO", ntee: "E22", revenue: 50_000_000)
        let nursing = Fixture.organization("860000021", "A NURSING HOME", state: "CO", ntee: "E91", foundation: "15", revenue: 9_000_000)
        let quiet = Fixture.organization("860000022", "QUIET FAMILY FOUNDATION", state: "CO", ntee: "E22", foundation: "04", assets: 30_000_000)
        let database = try await Self.database(with: [applicant, nursing, quiet])
        let scoring = try await FunderScoring.score(OrganizationProfile(applicant, filings: []), peers: nil, database: database, currentYear: 2026)
        #expect(!scoring.funders.contains { $0.ein == "86-0000021" })   // no grants, no grants paid, not a foundation: not a funder
        let uchealth = try #require(scoring.funders.first { $0.ein == "74-1894581" })
        let place = try #require(uchealth.dimensions.first { $0.name == "place" })
        #expect(place.score == 1 && place.explanation.hasPrefix("100% of its grant dollars went to CO"))
        let foundation = try #require(scoring.funders.first { $0.ein == "86-0000022" })
        #expect(!foundation.hasGivingHistory && foundation.profileSummary == "no giving history on record")
        #expect(foundation.dimensions.first { $0.name == "cause" }?.explanation.hasPrefix("no giving history on record") == true)
        #expect(uchealth.score > foundation.score)   // evidence beats a matching code
        for funder in scoring.funders where funder.passes { #expect(funder.hasGivingHistory) }
        #expect(scoring.eligibility == nil)
    }

    @Test func aPrivateFoundationIsToldItIsAGrantmakerAndOthersGetACaveat() async throws {
        let database = try await Self.database()
        let trust = try #require(try await database.organization(EIN("046662754")))
        let own = try await FunderScoring.score(OrganizationProfile(trust, filings: try await database.filings(EIN("046662754"))), peers: nil,
                                                database: database, currentYear: 2026)
        #expect(own.funders.isEmpty && own.ownGiving?.grantCount == 4 && own.ownGiving?.totalGiven == 12_000)
        #expect(own.notes.first?.contains("is itself a grantmaker") == true)
        // In New York, where the real 990-PF gave most of its dollars, so a private foundation is among its candidates.
        var advocacy = Fixture.organization("860000030", "AN ADVOCACY LEAGUE", state: "NY", ntee: "R20", revenue: 1_000_000)
        advocacy.subsection = "04"
        let caveated = try await FunderScoring.score(OrganizationProfile(advocacy, filings: []), peers: nil, database: database, currentYear: 2026)
        #expect(caveated.eligibility?.contains("501(c)(4)") == true)
        // Each funder says what its kind requires: a private foundation, or a public charity that makes grants.
        #expect(!caveated.funders.isEmpty && caveated.funders.allSatisfy { $0.caveat?.contains("501(c)(4) organizations") == true })
        #expect(caveated.funders.contains { $0.caveat?.hasPrefix("A private foundation") == true })
    }

    @Test func aRecipientFoundOnlyByNameCountsWhenItsStateAgrees() {
        let inVA = Fixture.organization("860000040", "HOPE CLINIC", state: "VA", ntee: "E32")
        let inTX = Fixture.organization("860000041", "HOPE CLINIC", state: "TX", ntee: "E32")
        let unique = Fixture.organization("860000042", "RIVER TRUST", state: "WV", ntee: "C32")
        let causes = FunderProfile.RecipientCauses(byName: ["HOPE CLINIC": [inVA, inTX], "RIVER TRUST": [unique]])
        func grant(_ name: String, _ state: String?) -> Grant {
            Grant(grantorEIN: "860000050", recipientEIN: nil, recipientName: name, recipientState: state, recipientKind: "organization",
                  amount: 1_000, purpose: nil, taxYear: 2023, source: "990pf")
        }
        #expect(causes.organization(for: grant("Hope Clinic", "VA"))?.0.ein == "860000040")
        #expect(causes.organization(for: grant("HOPE CLINIC", "MD")) == nil)   // no record of that name in MD
        #expect(causes.organization(for: grant("HOPE CLINIC", nil)) == nil)    // two records, no state to choose
        #expect(causes.organization(for: grant("RIVER TRUST", nil))?.byName == true)
    }

    @Test func percentileRankCountsTiesAsHalf() {
        #expect(PeerComparison.percentileRank(5, among: [1, 2, 3, 4]) == 100)
        #expect(PeerComparison.percentileRank(0, among: [1, 2, 3, 4]) == 0)
        #expect(PeerComparison.percentileRank(2, among: [1, 2, 3, 4]) == 37.5)
        #expect(PeerComparison.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func peersWidenFromCodeAndStateToTheGroupAndRankRealFilings() async throws {
        let database = try Fixture.database()
        var organizations: [Organization] = []
        var filings: [Filing] = []
        for ein in ["541230284", "510201327", "540916248"] {   // E31 VA, E31Z VA, P810 VA
            let parsed = try Fixture.proPublica(ein)
            organizations.append(parsed.organization)
            filings += parsed.filings
        }
        try await Fixture.insert(database, organizations: organizations, filings: filings)
        let applicant = try Fixture.proPublica("541230284")
        let profile = OrganizationProfile(applicant.organization, filings: applicant.filings)
        let comparison = try await PeerComparison.compare(profile, metrics: FinancialMetrics(filings: applicant.filings), database: database)
        #expect(comparison.peers.map(\.ein) == ["51-0201327"])          // same code family in VA and within 4× revenue; not the P81
        // One peer with filings: too few to rank, and said so.
        #expect(!comparison.percentiles.contains { $0.metric == "months_of_reserve" })
        #expect(comparison.unranked["months_of_reserve"] == "only 1 peer has the figure: not enough to rank")
    }
}
