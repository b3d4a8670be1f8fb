import Foundation
import Testing
import TestSupport
@testable import Nonprofit

/// `Form990Importer` on the IRS's ZIP archives: read in place, incremental by object id, selection
/// by the year's index, broken entries named, on both databases.
@Suite struct EfileArchiveImportTests {
    static let returns = TestData.path("irs990_xml")

    /// An archive of the embedded returns (and any extra entries) in a fresh folder.
    static func archive(in directory: String, extra: [(name: String, data: Data)] = [], name: String = "2024_TEOS_XML_01A.zip") throws -> String {
        let path = directory + "/" + name
        try TestArchive.write(path, entries: try TestArchive.entries(ofFolder: returns) + extra)
        return path
    }

    @Test(arguments: TestBackend.allCases) func anArchiveImportsOnceAndAReRunAddsNothing(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let archive = try Self.archive(in: directory)
        let importer = Form990Importer(database: database)
        let first = try await importer.importPaths([archive])
        #expect(first.imported == ["990": 2, "990EZ": 1, "990PF": 2])
        #expect(first.rejected.isEmpty && first.unreadable.isEmpty)
        #expect(first.grants == 24)
        let counts = try await database.counts()
        #expect(counts["filings"] == 5)
        #expect(counts["grants"] == 24)
        let filing = try #require(try await database.filings(EIN("141833603")).first)
        #expect(filing.objectID == "201401439349100200")

        let again = try await importer.importPaths([archive])
        #expect(again.importedCount == 0)
        #expect(again.alreadyPresent == ["990": 2, "990EZ": 1, "990PF": 2])
        #expect(try await database.counts() == counts)

        // --force reads them again; the rows merge, nothing is duplicated.
        let forced = try await importer.importPaths([archive], options: .init(force: true))
        #expect(forced.importedCount == 5)
        #expect(try await database.counts() == counts)
    }

    @Test(arguments: TestBackend.allCases) func aBrokenEntryIsNamedAndTheRestImported(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        let whole = try TestData.data("irs990_xml/202403589349300950_public.xml")
        let archive = try Self.archive(in: directory, extra: [
            ("999999999999999990_public.xml", whole.prefix(9_000)),
            ("999999999999999991_public.xml", Data("not xml at all".utf8)),
        ])
        let summary = try await Form990Importer(database: database).importPaths([archive])
        #expect(summary.importedCount == 5)
        #expect(summary.rejected.map(\.source.entry) == ["999999999999999990_public.xml", "999999999999999991_public.xml"])
        let truncated = try #require(summary.rejected.first)
        #expect(truncated.source.path == archive)
        #expect(truncated.description.hasPrefix("2024_TEOS_XML_01A.zip: 999999999999999990_public.xml:"), "\(truncated)")
        #expect(truncated.error.line != nil && truncated.error.column != nil)
        #expect(summary.rejectedByForm == ["unknown": 2])
        // The rejected returns are not recorded: a re-run tries them again (and rejects them again).
        let again = try await Form990Importer(database: database).importPaths([archive])
        #expect(again.alreadyPresentCount == 5 && again.rejected.count == 2)
    }

    @Test func anEntryWhoseBytesChangedFailsItsChecksumAndTheRestImport() async throws {
        let (database, directory) = try await TestData.freshDatabase(.sqlite)
        let path = directory + "/2024_TEOS_XML_01A.zip"
        // Stored, not deflated: a changed byte still inflates, so only the CRC-32 can tell.
        try TestArchive.write(path, entries: try TestArchive.entries(ofFolder: Self.returns), stored: true)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let marker = Data("<ReturnTypeCd>990EZ</ReturnTypeCd>".utf8)
        let changed = try #require(bytes.range(of: marker))
        bytes[changed.lowerBound + 15] = UInt8(ascii: "8")  // 990EZ → 980EZ, still well-formed XML
        try bytes.write(to: URL(fileURLWithPath: path))
        let summary = try await Form990Importer(database: database).importPaths([path])
        #expect(summary.imported == ["990": 2, "990PF": 2])
        let rejected = try #require(summary.rejected.first)
        #expect(rejected.source.entry == "202300129349200500_public.xml")
        #expect(rejected.description.contains("CRC-32"), "\(rejected)")
    }

    @Test(arguments: TestBackend.allCases) func theIndexSelectsFormsWithoutReadingTheOthers(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        // The index says the broken entry is a 990: it is left out by --forms 990PF, never read.
        let archive = try Self.archive(in: directory, extra: [("999999999999999990_public.xml", Data("broken".utf8))])
        let index = TestArchive.index([
            ("201401439349100200", "141833603", "990PF"), ("201541349349307794", "201585919", "990"), ("201601249349100900", "046662754", "990-PF"),
            ("202300129349200500", "811795570", "990EZ"), ("202403589349300950", "741894581", "990"), ("999999999999999990", "999999999", "990"),
        ])
        try index.write(toFile: directory + "/index_2024.csv", atomically: true, encoding: .utf8)
        let summary = try await Form990Importer(database: database).importPaths([archive], options: .init(forms: ["990pf"]))
        #expect(summary.imported == ["990PF": 2])
        #expect(summary.notSelected == ["990": 3, "990EZ": 1])
        #expect(summary.rejected.isEmpty)
        #expect(try await database.counts()["filings"] == 2)
    }

    @Test func formsAreSelectedAfterParsingWhenThereIsNoIndex() async throws {
        let (database, directory) = try await TestData.freshDatabase(.sqlite)
        let summary = try await Form990Importer(database: database).importPaths([try Self.archive(in: directory)], options: .init(forms: ["990EZ"]))
        #expect(summary.imported == ["990EZ": 1])
        #expect(summary.notSelected == ["990": 2, "990PF": 2])
        // Left-out returns are not recorded as imported: asking for them later imports them.
        let rest = try await Form990Importer(database: database).importPaths([directory])
        #expect(rest.imported == ["990": 2, "990PF": 2] && rest.alreadyPresent == ["990EZ": 1])
    }

    @Test(arguments: TestBackend.allCases) func batchByBatchTheSearchAndGivingAreBroughtUpToDateAtTheEnd(_ backend: TestBackend) async throws {
        let (database, directory) = try await TestData.freshDatabase(backend)
        var options = Form990Importer.Options()
        options.batchSize = 2
        let summary = try await Form990Importer(database: database).importPaths([try Self.archive(in: directory)], options: options)
        #expect(summary.importedCount == 5)
        let found = try await database.search(OrganizationSearch(text: "voice san diego"))
        #expect(found.map(\.ein) == ["201585919"])
        // The 990-PF grantor's giving is summarised: its grants are found by the funder search.
        let giving = try await database.givingEvidence(GivingQuery(state: "NY", region: [], regionWeight: 0.4, elsewhereWeight: 0.1, causes: [],
                                                                   causeFloor: 0.1, major: nil, family: nil, including: ["141833603"]))
        #expect(giving.first { $0.grantorEIN == "141833603" }?.grants == 16)
    }

    @Test func anArchiveThatIsNotAZipIsReportedAndOthersStillImport() async throws {
        let (database, directory) = try await TestData.freshDatabase(.sqlite)
        let good = try Self.archive(in: directory)
        let bad = directory + "/2024_TEOS_XML_02A.zip"
        // A download cut short: the first half of a real archive, without its central directory.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: bad))
        let summary = try await Form990Importer(database: database).importPaths([directory])
        #expect(summary.importedCount == 5)
        #expect(summary.unreadable.map(\.path) == [bad])
        #expect(summary.unreadable.first?.reason.contains("central directory") == true)
    }

    @Test func theIndexIsReadByColumnNameWhateverTheOrder() throws {
        let directory = NSTemporaryDirectory() + "catalynx-index-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/index_2025.csv"
        try "OBJECT_ID,EXTRA,Return_Type,EIN,XML_BATCH_ID\n202500001234567890,x,990-EZ,123456789,2025_TEOS_XML_03B\n,,990,1,\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let index = try EfileIndex.read(path: path)
        #expect(index.entries.count == 1)
        #expect(index.entries["202500001234567890"]?.returnType == "990EZ")
        #expect(index.entries["202500001234567890"]?.batch == "2025_TEOS_XML_03B")
        #expect(EfileIndex.path(besideArchive: directory + "/2025_TEOS_XML_03B.zip") == path)
        try "A,B\n1,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: EfileIndex.FormatError.self) { try EfileIndex.read(path: path) }
    }
}
