import Nonprofit

/// The organization's officers and directors (990 Part VII) and the other organizations that
/// list a person of the same name: board connections worth knowing before approaching a funder.
public struct OfficerNetwork: Sendable, Hashable, Codable {
    public struct Person: Sendable, Hashable, Codable {
        public var name: String
        public var title: String?
        public var taxYear: Int
        public var compensation: Int?

        enum CodingKeys: String, CodingKey { case name, title, taxYear = "tax_year", compensation }
    }

    public struct Connection: Sendable, Hashable, Codable {
        public var person: String
        public var organizationEIN: String
        public var organizationName: String?
        public var title: String?
        public var taxYear: Int
        /// Whether the connected organization is a private foundation (a potential funder).
        public var isFunder: Bool

        enum CodingKeys: String, CodingKey {
            case person, organizationEIN = "organization_ein", organizationName = "organization_name", title, taxYear = "tax_year"
            case isFunder = "is_funder"
        }
    }

    public var officers: [Person]
    public var connections: [Connection]
    public var connectedOrganizations: Int
    /// Names of officers listed by so many other organizations that they are common names, not
    /// connections (left out of `connections`).
    public var commonNames: [String] = []
    /// Why the network is empty, when it is.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case officers, connections, connectedOrganizations = "connected_organizations", commonNames = "common_names", note
    }

    /// The most connections shown per person (the latest), and the number of other organizations'
    /// listings above which a name is taken for a common name.
    static let connectionsPerPerson = 10
    static let commonNameListings = 25

    /// Builds the network from the officers on record.
    public static func analyze(_ profile: OrganizationProfile, database: any OrganizationDatabase) async throws -> OfficerNetwork {
        let ein = EIN(trusted: profile.digits)
        let all = try await database.officers(ein)
        guard let year = all.first?.taxYear else {
            return OfficerNetwork(officers: [], connections: [], connectedOrganizations: 0,
                                  note: "no officers on record: they come from 990 e-file XML (Part VII), which is not imported for this organization")
        }
        let current = all.filter { $0.taxYear == year }
        let listings = try await database.officers(named: current.map(\.name), excluding: ein, limit: commonNameListings)
        let common = Set(listings.counts.filter { $0.value > commonNameListings }.map(\.key))
        var connections: [Connection] = []
        var seen: Set<String> = []
        var shown: [String: Int] = [:]
        for match in listings.officers where seen.insert("\(match.name.uppercased())|\(match.ein)").inserted {
            guard shown[match.name.uppercased(), default: 0] < connectionsPerPerson else { continue }
            shown[match.name.uppercased(), default: 0] += 1
            let organization = try await database.organization(EIN(trusted: match.ein))
            connections.append(Connection(person: match.name, organizationEIN: EIN(trusted: match.ein).formatted, organizationName: organization?.name,
                                          title: match.title, taxYear: match.taxYear, isFunder: organization?.isPrivateFoundation ?? false))
        }
        let commonNames = current.map(\.name).filter { common.contains($0.uppercased()) }
        let note: String? = if !connections.isEmpty { nil } else if !commonNames.isEmpty {
            "the officers of \(year) found elsewhere have common names, listed by more than \(commonNameListings) other organizations each: not taken for connections"
        } else {
            "no officer of \(year) appears in another organization's returns on record"
        }
        return OfficerNetwork(
            officers: current.map { Person(name: $0.name, title: $0.title, taxYear: $0.taxYear, compensation: $0.compensation) },
            connections: connections, connectedOrganizations: Set(connections.map { $0.organizationEIN }).count,
            commonNames: commonNames, note: note)
    }
}
