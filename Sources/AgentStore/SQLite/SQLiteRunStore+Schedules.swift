import AgentCore
import Foundation
import GRDB

/// Schedules in the run store's file: one row each; a tick's run is made unique by its id
/// (`Schedule.runID(for:)`), so processes sharing the file start each tick once.
extension SQLiteRunStore: ScheduleStore {
    static let schedulesTable = """
        CREATE TABLE schedules (
            name TEXT PRIMARY KEY NOT NULL,
            cron TEXT NOT NULL,
            timezone TEXT NOT NULL,
            workflow TEXT NOT NULL,
            inputs TEXT NOT NULL,
            catch_up TEXT NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            declared_in TEXT,
            last_tick REAL NOT NULL,
            last_run_id TEXT
        )
        """

    public var scheduleStore: (any ScheduleStore)? { self }

    public func schedules() async throws -> [Schedule] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM schedules ORDER BY name").map { row in
                ScheduleRow(name: row["name"], cron: row["cron"], timeZone: row["timezone"], workflow: row["workflow"], inputs: row["inputs"],
                            catchUp: row["catch_up"], paused: row["paused"], declaredIn: row["declared_in"], lastTick: row["last_tick"],
                            lastRunID: row["last_run_id"])
            }
        }
        return try rows.map { try $0.schedule() }
    }

    public func saveSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool {
        let row = ScheduleRow(schedule)
        return try await pool.write { db in
            // Replacing keeps where the schedule stands: paused or not, its last tick and run.
            try db.execute(sql: """
                INSERT INTO schedules (name, cron, timezone, workflow, inputs, catch_up, paused, declared_in, last_tick, last_run_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO \(replacing ? """
                    UPDATE SET cron = excluded.cron, timezone = excluded.timezone, workflow = excluded.workflow,
                    inputs = excluded.inputs, catch_up = excluded.catch_up, declared_in = excluded.declared_in
                    """ : "NOTHING")
                """, arguments: [row.name, row.cron, row.timeZone, row.workflow, row.inputs, row.catchUp, row.paused, row.declaredIn,
                                 row.lastTick, row.lastRunID])
            return db.changesCount > 0
        }
    }

    public func removeSchedule(named name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM schedules WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func setSchedule(named name: String, paused: Bool, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE schedules SET last_tick = CASE WHEN paused = 1 AND ? = 0 THEN MAX(last_tick, ?) ELSE last_tick END, paused = ?
                WHERE name = ?
                """, arguments: [paused, now.timeIntervalSince1970, paused, name])
            return db.changesCount > 0
        }
    }

    public func advanceSchedule(named name: String, through tick: Date, lastRunID: String?) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE schedules SET last_tick = MAX(last_tick, ?), last_run_id = COALESCE(?, last_run_id) WHERE name = ?
                """, arguments: [tick.timeIntervalSince1970, lastRunID, name])
        }
    }
}
