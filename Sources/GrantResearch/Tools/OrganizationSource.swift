import AgentCore
import Nonprofit
import Synchronization

/// The organization database the tools read, opened on first use (so that listing or validating
/// workflows never opens it) and shared by every tool of a process.
public final class OrganizationSource: Sendable {
    private let open: @Sendable () async throws -> any OrganizationDatabase
    private let opening = Mutex<Task<any OrganizationDatabase, any Error>?>(nil)

    /// - Parameter open: opens the database; called on the first tool that needs it (again after a failure).
    public init(_ open: @escaping @Sendable () async throws -> any OrganizationDatabase) { self.open = open }

    /// An already open database.
    public convenience init(_ database: any OrganizationDatabase) { self.init { database } }

    /// The database, opening it the first time.
    /// - Throws: `ToolError` `Unavailable` when it cannot be opened.
    public func database() async throws -> any OrganizationDatabase {
        do {
            return try await opened()
        } catch {
            throw ToolError("Unavailable", "the organization database cannot be opened: \(error)")
        }
    }

    /// The database, opening it the first time; the opener's own error when it cannot be opened.
    public func opened() async throws -> any OrganizationDatabase {
        let open = self.open
        let task = opening.withLock { task in
            if let task { return task }
            let started = Task { try await open() }
            task = started
            return started
        }
        do {
            return try await task.value
        } catch {
            opening.withLock { $0 = nil }
            throw error
        }
    }
}

extension OrganizationSource {
    /// The organization's profile (its BMF record and the filings on record).
    /// - Throws: `ToolError` `NotFound` naming how to get it into the database.
    func profile(_ ein: EIN) async throws -> OrganizationProfile {
        let database = try await database()
        guard let organization = try await database.organization(ein) else {
            throw ToolError("NotFound", "no organization with EIN \(ein.formatted) in the database; import its state's BMF file (`catalynx data import-bmf`) or fetch it (`catalynx data fetch \(ein.formatted)`)")
        }
        return OrganizationProfile(organization, filings: try await database.filings(ein))
    }
}

extension EIN {
    /// The EIN a tool was given. - Throws: `ToolError` `InvalidInput` saying what is wrong with it.
    static func toolInput(_ text: String) throws -> EIN {
        do { return try EIN(text) } catch { throw ToolError("InvalidInput", error.description) }
    }
}
