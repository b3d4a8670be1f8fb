import Foundation
import Testing
import TestSupport
@testable import Nonprofit

@Suite("BMF import", .serialized)
struct BMFImportTests {
    @Test(arguments: TestBackend.allCases) func theRealStateFilesImportCompletelyAndReimportChangesNothing(_ backend: TestBackend) async throws {
        let (database, _) = try await TestData.freshDatabase(backend)
        let expected = ["eo_dc.csv": 14_121, "eo_de.csv": 10_231, "eo_nd.csv": 6_656, "eo_nh.csv": 9_392,
                        "eo_ri.csv": 6_604, "eo_vt.csv": 6_535, "eo_wv.csv": 11_650, "eo_wy.csv": 5_985]
        let files = expected.keys.sorted().map { TestData.path("eo_bmf/" + $0) }
        let first = try await BMFImporter(database: database).importFiles(files)
        #expect(first.rows == 71_174)
        #expect(first.rejected == [])
        #expect(first.inserted + first.duplicates == 71_174)
        #expect(try await database.counts()["organizations"] == first.inserted)
        let again = try await BMFImporter(database: database).importFiles([TestData.path("eo_bmf/eo_wy.csv")])
        #expect(again.rows == 5_985)
        #expect(again.inserted == 0)
        #expect(again.updated == 0)
        #expect(again.unchanged == 5_985)

        let legion = try #require(try await database.organization(EIN("010631747")))
        #expect(legion.name == "AMERICAN LEGION")
        #expect(legion.inCareOf == "% DOUG HENSALA")
        #expect(legion.subsection == "19")
        #expect(legion.foundation == "00")
        #expect(legion.status == "01")
        #expect(legion.groupExemption == "0925")
        #expect(legion.nteeCode == nil)
        #expect(legion.assets == 0)
        #expect(legion.sortName == "0017 E A BLACKMORE MEMORIAL")
        let foundations = try await database.search(.init(text: "", state: "DE", foundationsOnly: true, limit: 5000))
        #expect(foundations.count > 2_000)
        #expect(foundations.allSatisfy { $0.isPrivateFoundation && $0.state == "DE" })
    }

    @Test(arguments: TestBackend.allCases) func badRowsAreReportedByLineAndTheRestImported(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let header = BMFImporter.columns.joined(separator: ",")
        func row(_ ein: String, _ name: String, revenue: String = "1200", ntee: String = "P81") -> String {
            "\(ein),\(name),,1 MAIN ST,CHEYENNE,WY,82001,0000,03,3,1000,200207,1,15,000000000,5,01,202512,0,0,02,0,12,0,0,\(revenue),\(ntee),"
        }
        let lines = [
            header,
            row("860000001", "GOOD ONE"),                       // line 2
            row("12345", "SHORT EIN"),                          // line 3: bad EIN
            "860000002,TOO FEW,COLUMNS",                        // line 4
            row("860000003", "\"QUOTED, WITH COMMA\""),        // line 5
            row("860000004", "BAD AMOUNT", revenue: "12x"),     // line 6
            row("000000005", "UNASSIGNED PREFIX"),              // line 7
            row("860000001", "GOOD ONE RENAMED"),               // line 8: a duplicate, the later row wins
            row("860000006", "CAF\u{C9} LATIN"),                // line 9 (written as latin-1 below)
            row("860000007", String(repeating: "LONG ", count: 14_000)),  // line 10: 70,000 bytes, refused
        ]
        let path = directory + "/broken.csv"
        let bytes = lines.joined(separator: "\r\n").unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let summary = try await BMFImporter(database: database).importFiles([path])
        #expect(summary.rows == 9)
        #expect(summary.rejected.map(\.description) == [
            "broken.csv:3: EIN: it has 5 digits; an EIN has 9 ('12345')",
            "broken.csv:4: expected 28 columns, found 3",
            "broken.csv:6: REVENUE_AMT is not a whole number ('12x')",
            "broken.csv:7: EIN: the prefix 00 is never assigned by the IRS ('000000005')",
            "broken.csv:10: the row is longer than 64 KB (a BMF row is a few hundred bytes)",
        ])
        #expect(summary.duplicates == 1)
        #expect(summary.inserted == 3)
        #expect(try await database.organization(EIN("860000001"))?.name == "GOOD ONE RENAMED")
        #expect(try await database.organization(EIN("860000003"))?.name == "QUOTED, WITH COMMA")
        #expect(try await database.organization(EIN("860000006"))?.name == "CAFÉ LATIN")
        #expect(try await database.search(.init(text: "cafe")).map(\.ein) == ["860000006"])
    }

    @Test(arguments: TestBackend.allCases) func anUpdatedRowIsUpdatedNotDuplicated(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let header = BMFImporter.columns.joined(separator: ",")
        let path = directory + "/one.csv"
        try (header + "\n860000001,OLD NAME,,,,WY,,,03,,,,,,,,,,,,,,,,,100,,\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try await BMFImporter(database: database).importFiles([path])
        try (header + "\n860000001,NEW NAME,,,,WY,,,03,,,,,,,,,,,,,,,,,250,,\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try await BMFImporter(database: database).importFiles([path])
        #expect((summary.inserted, summary.updated, summary.unchanged) == (0, 1, 0))
        let organization = try await database.organization(EIN("860000001"))
        #expect(organization?.name == "NEW NAME")
        #expect(organization?.revenue == 250)
        #expect(try await database.counts()["organizations"] == 1)
        #expect(try await database.search(.init(text: "old")).isEmpty)
        #expect(try await database.search(.init(text: "new name")).count == 1)
    }

    /// Latin-1 text, backslashes, tabs, quotes and a repeated EIN within one batch arrive as written, on both databases.
    @Test(arguments: TestBackend.allCases) func textArrivesAsWrittenAndALaterRowForAnEINWins(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let path = directory + "/latin1.csv"
        var file = Data((BMFImporter.columns.joined(separator: ",") + "\n").utf8)
        file.append(Data("860000002,\"CAF".utf8) + Data([0xC9]) + Data(" \\ \tONE \"\"QUOTED\"\"\",,,CHEYENNE,WY,,,03,,,,,,,,,,,,,,,,,,x20,\n".utf8))
        file.append(Data("860000003,FIRST,,,,WY,,,03,,,,,,,,,,,,,,,,,1,,\n860000003,SECOND,,,,WY,,,03,,,,,,,,,,,,,,,,,2,b21,\n".utf8))
        try file.write(to: URL(fileURLWithPath: path))
        let summary = try await BMFImporter(database: database).importFiles([path])
        #expect((summary.rows, summary.inserted, summary.duplicates, summary.rejected.count) == (3, 2, 1, 0))
        let cafe = try #require(try await database.organization(EIN("860000002")))
        #expect(cafe.name == "CAF\u{C9} \\ \tONE \"QUOTED\"" && cafe.nteeCode == "X20" && cafe.nteeMajor == "X" && cafe.revenue == nil && cafe.city == "CHEYENNE")
        let repeated = try #require(try await database.organization(EIN("860000003")))
        #expect(repeated.name == "SECOND" && repeated.revenue == 2 && repeated.nteeCode == "B21")
        #expect(try await database.search(.init(text: "cafe")).map(\.ein) == ["860000002"], "the search folds the accent")
    }

    @Test(arguments: TestBackend.allCases) func aFileThatIsNotTheBMFIsRefusedWhole(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let path = directory + "/other.csv"
        try "a,b,c\n1,2,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try await BMFImporter(database: database).importFiles([path])
        #expect(summary.rows == 0)
        #expect(summary.refusedFiles.first?.description.hasPrefix("other.csv:1: not an IRS BMF header") == true)
        #expect(summary.unchanged == 0)
        // Empty, UTF-16: refused with the reason; no count goes negative.
        try Data().write(to: URL(fileURLWithPath: directory + "/empty.csv"))
        try "EIN,NAME\n".data(using: .utf16)!.write(to: URL(fileURLWithPath: directory + "/utf16.csv"))
        let others = try await BMFImporter(database: database).importFiles([directory + "/empty.csv", directory + "/utf16.csv"])
        #expect(others.refusedFiles.map(\.reason) == ["the file is empty",
                                                      "the file is UTF-16 text; the IRS BMF is plain text (ASCII or latin-1): save it as CSV again"])
        #expect(others.rows == 0 && others.unchanged == 0 && others.rejected.isEmpty)
    }

    /// One stray quote on row 10 of 50,000 costs that row, not the 44,000 after it; CR-only line ends
    /// are line ends; NUL and other control characters never reach the database.
    @Test(arguments: TestBackend.allCases) func aStrayQuoteCostsOneRowAndTheRestAreRecovered(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let header = BMFImporter.columns.joined(separator: ",")
        func row(_ index: Int, name: String = "ORGANIZATION") -> String {
            "\(String(format: "8%08d", index)),\(name) \(index),,1 MAIN ST,CHEYENNE,WY,82001,0000,03,3,1000,200207,1,15,000000000,5,01,202512,0,0,02,0,12,0,0,500,P81,"
        }
        var lines = [header] + (1...50_000).map { row($0) }
        lines[10] = row(10, name: "\"BROKEN")  // opens a quote that never closes
        let path = directory + "/eo_stray.csv"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try await BMFImporter(database: database).importFiles([path])
        #expect(summary.rows == 50_000)
        #expect(summary.rejected.count == 1)
        #expect(summary.rejected.first?.line == 11)
        #expect(summary.rejected.first?.reason.contains("not closed on its line") == true)
        #expect(summary.inserted == 49_999)
        #expect(try await database.organization(EIN("800000011"))?.name == "ORGANIZATION 11")

        let crPath = directory + "/eo_cr.csv"
        try ([header, row(60_001, name: "CR\u{0}ONLY"), row(60_002)].joined(separator: "\r") + "\r").write(toFile: crPath, atomically: true, encoding: .utf8)
        let cr = try await BMFImporter(database: database).importFiles([crPath])
        #expect(cr.rows == 2 && cr.rejected.isEmpty)
        #expect(try await database.organization(EIN("800060001"))?.name == "CRONLY 60001")
    }

    @Test func aBulkImportIntoPostgreSQLRebuildsItsIndexesAndAnInterruptedOneGetsThemBackOnOpen() async throws {
        let url = try await TestPostgres.freshDatabase()
        let database = try await PostgresOrganizationDatabase(url: url)
        func indexes() async throws -> Set<String> {
            var names: Set<String> = []
            for try await name in try await database.pool.client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'organizations'",
                                                                      logger: database.pool.logger).decode(String.self) {
                names.insert(name)
            }
            return names
        }
        let all = Set(PostgresOrganizationDatabase.organizationIndexes.map(\.name))
        #expect(try await indexes().isSuperset(of: all))
        let summary = try await BMFImporter(database: database).importFiles([TestData.path("eo_bmf/eo_wy.csv")])  // into an empty table: bulk
        #expect(summary.inserted == 5_985)
        #expect(try await indexes().isSuperset(of: all))
        // An import that died after dropping them:
        try await database.pool.client.query("DROP INDEX organizations_search, organizations_ntee", logger: database.pool.logger)
        #expect(try await !indexes().isSuperset(of: all))
        let reopened = try await PostgresOrganizationDatabase(url: url)
        #expect(try await indexes().isSuperset(of: all))
        #expect(try await reopened.search(.init(text: "american legion", state: "WY")).count > 10)
    }
}

/// A BMF refresh keeps history: changed values per field, organizations no longer listed marked
/// (never deleted) and unmarked when listed again, each import's counts; on both databases.
@Suite("BMF history", .serialized)
struct BMFHistoryTests {
    /// `eo_de.csv` with its first organization gone and the second one's status and name changed.
    static func refreshedDelaware(in directory: String) throws -> String {
        // By byte: the file's lines end in CR LF, one Character to Swift.
        let lines = try TestData.data("eo_bmf/eo_de.csv").split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        var second = lines[2].components(separatedBy: ",")
        second[1] += " INC"
        second[16] = "12"
        let path = directory + "/eo_de.csv"
        try ([lines[0], second.joined(separator: ",")] + Array(lines[3...])).joined(separator: "\n")
            .write(toFile: path, atomically: true, encoding: .isoLatin1)
        return path
    }

    @Test(arguments: TestBackend.allCases) func aRefreshRecordsChangesAndMarksWhatIsGone(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let importer = BMFImporter(database: database)
        let original = TestData.path("eo_bmf/eo_de.csv")
        let first = try await importer.importFiles([original, TestData.path("eo_bmf/eo_vt.csv")])
        #expect(first.importID == 1 && first.gone == 0)
        #expect(try await database.bmfHistory(EIN("010571260")).isEmpty, "a first import has nothing to compare with")

        let refresh = try await importer.importFiles([try Self.refreshedDelaware(in: directory)])
        #expect(refresh.importID == 2)
        #expect(refresh.updated == 1)
        #expect(refresh.gone == 1 && refresh.returned == 0)
        #expect(refresh.states == ["DE"])
        let changed = try await database.bmfHistory(EIN("010571260"))
        #expect(changed.map(\.field) == ["name", "status"])
        #expect(changed.last?.oldValue == "01" && changed.last?.newValue == "12")
        #expect(changed.allSatisfy { $0.change == "changed" && $0.importID == 2 && $0.files == "eo_de.csv" })
        // Gone from the Delaware file: still there, marked. Vermont, not in the refresh, is untouched.
        #expect(try await database.organization(EIN("010548657")) != nil)
        #expect(try await database.bmfHistory(EIN("010548657")).map(\.change) == ["gone"])
        #expect(try await database.counts()["organizations"] == first.inserted)

        // Listed again by the next refresh: unmarked, recorded; a refresh with nothing new records nothing.
        let back = try await importer.importFiles([original])
        #expect(back.returned == 1 && back.gone == 0)
        #expect(try await database.bmfHistory(EIN("010548657")).map(\.change) == ["gone", "returned"])
        let quiet = try await importer.importFiles([original])
        #expect(quiet.importID == 4 && quiet.gone == 0 && quiet.returned == 0 && quiet.updated == 0)
        #expect(try await database.bmfHistory(EIN("010548657")).count == 2)
    }
}
