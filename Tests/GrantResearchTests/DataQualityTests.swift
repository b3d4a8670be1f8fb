import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Data quality")
struct DataQualityTests {
    @Test func realProPublicaProfileScoresItsChecksByHand() throws {
        let parsed = try Fixture.proPublica("541230284")
        let profile = OrganizationProfile(parsed.organization, filings: parsed.filings)
        // Everything but the Part IX split (0.05) is present when the FY2022 filing is recent.
        let in2025 = DataQuality(profile: profile, currentYear: 2025)
        #expect(in2025.completenessScore == 0.95)
        #expect(in2025.issues.map(\.field) == ["functional_expenses"])
        #expect(in2025.filingYears == 11 && in2025.latestFilingYear == 2022)
        // Four years later the filing is stale: recency (0.05) is lost and the issue says what to do.
        let in2026 = DataQuality(profile: profile, currentYear: 2026)
        #expect(in2026.completenessScore == 0.90)
        let stale = try #require(in2026.issues.first { $0.type == "stale" })
        #expect(stale.severity == "medium" && stale.suggestedFix.contains("catalynx data fetch 54-1230284"))
        #expect(DataQuality(profile: profile, currentYear: 2026) == in2026)  // deterministic
    }

    @Test func anOrganizationKnownOnlyFromTheBMFCannotReachTheAnalysisThreshold() {
        let profile = OrganizationProfile(Fixture.organization("541230284", "ONLY BMF", state: "VA", ntee: "E31", revenue: 100), filings: [])
        let quality = DataQuality(profile: profile, currentYear: 2026)
        #expect(quality.completenessScore == 0.5)
        #expect(quality.issues.contains { $0.field == "filings" && $0.severity == "high" })
    }

    @Test func normalizerMergesFilingsAndTidiesTheIdentity() async throws {
        let parsed = try Fixture.proPublica("541230284")
        var profile = OrganizationProfile(parsed.organization, filings: Array(parsed.filings.prefix(3)))
        profile.name = "VIRGINIA PRIMARY CARE ASSN OF THE SOUTH"
        profile.zip = "23233-1234"
        let output = try await DataNormalizerTool().execute(.init(organization: profile, filings: parsed.filings),
                                                            context: .init(runID: "r", stepName: "s", attempt: 1))
        #expect(output.organizationData.filings.count == parsed.filings.count)
        #expect(output.organizationData.filings.map(\.taxPeriod) == parsed.filings.map(\.taxPeriod).sorted(by: >))
        #expect(output.organizationData.name == "Virginia Primary Care Assn of the South")
        #expect(output.organizationData.zip == "23233")
        #expect(output.changes.count == 3)
        #expect(DataNormalizerTool.titleCase("THE MILLMAN-HARRIS-ROMANO FOUNDATION") == "The Millman-Harris-Romano Foundation")
    }
}
