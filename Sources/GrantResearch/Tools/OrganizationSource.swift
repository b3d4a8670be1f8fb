import AgentCore
import Nonprofit
import Synchronization

/// The organization database the tools read, opened on first use (so that listing or validating
/// workflows never opens it) and shared by every tool of a process.
public final class OrganizationSource: Sendable {
    private let open: @Sendable () throws -> OrganizationDatabase
    private let opened = Mutex<OrganizationDatabase?>(nil)

    /// - Parameter open: opens the database; called once, on the first tool that needs it.
    public init(_ open: @escaping @Sendable () throws -> OrganizationDatabase) { self.open = open }

    /// An already open database.
    public convenience init(_ database: OrganizationDatabase) { self.init { database } }

    /// The database, opening it the first time.
    /// - Throws: `ToolError` `Unavailable` when it cannot be opened.
    public func database() throws -> OrganizationDatabase {
        try opened.withLock { opened in
            if let opened { return opened }
            do {
                let database = try open()
                opened = database
                return database
            } catch {
                throw ToolError("Unavailable", "the organization database cannot be opened: \(error)")
            }
        }
    }
}
