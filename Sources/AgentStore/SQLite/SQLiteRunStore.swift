import AgentCore
import Dispatch
import Foundation
import GRDB
import SQLiteSupport
import Synchronization

/// The embedded run store: one SQLite file in WAL mode, written through GRDB.
///
/// Appends from every run in the process go through one writer that commits whatever has
/// queued up while the previous commit was on its way to disk in a single transaction (group
/// commit): each append is still all-or-nothing, and concurrent runs share fsyncs.
public final class SQLiteRunStore: RunStore {
    /// How hard each commit is pushed to disk.
    public enum Durability: String, Sendable, CaseIterable {
        /// WAL + synchronous=NORMAL: survives a killed process, may lose the last commits on power loss.
        case normal
        /// WAL + synchronous=FULL: every commit is fsynced.
        case full
    }

    public let path: String
    let pool: DatabasePool
    private let writerQueue = DispatchQueue(label: "catalynx.runstore.writer")
    private let queue = Mutex(WriteQueue())

    private struct WriteQueue {
        var pending: [(request: AppendRequest, continuation: CheckedContinuation<[RunEvent], any Error>)] = []
        /// Whether a writer is committing (on a caller's thread or on `writerQueue`).
        var draining = false
    }

    private struct AppendRequest: Sendable {
        var runID: String
        var expectedVersion: Int
        var events: [EventKind]
        var timestamps: [Date]
    }

    /// Opens (creating if needed) the store at `path` and applies pending migrations.
    /// - Parameters:
    ///   - path: the SQLite file.
    ///   - durability: the synchronous setting of every connection.
    public init(path: String, durability: Durability = .normal) throws {
        self.path = path
        try SharedSQLiteFile.createFolder(of: path)
        var configuration = SharedSQLiteFile.configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        }
        pool = try SharedSQLiteFile.openPool(path: path, configuration: configuration)
        try SharedSQLiteFile.migrate(Self.migrator, pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs and events") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    workflow TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE INDEX runs_status ON runs(status, id);
                CREATE INDEX runs_workflow ON runs(workflow, id);
                CREATE TABLE events (
                    run_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    step TEXT,
                    timestamp REAL NOT NULL,
                    payload TEXT NOT NULL,
                    PRIMARY KEY (run_id, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2: schedules") { db in
            try db.execute(sql: Self.schedulesTable)
        }
        migrator.registerMigration("v3: concurrency slots and rate windows") { db in
            for table in Self.limitTables { try db.execute(sql: table) }
        }
        return migrator
    }

    // MARK: Appending

    public func append(runID: String, expectedVersion: Int, events: [EventKind], timestamps: [Date]) async throws -> [RunEvent] {
        let request = AppendRequest(runID: runID, expectedVersion: expectedVersion, events: events, timestamps: timestamps)
        // The first writer to arrive commits on its own thread (no hand-off when there is no
        // contention); writers arriving meanwhile queue up and are committed together next.
        if queue.withLock({ queue in queue.draining ? false : { queue.draining = true; return true }() }) {
            return try lead(request)
        }
        return try await withCheckedThrowingContinuation { continuation in
            let leaderLeft = queue.withLock { queue in
                guard queue.draining else {
                    queue.draining = true
                    return true
                }
                queue.pending.append((request, continuation))
                return false
            }
            if leaderLeft { continuation.resume(with: Result { try lead(request) }) }
        }
    }

    /// Commits `first` together with whatever is queued, then hands any later arrivals to the
    /// writer queue so that this caller is not kept waiting for others.
    private func lead(_ first: AppendRequest) throws -> [RunEvent] {
        let queued = queue.withLock { queue in
            defer { queue.pending = [] }
            return queue.pending
        }
        let outcomes = commit([first] + queued.map(\.request))
        for (waiter, outcome) in zip(queued, outcomes.dropFirst()) { waiter.continuation.resume(with: outcome) }
        let more = queue.withLock { queue in
            if queue.pending.isEmpty { queue.draining = false }
            return !queue.pending.isEmpty
        }
        if more { writerQueue.async { self.drain() } }
        return try outcomes[0].get()
    }

    /// Commits queued appends, a batch per transaction, until the queue is empty.
    private func drain() {
        while true {
            let batch = queue.withLock { queue in
                let batch = queue.pending
                queue.pending = []
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            for (waiter, outcome) in zip(batch, commit(batch.map(\.request))) { waiter.continuation.resume(with: outcome) }
        }
    }

    /// One transaction for a batch of appends; each succeeds or fails on its own.
    private func commit(_ batch: [AppendRequest]) -> [Result<[RunEvent], any Error>] {
        var outcomes: [Result<[RunEvent], any Error>] = []
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    outcomes = try batch.map { request in try Self.apply(request, in: db) }
                    return .commit
                }
            }
            return outcomes
        } catch {
            return batch.map { _ in .failure(error) }
        }
    }

    /// Checks the expected version and appends one request's events. The runs index row is
    /// written only when the run starts or its status changes, so a step costs one page or two.
    private static func apply(_ request: AppendRequest, in db: Database) throws -> Result<[RunEvent], any Error> {
        let version = try Int.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM events WHERE run_id = ?"), arguments: [request.runID]) ?? 0
        guard version == request.expectedVersion else {
            if version == 0 { return .failure(RunStoreError.notFound(request.runID)) }
            return .failure(RunStoreError.conflict(runID: request.runID, expected: request.expectedVersion, actual: version))
        }
        if version == 0 {
            guard case .runStarted(let workflow, _, _, _)? = request.events.first else {
                return .failure(RunStoreError.corrupt("run \(request.runID) must begin with RunStarted"))
            }
            try db.cachedStatement(sql: "INSERT INTO runs (id, workflow, status, created_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [request.runID, workflow, RunStatus.running.rawValue, request.timestamps[0].timeIntervalSince1970])
        }
        let stored = request.events.enumerated().map {
            RunEvent(runID: request.runID, sequence: version + $0.offset + 1, timestamp: request.timestamps[$0.offset], kind: $0.element)
        }
        let insert = try db.cachedStatement(sql: "INSERT INTO events (run_id, seq, type, step, timestamp, payload) VALUES (?, ?, ?, ?, ?, ?)")
        for event in stored {
            try insert.execute(arguments: [event.runID, event.sequence, event.kind.typeName, event.kind.stepName,
                                            event.timestamp.timeIntervalSince1970, event.kind.value.compactJSON])
        }
        let changesStatus = stored.dropFirst(version == 0 ? 1 : 0)
        if changesStatus.contains(where: { $0.kind.resultingStatus != nil }) {
            let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM runs WHERE id = ?"), arguments: [request.runID])
                .flatMap(RunStatus.init(rawValue:)) ?? .running
            let status = changesStatus.reduce(current) { $0.after($1.kind) }
            if status != current {
                try db.cachedStatement(sql: "UPDATE runs SET status = ? WHERE id = ?").execute(arguments: [status.rawValue, request.runID])
            }
        }
        return .success(stored)
    }

    // MARK: Reading

    public func events(runID: String, after: Int) async throws -> [RunEvent] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, timestamp, payload FROM events WHERE run_id = ? AND seq > ? ORDER BY seq"),
                                    arguments: [runID, after]).map { row in
                let payload: String = row["payload"]
                let sequence: Int = row["seq"]
                do {
                    return RunEvent(runID: runID, sequence: sequence, timestamp: Date(timeIntervalSince1970: row["timestamp"]),
                                    kind: try EventKind(value: Value.parseJSON(payload)))
                } catch {
                    throw RunStoreError.corrupt("event \(sequence) of run \(runID): \(error)")
                }
            }
        }
    }

    public func runs(_ query: RunQuery) async throws -> [RunSummary] {
        try await pool.read { db in
            var sql = """
                SELECT id, workflow, status, created_at,
                       (SELECT timestamp FROM events WHERE run_id = runs.id ORDER BY seq DESC LIMIT 1) AS updated_at,
                       (SELECT MAX(seq) FROM events WHERE run_id = runs.id) AS version
                FROM runs
                """
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let id = query.id {
                conditions.append("id = ?")
                arguments += [id]
            }
            if let status = query.status {
                conditions.append("status = ?")
                arguments += [status.rawValue]
            }
            if let workflow = query.workflow {
                conditions.append("workflow = ?")
                arguments += [workflow]
            }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [query.limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                RunSummary(id: row["id"], workflow: row["workflow"], status: RunStatus(rawValue: row["status"]) ?? .running,
                           createdAt: Date(timeIntervalSince1970: row["created_at"]),
                           updatedAt: Date(timeIntervalSince1970: row["updated_at"]), version: row["version"])
            }
        }
    }

    public func prune(endedBefore cutoff: Date, keepFailed: Bool) async throws -> Int {
        let statuses = Self.prunedStatuses(keepFailed: keepFailed).map(\.rawValue)
        return try await pool.write { db in
            let doomed = try String.fetchAll(db, sql: """
                SELECT id FROM runs WHERE status IN (\(statuses.map { _ in "?" }.joined(separator: ", ")))
                AND (SELECT timestamp FROM events WHERE run_id = runs.id ORDER BY seq DESC LIMIT 1) < ?
                """, arguments: StatementArguments(statuses) + [cutoff.timeIntervalSince1970])
            for id in doomed {
                try db.execute(sql: "DELETE FROM events WHERE run_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM runs WHERE id = ?", arguments: [id])
            }
            return doomed.count
        }
    }

    public func resolveRunID(_ idOrPrefix: String) async throws -> String {
        let matches: [String] = try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM runs WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
                                arguments: [idOrPrefix, idOrPrefix + "\u{10FFFF}"])
        }
        if matches.contains(idOrPrefix) { return idOrPrefix }
        guard let only = matches.first else { throw RunStoreError.notFound(idOrPrefix) }
        guard matches.count == 1 else { throw RunStoreError.ambiguous(idOrPrefix, matches: matches) }
        return only
    }
}
