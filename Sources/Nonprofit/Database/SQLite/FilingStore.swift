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
        let columns = ReturnReceipt.CodingKeys.allCases
        let record = try db.cachedStatement(sql: OrganizationSchemaChanges.recordReturns(from: "VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"))
        for receipt in batch.returns {
            try record.execute(arguments: [receipt.objectID, receipt.ein, receipt.taxPeriod, receipt.formType, receipt.source, receipt.importedAt])
        }
    }

    /// Inserts a filing, or fills the gaps of the one already there for that period: values
    /// already known are kept, missing ones are taken from `filing`, and its source is added.
    static func upsert(_ filing: Filing, in db: Database) throws {
        let columns = Filing.CodingKeys.allCases.map(\.rawValue)
        // By column name: nil properties are left out of the record's encoding, so positions would shift.
        let values = try filing.databaseDictionary
        try db.cachedStatement(sql: """
            INSERT INTO filings (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            \(OrganizationQueries.mergeFiling { list, item in "instr(\(list), \(item)) > 0" })
            """).execute(arguments: StatementArguments(columns.map { values[$0] ?? .null }))
    }

    /// Inserts an organization, or merges it with the row there (see `OrganizationQueries.mergeOrganization`).
    static func save(_ organization: Organization, in db: Database) throws {
        let columns = OrganizationQueries.organizationColumns
        let values = try organization.databaseDictionary
        try db.cachedStatement(sql: """
            INSERT INTO organizations (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
            \(OrganizationQueries.mergeOrganization)
            """).execute(arguments: StatementArguments(columns.map { values[$0] ?? .null }))
    }

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

    /// `INSERT OR IGNORE INTO table (columns) VALUES (?, …)`.
    private static func insert(into table: String, _ columns: [String]) -> String {
        "INSERT OR IGNORE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }
}
