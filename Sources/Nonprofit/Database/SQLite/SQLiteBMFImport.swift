import Foundation
import GRDB

/// A BMF import into SQLite: each batch one transaction of prepared upserts bound straight from
/// the CSV's bytes. A bulk import (see `BMFImporter.bulkThresholdBytes`) drops the secondary
/// indexes and rebuilds them once at the end; an interrupted bulk import keeps its committed
/// batches, and the indexes are restored the next time the database is opened.
struct SQLiteBMFImport {
    let database: SQLiteOrganizationDatabase

    func run(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        try await BMFImporter.run(paths, progress: progress, writer: .init(
            isEmpty: { try database.isEmpty() },
            begin: { bulk, recordChanges in
                try database.beginImport(bulk: bulk)
                return try startHistory(recordingChanges: recordChanges)
            },
            writeBatch: { source in try writeBatch(source) },
            finish: { refresh in
                try database.finishImport()
                return try recordHistory(refresh)
            }))
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

    private func writeBatch(_ source: BMFRowSource) throws -> BMFImporter.BatchCounts {
        var binder = BMFRowBinder()
        return try database.write { db in
            let statement = try Self.upsertStatement(db)
            let maxRowID = try Int.fetchOne(db, sql: "SELECT MAX(rowid) FROM organizations") ?? 0
            var changes = 0
            try source.readBatch { record, row in
                if try binder.upsert(record, row, with: statement, in: db), !row.isRepeat { changes += 1 }
            }
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
