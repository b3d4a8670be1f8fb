import AgentCore
import Foundation
import Testing
import TestSupport

/// `catalynx data download` end to end, against a local mirror of the IRS's layout.
@Suite struct DownloadCommandTests {
    static let returns = CLIHarness.packageRoot.appendingPathComponent("data/irs990_xml").path

    /// The mirror with a 2024 e-file year: the embedded returns and one more (a copy of the 990-EZ
    /// under another EIN and object id), in one archive, and an index without a batch column.
    static func mirrorWithYear() throws -> IRSMirror {
        let mirror = try IRSMirror()
        var entries = try TestArchive.entries(ofFolder: returns)
        let ez = try #require(entries.first { $0.name == "202300129349200500_public.xml" })
        let copy = String(decoding: ez.data, as: UTF8.self).replacingOccurrences(of: "<EIN>811795570</EIN>", with: "<EIN>861234567</EIN>")
        entries.append(("202400000000000001_public.xml", Data(copy.utf8)))
        let scratch = NSTemporaryDirectory() + "catalynx-mirror-\(UUID().uuidString).zip"
        try TestArchive.write(scratch, entries: entries)
        mirror.serve("/pub/epostcard/990/xml/2024/2024_TEOS_XML_01A.zip", try Data(contentsOf: URL(fileURLWithPath: scratch)))
        mirror.serve("/pub/epostcard/990/xml/2024/index_2024.csv", Data(TestArchive.index([
            ("202400000000000001", "861234567", "990EZ"), ("202300129349200500", "811795570", "990EZ"),
        ]).utf8))
        return mirror
    }

    @Test func aYearIsDownloadedImportedAndSkippedWhenUnchanged() throws {
        let mirror = try Self.mirrorWithYear()
        defer { mirror.shutdown() }
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_HTTP_BACKOFF_MS"] = "10"
        mirror.cutNextDownload(of: "/pub/epostcard/990/xml/2024/2024_TEOS_XML_01A.zip", after: 20_000)

        let first = try cli.run("data", "download", "efile", "--year", "2024", "--mirror", mirror.baseURL, "--import")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("index_2024.csv"), "\(first.stdout)")
        #expect(first.stdout.contains("2024_TEOS_XML_01A.zip  resumed"), "\(first.stdout)")
        #expect(first.stdout.contains("in \(cli.home)/downloads/efile/2024"), "\(first.stdout)")
        // The embedded dataset has five of the six returns already; the sixth is new.
        #expect(first.stdout.contains("1 return imported"), "\(first.stdout)")
        #expect(first.stdout.contains("5 already there"), "\(first.stdout)")
        #expect(try cli.run("org", "show", "86-1234567").status == 0)

        let again = try cli.run("data", "download", "efile", "--year", "2024", "--mirror", mirror.baseURL, "--import", "--format", "json")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.json?["downloads"]?.arrayValue?.map { $0["outcome"] } == ["unchanged", "unchanged"], "\(again.stdout)")
        #expect(again.json?["import"]?["already_present"]?["990EZ"] == 2, "\(again.stdout)")
        #expect(again.json?["import"]?["imported"] == .object([:]), "\(again.stdout)")
        #expect(FileManager.default.fileExists(atPath: cli.home + "/downloads/efile/2024/2024_TEOS_XML_01A.zip"))

        // From the environment as well as the flag; a year that is not there is exit 4.
        cli.extraEnvironment["CATALYNX_IRS_MIRROR"] = mirror.baseURL
        let missing = try cli.run("data", "download", "efile", "--year", "2023")
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("index_2023.csv does not exist"), "\(missing.stderr)")
    }

    @Test func offlineSaysWhatToDoAndBadOptionsAreRefused() throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_IRS_MIRROR"] = "http://127.0.0.1:1"
        let offline = try cli.run("data", "download", "bmf", "--states", "DE")
        #expect(offline.status == 1)
        #expect(offline.stderr.contains("cannot reach 127.0.0.1:1"), "\(offline.stderr)")
        #expect(offline.stderr.contains("--mirror URL or CATALYNX_IRS_MIRROR"), "\(offline.stderr)")
        #expect(try cli.run("data", "download", "bmf", "--states", "ZZ").status == 2)
        #expect(try cli.run("data", "download", "efile", "--year", "1999").status == 2)
        #expect(try cli.run("data", "download", "bmf", "--mirror", "not a url").status == 2)
    }
}

extension DownloadCommandTests {
    /// A newer Delaware file from the mirror, imported over the embedded one: the change and the
    /// organization no longer listed show in `org show`.
    @Test func aBMFRefreshIsDownloadedImportedAndItsHistoryShown() throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let original = try Data(contentsOf: CLIHarness.packageRoot.appendingPathComponent("data/eo_bmf/eo_de.csv"))
        var lines = original.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        var changed = lines[2].components(separatedBy: ",")
        changed[16] = "12"
        lines[2] = changed.joined(separator: ",")
        lines.remove(at: 1)  // 01-0548657 is no longer listed
        mirror.serve("/pub/irs-soi/eo_de.csv", Data(lines.joined(separator: "\n").utf8))
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_IRS_MIRROR"] = mirror.baseURL

        let refreshed = try cli.run("data", "download", "bmf", "--states", "de", "--import")
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(refreshed.stdout.contains("eo_de.csv  downloaded"), "\(refreshed.stdout)")
        #expect(refreshed.stdout.contains("1 updated"), "\(refreshed.stdout)")
        #expect(refreshed.stdout.contains("1 no longer listed in DE (marked, not deleted)"), "\(refreshed.stdout)")

        let gone = try cli.run("org", "show", "01-0548657")
        #expect(gone.status == 0)
        #expect(gone.stdout.contains("no longer listed in the IRS Business Master File since the refresh of"), "\(gone.stdout)")
        let status = try cli.run("org", "show", "01-0571260")
        #expect(status.stdout.contains("status 01 (unconditional exemption) → 12 (trust"), "\(status.stdout)")
        let json = try cli.run("org", "show", "01-0548657", "--format", "json")
        #expect(json.json?["bmf_history"]?.arrayValue?.first?["change"] == "gone")
        #expect(json.json?["summary"]?["removed_from_bmf"]?.stringValue != nil)

        let unchanged = try cli.run("data", "download", "bmf", "--states", "DE", "--import")
        #expect(unchanged.stdout.contains("eo_de.csv  unchanged"), "\(unchanged.stdout)")
        #expect(unchanged.stderr.contains("nothing new to import"), "\(unchanged.stderr)")
    }
}
