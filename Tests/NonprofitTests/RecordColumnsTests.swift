import GRDB
import Testing
@testable import Nonprofit

/// The written-out column values the importers bind agree with what the records' `Encodable`
/// conformance (GRDB's encoding, by the schema's column names) gives, column by column.
@Suite struct RecordColumnsTests {
    @Test func anOrganizationsColumnValuesAreItsEncoding() throws {
        // Every column set, each to a value of its own.
        let numbers: Set<Organization.CodingKeys> = [.assets, .income, .revenue]
        var row: [String: DatabaseValue] = [:]
        for (position, column) in Organization.CodingKeys.allCases.enumerated() {
            row[column.rawValue] = numbers.contains(column) ? (position * 1_000).databaseValue : "value \(position)".databaseValue
        }
        let organization = try Organization(row: Row(row))
        let encoded = try organization.databaseDictionary
        for column in Organization.CodingKeys.allCases {
            #expect(organization.databaseValue(column) == row[column.rawValue], "\(column)")
            #expect(organization.databaseValue(column) == encoded[column.rawValue], "\(column)")
        }
    }

    @Test func aFilingsColumnValuesAreItsEncoding() throws {
        var filing = Filing(ein: "123456789", taxPeriod: 202_312, taxYear: 2023, formType: "990", sources: "irs990_xml")
        (filing.totalRevenue, filing.netAssets, filing.mission, filing.objectID, filing.periodStart) = (10, -5, "A MISSION", "202400001", 202_301)
        let encoded = try filing.databaseDictionary
        for column in Filing.CodingKeys.allCases {
            #expect(filing.databaseValue(column) == (encoded[column.rawValue] ?? .null), "\(column)")
        }
    }
}
