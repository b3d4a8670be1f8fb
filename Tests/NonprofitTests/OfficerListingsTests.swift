import Foundation
import Testing
import TestSupport
@testable import Nonprofit

/// Officers found by name are bounded per name, on both databases: at
/// national scale a common name is listed by thousands of organizations.
@Suite struct OfficerListingsTests {
    @Test(arguments: TestBackend.allCases) func listingsAreBoundedPerNameAndCounted(_ backend: TestBackend) async throws {
        let (database, _) = try await TestData.freshDatabase(backend)
        let common = (0..<40).map { Officer(ein: String(format: "20%07d", $0), taxYear: 2020 + $0 % 4, name: "JOHN SMITH", title: "DIRECTOR",
                                            hoursPerWeek: 1, compensation: 0) }
        let rare = Officer(ein: "301234567", taxYear: 2022, name: "Jode Millman", title: "TREASURER", hoursPerWeek: 2, compensation: 0)
        try await database.save(RecordBatch(officers: common + [rare]))
        let listings = try await database.officers(named: ["John Smith", "JOHN SMITH", "Jode Millman"], excluding: EIN("200000000"), limit: 25)
        // The common name is counted up to the limit + 1 and its listings are not read; the rare one's are.
        #expect(listings.counts == ["JOHN SMITH": 26, "JODE MILLMAN": 1])
        #expect(listings.officers == [rare])
        let all = try await database.officers(named: ["JOHN SMITH"], excluding: EIN("200000000"), limit: 50)
        #expect(all.counts == ["JOHN SMITH": 39])
        #expect(all.officers.first?.taxYear == 2023 && all.officers.count == 39)
        #expect(listings.officers.contains(rare))
    }
}
