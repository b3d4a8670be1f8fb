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
            begin: { bulk in try database.beginImport(bulk: bulk) },
            writeBatch: { source in try writeBatch(source) },
            finish: { try database.finishImport() }))
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
