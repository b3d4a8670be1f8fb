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
        let metrics = FinancialMetrics(filings: try Fixture.proPublica("541230284").filings)
        let risk = RiskAssessment(metrics: metrics, currentYear: 2025)
        let byName = Dictionary(uniqueKeysWithValues: risk.dimensions.map { ($0.name, $0) })
        #expect(byName["liquidity"]?.score == 10)               // 10.1 months
        #expect(byName["leverage"]?.score == 10)                // 14.0 % of assets
        #expect(byName["operating_results"]?.score == 60)       // three-year mean −5.0 % … just above −5 %
        #expect(byName["revenue_trend"]?.score == 85)           // CAGR −10.4 % from FY2019
        #expect(byName["revenue_concentration"]?.score == 75)   // HHI 0.93
        #expect(byName["data_quality"]?.score == 40)            // FY2022 filing, three years before 2025
        let expected = (10 * 0.25 + 10 * 0.15 + 60 * 0.20 + 85 * 0.15 + 75 * 0.10 + 40 * 0.15).rounded()
        #expect(risk.score == expected)
        #expect(risk.level == RiskModel.level(expected))
        #expect(risk.confidence == 0.8)
        #expect(byName["revenue_trend"]?.evidence == "revenue fell 10.4% a year over three years")
    }

    @Test func noFilingsMeansUnknownWithZeroConfidence() {
        let risk = RiskAssessment(metrics: FinancialMetrics(filings: []), currentYear: 2025)
        #expect(risk.level == "unknown")
        #expect(risk.confidence == 0)
        #expect(risk.dimensions.allSatisfy { $0.score == nil })
        #expect(risk.dimensions.count == 6)
    }
}
