import AgentCore
import Foundation
import Logging
import PostgresNIO
import PostgresSupport

/// The run store for teams: the same runs and events on a PostgreSQL server (postgres-nio), so
/// that any number of processes on any number of machines share them. Appends are optimistic as
/// on SQLite: the run's row is locked (`FOR UPDATE`), its version checked, the events inserted
/// and the version moved on, in one transaction.
public final class PostgresRunStore: RunStore {
    let pool: PostgresPool
    var client: PostgresClient { pool.client }
    var logger: Logger { pool.logger }
    public var url: String { pool.url }

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database`); call `migrate()` before use.
    /// - Throws: `ConfigurationError` when `url` is not a PostgreSQL URL.
    public init(url: String) throws {
        do {
            pool = try PostgresPool(url: url)
        } catch let error as PostgresURLError {
            throw ConfigurationError("CATALYNX_DATABASE_URL is \(error)")
        }
    }

    /// Applies the pending migrations (under an advisory lock: several processes may start at once).
    public func migrate() async throws { try await Self.schema.apply(on: pool) }

    // MARK: Appending

    public func append(runID: String, expectedVersion: Int, events: [EventKind], timestamps: [Date]) async throws -> [RunEvent] {
        let stored = events.enumerated().map {
            RunEvent(runID: runID, sequence: expectedVersion + $0.offset + 1, timestamp: timestamps[$0.offset], kind: $0.element)
        }
        // The run is created at its first event's time and updated at its last's.
        let (createdAt, time) = (timestamps.first?.timeIntervalSince1970 ?? 0, timestamps.last?.timeIntervalSince1970 ?? 0)
        let logger = self.logger
        return try await transaction { connection -> [RunEvent] in
            var status: RunStatus
            let before: RunStatus?
            if expectedVersion == 0 {
                guard case .runStarted(let workflow, _, _, _)? = events.first else {
                    // A writer that believes the run is new when it is not is a stale writer, as on the other stores.
                    if let actual = try await Self.version(of: runID, connection, logger) {
                        throw RunStoreError.conflict(runID: runID, expected: 0, actual: actual)
                    }
                    throw RunStoreError.corrupt("run \(runID) must begin with RunStarted")
                }
                let created = try await connection.query("""
                    INSERT INTO runs (id, workflow, status, created_at, updated_at, version) VALUES (\(runID), \(workflow), 'running', \(createdAt), \(time), 0)
                    ON CONFLICT (id) DO NOTHING RETURNING id
                    """, logger: logger).collect()
                guard !created.isEmpty else {
                    let actual = try await Self.version(of: runID, connection, logger) ?? 0
                    throw RunStoreError.conflict(runID: runID, expected: 0, actual: actual)
                }
                (before, status) = (nil, .running)
            } else {
                let rows = try await connection.query("SELECT version, status FROM runs WHERE id = \(runID) FOR UPDATE", logger: logger)
                var found: (Int, String)?
                for try await row in rows.decode((Int, String).self) { found = row }
                guard let (version, current) = found else { throw RunStoreError.notFound(runID) }
                guard version == expectedVersion else { throw RunStoreError.conflict(runID: runID, expected: expectedVersion, actual: version) }
                status = RunStatus(rawValue: current) ?? .running
                before = status
            }
            for event in stored {
                try await connection.query("""
                    INSERT INTO events (run_id, seq, type, step, timestamp, payload)
                    VALUES (\(runID), \(event.sequence), \(event.kind.typeName), \(event.kind.stepName), \(event.timestamp.timeIntervalSince1970), \(event.kind.value.compactJSON))
                    """, logger: logger)
            }
            status = stored.dropFirst(expectedVersion == 0 ? 1 : 0).reduce(status) { $0.after($1.kind) }
            let version = expectedVersion + stored.count
            // A run waiting for a person wakes (for any worker) at its earliest answer deadline; other runs have no wake time.
            let earliestDeadline = stored.compactMap { event -> Double? in
                guard case .humanInputRequested(_, _, _, let deadline?, _) = event.kind else { return nil }
                return deadline.timeIntervalSince1970
            }.min()
            try await connection.query("""
                UPDATE runs SET version = \(version), status = \(status.rawValue), updated_at = \(time),
                    wake_at = CASE WHEN \(status == .waiting) THEN LEAST(wake_at, \(earliestDeadline)) END WHERE id = \(runID)
                """, logger: logger)
            // Idle workers listen: a run that becomes runnable wakes them (delivered when this commits).
            if status.isRunnable, !(before ?? .completed).isRunnable {
                try await connection.query("SELECT pg_notify(\(Self.wakeUpChannel), \(runID))", logger: logger)
            }
            return stored
        }
    }

    /// The statuses of runs with steps to drive now, for queries.
    static let runnableStatuses = RunStatus.allCases.filter(\.isRunnable).map(\.rawValue)

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> sending T) async throws -> T {
        try await pool.transaction(body)
    }

    private static func version(of runID: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> Int? {
        for try await version in try await connection.query("SELECT version FROM runs WHERE id = \(runID)", logger: logger).decode(Int.self) {
            return version
        }
        return nil
    }

    // MARK: Reading

    public func events(runID: String, after: Int) async throws -> [RunEvent] {
        var events: [RunEvent] = []
        let rows = try await client.query("SELECT seq, timestamp, payload FROM events WHERE run_id = \(runID) AND seq > \(after) ORDER BY seq",
                                          logger: logger)
        for try await (sequence, timestamp, payload) in rows.decode((Int, Double, String).self) {
            do {
                events.append(RunEvent(runID: runID, sequence: sequence, timestamp: Date(timeIntervalSince1970: timestamp),
                                       kind: try EventKind(value: Value.parseJSON(payload))))
            } catch {
                throw RunStoreError.corrupt("event \(sequence) of run \(runID): \(error)")
            }
        }
        return events
    }

    public func runs(_ query: RunQuery) async throws -> [RunSummary] {
        var sql = PostgresQuery(unsafeSQL: "SELECT id, workflow, status, created_at, updated_at, version FROM runs")
        var bindings = PostgresBindings()
        var conditions: [String] = []
        if let id = query.id {
            bindings.append(id)
            conditions.append("id = $\(bindings.count)")
        }
        if let status = query.status {
            bindings.append(status.rawValue)
            conditions.append("status = $\(bindings.count)")
        }
        if let workflow = query.workflow {
            bindings.append(workflow)
            conditions.append("workflow = $\(bindings.count)")
        }
        bindings.append(query.limit)
        sql = PostgresQuery(unsafeSQL: sql.sql + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
                                + " ORDER BY id DESC LIMIT $\(bindings.count)", binds: bindings)
        var summaries: [RunSummary] = []
        for try await (id, workflow, status, created, updated, version) in try await client.query(sql, logger: logger)
            .decode((String, String, String, Double, Double, Int).self) {
            summaries.append(RunSummary(id: id, workflow: workflow, status: RunStatus(rawValue: status) ?? .running,
                                        createdAt: Date(timeIntervalSince1970: created), updatedAt: Date(timeIntervalSince1970: updated), version: version))
        }
        return summaries
    }

    public func prune(endedBefore cutoff: Date, keepFailed: Bool) async throws -> Int {
        let statuses = Self.prunedStatuses(keepFailed: keepFailed).map(\.rawValue)
        let before = cutoff.timeIntervalSince1970
        var deleted = 0
        // Events go with their run (ON DELETE CASCADE).
        for try await _ in try await client.query("DELETE FROM runs WHERE status = ANY(\(statuses)) AND updated_at < \(before) RETURNING id",
                                                  logger: logger).decode(String.self) {
            deleted += 1
        }
        return deleted
    }

    public func resolveRunID(_ idOrPrefix: String) async throws -> String {
        var matches: [String] = []
        let upper = idOrPrefix + "\u{10FFFF}"
        for try await id in try await client.query("SELECT id FROM runs WHERE id >= \(idOrPrefix) AND id < \(upper) ORDER BY id LIMIT 6",
                                                   logger: logger).decode(String.self) {
            matches.append(id)
        }
        if matches.contains(idOrPrefix) { return idOrPrefix }
        guard let only = matches.first else { throw RunStoreError.notFound(idOrPrefix) }
        guard matches.count == 1 else { throw RunStoreError.ambiguous(idOrPrefix, matches: matches) }
        return only
    }
}
