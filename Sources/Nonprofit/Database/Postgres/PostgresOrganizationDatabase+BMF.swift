import Foundation
import PostgresNIO

/// A BMF import into PostgreSQL: each batch of rows is copied into a session's staging table and
/// upserted from there by one `INSERT … SELECT … ON CONFLICT DO UPDATE` statement (its own
/// transaction) that touches a row only when a value differs and says which rows it inserted. A bulk import (see `BMFImporter.bulkThresholdBytes`)
/// drops the secondary indexes, the name search's among them, and builds them once at the end.
/// The importer holds an advisory lock for the whole import; a process that opens the database
/// while nobody holds it builds any index an interrupted import left missing.
extension PostgresOrganizationDatabase {
    /// Rows per statement.
    static let bmfBatchSize = 5_000
    /// The session advisory lock of a running BMF import.
    static let importLock: Int64 = 7_201_003

    public func importBMF(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        let logger = pool.logger
        return try await pool.client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.importLock))", logger: logger)
            // One batch is written by the server while the next is read and encoded here (the two
            // cost about the same), so a batch's counts arrive with the next call or the flush.
            var inFlight: Task<BMFImporter.BatchCounts, any Error>?
            // The import's number while it records changes (a refresh), else nil.
            var recording: Int?
            func landed() async throws -> BMFImporter.BatchCounts {
                defer { inFlight = nil }
                return try await inFlight?.value ?? .init()
            }
            do {
                let summary = try await BMFImporter.run(paths, progress: progress, writer: .init(
                    isEmpty: { try await Self.isEmpty(connection, logger) },
                    begin: { bulk, recordChanges in
                        try await connection.query(PostgresQuery(unsafeSQL: Self.stagingTableDefinition), logger: logger)
                        let importID = try await Self.nextImportID(connection, logger)
                        if recordChanges {
                            try await connection.query(PostgresQuery(unsafeSQL: Self.seenTableDefinition), logger: logger)
                            try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(BMFHistory.seenTable)"), logger: logger)
                            recording = importID
                        }
                        if bulk {
                            for index in Self.organizationIndexes {
                                try await connection.query(PostgresQuery(unsafeSQL: "DROP INDEX IF EXISTS \(index.name)"), logger: logger)
                            }
                        }
                        return importID
                    },
                    writeBatch: { source in
                        let batch = Result { try Self.encodeBMFBatch(source) }
                        let counts = try await landed()
                        if let batch = try batch.get() {
                            let recordingAs = recording
                            inFlight = Task { try await Self.write(batch, recordingAs: recordingAs, on: connection, logger) }
                        }
                        return counts
                    },
                    flush: landed,
                    finish: { refresh in
                        try await Self.createMissingIndexes(on: connection, logger)
                        // Recipients' causes and places come from the organizations: the summaries are rebuilt.
                        try await Self.refreshGiving(on: connection, filter: "1 = 1", binds: .init(), logger)
                        try await connection.query("DELETE FROM imports WHERE source = \(Self.staleMarker)", logger: logger)
                        return try await Self.recordHistory(refresh, on: connection, logger)
                    }))
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.stagingTable)"), logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.importLock))", logger: logger)
                return summary
            } catch {
                _ = try? await landed()
                try? await Self.createMissingIndexes(on: connection, logger)
                _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(Self.stagingTable)"), logger: logger)
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.importLock))", logger: logger)
                throw error
            }
        }
    }

    /// The EINs a refresh saw, batch by batch.
    private static let seenTableDefinition = "CREATE TEMP TABLE IF NOT EXISTS \(BMFHistory.seenTable) (ein TEXT COLLATE \"C\" PRIMARY KEY)"

    private static func nextImportID(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        for try await id in try await connection.query(PostgresQuery(unsafeSQL: BMFHistory.nextImportIDSQL), logger: logger).decode(Int.self) {
            return id
        }
        return 1
    }

    /// The changed values of the staged rows' organizations, one row per field (before the upsert writes them).
    private static let recordChanges = """
        INSERT INTO organization_changes (import_id, ein, change, field, old_value, new_value)
        SELECT $1, s.ein, 'changed', f.field, f.old_value, f.new_value
        FROM \(stagingTable) s JOIN organizations o ON o.ein = s.ein AND o.source = 'bmf'
        CROSS JOIN LATERAL (VALUES \(BMFHistory.watchedColumns.map { "('\($0)', o.\($0), s.\($0))" }.joined(separator: ", "))) AS f(field, old_value, new_value)
        WHERE f.old_value IS DISTINCT FROM f.new_value
        """

    /// Marks what is gone and listed again (for a refresh) and records the import.
    private static func recordHistory(_ refresh: BMFImporter.Refresh, on connection: PostgresConnection,
                                      _ logger: Logger) async throws -> (gone: Int, returned: Int) {
        var summary = refresh.summary
        let importID = summary.importID
        if refresh.recordsChanges {
            for statement in BMFHistory.markGoneAndReturned(importID: importID, states: summary.states.sorted(), parameters: { Query() }) {
                try await connection.query(PostgresQuery(unsafeSQL: statement.sql, binds: statement.parameters.binds), logger: logger)
            }
            for try await (gone, returned) in try await connection.query(PostgresQuery(unsafeSQL: BMFHistory.countsSQL(importID: importID)),
                                                                         logger: logger).decode((Int, Int).self) {
                (summary.gone, summary.returned) = (gone, returned)
            }
            try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(BMFHistory.seenTable)"), logger: logger)
        }
        var parameters = Query()
        let record = BMFHistory.recordImportSQL(importID: importID, summary: summary, files: refresh.files, &parameters)
        try await connection.query(PostgresQuery(unsafeSQL: record, binds: parameters.binds), logger: logger)
        return (summary.gone, summary.returned)
    }

    /// Builds the indexes an interrupted bulk import left missing, unless an import is running.
    func restoreAfterInterruptedImport() async throws {
        let logger = pool.logger
        try await pool.client.withConnection { connection in
            var locked = false
            for try await flag in try await connection.query("SELECT pg_try_advisory_lock(\(Self.importLock))", logger: logger).decode(Bool.self) {
                locked = flag
            }
            guard locked else { return }
            do {
                try await Self.createMissingIndexes(on: connection, logger)
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.importLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Self.importLock))", logger: logger)
        }
    }

    /// Creates the secondary indexes that do not exist (looked up first: `CREATE INDEX IF NOT
    /// EXISTS` would lock the table even when there is nothing to do).
    static func createMissingIndexes(on connection: PostgresConnection, _ logger: Logger) async throws {
        var existing: Set<String> = []
        for try await name in try await connection.query("SELECT indexname FROM pg_indexes WHERE tablename = 'organizations'", logger: logger)
            .decode(String.self) {
            existing.insert(name)
        }
        for index in organizationIndexes where !existing.contains(index.name) {
            try await connection.query(PostgresQuery(unsafeSQL: index.definition), logger: logger)
        }
    }

    private static func isEmpty(_ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        for try await any in try await connection.query("SELECT EXISTS (SELECT 1 FROM organizations)", logger: logger).decode(Bool.self) {
            return !any
        }
        return true
    }

    /// A batch of BMF rows in COPY text format, and the EINs first seen in this import.
    private struct EncodedBatch: Sendable {
        var rows: [UInt8]
        var firstSeen: Set<String>
    }

    /// Reads and encodes the source's next batch; nil when it had no valid rows left.
    private static func encodeBMFBatch(_ source: BMFRowSource) throws -> EncodedBatch? {
        var rows = BMFCopyRows()
        var firstSeen: Set<String> = []
        try source.readBatch(limit: bmfBatchSize) { record, row in
            rows.append(record, row)
            if !row.isRepeat { firstSeen.insert(row.ein.digits) }
        }
        guard !rows.isEmpty else { return nil }
        return EncodedBatch(rows: rows.bytes, firstSeen: firstSeen)
    }

    /// The session's staging table: each batch is copied in, upserted from there, and cleared.
    private static let stagingTable = "bmf_import_rows"

    private static let stagingTableDefinition = """
        CREATE TEMP TABLE IF NOT EXISTS \(stagingTable) AS SELECT \(organizationColumns) FROM organizations WITH NO DATA
        """

    private static let bmfUpsert = """
        INSERT INTO organizations (\(organizationColumns)) SELECT \(organizationColumns) FROM \(stagingTable)
        \(OrganizationQueries.replaceOrganization) WHERE \(OrganizationQueries.offeredOrganizationDiffers(isDistinct: "IS DISTINCT FROM"))
        RETURNING ein, xmax = 0
        """

    /// Copies the batch into the staging table (`COPY` parses several times faster than JSON) and
    /// upserts it from there in one statement that says which rows it inserted.
    private static func write(_ batch: EncodedBatch, recordingAs importID: Int?, on connection: PostgresConnection,
                              _ logger: Logger) async throws -> BMFImporter.BatchCounts {
        try await connection.query(PostgresQuery(unsafeSQL: "TRUNCATE \(stagingTable)"), logger: logger)
        try await connection.copyFrom(table: stagingTable, columns: OrganizationQueries.organizationColumns, logger: logger) { writer in
            try await writer.write(ByteBuffer(bytes: batch.rows))
        }
        if let importID {
            var binds = PostgresBindings()
            binds.append(importID)
            try await connection.query(PostgresQuery(unsafeSQL: recordChanges, binds: binds), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "INSERT INTO \(BMFHistory.seenTable) SELECT ein FROM \(stagingTable) ON CONFLICT DO NOTHING"),
                                       logger: logger)
        }
        var counts = BMFImporter.BatchCounts()
        for try await (ein, isNew) in try await connection.query(PostgresQuery(unsafeSQL: bmfUpsert), logger: logger).decode((String, Bool).self) {
            if isNew { counts.inserted += 1 }
            if batch.firstSeen.contains(ein) { counts.changes += 1 }
        }
        return counts
    }
}
