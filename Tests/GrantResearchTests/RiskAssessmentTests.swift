import Foundation
import Testing
@testable import GrantResearch
@testable import Nonprofit

@Suite("Risk")
struct RiskAssessmentTests {
    @Test func bandsScoreBothDirections() {
        #expect(RiskModel.liquidity.score(10.1) == 10)
        #expect(RiskModel.liquidity.score(4) == 35)
        #expect(RiskModel.liquidity.score(0.5) == 90)
        #expect(RiskModel.leverage.score(0.14) == 10)
        #expect(RiskModel.leverage.score(0.8) == 90)
        #expect(RiskModel.concentration.score(0.93) == 75)
        #expect(abs(RiskModel.weights.values.reduce(0, +) - 1) < 1e-12)
    }

    @Test func virginiaPrimaryCareIsAssessedFromItsRealFilings() throws {
        let parsed = try Fixture.proPublica("541230284")
        let profile = OrganizationProfile(parsed.organization, filings: parsed.filings)
        let metrics = FinancialMetrics(filings: parsed.filings)
        // The BMF (through ProPublica) knows the FY2024 return (Apr 2023–Mar 2024): a year old in 2025.
        let quality = DataQuality(profile: profile, currentYear: 2025)
        #expect(quality.latestReturn == "FY2024 (Apr 2023–Mar 2024)" && quality.latestReturnAge == 1)
        #expect(quality.completenessScore == 0.90)  // everything but the expense split (0.10)
        let risk = RiskAssessment(metrics: metrics, dataQuality: quality)
        let byName = Dictionary(uniqueKeysWithValues: risk.dimensions.map { ($0.name, $0) })
        #expect(byName["liquidity"]?.score == 10)               // 10.1 months
        #expect(byName["leverage"]?.score == 10)                // 14.0 % of assets
        #expect(byName["operating_results"]?.score == 60)       // three-year mean −5.0 % … just above −5 %
        #expect(byName["revenue_trend"]?.score == 85)           // CAGR −10.4 % from FY2019
        #expect(byName["revenue_concentration"]?.score == 75)   // HHI 0.93
        #expect(byName["data_quality"]?.score == 10 + 0.10 * 40) // a recent return, 90 % complete
        let expected = (10 * 0.25 + 10 * 0.15 + 60 * 0.20 + 85 * 0.15 + 75 * 0.10 + 14 * 0.15).rounded()
        #expect(risk.score == expected)
        #expect(risk.level == RiskModel.level(expected))
        #expect(risk.confidence == 0.98)  // every dimension known × recent (1.0) × (0.75 + 0.25 × 0.90)
        #expect(byName["revenue_trend"]?.evidence == "revenue fell by 10.4% a year on average over the three years to FY2022")
        #expect(byName["liquidity"]?.evidence == "net assets would cover 10.1 months of expenses in FY2022")
        #expect(byName["data_quality"]?.evidence == "the latest return on record is for FY2024 (Apr 2023–Mar 2024), 1 year ago; the data are 90% complete")
        // The same data give the same score whether the data-quality check is given or made from the profile.
        #expect(RiskAssessment(metrics: metrics, dataQuality: DataQuality(profile: profile, currentYear: 2025)) == risk)
    }

    @Test func aDeficitIsNamedAsOne() throws {
        let filing = Filing(ein: "860000010", taxPeriod: 202312, taxYear: 2023, formType: "990", sources: "irs990_xml",
                            totalRevenue: 1_000_000, totalExpenses: 950_000, totalAssets: 400_000, totalLiabilities: 450_000, netAssets: -50_000)
        let metrics = FinancialMetrics(filings: [filing])
        #expect(metrics.latest?.netAssetDeficit == 50_000)
        let risk = RiskAssessment(metrics: metrics, dataQuality: nil)
        let liquidity = try #require(risk.dimensions.first { $0.name == "liquidity" })
        #expect(liquidity.score == 90)
        #expect(liquidity.evidence == "net assets are negative in FY2023: a deficit of $50,000, so there is no reserve")
    }

    @Test func noFilingsMeansUnknownWithZeroConfidence() {
        let risk = RiskAssessment(metrics: FinancialMetrics(filings: []), dataQuality: nil)
        #expect(risk.level == "unknown")
        #expect(risk.confidence == 0)
        #expect(risk.dimensions.allSatisfy { $0.score == nil })
        #expect(risk.dimensions.count == 6)
    }
}
