import Foundation
import GRDB

/// A BMF import into SQLite: each batch one transaction of prepared upserts bound straight from
/// the CSV's bytes, written on the database's writer while the next batch is read and checked
/// here (the two cost about the same), so a batch's counts arrive with the next call or the flush. A bulk import (see `BMFImporter.bulkThresholdBytes`) drops the secondary
/// indexes and rebuilds them once at the end; an interrupted bulk import keeps its committed
/// batches, and the indexes are restored the next time the database is opened.
struct SQLiteBMFImport {
    let database: SQLiteOrganizationDatabase

    func run(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        var inFlight: Task<BMFImporter.BatchCounts, any Error>?
        func landed() async throws -> BMFImporter.BatchCounts {
            defer { inFlight = nil }
            return try await inFlight?.value ?? .init()
        }
        do {
            return try await BMFImporter.run(paths, progress: progress, writer: .init(
                isEmpty: { try database.isEmpty() },
                begin: { bulk, recordChanges in
                    try database.beginImport(bulk: bulk)
                    return try startHistory(recordingChanges: recordChanges)
                },
                writeBatch: { source in
                    let batch = Result { try BMFRowBatch(reading: source) }
                    let counts = try await landed()
                    let rows = try batch.get()
                    if !rows.isEmpty { inFlight = Task { [database] in try await Self.write(rows, to: database) } }
                    return counts
                },
                flush: landed,
                finish: { refresh in
                    try database.finishImport()
                    return try recordHistory(refresh)
                }))
        } catch {
            _ = try? await landed()
            throw error
        }
    }

    /// Numbers the import and, for a refresh, starts recording changed values: a trigger of the
    /// writer's own connection (`TEMP`), so that only this import's updates are recorded.
    private func startHistory(recordingChanges: Bool) throws -> Int {
        try database.pool.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS temp.\(Self.historyTrigger)")
            let importID = try Int.fetchOne(db, sql: BMFHistory.nextImportIDSQL) ?? 1
            if recordingChanges { try db.execute(sql: Self.historyTriggerSQL(importID: importID)) }
            return importID
        }
    }

    private static let historyTrigger = "bmf_history"

    private static func historyTriggerSQL(importID: Int) -> String {
        let changes = BMFHistory.watchedColumns.map { column in
            "SELECT \(importID), new.ein, 'changed', '\(column)', old.\(column), new.\(column) WHERE old.\(column) IS NOT new.\(column)"
        }.joined(separator: " UNION ALL ")
        return """
            CREATE TEMP TRIGGER \(historyTrigger) AFTER UPDATE ON organizations WHEN old.source = 'bmf' BEGIN
                INSERT INTO organization_changes (import_id, ein, change, field, old_value, new_value) \(changes);
            END
            """
    }

    /// Stops recording, marks what is gone and listed again (for a refresh) and records the import.
    private func recordHistory(_ refresh: BMFImporter.Refresh) throws -> (gone: Int, returned: Int) {
        try database.pool.writeWithoutTransaction { db in try db.execute(sql: "DROP TRIGGER IF EXISTS temp.\(Self.historyTrigger)") }
        return try database.write { db in
            var summary = refresh.summary
            let importID = summary.importID
            if refresh.recordsChanges {
                try db.execute(sql: "CREATE TEMP TABLE \(BMFHistory.seenTable) (ein TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID")
                let insert = try db.makeStatement(sql: "INSERT INTO \(BMFHistory.seenTable) (ein) VALUES (?)")
                for ein in refresh.seen { try insert.execute(arguments: [ein]) }
                for statement in BMFHistory.markGoneAndReturned(importID: importID, states: summary.states.sorted(), parameters: SQLiteParameters.init) {
                    try db.execute(sql: statement.sql, arguments: statement.parameters.arguments)
                }
                try db.execute(sql: "DROP TABLE temp.\(BMFHistory.seenTable)")
                let counts = try Row.fetchOne(db, sql: BMFHistory.countsSQL(importID: importID))
                (summary.gone, summary.returned) = (counts?["gone"] ?? 0, counts?["returned"] ?? 0)
            }
            var parameters = SQLiteParameters()
            let record = BMFHistory.recordImportSQL(importID: importID, summary: summary, files: refresh.files, &parameters)
            try db.execute(sql: record, arguments: parameters.arguments)
            return (summary.gone, summary.returned)
        }
    }

    private static func write(_ batch: BMFRowBatch, to database: SQLiteOrganizationDatabase) async throws -> BMFImporter.BatchCounts {
        try await database.pool.write { db in
            var binder = BMFRowBinder()
            let maxRowID = try Int.fetchOne(db, sql: "SELECT MAX(rowid) FROM organizations") ?? 0
            let changes = try binder.upsert(batch, with: try upsertStatement(db), in: db)
            let inserted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organizations WHERE rowid > ?", arguments: [maxRowID]) ?? 0
            return BMFImporter.BatchCounts(inserted: inserted, changes: changes)
        }
    }

    /// `INSERT … ON CONFLICT(ein) DO UPDATE …` that touches an existing row only when a value differs.
    static func upsertStatement(_ db: Database) throws -> Statement {
        let columns = OrganizationQueries.organizationColumns
        return try db.cachedStatement(sql: """
            INSERT INTO organizations (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            \(OrganizationQueries.replaceOrganization) WHERE \(OrganizationQueries.offeredOrganizationDiffers(isDistinct: "IS NOT"))
            """)
    }
}
