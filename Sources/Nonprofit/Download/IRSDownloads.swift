import Foundation

/// `catalynx data download`: the IRS's BMF files and a year's e-file index and archives, fetched
/// into a downloads folder (`bmf/`, `efile/YYYY/`) with `FileDownloader`'s resume, skip and checks.
public struct IRSDownloads: Sendable {
    public var files: IRSFiles
    public var downloader: FileDownloader

    /// - Parameters:
    ///   - directory: the downloads folder (`$CATALYNX_HOME/downloads`).
    ///   - mirror: a mirror replacing the IRS's hosts (see `IRSFiles`).
    public init(directory: String, mirror: String? = nil) {
        files = IRSFiles(mirror: mirror)
        downloader = FileDownloader(directory: directory)
    }

    /// Which BMF files.
    public enum BMFSelection: Sendable, Hashable {
        /// State files (`eo_va.csv`), by two-letter code.
        case states([String])
        /// The four region files, the whole country.
        case regions
    }

    /// Events of a download, for a progress display.
    public enum Event: Sendable {
        /// Fetching file `number` of `count`.
        case starting(name: String, number: Int, count: Int)
        case progress(FileDownloader.Progress)
        case finished(FileDownloader.Result)
        /// Looking for the year's archives (no index column says which there are).
        case probing(name: String)
    }

    /// Downloads BMF files into `bmf/`.
    public func bmf(_ selection: BMFSelection, events: (@Sendable (Event) -> Void)? = nil) async throws -> [FileDownloader.Result] {
        let urls: [String] = switch selection {
        case .states(let states): states.map(files.bmfState)
        case .regions: (1...4).map(files.bmfRegion)
        }
        return try await fetch(urls, into: "bmf", events: events)
    }

    /// A year's e-file download: its index and archives.
    public struct EfileYear: Sendable {
        public var index: FileDownloader.Result
        public var archives: [FileDownloader.Result]
        /// Returns the index lists, by return type (those `forms` selects when given).
        public var returns: [String: Int]
    }

    /// Downloads a year's index and the archives that hold the returns of `forms` (all when nil) into
    /// `efile/YYYY/`. The index's `XML_BATCH_ID` column says which archives hold which returns; without
    /// it, archives are found by asking for each month's A, B, … until one is missing.
    /// - Throws: `FileDownloader.DownloadError.notFound` when the year has no index.
    public func efile(year: Int, forms: Set<String>?, events: (@Sendable (Event) -> Void)? = nil) async throws -> EfileYear {
        let folder = "efile/\(year)"
        let index = try await fetch([files.efileIndex(year: year)], into: folder, events: events)[0]
        let listed = try EfileIndex.read(path: index.path)
        let wanted = listed.entries.values.filter { forms?.contains($0.returnType) ?? true }
        var names = Set(wanted.compactMap(\.batch)).sorted()
        if names.isEmpty, !wanted.isEmpty {
            names = try await probeArchives(year: year, events: events)
        }
        let archives = try await fetch(names.map { files.efileArchive(year: year, $0) }, into: folder, events: events)
        let returns = wanted.reduce(into: [String: Int]()) { counts, entry in counts[entry.returnType, default: 0] += 1 }
        return EfileYear(index: index, archives: archives, returns: returns)
    }

    /// The archives of a year that exist: for each month, letters from A until one is missing.
    private func probeArchives(year: Int, events: (@Sendable (Event) -> Void)?) async throws -> [String] {
        var names: [String] = []
        for month in 1...12 {
            for letter in 0..<26 {
                let name = IRSFiles.archiveName(year: year, month: month, letter: letter)
                events?(.probing(name: name))
                guard try await downloader.exists(files.efileArchive(year: year, name)) else { break }
                names.append(name)
            }
        }
        return names
    }

    private func fetch(_ urls: [String], into folder: String, events: (@Sendable (Event) -> Void)?) async throws -> [FileDownloader.Result] {
        var downloader = downloader
        downloader.directory = (downloader.directory as NSString).appendingPathComponent(folder)
        var results: [FileDownloader.Result] = []
        for (number, url) in urls.enumerated() {
            let name = URL(string: url)?.lastPathComponent ?? url
            events?(.starting(name: name, number: number + 1, count: urls.count))
            let result = try await downloader.download(url, as: name) { progress in events?(.progress(progress)) }
            events?(.finished(result))
            results.append(result)
        }
        return results
    }
}
