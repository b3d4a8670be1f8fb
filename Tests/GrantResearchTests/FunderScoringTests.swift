import Foundation
import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Funders and peers")
struct FunderScoringTests {
    @Test func weightsSumToOneAndTheScreenCannotDropAPasser() {
        #expect(abs(FunderModel.weights.reduce(0) { $0 + $1.weight } - 1) < 1e-12)
        #expect(abs(FunderModel.ceilingWithoutCauseOrPlace - 0.565) < 1e-12)
        #expect(FunderModel.ceilingWithoutCauseOrPlace < FunderModel.passThreshold)
    }

    @Test func causeFitStepsDownFromTheSameCode() {
        #expect(FunderScoring.causeFit(funder: "E31", applicant: "E31").0 == 1)
        #expect(FunderScoring.causeFit(funder: "E310", applicant: "E31").0 == 0.85)
        #expect(FunderScoring.causeFit(funder: "E20", applicant: "E31").0 == 0.7)
        #expect(FunderScoring.causeFit(funder: "T20", applicant: "E31").0 == 0.35)
        #expect(FunderScoring.causeFit(funder: "G30", applicant: "E31").0 == 0.45)   // health super-group
        #expect(FunderScoring.causeFit(funder: "B20", applicant: "E31").0 == 0.1)
    }

    /// A health organization in Virginia; three foundations scored by hand, one screened out.
    @Test func compositeMatchesAHandComputation() async throws {
        let database = try Fixture.database()
        let applicant = Fixture.organization("541230284", "VIRGINIA CLINICS", state: "VA", ntee: "E31", revenue: 2_000_000)
        try await Fixture.insert(database, organizations: [
            applicant,
            // Same code, same state, $20M, non-operating, filed 2024.
            Fixture.organization("510000001", "RICHMOND HEALTH FUND", state: "VA", ntee: "E31", foundation: "04", assets: 20_000_000),
            // A general grantmaker in Delaware with $2M: cannot pass, screened out.
            Fixture.organization("510000002", "DELAWARE GENERAL FUND", state: "DE", ntee: "T20", foundation: "04", assets: 2_000_000),
            // A grantor with grants on record to Virginia organizations.
            Fixture.organization("510000003", "MID-ATLANTIC GIVING", state: "MD", ntee: "T20", foundation: "04", assets: 5_000_000),
        ], grants: [
            Grant(grantorEIN: "510000003", recipientEIN: nil, recipientName: "VIRGINIA CLINICS", recipientStreet: nil, recipientCity: "Richmond",
                  recipientState: "VA", recipientZip: nil, recipientKind: "organization", amount: 40_000, purpose: "clinics", taxYear: 2024,
                  source: "990pf"),
            Grant(grantorEIN: "510000003", recipientEIN: nil, recipientName: "SOMEONE ELSE", recipientStreet: nil, recipientCity: "Baltimore",
                  recipientState: "MD", recipientZip: nil, recipientKind: "organization", amount: 60_000, purpose: nil, taxYear: 2024,
                  source: "990pf"),
        ])
        let profile = OrganizationProfile(applicant, filings: [])
        let scoring = try await FunderScoring.score(profile, peers: nil, database: database, currentYear: 2026)
        #expect(scoring.candidatesConsidered == 3)
        #expect(scoring.candidatesScored == 2)   // the Delaware general grantmaker cannot reach 0.58
        let richmond = try #require(scoring.funders.first { $0.ein == "51-0000001" })
        // ntee 1.0·.30 + geography 1.0·.20 (same state and city) + coherence 0.5·.12 + capacity 1·.10
        // + size fit (20M·5%/10 = 100k = 5% of 2M → 1.0)·.10 + policy 0.5·.08 + recency (2024 → 1.0)·.05 + type 1·.05
        let expected = 0.30 + 0.20 + 0.06 + 0.10 + 0.10 + 0.04 + 0.05 + 0.05
        #expect(abs(richmond.score - expected) < 0.001)
        #expect(richmond.passes)
        let giving = try #require(scoring.funders.first { $0.ein == "51-0000003" })
        let geography = try #require(giving.dimensions.first { $0.name == "geography" })
        #expect(abs(geography.score - (0.2 + 0.8 * 0.4)) < 0.001)   // $40k of $100k went to VA
        #expect(geography.explanation == "40% of its 2 grants on record went to VA")
        #expect(scoring.funders.first?.ein == "51-0000001")
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
        let reserve = try #require(comparison.percentiles.first { $0.metric == "months_of_reserve" })
        let peerReserve = try #require(FinancialMetrics(filings: try Fixture.proPublica("510201327").filings).latest?.monthsOfReserve)
        #expect(reserve.peerCount == 1 && reserve.peerMedian == peerReserve)
        #expect(reserve.percentile == (10.11 < peerReserve ? 0 : 100))
    }
}
