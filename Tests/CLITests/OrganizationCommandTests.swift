import AgentCore
import Foundation
import Testing
import TestSupport

/// End to end on a fresh CATALYNX_HOME, with the organization database in SQLite or on
/// PostgreSQL: the embedded dataset loads by itself, look-ups work, and BMF imports report bad
/// rows and change nothing the second time.
@Suite("CLI: organizations and data", .serialized)
struct OrganizationCommandTests {
    @Test(arguments: TestBackend.allCases) func lookUpsWorkOnAFreshHomeAndImportsAreIdempotent(_ backend: TestBackend) async throws {
        var cli = try CLIHarness()
        if backend == .postgres { cli.extraEnvironment["CATALYNX_DATABASE_URL"] = try await TestPostgres.freshDatabase() }
        let show = try cli.run("org", "show", "54-1230284")
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stderr.contains("loading the embedded dataset"))
        #expect(show.stdout.contains("Virginia Primary Care Assn Inc  (EIN 54-1230284)"))
        #expect(show.stdout.contains("FY2022 (Apr 2021–Mar 2022)  990   $6,822,022   $6,445,626"))
        // The newest figures on record, with their year and source, as the analysis and the API give them.
        #expect(show.stdout.contains("latest: revenue $7,910,303 · assets $7,100,693 in FY2024 (Apr 2023–Mar 2024)"))
        #expect(show.stdout.contains("501(c)(3)") && show.stdout.contains("exempt since June 1984"))

        let json = try cli.run("org", "show", "141833603", "--format", "json")
        #expect(json.status == 0)
        #expect(!json.stderr.contains("loading the embedded dataset"))  // loaded once
        let grants = json.json?["grants_made"]?.arrayValue ?? []
        #expect(grants.count == 16)
        #expect(grants.compactMap { $0["amount"]?.numberValue }.reduce(0, +) == 53_374)
        #expect(json.json?["organization"]?["name"] == "THE MILLMAN-HARRIS-ROMANO FOUNDATION")

        // `funders show`: the same grants as a giving profile, on either database.
        let giving = try cli.run("funders", "show", "141833603")
        #expect(giving.status == 0, "\(giving.stderr)")
        #expect(giving.stdout.contains("16 grants on record, $53,374 in FY2013; median $1,000; 76% to NY."))
        #expect(giving.stdout.contains("FY2013  16      $53,374  first year on record"))
        #expect(giving.stdout.contains("From: Form 990-PF FY2013, e-file 201401439349100200"))
        let givingJSON = try cli.run("funders", "show", "04-6662754", "--format", "json")
        #expect(givingJSON.json?["grant_count"] == 4 && givingJSON.json?["total_given"] == 12_000)
        #expect(try cli.run("funders", "show", "86-0000099").status == 4)

        #expect(try cli.run("org", "show", "12-345").status == 2)
        let unknown = try cli.run("org", "show", "86-0000099")
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("no organization with EIN 86-0000099"))

        let search = try cli.run("org", "search", "agency", "aging", "--state", "VA", "--format", "json")
        let names = (search.json?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(names.contains("Peninsula Agency On Aging Inc"))
        #expect(names.count >= 3)
        let foundations = try cli.run("org", "search", "--state", "DE", "--foundations", "--limit", "3", "--format", "json")
        #expect(foundations.json?.arrayValue?.count == 3)

        let header = "EIN,NAME,ICO,STREET,CITY,STATE,ZIP,GROUP,SUBSECTION,AFFILIATION,CLASSIFICATION,RULING,DEDUCTIBILITY,FOUNDATION,ACTIVITY,ORGANIZATION,STATUS,TAX_PERIOD,ASSET_CD,INCOME_CD,FILING_REQ_CD,PF_FILING_REQ_CD,ACCT_PD,ASSET_AMT,INCOME_AMT,REVENUE_AMT,NTEE_CD,SORT_NAME"
        let file = try cli.write("eo_test.csv", [
            header,
            "860000010,NEW ORGANIZATION,,1 MAIN ST,CHEYENNE,WY,82001,0000,03,3,1000,200207,1,15,000000000,5,01,202512,0,0,02,0,12,0,0,500,P81,",
            "860000011,BROKEN ROW,WY",
            "8600,SHORT EIN,,,,WY,,,03,,,,,,,,,,,,,,,,,,,",
            "010631747,AMERICAN LEGION,% DOUG HENSALA,1320 HUGUR AVE,CHEYENNE,WY,82001-4917,0925,19,9,1000,194603,0,00,907908000,5,01,202506,0,0,02,0,06,0,0,0,,0017 E A BLACKMORE MEMORIAL",
        ].joined(separator: "\r\n") + "\r\n")
        let imported = try cli.run("data", "import-bmf", file, "--format", "json")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.json?["rows"] == 4)
        #expect(imported.json?["inserted"] == 1)
        #expect(imported.json?["unchanged"] == 1)
        #expect(imported.json?["skipped"] == 2)
        let rejected = imported.json?["rejected"]?.arrayValue ?? []
        #expect(rejected.map { $0["line"] } == [3, 4])
        let again = try cli.run("data", "import-bmf", file)
        #expect(again.status == 0)
        #expect(again.stdout.contains("0 imported, 0 updated, 2 unchanged"))
        #expect(again.stderr.contains("eo_test.csv:3: expected 28 columns, found 3"))
        #expect(try cli.run("org", "show", "860000010").stdout.contains("New Organization  (EIN 86-0000010)"))
        #expect(try cli.run("data", "import-bmf", cli.home + "/missing.csv").status == 2)
        // An empty file or one that is not the BMF imports nothing: exit 2, the reason, no negative counts.
        for (name, text) in [("empty.csv", ""), ("other.csv", "a,b\n1,2\n")] {
            let refused = try cli.run("data", "import-bmf", try cli.write(name, text))
            #expect(refused.status == 2, "\(name)")
            #expect(refused.stderr.contains("error: \(name):"), "\(refused.stderr)")
            #expect(!refused.stdout.contains("-1"), "\(refused.stdout)")
        }

        let analysis = try cli.run("analyze", "54-1230284", "--tier", "standard", "--format", "json")
        #expect(analysis.status == 0, "\(analysis.stderr)")
        #expect(analysis.json?["organization"]?["name"] == "Virginia Primary Care Assn Inc")
        #expect(analysis.json?["metrics"]?["latest"]?["months_of_reserve"]?.numberValue.map { abs($0 - 10.106) < 0.001 } == true)
        #expect(analysis.json?["verdict"] == "complete", "\(analysis.stdout.prefix(600))")
        if backend == .postgres {
            #expect(!FileManager.default.fileExists(atPath: cli.home + "/organizations.sqlite"), "nothing of the organizations is kept locally")
            let status = try cli.run("db", "status", "--format", "json")
            #expect(status.status == 0, "\(status.stderr)")
            let migrations = status.json?.arrayValue ?? []
            #expect(Set(migrations.compactMap { $0["schema"]?.stringValue }) == ["runs", "organizations"], "\(status.stdout)")
            #expect(!migrations.isEmpty && migrations.allSatisfy { $0["applied_at"]?.stringValue != nil })
        }
    }
}
