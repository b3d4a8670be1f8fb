import Foundation
@testable import Nonprofit

enum TestData {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent("data/" + relative).path }
    static func data(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(relative))) }

    static func freshDatabase() throws -> (OrganizationDatabase, String) {
        let directory = NSTemporaryDirectory() + "catalynx-orgs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try OrganizationDatabase(path: directory + "/organizations.sqlite"), directory)
    }
}
