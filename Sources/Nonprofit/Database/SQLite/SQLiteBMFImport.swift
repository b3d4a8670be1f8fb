import Foundation
import GRDB

/// A BMF import into SQLite: each batch one transaction of prepared upserts bound straight from
/// the CSV's bytes. Above `bulkThresholdBytes` of CSV (or into an empty table) the secondary
/// indexes are dropped and rebuilt once at the end, much faster than maintaining them row by row;
/// an interrupted bulk import keeps its committed batches, and the indexes are restored the next
/// time the database is opened.
struct SQLiteBMFImport {
    let database: SQLiteOrganizationDatabase
    var bulkThresholdBytes = 64 << 20

    func run(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        try await BMFImporter.run(paths, progress: progress, writer: .init(
            begin: { totalBytes in try database.beginImport(bulk: try totalBytes > bulkThresholdBytes || database.isEmpty()) },
            writeBatch: { source in try writeBatch(source) },
            finish: { try database.finishImport() }))
    }

    private func writeBatch(_ source: BMFRowSource) throws -> (inserted: Int, changes: Int) {
        var binder = BMFRowBinder()
        return try database.write { db in
            let statement = try Self.upsertStatement(db)
            let maxRowID = try Int.fetchOne(db, sql: "SELECT MAX(rowid) FROM organizations") ?? 0
            var changes = 0
            try source.readBatch { record, row in
                if try binder.upsert(record, row, with: statement, in: db), !row.isRepeat { changes += 1 }
            }
            let inserted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organizations WHERE rowid > ?", arguments: [maxRowID]) ?? 0
            return (inserted, changes)
        }
    }

    /// `INSERT … ON CONFLICT(ein) DO UPDATE …` that touches an existing row only when a value differs.
    static func upsertStatement(_ db: Database) throws -> Statement {
        let columns = Organization.CodingKeys.allCases.map(\.rawValue)
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let assignments = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let changed = "(" + columns.dropFirst().map { "organizations.\($0)" }.joined(separator: ", ") + ") IS NOT ("
            + columns.dropFirst().map { "excluded.\($0)" }.joined(separator: ", ") + ")"
        return try db.cachedStatement(sql: """
            INSERT INTO organizations (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT(ein) DO UPDATE SET \(assignments) WHERE \(changed)
            """)
    }
}
