import Foundation
import Testing
import TestSupport
@testable import Nonprofit

/// What a return's XML gives beyond its figures, and what it must never give: the filer's
/// address, texts only from the parts that hold them, one fiscal-year label, and nothing at all
/// from a file that is not a complete return.
@Suite("990 XML ingest")
struct Form990IngestTests {
    func parse(_ file: String) throws -> Form990Return { try TestData.parseReturn(file) }

    @Test func theReturnHeaderGivesTheFilersAddressAndStatus() throws {
        let full = try parse("202403589349300950_public.xml")
        #expect(full.organization.name == "UCHEALTH NORTHERN COLORADO FOUNDATION")
        #expect(full.organization.street == "2315 E HARMONY RD 200")
        #expect(full.organization.city == "FORT COLLINS")
        #expect(full.organization.state == "CO")
        #expect(full.organization.zip == "80528")
        #expect(full.organization.subsection == "03")
        #expect(full.organization.foundation == nil)

        let trust = try parse("201601249349100900_public.xml")
        #expect(trust.organization.subsection == "92")  // a section 4947(a)(1) trust, as the BMF codes it
        #expect(trust.organization.foundation == "04")
        #expect(trust.organization.state == "MA")
        // 2013-era tag names (City, State, ZIPCode) in the same header.
        let pf = try parse("201401439349100200_public.xml")
        #expect([pf.organization.city, pf.organization.state, pf.organization.zip] == ["POUGHKEEPSIE", "NY", "12601"])
    }

    @Test func everyReturnIsLabelledByTheYearItsPeriodEnds() throws {
        let ez = try parse("202300129349200500_public.xml")  // TaxYr 2021, July 2021 to June 2022
        #expect(ez.filing.taxYear == 2022)
        #expect(ez.filing.fiscalYear.description == "FY2022 (Jul 2021–Jun 2022)")
        #expect(ez.officers.allSatisfy { $0.taxYear == 2022 })
        let pf = try parse("201401439349100200_public.xml")
        #expect(pf.filing.fiscalYear.description == "FY2013")
        #expect(pf.grants.allSatisfy { $0.taxYear == 2013 })
        #expect(pf.filing.objectID == "201401439349100200")
    }

    @Test func programTextsComeOnlyFromProgramServiceAccomplishments() throws {
        let voice = try parse("201541349349307794_public.xml")
        #expect(voice.programDescriptions.count == 1)
        #expect(voice.programDescriptions.first?.hasPrefix("EDUCATE AND INFORM THE RESIDENTS OF SAN DIEGO COUNTY") == true)
        #expect(!voice.programDescriptions.contains { $0.contains("TELEPHONE") || $0.contains("MARKETING") })
        let ez = try parse("202300129349200500_public.xml")
        #expect(ez.programDescriptions.count >= 3)
        #expect(ez.programDescriptions.first?.hasPrefix("YORK APARTMENT") == true)
        let uchealth = try parse("202403589349300950_public.xml")
        #expect(uchealth.mission?.hasPrefix("THE MISSION OF UCHEALTH NORTHERN COLORADO FOUNDATION") == true)  // "SEE SCHEDULE O" dropped
        #expect(uchealth.programDescriptions.count == 2)
        #expect(!uchealth.programDescriptions.contains("HOSPITAL INITIATIVES"))
    }

    @Test func aPrivateFoundationHasNoMissionTakenFromAnExpenseLine() throws {
        let pf = try parse("201401439349100200_public.xml")
        #expect(pf.mission == nil)
        #expect(!pf.programDescriptions.contains("BROKERAGE FEES"))
        #expect(pf.filing.charitableDisbursements == 75_191)
        #expect(pf.filing.fairMarketValueOfAssets == 1_212_306)
        #expect(pf.filing.totalRevenue == 28_480)
        #expect(pf.filing.contributions == 150)
        #expect(pf.filing.investmentIncome == 2_532 + 21_546 + 4_252)
        #expect(pf.filing.otherRevenue == 28_480 - 150 - (2_532 + 21_546 + 4_252))
    }

    @Test func scheduleIKeepsCashAndNonCashApartAndTheReturnItsPriorYear() throws {
        let full = try parse("202403589349300950_public.xml")
        let first = try #require(full.grants.first)
        #expect(first.cashAmount == 877_418)
        #expect(first.nonCashAmount == 269_673)
        #expect(first.amount == 877_418 + 269_673)
        #expect(first.recipientStatus == "501(c)(3)")
        #expect(full.filing.priorYearRevenue == 6_199_667)
        #expect(full.filing.priorYearExpenses == 3_981_612)
        let pfGrant = try #require(try parse("201401439349100200_public.xml").grants.first)
        #expect(pfGrant.cashAmount == nil)
        #expect(pfGrant.recipientStatus == "PUBLIC")
    }

    /// A 2010-era return (schema 2009v1.x names), written here from the IRS schema's tags: officers
    /// under `NamePerson`, the summary under `…CurrentYear`, Part III under `Activity2`, and expense
    /// lines whose `Description` must not pass for programs.
    static let return2010 = """
        <?xml version="1.0" encoding="utf-8"?>
        <Return xmlns="http://www.irs.gov/efile" returnVersion="2009v1.7">
          <ReturnHeader>
            <TaxPeriodEndDate>2010-12-31</TaxPeriodEndDate>
            <TaxPeriodBeginDate>2010-01-01</TaxPeriodBeginDate>
            <ReturnType>990</ReturnType>
            <Filer>
              <EIN>860000010</EIN>
              <Name><BusinessNameLine1>OLD SCHEMA COMMUNITY SERVICES</BusinessNameLine1></Name>
              <USAddress><AddressLine1>1 MAIN ST</AddressLine1><City>CHARLESTON</City><State>WV</State><ZIPCode>25301</ZIPCode></USAddress>
            </Filer>
          </ReturnHeader>
          <ReturnData>
            <IRS990>
              <Organization501c typeOf501cOrganization="4">X</Organization501c>
              <ActivityOrMissionDescription>SERVES FAMILIES IN NEED</ActivityOrMissionDescription>
              <TotalRevenuePriorYear>900000</TotalRevenuePriorYear>
              <TotalRevenueCurrentYear>1000000</TotalRevenueCurrentYear>
              <TotalExpensesCurrentYear>950000</TotalExpensesCurrentYear>
              <Description>FOOD PANTRY SERVING 2,000 FAMILIES</Description>
              <Activity2><Expense>100</Expense><Description>YOUTH TUTORING</Description></Activity2>
              <Form990PartVIISectionA>
                <NamePerson>JANE DOE</NamePerson><Title>PRESIDENT</Title><AverageHoursPerWeek>40.00</AverageHoursPerWeek>
                <ReportableCompFromOrganization>85000</ReportableCompFromOrganization>
              </Form990PartVIISectionA>
              <Form990PartVIISectionA>
                <NamePerson>JOHN ROE</NamePerson><Title>TREASURER</Title><AverageHoursPerWeek>2.00</AverageHoursPerWeek>
                <ReportableCompFromOrganization>0</ReportableCompFromOrganization>
              </Form990PartVIISectionA>
              <OtherExpenses><Description>Bank and Credit Card Fe</Description><Total>1200</Total></OtherExpenses>
              <OtherExpenses><Description>Miscellaneous</Description><Total>300</Total></OtherExpenses>
              <TotalFunctionalExpenses><Total>950000</Total><ProgramServices>800000</ProgramServices>
                <ManagementAndGeneral>100000</ManagementAndGeneral><Fundraising>50000</Fundraising></TotalFunctionalExpenses>
              <TotalAssetsEOY>400000</TotalAssetsEOY>
              <TotalLiabilitiesEOY>450000</TotalLiabilitiesEOY>
              <NetAssetsOrFundBalancesEOY>-50000</NetAssetsOrFundBalancesEOY>
            </IRS990>
          </ReturnData>
        </Return>
        """

    @Test func aReturnOfThe2009SchemaGivesItsOfficersAndOnlyItsPrograms() throws {
        let old = try Form990Parser.parse(Data(Self.return2010.utf8), source: "old.xml")
        #expect(old.officers.map(\.name) == ["JANE DOE", "JOHN ROE"])
        #expect(old.officers.first?.title == "PRESIDENT")
        #expect(old.officers.first?.hoursPerWeek == 40)
        #expect(old.officers.first?.compensation == 85_000)
        #expect(old.programDescriptions == ["FOOD PANTRY SERVING 2,000 FAMILIES", "YOUTH TUTORING"])
        #expect(old.mission == "SERVES FAMILIES IN NEED")
        #expect(old.filing.totalRevenue == 1_000_000)
        #expect(old.filing.priorYearRevenue == 900_000)
        #expect(old.filing.programExpenses == 800_000)
        #expect(old.filing.netAssets == -50_000)
        #expect(old.organization.name == "OLD SCHEMA COMMUNITY SERVICES")
        #expect(old.organization.subsection == "04")
        #expect(old.organization.city == "CHARLESTON")
    }

    /// An import's lane reads thousands of returns with one reader, which keeps the element paths it
    /// has seen: what it reads must not depend on what it read before (schema years, broken files).
    @Test func oneReaderReadsEachReturnAsAFreshOneWouldInAnyOrder() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: TestData.path("irs990_xml")).filter { $0.hasSuffix(".xml") }.sorted()
        let documents = try files.map { ($0, try TestData.data("irs990_xml/" + $0)) } + [("old.xml", Data(Self.return2010.utf8))]
        func summary(_ parsed: Form990Return) -> [AnyHashable] { [parsed.organization, parsed.filing, parsed.grants, parsed.officers] }
        let fresh = try documents.map { try summary(Form990Parser.parse($0.1, source: $0.0)) }
        var reader = Form990Parser.Reader()
        for order in [Array(documents.indices), documents.indices.reversed(), documents.indices.map { ($0 * 4) % documents.count }] {
            for position in order {
                #expect(try summary(reader.parse(documents[position].1, source: documents[position].0)) == fresh[position], "\(documents[position].0)")
                #expect(throws: Form990Parser.ParseError.self) { try reader.parse(documents[position].1.prefix(documents[position].1.count / 2), source: "cut.xml") }
            }
        }
    }

    @Test func aTruncatedOrBrokenFileIsRejectedWithItsLineAndColumn() throws {
        let whole = try TestData.data("irs990_xml/202403589349300950_public.xml")
        for cut in [9_000, 20_000, whole.count - 20] {
            do {
                _ = try Form990Parser.parse(whole.prefix(cut), source: "cut.xml")
                Issue.record("a file cut at byte \(cut) of \(whole.count) was accepted")
            } catch {
                #expect(error.line != nil && error.column != nil)
                #expect(error.reason.contains("truncated or incomplete"), "\(error)")
            }
        }
        let cases: [(xml: String, reason: String, line: Int, column: Int)] = [
            ("<Return><A>1</B></Return>", "closing tag </B> does not match <A> opened at line 1, column 9", 1, 13),
            ("<Return>\n  <A>&nbsp;</A></Return>", "unknown entity '&nbsp;'", 2, 6),
            ("<Return/>\n<Return/>", "a second root element", 2, 1),
            ("garbage", "text before the root element", 1, 1),
            ("", "no root element", 1, 1),
            // Inside a schedule that is passed over (not read), the file is still checked.
            ("<Return><ReturnData><IRS990ScheduleB><A>&nbsp;</A></IRS990ScheduleB></ReturnData></Return>", "unknown entity '&nbsp;'", 1, 41),
            ("<Return><ReturnData><IRS990ScheduleO><A x=\"&bad;\"/></IRS990ScheduleO></ReturnData></Return>", "unknown entity '&bad;'", 1, 44),
            ("<Return><ReturnData><IRS990ScheduleO><A></B></IRS990ScheduleO></ReturnData></Return>", "closing tag </B> does not match <A>", 1, 41),
        ]
        for item in cases {
            do {
                _ = try Form990Parser.parse(Data(item.xml.utf8), source: "bad.xml")
                Issue.record("accepted: \(item.xml)")
            } catch {
                #expect(error.reason.contains(item.reason), "\(error)")
                #expect([error.line, error.column] == [item.line, item.column], "\(error)")
                #expect(error.description.hasPrefix("bad.xml:\(item.line):\(item.column): "))
            }
        }
    }

    @Test func entityDeclarationsAreRefusedSoNothingIsEverExpandedOrFetched() throws {
        let secret = NSTemporaryDirectory() + "catalynx-secret-\(UUID().uuidString).txt"
        try "TOP SECRET".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let attacks = [
            "<?xml version=\"1.0\"?>\n<!DOCTYPE Return [<!ENTITY x SYSTEM \"file://\(secret)\">]>\n<Return>&x;</Return>",
            "<!DOCTYPE Return [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><Return>&b;</Return>",
        ]
        for attack in attacks {
            do {
                _ = try Form990Parser.parse(Data(attack.utf8), source: "attack.xml")
                Issue.record("accepted a DOCTYPE")
            } catch {
                #expect(error.reason.contains("document type declaration"))
                #expect(!error.description.contains("TOP SECRET"))
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func aRejectedFileChangesNothingAndTheHeaderFillsOnlyGaps(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        // What ProPublica knows of UCHealth's foundation: a name and a ruling, no address.
        var known = Organization(ein: "741894581", name: "Uchealth Northern Colorado Foundation", source: "propublica")
        known.ruling = "198812"
        known.nteeCode = "E11"
        try await database.save(RecordBatch(organizations: [known]))
        let importer = Form990Importer(database: database)
        let good = try await importer.importPaths([TestData.path("irs990_xml/202403589349300950_public.xml")])
        #expect(good.rejected.isEmpty)
        let merged = try #require(try await database.organization(EIN("741894581")))
        #expect(merged.name == "Uchealth Northern Colorado Foundation")  // ProPublica's name is kept
        #expect([merged.city, merged.state, merged.zip] == ["FORT COLLINS", "CO", "80528"])  // the header fills the address
        #expect(merged.ruling == "198812")
        #expect(merged.nteeCode == "E11")
        #expect(merged.source == "propublica")
        let before = try #require(try await database.record(EIN("741894581")))

        let truncated = directory + "/202403589349300950_public.xml"
        try TestData.data("irs990_xml/202403589349300950_public.xml").prefix(9_000).write(to: URL(fileURLWithPath: truncated))
        // The same object id: passed over as imported, unless forced (then read and rejected).
        #expect(try await importer.importPaths([truncated]).alreadyPresentCount == 1)
        let bad = try await importer.importPaths([truncated], options: .init(force: true))
        #expect(bad.returns.isEmpty)
        #expect(bad.rejected.count == 1)
        #expect(bad.rejected.first?.description.hasPrefix(truncated + ":") == true)
        let after = try #require(try await database.record(EIN("741894581")))
        #expect(after.organization == before.organization)
        #expect(after.filings == before.filings)
        #expect(after.grantsMade == before.grantsMade)
        #expect(after.officers == before.officers)

        // A header-only organization gets its address; a later BMF row takes over what it has.
        _ = try await importer.importPaths([TestData.path("irs990_xml/201541349349307794_public.xml")])
        let voice = try #require(try await database.organization(EIN("201585919")))
        #expect(voice.name == "VOICE OF SAN DIEGO")
        #expect([voice.state, voice.subsection] == ["CA", "03"])
        #expect(voice.source == "irs990_xml")
    }
}
