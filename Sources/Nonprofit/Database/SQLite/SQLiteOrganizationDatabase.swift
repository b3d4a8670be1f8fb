import Foundation
import GRDB
import SQLiteSupport

/// The embedded organization database: one SQLite file beside the run store
/// (`$CATALYNX_HOME/organizations.sqlite`). Schema changes only through the versioned migrations below.
public final class SQLiteOrganizationDatabase: OrganizationDatabase {
    public let path: String
    public var location: String { path }
    let pool: DatabasePool
    private let lookup: OrganizationLookup

    /// Opens (creating if needed) the database and applies pending migrations.
    /// - Parameter path: the SQLite file.
    public init(path: String) throws {
        self.path = path
        try SharedSQLiteFile.createFolder(of: path)
        var configuration = SharedSQLiteFile.configuration(busyTimeout: 30)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA mmap_size = \(SQLiteOrganizationDatabase.mappedBytes)")  // read pages in place, without a copy per look-up
        }
        pool = try SharedSQLiteFile.openPool(path: path, configuration: configuration)
        try SharedSQLiteFile.migrate(Self.migrator, pool)
        lookup = try OrganizationLookup(path: path)
        try restoreAfterInterruptedImport()
    }

    /// How much of the file reads map in place.
    static let mappedBytes = 1 << 30

    /// The secondary indexes of `organizations`: dropped during bulk imports, restored after
    /// (and on open, should a bulk import have been interrupted).
    static let organizationIndexes: [(name: String, columns: String)] = [
        ("organizations_ntee", "ntee_code"), ("organizations_state", "state, ntee_code"),
        ("organizations_zip", "zip"), ("organizations_foundation", "foundation, state, assets"), GivingSummaries.nameIndex,
    ]

    /// Restores what an import that died left behind (dropped indexes, a stale search index),
    /// reading first so that an ordinary open writes nothing, and leaving alone an import that
    /// another live process is still running.
    private func restoreAfterInterruptedImport() throws {
        let (indexes, marker) = try pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (\(Self.organizationIndexes.map { "'\($0.name)'" }.joined(separator: ", ")))") ?? 0,
             try String.fetchOne(db, sql: "SELECT detail FROM imports WHERE source = ?", arguments: [Self.staleMarker]))
        }
        if let marker, let pid = Int32(marker.dropFirst("pid ".count)), pid != getpid(), kill(pid, 0) == 0 || errno == EPERM { return }
        guard indexes < Self.organizationIndexes.count || marker != nil else { return }
        try pool.write { db in try Self.restoreIndexes(db) }
    }

    /// Recreates missing indexes and, when an import left them stale (`staleMarker`), the search
    /// index and the giving summaries (recipients' causes and places come from the organizations).
    private static func restoreIndexes(_ db: Database) throws {
        for index in organizationIndexes {
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(index.name) ON organizations(\(index.columns))")
        }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM imports WHERE source = ?", arguments: [staleMarker]) ?? false {
            try db.execute(sql: "INSERT INTO organizations_fts(organizations_fts) VALUES ('rebuild')")
            try refreshGiving(db, filter: "1 = 1", arguments: [])
            try db.execute(sql: "DELETE FROM imports WHERE source = ?", arguments: [staleMarker])
        }
    }

    /// The `imports` row of an import that writes without keeping the search index and the giving
    /// summaries current; its detail names the importing process.
    static let staleMarker = "search-index-stale"

    /// Marks the search index and giving summaries stale, in the transaction that makes them so.
    private static func markStale(_ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO imports (source, imported_at, detail) VALUES (?, ?, ?)",
                       arguments: [staleMarker, Date().timeIntervalSince1970, "pid \(getpid())"])
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: organizations, filings, grants, officers") { db in
            try db.execute(sql: """
                CREATE TABLE organizations (
                    ein TEXT PRIMARY KEY NOT NULL CHECK (length(ein) = 9),
                    name TEXT NOT NULL,
                    in_care_of TEXT, street TEXT, city TEXT, state TEXT, zip TEXT,
                    group_exemption TEXT, subsection TEXT, affiliation TEXT, classification TEXT, ruling TEXT,
                    deductibility TEXT, foundation TEXT, activity TEXT, organization_code TEXT, status TEXT,
                    tax_period TEXT, asset_code TEXT, income_code TEXT, filing_requirement TEXT, pf_filing_requirement TEXT,
                    accounting_period TEXT, assets INTEGER, income INTEGER, revenue INTEGER,
                    ntee_code TEXT, ntee_major TEXT, sort_name TEXT,
                    source TEXT NOT NULL
                );
                CREATE VIRTUAL TABLE organizations_fts USING fts5(
                    name, sort_name, city, content='organizations', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
                );
                CREATE TABLE filings (
                    ein TEXT NOT NULL,
                    tax_period INTEGER NOT NULL,
                    tax_year INTEGER NOT NULL,
                    form_type TEXT NOT NULL,
                    sources TEXT NOT NULL,
                    total_revenue INTEGER, total_expenses INTEGER, contributions INTEGER, program_service_revenue INTEGER,
                    investment_income INTEGER, other_revenue INTEGER, program_expenses INTEGER, management_expenses INTEGER,
                    fundraising_expenses INTEGER, total_assets INTEGER, total_liabilities INTEGER, net_assets INTEGER,
                    officer_compensation INTEGER, grants_paid INTEGER, pdf_url TEXT,
                    PRIMARY KEY (ein, tax_period)
                );
                CREATE TABLE grants (
                    id INTEGER PRIMARY KEY,
                    grantor_ein TEXT NOT NULL,
                    recipient_ein TEXT,
                    recipient_name TEXT NOT NULL,
                    recipient_street TEXT, recipient_city TEXT, recipient_state TEXT, recipient_zip TEXT,
                    recipient_kind TEXT NOT NULL,
                    amount INTEGER NOT NULL,
                    purpose TEXT,
                    tax_year INTEGER NOT NULL,
                    source TEXT NOT NULL
                );
                CREATE UNIQUE INDEX grants_identity ON grants(grantor_ein, tax_year, recipient_name, amount, ifnull(purpose, ''), ifnull(recipient_street, ''));
                CREATE INDEX grants_recipient ON grants(recipient_ein);
                CREATE TABLE officers (
                    ein TEXT NOT NULL,
                    tax_year INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    title TEXT,
                    hours_per_week REAL,
                    compensation INTEGER,
                    PRIMARY KEY (ein, tax_year, name)
                );
                CREATE INDEX officers_name ON officers(name);
                CREATE TABLE imports (
                    source TEXT PRIMARY KEY NOT NULL,
                    imported_at REAL NOT NULL,
                    detail TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: mission and program texts of filings") { db in
            try db.execute(sql: "ALTER TABLE filings ADD COLUMN mission TEXT")
            try db.execute(sql: "ALTER TABLE filings ADD COLUMN program_descriptions TEXT")
        }
        migrator.registerMigration("v3: fiscal-year start, prior-year figures, 990-PF disbursements, object ids, grant cash split") { db in
            for statement in OrganizationSchemaChanges.v3 + OrganizationSchemaChanges.relabelFiscalYears(containsXML: "instr(f.sources, 'irs990_xml') > 0") {
                try db.execute(sql: statement)
            }
        }
        migrator.registerMigration("v4: indexes for funder research") { db in
            for statement in OrganizationSchemaChanges.v4 { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v5: giving summaries") { db in
            for statement in OrganizationSchemaChanges.v5(concatenate: "group_concat") { try db.execute(sql: statement) }
        }
        migrator.registerMigration("v6: imported e-file returns, BMF history") { db in
            for statement in OrganizationSchemaChanges.v6 { try db.execute(sql: statement) }
        }
        return migrator
    }

    // MARK: Look-ups

    public func organization(_ ein: EIN) async throws -> Organization? {
        try organizationSync(ein)
    }

    /// The look-up, synchronously (for benchmarks and tight loops).
    public func organizationSync(_ ein: EIN) throws -> Organization? {
        try lookup.organization(ein.digits)
    }

    /// The queries of an organization's history, by EIN.
    enum HistorySQL {
        static let filings = "SELECT * FROM filings WHERE ein = ? ORDER BY tax_period DESC"
        static let grantsMade = "SELECT * FROM grants WHERE grantor_ein = ? ORDER BY tax_year DESC, amount DESC, recipient_name"
        static let grantsReceived = "SELECT * FROM grants WHERE recipient_ein = ? ORDER BY tax_year DESC, amount DESC, recipient_name"
        static let officers = "SELECT * FROM officers WHERE ein = ? ORDER BY tax_year DESC, compensation DESC, name"
    }

    public func record(_ ein: EIN) async throws -> OrganizationRecord? {
        guard let organization = try await organization(ein) else { return nil }
        // One read for the whole history: a server answers this on every look-up.
        return try await pool.read { db in
            let arguments: StatementArguments = [ein.digits]
            return OrganizationRecord(organization: organization, filings: try Filing.fetchAll(db, sql: HistorySQL.filings, arguments: arguments),
                                      grantsMade: try Grant.fetchAll(db, sql: HistorySQL.grantsMade, arguments: arguments),
                                      grantsReceived: try Grant.fetchAll(db, sql: HistorySQL.grantsReceived, arguments: arguments),
                                      officers: try Officer.fetchAll(db, sql: HistorySQL.officers, arguments: arguments))
        }
    }

    public func filings(_ ein: EIN) async throws -> [Filing] { try await fetchAll(HistorySQL.filings, ein) }
    public func grants(madeBy ein: EIN) async throws -> [Grant] { try await fetchAll(HistorySQL.grantsMade, ein) }
    public func grants(receivedBy ein: EIN) async throws -> [Grant] { try await fetchAll(HistorySQL.grantsReceived, ein) }
    public func officers(_ ein: EIN) async throws -> [Officer] { try await fetchAll(HistorySQL.officers, ein) }

    private func fetchAll<Record: FetchableRecord & Sendable>(_ sql: String, _ ein: EIN) async throws -> [Record] {
        try await pool.read { db in try Record.fetchAll(db, sql: sql, arguments: [ein.digits]) }
    }

    public func search(_ query: OrganizationSearch) async throws -> [Organization] {
        let words = query.words.map { "\"\($0)\"*" }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let state = query.state { conditions.append("o.state = ?"); arguments += [state.uppercased()] }
        if let ntee = query.ntee { conditions.append("o.ntee_code LIKE ?"); arguments += [ntee.uppercased() + "%"] }
        if query.foundationsOnly { conditions.append("o.foundation IN ('02', '03', '04')") }
        let filter = conditions.isEmpty ? "" : " AND " + conditions.joined(separator: " AND ")
        let sql: String
        if words.isEmpty {
            sql = "SELECT o.* FROM organizations o WHERE 1\(filter) ORDER BY o.revenue DESC NULLS LAST, o.ein LIMIT ?"
        } else {
            sql = """
                SELECT o.* FROM organizations_fts f JOIN organizations o ON o.rowid = f.rowid
                WHERE organizations_fts MATCH ?\(filter)
                ORDER BY bm25(organizations_fts, 10.0, 4.0, 1.0), o.revenue DESC NULLS LAST, o.ein LIMIT ?
                """
            arguments = [words.joined(separator: " ")] + arguments
        }
        arguments += [query.limit]
        let finalArguments = arguments
        return try await pool.read { db in try Organization.fetchAll(db, sql: sql, arguments: finalArguments) }
    }

    /// Every organization's EIN (for benchmarks and exports).
    public func allEINs() throws -> [EIN] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT ein FROM organizations").map(EIN.init(trusted:)) }
    }

    /// How many organizations, filings, grants and officers the database holds.
    public func counts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for table in ["organizations", "filings", "grants", "officers"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }

    // MARK: Writing

    /// Runs `body` in one write transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write { db in try body(db) }
    }

    public func importBMF(_ paths: [String], progress: (@Sendable (BMFImporter.Progress) -> Void)?) async throws -> BMFImporter.Summary {
        try await SQLiteBMFImport(database: self).run(paths, progress: progress)
    }

    public func save(_ batch: RecordBatch) async throws {
        try await pool.write { db in
            try FilingStore.save(batch, in: db)
            if !batch.organizations.isEmpty { try rebuildSearchIndex(db) }
            var parameters = SQLiteParameters()
            if let touched = GivingSummaries.touched(by: batch, list: { parameters.list($0) }) {
                try Self.refreshGiving(db, filter: touched, arguments: parameters.arguments)
            }
        }
    }

    public func saveDeferringIndexes(_ batch: RecordBatch) async throws {
        try await pool.writeWithoutTransaction { db in
            // A long import writes through SQLite's own page cache, made large (returns arrive in no
            // EIN order), and checkpoints the write-ahead log every 100 MB rather than every 4 MB: each
            // batch dirties more pages than the default allows, so every commit was followed by a
            // checkpoint and its fsync, writing the same index pages again and again (30,000 returns:
            // 1.7 GB written before, 0.7 GB after). Mapping the file it grows would only add gigabytes
            // of resident pages. All three restored by `refreshDeferredIndexes`.
            try db.execute(sql: "PRAGMA mmap_size = 0")
            try db.execute(sql: "PRAGMA cache_size = -\(Self.importCacheKiB)")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 25000")
            try db.inTransaction {
                try Self.markStale(db)
                try FilingStore.save(batch, in: db)
                return .commit
            }
        }
    }

    public func refreshDeferredIndexes() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try Self.restoreIndexes(db)
                return .commit
            }
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mappedBytes)")
            try db.execute(sql: "PRAGMA cache_size = -2000")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 1000")
        }
    }

    /// The writer's page cache during a bulk import, in KiB.
    static let importCacheKiB = 400_000

    public func bmfHistory(_ ein: EIN) async throws -> [BMFChange] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: BMFHistory.organizationHistorySQL, arguments: [ein.digits]).map { row in
                BMFChange(importID: row["import_id"], importedAt: Date(timeIntervalSince1970: row["imported_at"]), files: row["files"],
                          change: row["change"], field: row["field"], oldValue: row["old_value"], newValue: row["new_value"])
            }
        }
    }

    public func importedReturns(among objectIDs: [String]) async throws -> [String: String] {
        guard !objectIDs.isEmpty else { return [:] }
        return try await pool.read { db in
            let sql = "SELECT object_id, form_type FROM efile_returns WHERE object_id IN (\(objectIDs.map { _ in "?" }.joined(separator: ", ")))"
            return Dictionary(try Row.fetchAll(db, sql: sql, arguments: StatementArguments(objectIDs)).map { ($0[0], $0[1]) },
                              uniquingKeysWith: { first, _ in first })
        }
    }

    public func refreshGivingSummaries() async throws {
        try await pool.write { db in try Self.refreshGiving(db, filter: "1 = 1", arguments: []) }
    }

    /// Replaces the giving summaries of the grantors `filter` selects.
    static func refreshGiving(_ db: Database, filter: String, arguments: StatementArguments) throws {
        for statement in GivingSummaries.refresh(filter: filter, concatenate: "group_concat") {
            // Each statement takes the filter's arguments if it names them (the count takes none).
            try db.execute(sql: statement, arguments: statement.contains(filter) ? arguments : [])
        }
    }

    public func markImported(_ source: String, detail: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO imports (source, imported_at, detail) VALUES (?, ?, ?)",
                           arguments: [source, Date().timeIntervalSince1970, detail])
        }
    }

    /// Rebuilds the name-search index from the organizations table (after bulk changes).
    func rebuildSearchIndex(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO organizations_fts(organizations_fts) VALUES ('rebuild')")
    }

    /// Whether the organizations table has no rows.
    func isEmpty() throws -> Bool {
        try pool.read { db in try !(Bool.fetchOne(db, sql: "SELECT 1 FROM organizations LIMIT 1") ?? false) }
    }

    /// Prepares the writer connection for a large import: a big page cache (inserts arrive in
    /// EIN order only by chance), the search index marked stale, and in bulk mode no secondary indexes.
    func beginImport(bulk: Bool) throws {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = -\(Self.importCacheKiB)")
            try Self.markStale(db)
            if bulk {
                for index in Self.organizationIndexes { try db.execute(sql: "DROP INDEX IF EXISTS \(index.name)") }
            }
        }
    }

    /// Restores the indexes, the search index and the giving summaries after an import, and the normal page cache.
    func finishImport() throws {
        try pool.write { db in try Self.restoreIndexes(db) }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = -2000") }
    }

    /// Whether a named dataset was already imported (the embedded dataset records itself).
    public func hasImported(_ source: String) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM imports WHERE source = ?", arguments: [source]) ?? false }
    }
}
