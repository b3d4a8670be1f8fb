import Foundation
import TestSupport
@testable import Nonprofit

enum TestData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent("data/" + relative).path }
    static func data(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(relative))) }

    /// One of the real returns in `data/irs990_xml`, parsed.
    static func parseReturn(_ file: String) throws -> Form990Return {
        try Form990Parser.parse(try data("irs990_xml/" + file), source: file)
    }

    /// An empty organization database of the kind, and a scratch folder for files.
    static func freshDatabase(_ backend: TestBackend) async throws -> (any OrganizationDatabase, String) {
        let directory = NSTemporaryDirectory() + "catalynx-orgs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        switch backend {
        case .sqlite: return (try SQLiteOrganizationDatabase(path: directory + "/organizations.sqlite"), directory)
        case .postgres: return (try await PostgresOrganizationDatabase(url: try await TestPostgres.freshDatabase()), directory)
        }
    }
}
