import Foundation
import Testing
@testable import GrantResearch
@testable import Nonprofit

/// Metrics checked against figures computed by hand from the real files.
@Suite("Financial metrics")
struct FinancialMetricsTests {
    func proPublica(_ ein: String) throws -> [Filing] { try Fixture.proPublica(ein).filings }

    @Test func virginiaPrimaryCareFromProPublica() throws {
        let metrics = FinancialMetrics(filings: try proPublica("541230284"))
        let latest = try #require(metrics.latest)
        #expect(latest.taxYear == 2022)
        // FY2022: revenue 6,822,022; expenses 6,445,626; assets 6,313,896; liabilities 885,801; net assets 5,428,095.
        #expect(abs((latest.operatingMargin ?? 0) - 376_396.0 / 6_822_022) < 1e-12)
        #expect(abs((latest.monthsOfReserve ?? 0) - 5_428_095.0 / 6_445_626 * 12) < 1e-9)   // 10.11 months
        #expect(abs((latest.liabilitiesToAssets ?? 0) - 885_801.0 / 6_313_896) < 1e-12)     // 0.140
        #expect(abs((latest.revenueGrowth ?? 0) - (6_822_022.0 - 6_039_332) / 6_039_332) < 1e-12)
        #expect(abs((latest.contributionDependence ?? 0) - 6_577_865.0 / 6_822_022) < 1e-12)
        // Sources: contributions 6,577,865; program 77,450; investment 58,627; other 108,080.
        let total = 6_822_022.0
        let hhi = [6_577_865.0, 77_450, 58_627, 108_080].map { ($0 / total) * ($0 / total) }.reduce(0, +)
        #expect(abs((latest.revenueConcentration ?? 0) - hhi) < 1e-12)
        // CAGR from FY2019 (9,491,584) over three years.
        #expect(abs((metrics.revenueCAGR3Years ?? 0) - (pow(6_822_022.0 / 9_491_584, 1.0 / 3) - 1)) < 1e-12)
        #expect(abs((metrics.threeYearAverages["operating_margin"] ?? 0) - (-0.049891018720747755)) < 1e-12)
        // ProPublica has no Part IX split: null, with the reason.
        #expect(latest.programExpenseRatio == nil)
        #expect(latest.unavailable["program_expense_ratio"]
                == "ProPublica's summary of the FY2022 return does not give the split of expenses into programs, management and fundraising")
        #expect(latest.fiscalYear == "FY2022")
        #expect(latest.charitableDisbursementRatio == nil && latest.netAssetDeficit == nil)
        #expect(latest.fundraisingEfficiency == nil)
    }

    @Test func theFunctionalSplitComesFromThe990XML() throws {
        let data = try Data(contentsOf: Fixture.root.appendingPathComponent("data/irs990_xml/201541349349307794_public.xml"))
        let filing = try Form990Parser.parse(data, source: "voice").filing
        let metrics = FinancialMetrics(filings: [filing])
        let year = try #require(metrics.latest)
        #expect(abs((year.programExpenseRatio ?? 0) - 1_223_015.0 / 1_464_282) < 1e-12)   // 83.5 %
        #expect(abs((year.managementExpenseRatio ?? 0) - 30_909.0 / 1_464_282) < 1e-12)
        #expect(abs((year.fundraisingExpenseRatio ?? 0) - 210_358.0 / 1_464_282) < 1e-12)
        #expect(abs((year.fundraisingEfficiency ?? 0) - 210_358.0 / 1_668_772) < 1e-12)
        #expect(year.liabilitiesToAssets == 0)
        // No earlier filing on record: the return's own prior-year column (1,342,167) gives the growth.
        #expect(abs((year.revenueGrowth ?? 0) - (1_726_766.0 - 1_342_167) / 1_342_167) < 1e-12)
        #expect(year.unavailable["revenue_growth"] == nil)
        #expect(metrics.revenueCAGR3Years == nil)
    }

    @Test func aPrivateFoundationIsMeasuredByItsCharitableDisbursements() throws {
        let data = try Data(contentsOf: Fixture.root.appendingPathComponent("data/irs990_xml/201401439349100200_public.xml"))
        let year = try #require(FinancialMetrics(filings: [try Form990Parser.parse(data, source: "pf").filing]).latest)
        #expect(abs((year.charitableDisbursementRatio ?? 0) - 75_191.0 / 92_219) < 1e-12)
        #expect(abs((year.payoutRatio ?? 0) - 75_191.0 / 1_212_306) < 1e-12)
        #expect(year.programExpenseRatio == nil)
        #expect(year.unavailable["program_expense_ratio"] == "a 990-PF has no program, management and fundraising split; see its charitable disbursements")
        #expect(year.revenueConcentration != nil)  // gifts, investments and other income
    }

    @Test func gapsAndZerosGiveReasonsNotCrashes() {
        let empty = FinancialMetrics(filings: [])
        #expect(empty.latest == nil)
        #expect(empty.years.isEmpty)
        let zero = Filing(ein: "860000001", taxPeriod: 202312, taxYear: 2023, formType: "990EZ", sources: "propublica",
                          totalRevenue: 0, totalExpenses: 0, totalAssets: 0)
        let year = FinancialMetrics(filings: [zero, Filing(ein: "860000001", taxPeriod: 202012, taxYear: 2020, formType: "990EZ",
                                                           sources: "propublica", totalRevenue: 10)]).years[0]
        #expect(year.operatingMargin == nil)
        #expect(year.unavailable["operating_margin"] == "total revenue is $0")
        #expect(year.unavailable["liabilities_to_assets"] == "ProPublica's summary of the FY2023 return does not give total liabilities")
        #expect(year.unavailable["revenue_growth"] == "no filing on record for FY2022")
        #expect(year.unavailable["management_expense_ratio"] == "Form 990-EZ does not split management and fundraising expenses")
    }
}
