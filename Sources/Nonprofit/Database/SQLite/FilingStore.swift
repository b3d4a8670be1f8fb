import GRDB

/// Writing filings, grants and officers so that importing the same data twice changes nothing,
/// and two sources for one tax period merge into one row.
enum FilingStore {
    /// Writes every record of a batch, and the receipts of the returns they came from.
    static func save(_ batch: RecordBatch, in db: Database) throws {
        for organization in batch.organizations { try save(organization, in: db) }
        for filing in batch.filings { try upsert(filing, in: db) }
        for grant in batch.grants { try insert(grant, in: db) }
        for officer in batch.officers { try insert(officer, in: db) }
        let record = try db.cachedStatement(sql: recordReturns)
        for receipt in batch.returns {
            try record.execute(arguments: [receipt.objectID, receipt.ein, receipt.taxPeriod, receipt.formType, receipt.source, receipt.importedAt])
        }
    }

    private static let recordReturns = OrganizationSchemaChanges.recordReturns(from: "VALUES (\(ReturnReceipt.CodingKeys.allCases.map { _ in "?" }.joined(separator: ", ")))")

    /// Inserts a filing, or fills the gaps of the one already there for that period: values
    /// already known are kept, missing ones are taken from `filing`, and its source is added.
    static func upsert(_ filing: Filing, in db: Database) throws {
        try db.cachedStatement(sql: upsertFiling).execute(arguments: StatementArguments(Filing.CodingKeys.allCases.map(filing.databaseValue)))
    }

    private static let upsertFiling = insert(into: "filings", Filing.CodingKeys.allCases.map(\.rawValue), orElse: OrganizationQueries.mergeFiling { list, item in "instr(\(list), \(item)) > 0" })

    /// Inserts an organization, or merges it with the row there (see `OrganizationQueries.mergeOrganization`).
    static func save(_ organization: Organization, in db: Database) throws {
        try db.cachedStatement(sql: upsertOrganization)
            .execute(arguments: StatementArguments(Organization.CodingKeys.allCases.map(organization.databaseValue)))
    }

    private static let upsertOrganization = insert(into: "organizations", OrganizationQueries.organizationColumns, orElse: OrganizationQueries.mergeOrganization)

    /// Inserts a grant unless the same one (grantor, year, recipient, amount, purpose) is there:
    /// a prepared statement bound by position (millions of grants arrive with an e-file year).
    static func insert(_ grant: Grant, in db: Database) throws {
        try db.cachedStatement(sql: insertGrant).execute(arguments: [
            grant.grantorEIN, grant.recipientEIN, grant.recipientName, grant.recipientStreet, grant.recipientCity, grant.recipientState,
            grant.recipientZip, grant.recipientKind, grant.amount, grant.purpose, grant.taxYear, grant.source, grant.cashAmount,
            grant.nonCashAmount, grant.recipientStatus,
        ])
    }

    private static let insertGrant = insert(into: "grants", Grant.CodingKeys.allCases.map(\.rawValue))

    /// Inserts an officer unless already listed for that year.
    static func insert(_ officer: Officer, in db: Database) throws {
        try db.cachedStatement(sql: insertOfficer).execute(arguments: [
            officer.ein, officer.taxYear, officer.name, officer.title, officer.hoursPerWeek, officer.compensation,
        ])
    }

    private static let insertOfficer = insert(into: "officers", Officer.CodingKeys.allCases.map(\.rawValue))

    /// `INSERT OR IGNORE INTO table (columns) VALUES (?, …)`, or with `conflict` (an `ON CONFLICT` clause) a plain `INSERT` followed by it.
    private static func insert(into table: String, _ columns: [String], orElse conflict: String? = nil) -> String {
        "INSERT \(conflict == nil ? "OR IGNORE " : "")INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
            + (conflict.map { "\n" + $0 } ?? "")
    }
}
