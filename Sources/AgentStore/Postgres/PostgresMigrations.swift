import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema's versions, applied in order, each once, recorded in `schema_migrations`.
public enum PostgresMigrations {
    static let all: [(version: Int, name: String, sql: [String])] = [
        (1, "runs and events", [
            """
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                workflow TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                version INTEGER NOT NULL
            )
            """,
            "CREATE INDEX runs_status ON runs (status, id)",
            "CREATE INDEX runs_workflow ON runs (workflow, id)",
            """
            CREATE TABLE events (
                run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                type TEXT NOT NULL,
                step TEXT,
                timestamp DOUBLE PRECISION NOT NULL,
                payload TEXT NOT NULL,
                PRIMARY KEY (run_id, seq)
            )
            """,
        ]),
        (2, "run leases for workers", [
            """
            CREATE TABLE run_leases (
                run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                owner TEXT NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
        ]),
        (3, "wake-up times of runs waiting for a person", [
            "ALTER TABLE runs ADD COLUMN wake_at DOUBLE PRECISION",
        ]),
    ]

    /// A migration's state on a server.
    public struct Status: Sendable {
        public var version: Int
        public var name: String
        public var appliedAt: Date?
    }

    /// Applies what is pending; one process at a time (an advisory lock held for the transaction).
    static func apply(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(7201001)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)
                """, logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                let now = Date().timeIntervalSince1970
                try await connection.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))",
                                           logger: logger)
                logger.info("applied migration \(migration.version): \(migration.name)")
            }
        }
    }

    /// Every known migration, with when it was applied (nil: pending).
    public static func status(_ store: PostgresRunStore) async throws -> [Status] {
        var applied: [Int: Double] = [:]
        let exists = try await store.client.query("SELECT to_regclass('schema_migrations') IS NOT NULL", logger: store.logger).decode(Bool.self)
        var hasTable = false
        for try await flag in exists { hasTable = flag }
        if hasTable {
            for try await (version, at) in try await store.client.query("SELECT version, applied_at FROM schema_migrations", logger: store.logger)
                .decode((Int, Double).self) {
                applied[version] = at
            }
        }
        return all.map { Status(version: $0.version, name: $0.name, appliedAt: applied[$0.version].map(Date.init(timeIntervalSince1970:))) }
    }

    /// A URL with its password hidden, for messages.
    public static func redacted(_ url: String) -> String {
        url.replacingOccurrences(of: #"://([^:/@]+):[^@]*@"#, with: "://$1:***@", options: .regularExpression)
    }
}
