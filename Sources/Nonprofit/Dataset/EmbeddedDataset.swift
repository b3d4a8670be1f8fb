import Foundation

/// The real public data shipped in the project's `data/` folder (IRS BMF state files,
/// ProPublica responses, 990 XML returns), loaded into the organization database the first
/// time it is opened, so that look-ups work on a fresh installation with no set-up.
public struct EmbeddedDataset: Sendable {
    /// The marker recorded in the database once the dataset is loaded; a new version reloads.
    public static let version = "embedded-dataset-v3"

    public let directory: String

    public init(directory: String) { self.directory = directory }

    func files(_ folder: String, suffix: String) -> [String] {
        let path = (directory as NSString).appendingPathComponent(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
            .map { (path as NSString).appendingPathComponent($0) }
    }

    /// The BMF state files.
    public var bmfFiles: [String] { files("eo_bmf", suffix: ".csv") }
    /// ProPublica `organizations/<ein>.json` responses.
    public var propublicaFiles: [String] { files("propublica/organizations", suffix: ".json") }
    /// 990 e-file XML returns.
    public var xmlFiles: [String] { files("irs990_xml", suffix: ".xml") }

    /// Loads the dataset unless this version is already loaded.
    /// - Parameters:
    ///   - database: the organization database.
    ///   - progress: BMF import progress.
    /// - Returns: the BMF import summary, or `nil` when nothing had to be loaded.
    @discardableResult
    public func loadIfNeeded(into database: any OrganizationDatabase,
                             progress: (@Sendable (BMFImporter.Progress) -> Void)? = nil) async throws -> BMFImporter.Summary? {
        guard try await !database.hasImported(Self.version) else { return nil }
        let bmf = try await BMFImporter(database: database).importFiles(bmfFiles, progress: progress)
        _ = try await ProPublicaImporter(database: database).importFiles(propublicaFiles)
        _ = try await Form990Importer(database: database).importPaths(xmlFiles)
        try await database.markImported(Self.version, detail: "\(bmf.rows) BMF rows, \(propublicaFiles.count) ProPublica responses, \(xmlFiles.count) returns")
        return bmf
    }
}
