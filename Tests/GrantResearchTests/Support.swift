import Foundation
@testable import Nonprofit

/// The project's real data files and throwaway organization databases.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The organization and filings of a real ProPublica response in `data/propublica/organizations`.
    static func proPublica(_ ein: String) throws -> ProPublicaImporter.Parsed {
        let data = try Data(contentsOf: root.appendingPathComponent("data/propublica/organizations/\(ein).json"))
        return try ProPublicaImporter.parse(data, source: ein)
    }

    /// An empty organization database in a temporary folder.
    static func database() throws -> SQLiteOrganizationDatabase {
        let directory = NSTemporaryDirectory() + "catalynx-research-\(UUID().uuidString)"
        return try SQLiteOrganizationDatabase(path: directory + "/organizations.sqlite")
    }

    /// A BMF-like organization row.
    static func organization(_ ein: String, _ name: String, state: String?, ntee: String?, foundation: String = "15",
                             revenue: Int? = nil, assets: Int? = nil, taxPeriod: String? = "202412") -> Organization {
        Organization(ein: ein, name: name, inCareOf: nil, street: nil, city: "Somewhere", state: state, zip: "00000", groupExemption: nil,
                     subsection: "03", affiliation: nil, classification: nil, ruling: "199001", deductibility: nil, foundation: foundation,
                     activity: nil, organizationCode: nil, status: nil, taxPeriod: taxPeriod, assetCode: nil, incomeCode: nil,
                     filingRequirement: nil, pfFilingRequirement: nil, accountingPeriod: nil, assets: assets, income: nil, revenue: revenue,
                     nteeCode: ntee, nteeMajor: ntee.map { String($0.prefix(1)) }, sortName: nil, source: "bmf")
    }

    /// Writes rows into the database.
    static func insert(_ database: any OrganizationDatabase, organizations: [Organization] = [], filings: [Filing] = [],
                       grants: [Grant] = []) async throws {
        try await database.save(RecordBatch(organizations: organizations, filings: filings, grants: grants))
    }
}
