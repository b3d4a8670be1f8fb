import Foundation
import Testing
import TestSupport
@testable import Nonprofit

@Suite("990 XML and ProPublica")
struct FilingSourcesTests {
    func parse(_ file: String) throws -> Form990Return { try TestData.parseReturn(file) }

    @Test func the2013PrivateFoundationReturnsSixteenGrantsSummingTo53374() throws {
        let pf = try parse("201401439349100200_public.xml")
        #expect(pf.ein.digits == "141833603")
        #expect(pf.formType == "990PF")
        #expect(pf.filing.taxYear == 2013)
        #expect(pf.grants.count == 16)
        #expect(pf.grants.reduce(0) { $0 + $1.amount } == 53_374)
        #expect(pf.filing.grantsPaid == 53_374)
        #expect(pf.filing.totalRevenue == 28_480)
        #expect(pf.filing.totalExpenses == 92_219)
        #expect(pf.filing.totalAssets == 852_407)
        #expect(pf.grants.first?.recipientName == "BARDAVON 1869 OPERAHOUSE")
        #expect(pf.grants.first?.recipientCity == "POUGHKEEPSIE")
        #expect(pf.grants.first?.purpose == "SUPPORT OF MUSICAL PROGRAMS")
        #expect(pf.officers.map(\.name) == ["JODE MILLMAN", "MICHAEL J HARRIS", "ELLIN R MILLMAN", "WENDY BERGER"])
        #expect(pf.officers.first?.compensation == 12_000)
        #expect(pf.officers.first?.hoursPerWeek == 20)
    }

    @Test func the2015PrivateFoundationUsesNewTagsAndPaysPersons() throws {
        let pf = try parse("201601249349100900_public.xml")
        #expect(pf.grants.count == 4)
        #expect(pf.grants.reduce(0) { $0 + $1.amount } == 12_000)
        #expect(pf.grants.filter { $0.recipientKind == "person" }.count == 3)
    }

    @Test func scheduleIGrantsCarryRecipientEINs() throws {
        let full = try parse("202403589349300950_public.xml")
        #expect(full.ein.digits == "741894581")
        #expect(full.formType == "990")
        #expect(full.grants.map(\.recipientEIN) == ["841262971", "043730045", "841262971", "822666059"])
        #expect(full.grants.map(\.amount) == [877_418 + 269_673, 926 + 5_191, 4_650_000, 17_549])
        #expect(full.grants.first?.recipientName == "POUDRE VALLEY HEALTH CARE INC")
        #expect(full.grants.allSatisfy { $0.source == "schedule_i" })
        #expect(full.officers.first?.name == "KEVIN UNGER")
    }

    @Test func a2014FullReturnHasTheFunctionalExpenseSplit() throws {
        let voice = try parse("201541349349307794_public.xml")
        #expect(voice.ein.digits == "201585919")
        #expect(voice.filing.totalRevenue == 1_726_766)
        #expect(voice.filing.totalExpenses == 1_464_282)
        #expect(voice.filing.contributions == 1_668_772)
        #expect(voice.filing.programExpenses == 1_223_015)
        #expect(voice.filing.managementExpenses == 30_909)
        #expect(voice.filing.fundraisingExpenses == 210_358)
        #expect(voice.filing.totalAssets == 866_826)
        #expect(voice.filing.totalLiabilities == 0)
        #expect(voice.officers.count == 7)
        #expect(voice.mission != nil)
    }

    @Test func aReturnOnForm990EZ() throws {
        let ez = try parse("202300129349200500_public.xml")
        #expect(ez.formType == "990EZ")
        #expect(ez.ein.digits == "811795570")
        #expect(ez.filing.totalRevenue == 192_569)
        #expect(ez.filing.totalExpenses == 181_692)
        #expect(ez.filing.contributions == 191_604)
        #expect(ez.filing.totalAssets == 300_785)
        #expect(ez.filing.taxPeriod == 202206)
    }

    @Test func malformedOrForeignXMLIsRejectedWithTheReason() throws {
        #expect(throws: Form990Parser.ParseError.self) { try Form990Parser.parse(Data("<Return><Ret".utf8), source: "bad.xml") }
        do {
            _ = try Form990Parser.parse(Data("<html><body/></html>".utf8), source: "page.xml")
        } catch let error as Form990Parser.ParseError {
            #expect(error.description == "page.xml: not an IRS e-file return (the root element is <html>, not <Return>)")
        }
    }

    @Test func proPublicaFilingsKeepTheirFiguresAndForms() throws {
        let parsed = try ProPublicaImporter.parse(try TestData.data("propublica/organizations/541230284.json"), source: "541230284.json")
        #expect(parsed.organization.name == "Virginia Primary Care Assn Inc")
        #expect(parsed.organization.state == "VA")
        #expect(parsed.organization.subsection == "03")
        #expect(parsed.organization.foundation == "15")
        #expect(parsed.organization.ruling == "198406")
        #expect(parsed.organization.nteeCode == "E31")
        #expect(parsed.filings.count == 11)
        let latest = try #require(parsed.filings.first { $0.taxPeriod == 202203 })
        #expect(latest.totalRevenue == 6_822_022)
        #expect(latest.totalExpenses == 6_445_626)
        #expect(latest.totalAssets == 6_313_896)
        #expect(latest.totalLiabilities == 885_801)
        #expect(latest.programExpenses == nil)  // ProPublica has no functional split

        let ez = try ProPublicaImporter.parse(try TestData.data("propublica/organizations/651317810.json"), source: "651317810.json")
        let year2023 = try #require(ez.filings.first { $0.taxPeriod == 202306 })
        #expect(year2023.formType == "990EZ")
        #expect(year2023.contributions == 3_336)
        #expect(year2023.programServiceRevenue == 101_352)
        #expect(year2023.netAssets == 150_660)

        let empty = try ProPublicaImporter.parse(try TestData.data("propublica/organizations/922064394.json"), source: "922064394.json")
        #expect(empty.filings.isEmpty)
        #expect(throws: ProPublicaImporter.FormatError.self) { try ProPublicaImporter.parse(Data("{\"total_results\": 1}".utf8), source: "search.json") }
    }

    @Test(arguments: TestBackend.allCases) func twoSourcesForOnePeriodMergeAndReimportsAddNothing(_ backend: TestBackend) async throws {
        let (database, _) = try await TestData.freshDatabase(backend)
        let xml = Form990Importer(database: database)
        let dir = TestData.path("irs990_xml")
        let first = try await xml.importPaths([dir])
        #expect(first.returns.count == 5)
        #expect(first.rejected.isEmpty)
        _ = try await xml.importPaths([dir], options: .init(force: true))
        let counts = try await database.counts()
        #expect(counts["filings"] == 5)
        #expect(counts["grants"] == 16 + 4 + 4)
        let made = try await database.grants(madeBy: EIN("141833603"))
        #expect(made.reduce(0) { $0 + $1.amount } == 53_374)
        #expect(try await database.grants(receivedBy: EIN("043730045")).count == 1)

        // A ProPublica filing and an XML filing of the same period become one row with both sources.
        let synthetic = Filing(ein: "201585919", taxPeriod: 201412, taxYear: 2014, formType: "990", sources: "propublica",
                               totalRevenue: 1_726_766, totalExpenses: 1_464_282, pdfURL: "https://example.org/990.pdf")
        try await database.save(RecordBatch(filings: [synthetic]))
        let filings = try await database.filings(EIN("201585919"))
        #expect(filings.count == 1)
        #expect(filings.first?.sources == "irs990_xml,propublica")
        #expect(filings.first?.programExpenses == 1_223_015)
        #expect(filings.first?.pdfURL == "https://example.org/990.pdf")
    }

    @Test(arguments: TestBackend.allCases) func aRowFromABetterSourceIsNeverReplacedByAWeakerOne(_ backend: TestBackend) async throws {
        let (database, _) = try await TestData.freshDatabase(backend)
        func row(_ ein: String, _ name: String, _ source: String) -> Organization { Organization(ein: ein, name: name, source: source) }
        try await database.save(RecordBatch(organizations: [row("860000001", "FROM THE BMF", "bmf"), row("860000002", "From ProPublica", "propublica")]))
        try await database.save(RecordBatch(organizations: [row("860000001", "From ProPublica", "propublica"), row("860000002", "FROM A RETURN", "irs990_xml"),
                                                            row("860000003", "FROM A RETURN", "irs990_xml")]))
        #expect(try await database.organization(EIN("860000001"))?.name == "FROM THE BMF")
        #expect(try await database.organization(EIN("860000002"))?.name == "From ProPublica")
        #expect(try await database.organization(EIN("860000003"))?.name == "FROM A RETURN")
        try await database.save(RecordBatch(organizations: [row("860000002", "ProPublica, refreshed", "propublica"), row("860000003", "NOW IN THE BMF", "bmf")]))
        #expect(try await database.organization(EIN("860000002"))?.name == "ProPublica, refreshed")
        #expect(try await database.organization(EIN("860000003"))?.name == "NOW IN THE BMF")
        #expect(try await database.search(.init(text: "refreshed")).map(\.ein) == ["860000002"])
    }
}
