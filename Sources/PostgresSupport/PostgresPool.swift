import Foundation
import Logging
import PostgresNIO

/// A PostgreSQL server named by a URL (`postgres://user[:password]@host[:port]/database`): a
/// postgres-nio client pool that runs for the life of this object. Shared by the run store and
/// the organization database.
public final class PostgresPool: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// The URL as given (it may hold a password: print `redactedURL`).
    public let url: String
    private let runner: Task<Void, Never>

    /// - Parameters:
    ///   - url: the server and database.
    ///   - maximumConnections: the pool's size.
    ///   - label: the logger's label.
    /// - Throws: `PostgresURLError` when `url` is not a PostgreSQL URL.
    public init(url: String, maximumConnections: Int = 16, label: String = "catalynx.postgres") throws {
        self.url = url
        var configuration = try Self.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration)
        self.client = client
        logger = Logger(label: label)
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// The URL with its password hidden, for messages.
    public var redactedURL: String { Self.redacted(url) }

    /// A URL with its password hidden, for messages.
    public static func redacted(_ url: String) -> String {
        url.replacingOccurrences(of: #"://([^:/@]+):[^@]*@"#, with: "://$1:***@", options: .regularExpression)
    }

    static func configuration(_ text: String) throws -> PostgresClient.Configuration {
        guard let url = URL(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty else {
            throw PostgresURLError(url: redacted(text))
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        return PostgresClient.Configuration(host: host, port: url.port ?? 5432, username: url.user ?? "postgres",
                                            password: url.password?.removingPercentEncoding, database: database.isEmpty ? nil : database,
                                            tls: .disable)
    }

    /// Runs `body` in one transaction; errors thrown by `body` itself come out as they were thrown.
    public func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { try await body($0) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }
}

/// A URL that does not name a PostgreSQL server.
public struct PostgresURLError: Error, Sendable, CustomStringConvertible {
    /// The URL, password hidden.
    public var url: String
    public var description: String { "not a PostgreSQL URL: \(url) (expected postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE)" }
}
