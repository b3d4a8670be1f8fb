import AgentCore
import Foundation
import PostgresNIO

/// Concurrency slots and rate windows in the shared database: each is taken in one transaction
/// under an advisory lock on its key, so every worker and server sees the same limit.
extension PostgresRunStore: LimitStore {
    public var limitStore: (any LimitStore)? { self }

    public func acquireSlot(key: String, limit: Int, holder: String, expires: Date, now: Date) async throws -> [String]? {
        try await pool.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\("slot:" + key)))", logger: logger)
            try await connection.query("DELETE FROM concurrency_slots WHERE key = \(key) AND expires_at < \(now.timeIntervalSince1970)", logger: logger)
            var holders: [String] = []
            for try await other in try await connection.query("SELECT holder FROM concurrency_slots WHERE key = \(key) ORDER BY holder", logger: logger)
                .decode(String.self) {
                holders.append(other)
            }
            guard holders.contains(holder) || holders.count < limit else { return holders }
            try await connection.query("""
                INSERT INTO concurrency_slots (key, holder, expires_at) VALUES (\(key), \(holder), \(expires.timeIntervalSince1970))
                ON CONFLICT (key, holder) DO UPDATE SET expires_at = excluded.expires_at
                """, logger: logger)
            return nil
        }
    }

    public func releaseSlot(key: String, holder: String) async throws {
        try await client.query("DELETE FROM concurrency_slots WHERE key = \(key) AND holder = \(holder)", logger: logger)
    }

    public func takeRate(key: String, limit: Int, window: Double, now: Date) async throws -> Date? {
        let start = Self.windowStart(now, window)
        // One statement: a new window starts at 1, the current one counts up while under the limit.
        let counted = try await client.query("""
            INSERT INTO rate_windows (key, window_start, count) VALUES (\(key), \(start), 1)
            ON CONFLICT (key) DO UPDATE SET
                window_start = excluded.window_start,
                count = CASE WHEN rate_windows.window_start = excluded.window_start THEN rate_windows.count + 1 ELSE 1 END
            WHERE rate_windows.window_start <> excluded.window_start OR rate_windows.count < \(limit)
            RETURNING count
            """, logger: logger).collect()
        return counted.isEmpty ? Date(timeIntervalSince1970: start + window) : nil
    }
}
