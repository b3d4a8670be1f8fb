import Foundation
import Testing
import TestSupport
@testable import Nonprofit

/// The embedded dataset loaded into SQLite and into PostgreSQL answers every query the same way
/// (search ranks differ by engine, so search compares the matches, not their order).
@Suite("Organization databases agree", .serialized)
struct DatabaseParityTests {
    /// Both databases with the embedded dataset, loaded once for the suite.
    static let loaded = Task { () throws -> (sqlite: any OrganizationDatabase, postgres: any OrganizationDatabase) in
        let dataset = EmbeddedDataset(directory: TestData.path(""))
        let (sqlite, _) = try await TestData.freshDatabase(.sqlite)
        let (postgres, _) = try await TestData.freshDatabase(.postgres)
        _ = try await dataset.loadIfNeeded(into: sqlite)
        _ = try await dataset.loadIfNeeded(into: postgres)
        return (sqlite, postgres)
    }

    func databases() async throws -> (sqlite: any OrganizationDatabase, postgres: any OrganizationDatabase) {
        try await Self.loaded.value
    }

    /// A JSON rendering to compare records by (the records are plain data).
    func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func countsAndWholeRecordsAgree() async throws {
        let (sqlite, postgres) = try await databases()
        #expect(try await postgres.hasImported(EmbeddedDataset.version))
        #expect(try await EmbeddedDataset(directory: TestData.path("")).loadIfNeeded(into: postgres) == nil, "the dataset is loaded once")
        let counts = try await sqlite.counts()
        #expect(counts["organizations"] ?? 0 > 71_000)
        #expect(counts["filings"] ?? 0 > 50)
        #expect(try await postgres.counts() == counts)
        // Organizations with filings, grants (made and received) and officers, and a sample of the rest.
        var eins = ["541230284", "141833603", "043730045", "201585919", "651317810", "922064394", "000000000".replacingOccurrences(of: "0", with: "1")]
        var generator = SeededGenerator(seed: 7)
        let sample = try await sqlite.search(.init(text: "", limit: 71_000)).map(\.ein)
        eins += (0..<150).map { _ in sample[Int(generator.next() % UInt64(sample.count))] }
        for ein in eins {
            let parsed = try EIN(ein)
            #expect(try json(await sqlite.record(parsed)) == json(await postgres.record(parsed)), "record of \(ein)")
        }
        let proPublica = try #require(try await postgres.record(EIN("541230284")))
        #expect(proPublica.filings.count >= 5)
        #expect(try await postgres.record(EIN("141833603"))?.grantsMade.count == 16)
    }

    @Test func researchQueriesAgree() async throws {
        let (sqlite, postgres) = try await databases()
        for (prefix, state, revenue) in [("P", "VA" as String?, 100_000...5_000_000 as ClosedRange<Int>?), ("P", nil, nil), ("B", "DE", nil),
                                         ("E32", nil, 1_000...10_000_000), ("Z", "WY", nil)] {
            #expect(try json(await sqlite.organizations(nteePrefix: prefix, state: state, revenue: revenue, excluding: ["541230284"], limit: 25))
                    == json(await postgres.organizations(nteePrefix: prefix, state: state, revenue: revenue, excluding: ["541230284"], limit: 25)),
                    "peers \(prefix) \(state ?? "-")")
            #expect(try await sqlite.landscape(nteePrefix: prefix, state: state) == postgres.landscape(nteePrefix: prefix, state: state))
        }
        #expect(try await sqlite.grantmakerCount() == postgres.grantmakerCount())
        #expect(try await sqlite.grantmakerCount() > 5_000)
        #expect(try json(await sqlite.organizations(withEINs: ["541230284", "141833603", "860000000"]))
                == json(await postgres.organizations(withEINs: ["541230284", "141833603", "860000000"])))
        #expect(try json(await sqlite.organizations(named: ["american legion", "Capital Area Food Bank"]))
                == json(await postgres.organizations(named: ["american legion", "Capital Area Food Bank"])))
        let toBardavon = try await sqlite.grants(toRecipients: ["741894581", "043730045"], named: ["Bardavon 1869 Operahouse"])
        #expect(toBardavon.count == 2)   // one by the recipient's EIN, one by its name
        #expect(try json(toBardavon) == json(await postgres.grants(toRecipients: ["741894581", "043730045"], named: ["Bardavon 1869 Operahouse"])))
        #expect(try json(await sqlite.filings(ofAny: ["541230284", "141833603"])) == json(await postgres.filings(ofAny: ["541230284", "141833603"])))
        let grantors = ["141833603", "046662754", "741894581"]
        #expect(try json(await sqlite.grants(madeByAny: grantors)) == json(await postgres.grants(madeByAny: grantors)))
        // The giving summaries: the same evidence for the same applicant, and the same grantmakers without a grant list.
        for (state, code) in [("NY", "A65"), ("CO", "E22"), ("VA", "E31"), ("DE", "B20")] {
            let query = GivingQuery(state: state, region: ["NJ", "PA", "CT", "MA", "WV", "DC", "DE"], regionWeight: 0.4, elsewhereWeight: 0.1,
                                    causes: [.code(code, 1), .prefix(String(code.prefix(3)), 0.85), .prefix(String(code.prefix(1)), 0.7),
                                             .majors(["E", "F", "G", "H"], 0.4)],
                                    causeFloor: 0.1, major: String(code.prefix(1)), family: String(code.prefix(3)), including: ["046662754"])
            let evidence = try await sqlite.givingEvidence(query)
            #expect(evidence.contains { $0.grantorEIN == "046662754" }, "a grantor named is always a candidate")
            #expect(try json(evidence) == json(await postgres.givingEvidence(query)), "evidence for \(code) in \(state)")
            var wide = query
            wide.reach = .wide
            #expect(try json(await sqlite.givingEvidence(wide)) == json(await postgres.givingEvidence(wide)), "wide evidence for \(code) in \(state)")
            // An applicant with no NTEE code: candidates by place only.
            let uncoded = GivingQuery(state: state, region: ["DC"], regionWeight: 0.4, elsewhereWeight: 0.1, causes: [], causeFloor: 0.1,
                                      major: nil, family: nil, including: [])
            #expect(try json(await sqlite.givingEvidence(uncoded)) == json(await postgres.givingEvidence(uncoded)), "evidence in \(state) without a code")
            #expect(try json(await sqlite.grantmakersWithoutGrants(state: state, region: ["DC", "WV"], majors: ["E", "P"], limit: 50))
                    == json(await postgres.grantmakersWithoutGrants(state: state, region: ["DC", "WV"], majors: ["E", "P"], limit: 50)))
        }
        let officers = try await sqlite.officers(EIN("141833603")).map(\.name)
        #expect(try json(await sqlite.officers(named: officers + ["Jode Millman"], excluding: EIN("541230284"), limit: 25))
                == json(await postgres.officers(named: officers + ["Jode Millman"], excluding: EIN("541230284"), limit: 25)))
    }

    @Test(arguments: [
        OrganizationSearch(text: "community foundation", limit: 5_000), OrganizationSearch(text: "american legion", state: "WV", limit: 5_000),
        OrganizationSearch(text: "church", ntee: "X", limit: 5_000), OrganizationSearch(text: "", state: "DE", foundationsOnly: true, limit: 5_000),
        OrganizationSearch(text: "VIRGINIA primary", limit: 50), OrganizationSearch(text: "zzzz-no-such-name", limit: 50),
    ])
    func searchesFindTheSameOrganizations(_ query: OrganizationSearch) async throws {
        let (sqlite, postgres) = try await databases()
        let expected = try await sqlite.search(query)
        let found = try await postgres.search(query)
        #expect(Set(found.map(\.ein)) == Set(expected.map(\.ein)), "\(query.text)")
        if query.text.isEmpty { #expect(found.map(\.ein) == expected.map(\.ein), "no words: both order by revenue") }
    }
}

extension OrganizationSearch: CustomTestStringConvertible {
    public var testDescription: String { "\"\(text)\" \(state ?? "") \(ntee ?? "")\(foundationsOnly ? " foundations" : "")" }
}

/// A small deterministic generator (splitmix64) for repeatable samples.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
