import Foundation
import Testing
import TestSupport
@testable import Nonprofit

/// `FileDownloader` and `IRSDownloads` against a local mirror of the IRS's layout: fresh,
/// unchanged, resumed after a cut, damaged, missing and offline. No test touches the internet.
@Suite struct DownloadTests {
    static func folder() throws -> String {
        let directory = NSTemporaryDirectory() + "catalynx-downloads-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func downloader(_ directory: String) -> FileDownloader {
        var downloader = FileDownloader(directory: directory)
        downloader.initialBackoff = .milliseconds(10)
        return downloader
    }

    @Test func aFileIsFetchedOnceAndAgainOnlyWhenItChanges() async throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let bmf = try TestData.data("eo_bmf/eo_de.csv")
        mirror.serve("/pub/irs-soi/eo_de.csv", bmf)
        let directory = try Self.folder()
        let url = IRSFiles(mirror: mirror.baseURL).bmfState("DE")
        #expect(url == mirror.baseURL + "/pub/irs-soi/eo_de.csv")
        let downloader = Self.downloader(directory)

        let first = try await downloader.download(url)
        #expect(first.outcome == .downloaded)
        #expect(first.bytes == bmf.count && first.transferred == bmf.count)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.path)) == bmf)
        #expect(!FileManager.default.fileExists(atPath: first.path + ".part"))

        let second = try await downloader.download(url)
        #expect(second.outcome == .unchanged && second.transferred == 0)
        #expect(mirror.requests.filter { $0.method == "GET" }.count == 1)

        var changed = bmf
        changed.append(Data("\n".utf8))
        mirror.serve("/pub/irs-soi/eo_de.csv", changed)
        let third = try await downloader.download(url)
        #expect(third.outcome == .downloaded && third.bytes == changed.count)
    }

    @Test func aDownloadCutOffIsResumedWithARangeRequest() async throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let archivePath = try Self.folder() + "/2024_TEOS_XML_01A.zip"
        try TestArchive.write(archivePath, entries: try TestArchive.entries(ofFolder: TestData.path("irs990_xml")))
        let archive = try Data(contentsOf: URL(fileURLWithPath: archivePath))
        let path = "/pub/epostcard/990/xml/2024/2024_TEOS_XML_01A.zip"
        mirror.serve(path, archive)
        mirror.cutNextDownload(of: path, after: archive.count / 2)

        let result = try await Self.downloader(try Self.folder()).download(mirror.baseURL + path)
        #expect(result.outcome == .resumed)
        #expect(try Data(contentsOf: URL(fileURLWithPath: result.path)) == archive)
        let gets = mirror.requests.filter { $0.method == "GET" }
        #expect(gets.count == 2)
        #expect(gets.last?.range == "bytes=\(archive.count / 2)-")
        // Only the missing half crossed the network a second time.
        #expect(result.transferred == archive.count)
    }

    @Test func aDamagedArchiveIsRefusedAndNotKept() async throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let path = "/pub/epostcard/990/xml/2024/2024_TEOS_XML_01A.zip"
        mirror.serve(path, Data(repeating: 0x41, count: 10_000))
        let directory = try Self.folder()
        await #expect {
            try await Self.downloader(directory).download(mirror.baseURL + path)
        } throws: { error in
            guard case FileDownloader.DownloadError.damaged = error else { return false }
            return "\(error)".contains("not a readable ZIP archive")
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/2024_TEOS_XML_01A.zip"))
    }

    @Test func aMissingFileAndAnUnreachableHostSayWhat() async throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let downloader = Self.downloader(try Self.folder())
        await #expect {
            try await downloader.download(mirror.baseURL + "/pub/irs-soi/eo_zz.csv")
        } throws: { error in
            guard case FileDownloader.DownloadError.notFound = error else { return false }
            return true
        }
        // Port 1 on loopback: nothing listens there.
        await #expect {
            try await downloader.download("http://127.0.0.1:1/pub/irs-soi/eo_de.csv")
        } throws: { error in
            guard case FileDownloader.DownloadError.unreachable(let host, _) = error else { return false }
            return host == "127.0.0.1:1" && "\(error)".contains("--mirror URL or CATALYNX_IRS_MIRROR")
        }
    }

    /// A year's index and archives on the mirror: the archives found by probing (no batch column),
    /// or chosen by the index's XML_BATCH_ID for the forms asked for.
    @Test func aYearIsFoundByItsIndexAndArchives() async throws {
        let mirror = try IRSMirror()
        defer { mirror.shutdown() }
        let scratch = try Self.folder()
        let returns = try TestArchive.entries(ofFolder: TestData.path("irs990_xml"))
        let foundations = returns.filter { ["201401439349100200_public.xml", "201601249349100900_public.xml"].contains($0.name) }
        let others = returns.filter { entry in !foundations.contains { $0.name == entry.name } }
        for (name, entries) in [("2024_TEOS_XML_01A", foundations), ("2024_TEOS_XML_03A", others)] {
            try TestArchive.write(scratch + "/\(name).zip", entries: entries)
            mirror.serve("/pub/epostcard/990/xml/2024/\(name).zip", try Data(contentsOf: URL(fileURLWithPath: scratch + "/\(name).zip")))
        }
        let rows: [(String, String, String, String)] = [
            ("201401439349100200", "141833603", "990PF", "2024_TEOS_XML_01A"), ("201601249349100900", "046662754", "990PF", "2024_TEOS_XML_01A"),
            ("201541349349307794", "201585919", "990", "2024_TEOS_XML_03A"), ("202300129349200500", "811795570", "990EZ", "2024_TEOS_XML_03A"),
            ("202403589349300950", "741894581", "990", "2024_TEOS_XML_03A"),
        ]
        mirror.serve("/pub/epostcard/990/xml/2024/index_2024.csv", Data(TestArchive.index(rows.map { ($0.0, $0.1, $0.2) }).utf8))
        var downloads = IRSDownloads(directory: try Self.folder(), mirror: mirror.baseURL)
        downloads.downloader.initialBackoff = .milliseconds(10)

        let probed = try await downloads.efile(year: 2024, forms: nil)
        #expect(probed.archives.map { ($0.path as NSString).lastPathComponent } == ["2024_TEOS_XML_01A.zip", "2024_TEOS_XML_03A.zip"])
        #expect(probed.returns == ["990": 2, "990EZ": 1, "990PF": 2])
        #expect(probed.index.path.hasSuffix("/efile/2024/index_2024.csv"))
        // Months without archives were asked for once each (their letter A), not fetched.
        #expect(mirror.requests.contains { $0.method == "HEAD" && $0.path.hasSuffix("2024_TEOS_XML_02A.zip") })
        #expect(!mirror.requests.contains { $0.path.hasSuffix("2024_TEOS_XML_02B.zip") })

        let batched = "RETURN_ID,EIN,RETURN_TYPE,OBJECT_ID,XML_BATCH_ID\n" + rows.enumerated().map { "\($0.offset),\($0.element.1),\($0.element.2),\($0.element.0),\($0.element.3)" }
            .joined(separator: "\n")
        mirror.serve("/pub/epostcard/990/xml/2024/index_2024.csv", Data(batched.utf8))
        let chosen = try await downloads.efile(year: 2024, forms: ["990PF"])
        #expect(chosen.index.outcome == .downloaded)
        #expect(chosen.archives.map { ($0.path as NSString).lastPathComponent } == ["2024_TEOS_XML_01A.zip"])
        #expect(chosen.archives.first?.outcome == .unchanged)
        #expect(chosen.returns == ["990PF": 2])
    }
}
