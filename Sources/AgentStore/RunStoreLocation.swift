import AgentCore
import Foundation
import PostgresSupport

/// Where the run store lives, from configuration: `CATALYNX_DATABASE_URL` (`postgres://…` for a
/// PostgreSQL server; a SQLite path or a `sqlite://` URL), else `$CATALYNX_HOME/catalynx.sqlite`,
/// `CATALYNX_HOME` defaulting to `~/.catalynx`.
public enum RunStoreLocation: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Reads the location from the environment.
    /// - Parameter environment: the process environment (injectable for tests).
    /// - Throws: `ConfigurationError` for a URL scheme this build cannot open.
    public static func from(environment: [String: String]) throws -> RunStoreLocation {
        if let url = environment["CATALYNX_DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("sqlite://") { return .sqlite(path: String(url.dropFirst("sqlite://".count))) }
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return .postgres(url: url) }
            if url.contains("://") {
                throw ConfigurationError("CATALYNX_DATABASE_URL has an unknown scheme: \(url.prefix { $0 != ":" })",
                                         hint: "use a file path or sqlite:///path/to/file.sqlite")
            }
            return .sqlite(path: url)
        }
        return .sqlite(path: (home(environment: environment) as NSString).appendingPathComponent("catalynx.sqlite"))
    }

    /// `$CATALYNX_HOME`, or `~/.catalynx`.
    public static func home(environment: [String: String]) -> String {
        if let home = environment["CATALYNX_HOME"], !home.isEmpty { return home }
        let user = environment["HOME"] ?? NSHomeDirectory()
        return (user as NSString).appendingPathComponent(".catalynx")
    }

    /// Opens the store, applying pending migrations.
    /// - Parameter durability: for SQLite, `CATALYNX_SYNCHRONOUS=full` in the environment selects `.full`.
    public func open(durability: SQLiteRunStore.Durability = .normal) async throws -> any RunStore {
        switch self {
        case .sqlite(let path):
            return try SQLiteRunStore(path: path, durability: durability)
        case .postgres(let url):
            let store = try PostgresRunStore(url: url)
            do {
                try await store.migrate()
            } catch {
                throw ConfigurationError("cannot use the PostgreSQL run store at \(PostgresPool.redacted(url)): \(String(reflecting: error))",
                                         hint: "check that the server is up and the URL's user may create tables")
            }
            return store
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): PostgresPool.redacted(url)
        }
    }
}

/// A configuration value that cannot be used, with what to do about it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }

    public var description: String { hint.map { "\(message)\n    hint: \($0)" } ?? message }
}
