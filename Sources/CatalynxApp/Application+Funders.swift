import AgentCore
import GrantResearch
import Nonprofit

extension CatalynxApplication {
    /// What a grantmaker has funded, from the grants and filings on record.
    /// - Throws: `ApplicationError` `.badInput` for an invalid EIN, `.notFound` for an EIN the database does not know.
    public func funder(_ text: String) async throws -> FunderProfile {
        let ein = try Self.ein(text)
        guard let profile = try await FunderProfile.load(ein, database: organizationDatabase()) else {
            throw ApplicationError(.notFound, "no organization with EIN \(ein.formatted) in the database")
        }
        return profile
    }
}
