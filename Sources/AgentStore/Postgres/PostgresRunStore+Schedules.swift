import AgentCore
import Foundation
import PostgresNIO

/// Schedules in the shared database: `serve` and every `worker` read them, and a tick's run is made
/// unique by its id (`Schedule.runID(for:)`), so each tick starts one run however many fire it.
extension PostgresRunStore: ScheduleStore {
    public var scheduleStore: (any ScheduleStore)? { self }

    public func schedules() async throws -> [Schedule] {
        var rows: [ScheduleRow] = []
        let query: PostgresQuery = """
            SELECT name, cron, timezone, workflow, inputs, catch_up, paused, declared_in, last_tick, last_run_id FROM schedules ORDER BY name
            """
        for try await (name, cron, zone, workflow, inputs, catchUp, paused, declaredIn, lastTick, lastRunID) in try await client.query(query, logger: logger)
            .decode((String, String, String, String, String, String, Bool, String?, Double, String?).self) {
            rows.append(ScheduleRow(name: name, cron: cron, timeZone: zone, workflow: workflow, inputs: inputs, catchUp: catchUp, paused: paused,
                                    declaredIn: declaredIn, lastTick: lastTick, lastRunID: lastRunID))
        }
        return try rows.map { try $0.schedule() }
    }

    public func saveSchedule(_ schedule: Schedule, replacing: Bool) async throws -> Bool {
        let row = ScheduleRow(schedule)
        // Replacing keeps where the schedule stands: paused or not, its last tick and run.
        let onConflict = replacing ? """
            DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, workflow = excluded.workflow,
                inputs = excluded.inputs, catch_up = excluded.catch_up, declared_in = excluded.declared_in
            """ : "DO NOTHING"
        let save: PostgresQuery = """
            INSERT INTO schedules (name, cron, timezone, workflow, inputs, catch_up, paused, declared_in, last_tick, last_run_id)
            VALUES (\(row.name), \(row.cron), \(row.timeZone), \(row.workflow), \(row.inputs), \(row.catchUp), \(row.paused), \(row.declaredIn),
                    \(row.lastTick), \(row.lastRunID))
            ON CONFLICT (name) \(unescaped: onConflict) RETURNING name
            """
        return try await !client.query(save, logger: logger).collect().isEmpty
    }

    public func removeSchedule(named name: String) async throws -> Bool {
        try await !client.query("DELETE FROM schedules WHERE name = \(name) RETURNING name", logger: logger).collect().isEmpty
    }

    public func setSchedule(named name: String, paused: Bool, now: Date) async throws -> Bool {
        try await !client.query("""
            UPDATE schedules SET last_tick = CASE WHEN paused AND NOT \(paused) THEN GREATEST(last_tick, \(now.timeIntervalSince1970)) ELSE last_tick END,
                paused = \(paused)
            WHERE name = \(name) RETURNING name
            """, logger: logger).collect().isEmpty
    }

    public func advanceSchedule(named name: String, through tick: Date, lastRunID: String?) async throws {
        try await client.query("""
            UPDATE schedules SET last_tick = GREATEST(last_tick, \(tick.timeIntervalSince1970)), last_run_id = COALESCE(\(lastRunID), last_run_id)
            WHERE name = \(name)
            """, logger: logger)
    }
}
