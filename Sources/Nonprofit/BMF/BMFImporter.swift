import Foundation
import GRDB

/// Imports IRS EO BMF CSV files (`eo_XX.csv`, `eo1.csv` … `eo4.csv`) into the organization
/// database: streamed, upserted in batches of one transaction each, every bad row counted and
/// reported with its file and line, never aborting the import.
public struct BMFImporter {
    /// The 28 columns of the IRS file, in order.
    public static let columns = ["EIN", "NAME", "ICO", "STREET", "CITY", "STATE", "ZIP", "GROUP", "SUBSECTION", "AFFILIATION",
                                 "CLASSIFICATION", "RULING", "DEDUCTIBILITY", "FOUNDATION", "ACTIVITY", "ORGANIZATION", "STATUS",
                                 "TAX_PERIOD", "ASSET_CD", "INCOME_CD", "FILING_REQ_CD", "PF_FILING_REQ_CD", "ACCT_PD", "ASSET_AMT",
                                 "INCOME_AMT", "REVENUE_AMT", "NTEE_CD", "SORT_NAME"]

    /// A row that was not imported, and why.
    public struct RejectedRow: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        public var description: String { "\(file):\(line): \(reason)" }
    }

    /// What an import did.
    public struct Summary: Sendable, Hashable {
        public var rows = 0
        public var inserted = 0
        public var updated = 0
        public var unchanged = 0
        /// Rows whose EIN appeared earlier in the same import (the later row wins).
        public var duplicates = 0
        public var rejected: [RejectedRow] = []
        public var seconds = 0.0
        /// Of `seconds`, the time spent rebuilding indexes and the search index at the end.
        public var indexSeconds = 0.0
    }

    /// Progress, reported after each batch.
    public struct Progress: Sendable {
        public var file: String
        public var rows: Int
        public var bytesRead: Int
        public var totalBytes: Int
    }

    public let database: OrganizationDatabase
    /// Rows per transaction.
    public var batchSize = 100_000
    /// Above this many bytes of CSV (or into an empty table) the import runs in bulk mode: the
    /// secondary indexes are dropped and rebuilt once at the end, which is much faster than
    /// maintaining them row by row. An interrupted bulk import leaves the rows of its committed
    /// batches; the indexes are restored the next time the database is opened.
    public var bulkThresholdBytes = 64 << 20

    public init(database: OrganizationDatabase) { self.database = database }

    /// Imports the files in order.
    /// - Parameters:
    ///   - paths: BMF CSV files.
    ///   - progress: called after each committed batch.
    public func importFiles(_ paths: [String], progress: ((Progress) -> Void)? = nil) throws -> Summary {
        let started = Date()
        var summary = Summary()
        var seen = Set<String>()
        let sizes = paths.map { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? NSNumber)?.intValue ?? 0 }
        let totalBytes = sizes.reduce(0, +)
        let bulk = try totalBytes > bulkThresholdBytes || database.isEmpty()
        try database.beginImport(bulk: bulk)
        var bytesBefore = 0
        for (path, size) in zip(paths, sizes) {
            try importFile(path, into: &summary, seen: &seen) { rows, bytes in
                progress?(Progress(file: (path as NSString).lastPathComponent, rows: rows, bytesRead: bytesBefore + bytes, totalBytes: totalBytes))
            }
            bytesBefore += size
        }
        let indexing = Date()
        try database.finishImport()
        summary.indexSeconds = Date().timeIntervalSince(indexing)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func importFile(_ path: String, into summary: inout Summary, seen: inout Set<String>,
                            progress: (_ rows: Int, _ bytes: Int) -> Void) throws {
        let file = (path as NSString).lastPathComponent
        var reader = try CSVReader(path: path)
        guard let header = try reader.next() else {
            summary.rejected.append(RejectedRow(file: file, line: 1, reason: "the file is empty"))
            return
        }
        let normalizedHeader = header.fields.map { $0.uppercased() }
        guard normalizedHeader == Self.columns else {
            let missing = Self.columns.filter { !normalizedHeader.contains($0) }
            summary.rejected.append(RejectedRow(file: file, line: 1, reason: "not an IRS BMF header"
                + (missing.isEmpty ? " (columns out of order)" : " (missing \(missing.prefix(5).joined(separator: ", ")))")))
            return
        }
        var record = CSVReader.RawRecord()
        var binder = BMFRowBinder()
        var finished = false
        while !finished {
            // One transaction per batch: an interrupted import keeps every committed batch.
            let batch = try database.write { db -> (inserted: Int, changes: Int) in
                let statement = try Self.upsertStatement(db)
                let maxRowID = try Int.fetchOne(db, sql: "SELECT MAX(rowid) FROM organizations") ?? 0
                var rows = 0, changes = 0
                while rows < batchSize {
                    guard try reader.next(into: &record) else {
                        finished = true
                        break
                    }
                    if record.count == 1, record.starts[0] == record.ends[0] { continue }  // a blank line
                    rows += 1
                    summary.rows += 1
                    do {
                        let (ein, changed) = try binder.upsert(record, with: statement, in: db)
                        let duplicate = !seen.insert(ein).inserted
                        if duplicate { summary.duplicates += 1 } else if changed { changes += 1 }
                    } catch let problem as RowProblem {
                        summary.rejected.append(RejectedRow(file: file, line: record.line, reason: problem.reason))
                    }
                }
                let inserted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organizations WHERE rowid > ?", arguments: [maxRowID]) ?? 0
                return (inserted, changes)
            }
            summary.inserted += batch.inserted
            summary.updated += batch.changes - batch.inserted
            progress(summary.rows, reader.bytesRead)
        }
        summary.unchanged = summary.rows - summary.inserted - summary.updated - summary.duplicates - summary.rejected.count
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

/// Why a BMF row was rejected.
struct RowProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
