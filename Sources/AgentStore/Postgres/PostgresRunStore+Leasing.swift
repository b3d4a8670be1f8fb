import AgentCore
import Foundation
import PostgresNIO

extension PostgresRunStore: RunLeasing {
    /// Runs on PostgreSQL are shared by every process that opens the database: they are driven under leases.
    public var leasing: (any RunLeasing)? { self }

    public func claimRuns(owner: String, limit: Int, lease: Duration) async throws -> [String] {
        let now = Date().timeIntervalSince1970
        let expires = now + lease.seconds
        // Lock the candidate runs' rows, skipping those another worker is claiming (or appending to) right now.
        let rows = try await client.query("""
            WITH candidates AS (
                SELECT runs.id FROM runs LEFT JOIN run_leases ON run_leases.run_id = runs.id
                WHERE (runs.status = ANY(\(Self.runnableStatuses)) OR (runs.status = 'waiting' AND runs.wake_at < \(now)))
                  AND (run_leases.run_id IS NULL OR run_leases.expires_at < \(now))
                ORDER BY runs.id LIMIT \(limit)
                FOR UPDATE OF runs SKIP LOCKED
            )
            INSERT INTO run_leases (run_id, owner, expires_at) SELECT id, \(owner), \(expires) FROM candidates
            ON CONFLICT (run_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
                WHERE run_leases.expires_at < \(now)
            RETURNING run_id
            """, logger: logger)
        var claimed: [String] = []
        for try await id in rows.decode(String.self) { claimed.append(id) }
        return claimed
    }

    public func claimRun(_ runID: String, owner: String, lease: Duration) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        let expires = now + lease.seconds
        var claimed = false
        for try await _ in try await client.query("""
            INSERT INTO run_leases (run_id, owner, expires_at) VALUES (\(runID), \(owner), \(expires))
            ON CONFLICT (run_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
                WHERE run_leases.expires_at < \(now) OR run_leases.owner = EXCLUDED.owner
            RETURNING run_id
            """, logger: logger).decode(String.self) {
            claimed = true
        }
        return claimed
    }

    public func renewLeases(owner: String, runIDs: [String], lease: Duration) async throws -> Set<String> {
        guard !runIDs.isEmpty else { return [] }
        let expires = Date().timeIntervalSince1970 + lease.seconds
        var held: Set<String> = []
        for try await id in try await client.query("""
            UPDATE run_leases SET expires_at = \(expires) WHERE owner = \(owner) AND run_id = ANY(\(runIDs)) RETURNING run_id
            """, logger: logger).decode(String.self) {
            held.insert(id)
        }
        return held
    }

    public func releaseLease(owner: String, runID: String) async throws {
        try await transaction { connection in
            try await connection.query("DELETE FROM run_leases WHERE run_id = \(runID) AND owner = \(owner)", logger: self.logger)
            // A run given back unfinished (its worker is stopping) is for another worker to take at once.
            try await connection.query("""
                SELECT pg_notify(\(Self.wakeUpChannel), id) FROM runs WHERE id = \(runID) AND status = ANY(\(Self.runnableStatuses))
                """, logger: self.logger)
        }
    }

    public func leaseOwners(of runIDs: [String]) async throws -> [String: String] {
        guard !runIDs.isEmpty else { return [:] }
        var owners: [String: String] = [:]
        for try await (runID, owner) in try await client.query("""
            SELECT run_id, owner FROM run_leases WHERE run_id = ANY(\(runIDs)) AND expires_at >= \(Date().timeIntervalSince1970)
            """, logger: logger).decode((String, String).self) {
            owners[runID] = owner
        }
        return owners
    }

    /// The channel on which runs that became runnable are announced.
    static let wakeUpChannel = "catalynx_runs"

    public func wakeUps() -> AsyncStream<Void>? {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let (client, logger) = (self.client, self.logger)
        let listener = Task {
            // One connection listens for as long as the stream is read, reconnecting after errors.
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.wakeUpChannel) { notifications in
                            continuation.yield()  // listening: anything announced before may have been missed
                            for try await _ in notifications { continuation.yield() }
                        }
                    }
                } catch {
                    logger.debug("listening for runs failed, retrying: \(error)")
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }
}
