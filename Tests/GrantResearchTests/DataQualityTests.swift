import Foundation
import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Data quality")
struct DataQualityTests {
    @Test func realProPublicaProfileScoresItsChecksByHand() throws {
        let parsed = try Fixture.proPublica("541230284")
        let profile = OrganizationProfile(parsed.organization, filings: parsed.filings)
        // Everything but the expense split (0.10) is present; the BMF knows the FY2024 return.
        let in2025 = DataQuality(profile: profile, currentYear: 2025)
        #expect(in2025.completenessScore == 0.90)
        #expect(in2025.issues.map(\.field) == ["filings", "expense_detail"])
        #expect(in2025.issues.first?.message == "the IRS knows a newer return (FY2024) than the filings on record; detailed metrics run through FY2022")
        #expect(in2025.filingYears == 11 && in2025.latestFilingYear == 2022)
        #expect(in2025.latestReturn == "FY2024 (Apr 2023–Mar 2024)")
        // In 2028 the FY2024 return is four years old: recency (0.05) is lost and the issue says so, in plain words.
        let in2028 = DataQuality(profile: profile, currentYear: 2028)
        #expect(in2028.completenessScore == 0.85)
        let stale = try #require(in2028.issues.first { $0.type == "stale" })
        #expect(stale.severity == "medium")
        #expect(stale.message == "the latest return on record is for FY2024 (Apr 2023–Mar 2024), 4 years ago")
        #expect(!in2028.issues.contains { $0.suggestedFix.contains("catalynx") || $0.suggestedFix.contains("`") })
        #expect(DataQuality(profile: profile, currentYear: 2028) == in2028)  // deterministic
    }

    @Test func anOrganizationKnownOnlyFromTheBMFCannotReachTheAnalysisThreshold() {
        let profile = OrganizationProfile(Fixture.organization("541230284", "ONLY BMF", state: "VA", ntee: "E31", revenue: 100), filings: [])
        let quality = DataQuality(profile: profile, currentYear: 2026)
        #expect(quality.completenessScore == 0.4)
        #expect(quality.issues.contains { $0.field == "filings" && $0.severity == "high" })
    }

    @Test func oneCompleteReturnPassesWithoutCodes() throws {
        // A full 990 whose filer has no BMF row: no NTEE code, no ruling, no state known but its own header's.
        let data = try Data(contentsOf: Fixture.root.appendingPathComponent("data/irs990_xml/202403589349300950_public.xml"))
        let parsed = try Form990Parser.parse(data, source: "uchealth")
        var bare = parsed.organization
        (bare.state, bare.city, bare.zip, bare.subsection) = (nil, nil, nil, nil)
        let quality = DataQuality(profile: OrganizationProfile(bare, filings: [parsed.filing]), currentYear: 2026)
        #expect(quality.completenessScore == 0.65)
        #expect(quality.completenessScore > 0.6)
        #expect(quality.issues.contains { $0.field == "ntee_code" })
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
        #expect(NameCase.titleCased("THE MILLMAN-HARRIS-ROMANO FOUNDATION") == "The Millman-Harris-Romano Foundation")
        #expect(NameCase.titleCased("YMCA OF THE USA") == "YMCA of the USA")
    }
}
