import Foundation
import Logging
import PostgresNIO

/// One component's schema on a PostgreSQL server: its migrations, applied in order, each once,
/// recorded in the component's own table, one process at a time.
public struct PostgresSchema: Sendable {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var statements: [String]

        public init(_ version: Int, _ name: String, _ statements: [String]) {
            self.version = version
            self.name = name
            self.statements = statements
        }
    }

    /// A migration's state on a server.
    public struct Status: Sendable {
        /// The component (`runs`, `organizations`).
        public var schema: String
        public var version: Int
        public var name: String
        /// Nil while pending.
        public var appliedAt: Date?
    }

    /// The component's name, for people.
    public let name: String
    /// The table recording applied versions.
    public let table: String
    /// The advisory lock held while migrating.
    public let lockKey: Int64
    public let migrations: [Migration]

    public init(name: String, table: String, lockKey: Int64, migrations: [Migration]) {
        self.name = name
        self.table = table
        self.lockKey = lockKey
        self.migrations = migrations
    }

    /// A migration the server refused, with the server's message.
    public struct MigrationFailure: Error, CustomStringConvertible, LocalizedError {
        public var description: String
        public var errorDescription: String? { description }
    }

    /// Applies what is pending, in one transaction under an advisory lock (several processes may start at once).
    public func apply(on pool: PostgresPool) async throws {
        let logger = pool.logger
        try await pool.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: """
                CREATE TABLE IF NOT EXISTS \(table) (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                """), logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query(PostgresQuery(unsafeSQL: "SELECT version FROM \(table)"), logger: logger)
                .decode(Int.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch let error as PSQLError {
                        throw MigrationFailure(description: "the \(name) migration \(migration.version) (\(migration.name)) failed: "
                                               + (error.serverInfo?[.message] ?? "\(error.code)"))
                    }
                }
                var bindings = PostgresBindings()
                bindings.append(migration.version)
                bindings.append(migration.name)
                bindings.append(Date().timeIntervalSince1970)
                try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (version, name, applied_at) VALUES ($1, $2, $3)",
                                                         binds: bindings), logger: logger)
                logger.info("applied \(name) migration \(migration.version): \(migration.name)")
            }
        }
    }

    /// Every migration, with when it was applied.
    public func status(on pool: PostgresPool) async throws -> [Status] {
        var applied: [Int: Double] = [:]
        var exists = false
        for try await flag in try await pool.client.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: pool.logger).decode(Bool.self) {
            exists = flag
        }
        if exists {
            for try await (version, at) in try await pool.client.query(PostgresQuery(unsafeSQL: "SELECT version, applied_at FROM \(table)"),
                                                                       logger: pool.logger).decode((Int, Double).self) {
                applied[version] = at
            }
        }
        return migrations.map {
            Status(schema: name, version: $0.version, name: $0.name, appliedAt: applied[$0.version].map(Date.init(timeIntervalSince1970:)))
        }
    }
}
