import Foundation
import PostgresNIO

/// A BMF import into PostgreSQL: each batch of rows one `INSERT … SELECT FROM json_populate_recordset
/// … ON CONFLICT DO UPDATE` statement (its own transaction) that touches a row only when a value
/// differs and says which rows it inserted.
extension PostgresOrganizationDatabase {
    /// Rows per statement.
    static let bmfBatchSize = 5_000

    public func importBMF(_ paths: [String], progress: ((BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        try await BMFImporter.run(paths, progress: progress, writer: .init(
            begin: { _ in }, writeBatch: { source in try await self.writeBMFBatch(source) }, finish: {}))
    }

    private func writeBMFBatch(_ source: BMFRowSource) async throws -> (inserted: Int, changes: Int) {
        var organizations: [Organization] = []
        var firstSeen: Set<String> = []
        try source.readBatch(limit: Self.bmfBatchSize) { record, row in
            organizations.append(Organization(bmf: record, row))
            if !row.isRepeat { firstSeen.insert(row.ein.digits) }
        }
        guard !organizations.isEmpty else { return (0, 0) }
        let columns = Organization.CodingKeys.allCases.map(\.rawValue)
        let sql = Self.insert(into: "organizations", Self.organizationColumns) + """
             ON CONFLICT (ein) DO UPDATE SET \(columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
             WHERE (\(columns.dropFirst().map { "organizations.\($0)" }.joined(separator: ", "))) IS DISTINCT FROM
                   (\(columns.dropFirst().map { "excluded.\($0)" }.joined(separator: ", ")))
             RETURNING ein, xmax = 0
             """
        var binds = PostgresBindings()
        binds.append(try Self.json(Self.deduplicated(organizations, by: \.ein)))
        var inserted = 0, changes = 0
        for try await (ein, isNew) in try await pool.client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: pool.logger)
            .decode((String, Bool).self) {
            if isNew { inserted += 1 }
            if firstSeen.contains(ein) { changes += 1 }
        }
        return (inserted, changes)
    }
}
