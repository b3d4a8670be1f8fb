import AgentCore
import Foundation
import GRDB

/// Concurrency slots and rate windows in the run store's file, each taken in one write transaction
/// (SQLite serialises writers, so processes sharing the file never take more than the limit).
extension SQLiteRunStore: LimitStore {
    static let limitTables = [
        """
        CREATE TABLE concurrency_slots (
            key TEXT NOT NULL,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (key, holder)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE rate_windows (
            key TEXT PRIMARY KEY NOT NULL,
            window_start REAL NOT NULL,
            count INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
    ]

    public var limitStore: (any LimitStore)? { self }

    public func acquireSlot(key: String, limit: Int, holder: String, expires: Date, now: Date) async throws -> [String]? {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM concurrency_slots WHERE key = ? AND expires_at < ?", arguments: [key, now.timeIntervalSince1970])
            let holders = try String.fetchAll(db, sql: "SELECT holder FROM concurrency_slots WHERE key = ? ORDER BY holder", arguments: [key])
            guard holders.contains(holder) || holders.count < limit else { return holders }
            try db.execute(sql: """
                INSERT INTO concurrency_slots (key, holder, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (key, holder) DO UPDATE SET expires_at = excluded.expires_at
                """, arguments: [key, holder, expires.timeIntervalSince1970])
            return nil
        }
    }

    public func releaseSlot(key: String, holder: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM concurrency_slots WHERE key = ? AND holder = ?", arguments: [key, holder])
        }
    }

    public func takeRate(key: String, limit: Int, window: Double, now: Date) async throws -> Date? {
        let start = Self.windowStart(now, window)
        return try await pool.write { db in
            let row = try Row.fetchOne(db, sql: "SELECT window_start, count FROM rate_windows WHERE key = ?", arguments: [key])
            let counted: Int = row.flatMap { ($0["window_start"] as Double) == start ? $0["count"] : nil } ?? 0
            guard counted < limit else { return Date(timeIntervalSince1970: start + window) }
            try db.execute(sql: """
                INSERT INTO rate_windows (key, window_start, count) VALUES (?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count
                """, arguments: [key, start, counted + 1])
            return nil
        }
    }
}
