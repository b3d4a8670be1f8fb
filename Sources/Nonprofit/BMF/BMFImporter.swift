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
    public var batchSize = 20_000

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
        var bytesBefore = 0
        for (path, size) in zip(paths, sizes) {
            try importFile(path, into: &summary, seen: &seen) { rows, bytes in
                progress?(Progress(file: (path as NSString).lastPathComponent, rows: rows, bytesRead: bytesBefore + bytes, totalBytes: totalBytes))
            }
            bytesBefore += size
        }
        try database.write { db in try database.rebuildSearchIndex(db) }
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
        let normalizedHeader = header.fields.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        guard normalizedHeader == Self.columns else {
            let missing = Self.columns.filter { !normalizedHeader.contains($0) }
            summary.rejected.append(RejectedRow(file: file, line: 1, reason: "not an IRS BMF header"
                + (missing.isEmpty ? " (columns out of order)" : " (missing \(missing.prefix(5).joined(separator: ", ")))")))
            return
        }
        var batch: [Organization] = []
        batch.reserveCapacity(batchSize)
        func flush() throws {
            guard !batch.isEmpty else { return }
            let counts = try database.write { db in try Self.upsert(batch, in: db) }
            summary.inserted += counts.inserted
            summary.updated += counts.updated
            summary.unchanged += counts.unchanged
            batch.removeAll(keepingCapacity: true)
            progress(summary.rows, reader.bytesRead)
        }
        while let record = try reader.next() {
            if record.fields.count == 1, record.fields[0].isEmpty { continue }  // a blank line
            summary.rows += 1
            switch Self.organization(from: record.fields) {
            case .failure(let problem):
                summary.rejected.append(RejectedRow(file: file, line: record.line, reason: problem.reason))
            case .success(let organization):
                if !seen.insert(organization.ein).inserted {
                    summary.duplicates += 1
                    if let index = batch.lastIndex(where: { $0.ein == organization.ein }) { batch.remove(at: index) }
                }
                batch.append(organization)
                if batch.count >= batchSize { try flush() }
            }
        }
        try flush()
    }

    /// Parses one BMF row.
    static func organization(from fields: [String]) -> Result<Organization, RowProblem> {
        guard fields.count == columns.count else {
            return .failure(RowProblem("expected \(columns.count) columns, found \(fields.count)"))
        }
        let ein: EIN
        do {
            ein = try EIN(fields[0])
        } catch {
            return .failure(RowProblem("EIN: \(error.reason) ('\(fields[0])')"))
        }
        let name = fields[1].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return .failure(RowProblem("NAME is empty")) }
        func text(_ index: Int) -> String? {
            let value = fields[index].trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        var amounts: [Int?] = []
        for (index, column) in [(23, "ASSET_AMT"), (24, "INCOME_AMT"), (25, "REVENUE_AMT")] {
            guard let raw = text(index) else { amounts.append(nil); continue }
            guard let amount = Int(raw) else { return .failure(RowProblem("\(column) is not a whole number ('\(raw)')")) }
            amounts.append(amount)
        }
        let ntee = text(26)?.uppercased()
        return .success(Organization(
            ein: ein.digits, name: name, inCareOf: text(2), street: text(3), city: text(4), state: text(5), zip: text(6),
            groupExemption: text(7), subsection: text(8), affiliation: text(9), classification: text(10), ruling: text(11),
            deductibility: text(12), foundation: text(13), activity: text(14), organizationCode: text(15), status: text(16),
            taxPeriod: text(17), assetCode: text(18), incomeCode: text(19), filingRequirement: text(20), pfFilingRequirement: text(21),
            accountingPeriod: text(22), assets: amounts[0], income: amounts[1], revenue: amounts[2],
            nteeCode: ntee, nteeMajor: ntee.flatMap { $0.first.map(String.init) }, sortName: text(27), source: "bmf"))
    }

    /// Upserts organizations and counts what changed: a row is updated only when a value differs.
    static func upsert(_ organizations: [Organization], in db: Database) throws -> (inserted: Int, updated: Int, unchanged: Int) {
        let columns = Organization.CodingKeys.allColumns
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let assignments = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let changed = "(" + columns.dropFirst().map { "organizations.\($0)" }.joined(separator: ", ") + ") IS NOT ("
            + columns.dropFirst().map { "excluded.\($0)" }.joined(separator: ", ") + ")"
        let statement = try db.cachedStatement(sql: """
            INSERT INTO organizations (\(columns.joined(separator: ", "))) VALUES (\(placeholders))
            ON CONFLICT(ein) DO UPDATE SET \(assignments) WHERE \(changed)
            """)
        let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organizations") ?? 0
        var changes = 0
        for organization in organizations {
            try statement.execute(arguments: StatementArguments(organization.databaseValues))
            changes += db.changesCount
        }
        let inserted = (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM organizations") ?? 0) - before
        return (inserted, changes - inserted, organizations.count - changes)
    }
}

/// Why a BMF row was rejected.
struct RowProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

extension Organization.CodingKeys {
    static var allColumns: [String] { allCases.map(\.rawValue) }
}

extension Organization {
    /// The column values in `CodingKeys` order.
    var databaseValues: [DatabaseValueConvertible?] {
        [ein, name, inCareOf, street, city, state, zip, groupExemption, subsection, affiliation, classification, ruling, deductibility,
         foundation, activity, organizationCode, status, taxPeriod, assetCode, incomeCode, filingRequirement, pfFilingRequirement,
         accountingPeriod, assets, income, revenue, nteeCode, nteeMajor, sortName, source]
    }
}
